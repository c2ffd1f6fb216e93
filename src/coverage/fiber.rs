//! Fiber reach: fiber runs along roads, so the distance from a hamlet to the fiber network is the
//! distance along the road graph to the nearest fiber access point, plus the straight drops from the
//! hamlet to its nearest road and from the access point to its nearest road.
//!
//! The graph: road vertices are nodes (coincident vertices merged at 1 cm); a road end closer than
//! `road_snap_m` to another road but not on it (a T-junction digitised short) is joined to that road
//! at its nearest point, so junctions connect even when the lines were not noded. One multi-source
//! Dijkstra from every access point gives every node its distance; a point then takes the better of
//! its segment's two ends (or the direct run along the segment when an access point lies on the same
//! segment). A hamlet whose roads never reach an access point has no fiber distance.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use rstar::primitives::{GeomWithData, Line};
use rstar::{PointDistance, RTree};

use crate::dataset::Road;

type SegIndex = RTree<GeomWithData<Line<[f64; 2]>, u32>>;

/// The road network as a graph.
pub struct RoadGraph {
    nodes: Vec<[f64; 2]>,
    /// Segment end nodes.
    segs: Vec<(u32, u32)>,
    adj: Vec<Vec<(u32, f64)>>,
    index: SegIndex,
}

/// A point's attachment to the network: the segment, the fraction along it, the drop length.
#[derive(Debug, Clone, Copy)]
pub struct Snap {
    pub seg: u32,
    pub t: f64,
    pub drop_m: f64,
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

fn project(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let l2 = dx * dx + dy * dy;
    if l2 == 0.0 {
        0.0
    } else {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2).clamp(0.0, 1.0)
    }
}

fn lerp(a: [f64; 2], b: [f64; 2], t: f64) -> [f64; 2] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

impl RoadGraph {
    pub fn build(roads: &[Road], snap_m: f64) -> Self {
        let mut nodes: Vec<[f64; 2]> = Vec::new();
        let mut key: HashMap<(i64, i64), u32> = HashMap::new();
        let mut node = |p: [f64; 2], nodes: &mut Vec<[f64; 2]>| -> u32 {
            let k = ((p[0] * 100.0).round() as i64, (p[1] * 100.0).round() as i64);
            *key.entry(k).or_insert_with(|| {
                nodes.push(p);
                nodes.len() as u32 - 1
            })
        };
        let mut segs: Vec<(u32, u32)> = Vec::new();
        let mut ends: Vec<u32> = Vec::new();
        for r in roads {
            let pts: Vec<[f64; 2]> = r.geom.0.iter().filter(|c| c.x.is_finite() && c.y.is_finite()).map(|c| [c.x, c.y]).collect();
            if pts.len() < 2 {
                continue;
            }
            let ids: Vec<u32> = pts.iter().map(|p| node(*p, &mut nodes)).collect();
            for w in ids.windows(2) {
                if w[0] != w[1] {
                    segs.push((w[0], w[1]));
                }
            }
            ends.push(ids[0]);
            ends.push(*ids.last().unwrap());
        }
        // Join dangling ends to the nearest other segment within the snap distance.
        let mut degree = vec![0u32; nodes.len()];
        for &(a, b) in &segs {
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        let index = Self::index_of(&nodes, &segs);
        let mut splits: HashMap<u32, Vec<(f64, u32)>> = HashMap::new();
        let mut joins: Vec<(u32, [f64; 2])> = Vec::new();
        ends.sort_unstable();
        ends.dedup();
        if snap_m > 0.0 {
            for &e in &ends {
                if degree[e as usize] != 1 {
                    continue;
                }
                let p = nodes[e as usize];
                let near = index
                    .locate_within_distance(p, snap_m * snap_m)
                    .filter(|g| {
                        let (a, b) = segs[g.data as usize];
                        a != e && b != e
                    })
                    .min_by(|x, y| x.distance_2(&p).total_cmp(&y.distance_2(&p)));
                if let Some(g) = near {
                    let (a, b) = segs[g.data as usize];
                    let t = project(nodes[a as usize], nodes[b as usize], p);
                    joins.push((e, lerp(nodes[a as usize], nodes[b as usize], t)));
                    splits.entry(g.data).or_default().push((t, joins.len() as u32 - 1));
                }
            }
        }
        let mut join_node = vec![0u32; joins.len()];
        for (k, (_, q)) in joins.iter().enumerate() {
            join_node[k] = node(*q, &mut nodes);
        }
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(segs.len() + 2 * joins.len());
        for (i, &(a, b)) in segs.iter().enumerate() {
            match splits.get_mut(&(i as u32)) {
                None => out.push((a, b)),
                Some(list) => {
                    list.sort_by(|x, y| x.0.total_cmp(&y.0));
                    let mut prev = a;
                    for &(_, k) in list.iter() {
                        let m = join_node[k as usize];
                        if m != prev {
                            out.push((prev, m));
                        }
                        prev = m;
                    }
                    if prev != b {
                        out.push((prev, b));
                    }
                }
            }
        }
        for (k, (e, _)) in joins.iter().enumerate() {
            if *e != join_node[k] {
                out.push((*e, join_node[k]));
            }
        }
        let mut adj = vec![Vec::new(); nodes.len()];
        for &(a, b) in &out {
            let l = dist(nodes[a as usize], nodes[b as usize]);
            adj[a as usize].push((b, l));
            adj[b as usize].push((a, l));
        }
        let index = Self::index_of(&nodes, &out);
        Self { nodes, segs: out, adj, index }
    }

    fn index_of(nodes: &[[f64; 2]], segs: &[(u32, u32)]) -> SegIndex {
        RTree::bulk_load(
            segs.iter()
                .enumerate()
                .map(|(i, &(a, b))| GeomWithData::new(Line::new(nodes[a as usize], nodes[b as usize]), i as u32))
                .collect(),
        )
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn segment_count(&self) -> usize {
        self.segs.len()
    }

    /// The nearest point of the network to (x, y); `None` without roads.
    pub fn snap(&self, x: f64, y: f64) -> Option<Snap> {
        let p = [x, y];
        let g = self.index.nearest_neighbor(p)?;
        let (a, b) = self.segs[g.data as usize];
        let (pa, pb) = (self.nodes[a as usize], self.nodes[b as usize]);
        let t = project(pa, pb, p);
        Some(Snap { seg: g.data, t, drop_m: dist(lerp(pa, pb, t), p) })
    }

    fn seg_len(&self, s: u32) -> f64 {
        let (a, b) = self.segs[s as usize];
        dist(self.nodes[a as usize], self.nodes[b as usize])
    }

    /// Network distance from each node to the nearest source (each source a snap, starting at its
    /// drop length). Unreachable nodes get +∞.
    fn dijkstra(&self, sources: &[Snap]) -> Vec<f64> {
        let mut d = vec![f64::INFINITY; self.nodes.len()];
        // Non-negative floats order like their bit patterns.
        let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
        let relax = |n: u32, v: f64, d: &mut Vec<f64>, heap: &mut BinaryHeap<Reverse<(u64, u32)>>| {
            if v < d[n as usize] {
                d[n as usize] = v;
                heap.push(Reverse((v.to_bits(), n)));
            }
        };
        for s in sources {
            let (a, b) = self.segs[s.seg as usize];
            let l = self.seg_len(s.seg);
            relax(a, s.drop_m + s.t * l, &mut d, &mut heap);
            relax(b, s.drop_m + (1.0 - s.t) * l, &mut d, &mut heap);
        }
        while let Some(Reverse((bits, n))) = heap.pop() {
            let v = f64::from_bits(bits);
            if v > d[n as usize] {
                continue;
            }
            for &(m, l) in &self.adj[n as usize] {
                relax(m, v + l, &mut d, &mut heap);
            }
        }
        d
    }
}

/// Distances (m) from points to the nearest access point over the road network.
pub struct FiberReach {
    graph: RoadGraph,
    node_dist: Vec<f64>,
    /// Access points per segment: (t, drop) — for points on the same segment as an access point.
    on_segment: HashMap<u32, Vec<(f64, f64)>>,
}

impl FiberReach {
    pub fn new(roads: &[Road], access_points: &[[f64; 2]], snap_m: f64) -> Self {
        let graph = RoadGraph::build(roads, snap_m);
        let snaps: Vec<Snap> = access_points.iter().filter_map(|p| graph.snap(p[0], p[1])).collect();
        let node_dist = graph.dijkstra(&snaps);
        let mut on_segment: HashMap<u32, Vec<(f64, f64)>> = HashMap::new();
        for s in &snaps {
            on_segment.entry(s.seg).or_default().push((s.t, s.drop_m));
        }
        Self { graph, node_dist, on_segment }
    }

    pub fn graph(&self) -> &RoadGraph {
        &self.graph
    }

    /// Network distance (m) from (x, y) to the nearest access point, drops included; `None` when no
    /// access point is reachable.
    pub fn distance(&self, x: f64, y: f64) -> Option<f64> {
        let s = self.graph.snap(x, y)?;
        let (a, b) = self.graph.segs[s.seg as usize];
        let l = self.graph.seg_len(s.seg);
        let mut best = (self.node_dist[a as usize] + s.t * l).min(self.node_dist[b as usize] + (1.0 - s.t) * l);
        if let Some(list) = self.on_segment.get(&s.seg) {
            for &(t, drop) in list {
                best = best.min(drop + (t - s.t).abs() * l);
            }
        }
        let d = best + s.drop_m;
        d.is_finite().then_some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::LineString;

    fn road(id: i64, pts: &[(f64, f64)]) -> Road {
        Road { id, name: String::new(), class: "x".into(), geom: LineString::from(pts.to_vec()) }
    }

    #[test]
    fn distance_along_an_l_shaped_road() {
        // An L: (0,0)→(1000,0)→(1000,1000). Access point 10 m off the road at (0,-10); a hamlet 20 m
        // off the far end at (1020, 1000): 10 + 1000 + 1000 + 20 = 2030 m, not the 1442 m straight line.
        let roads = [road(1, &[(0.0, 0.0), (1000.0, 0.0), (1000.0, 1000.0)])];
        let f = FiberReach::new(&roads, &[[0.0, -10.0]], 10.0);
        let d = f.distance(1020.0, 1000.0).unwrap();
        assert!((d - 2030.0).abs() < 1e-6, "{d}");
        // On the same segment as the access point: the direct run along it.
        let d = f.distance(300.0, 5.0).unwrap();
        assert!((d - (10.0 + 300.0 + 5.0)).abs() < 1e-6, "{d}");
    }

    #[test]
    fn t_junction_is_joined_and_islands_are_unreachable() {
        // A main road along y = 0 and a branch ending 4 m short of it at (500, 4) going north; the
        // branch is joined within the 10 m snap distance. A separate road far away has no access point.
        let roads = [
            road(1, &[(0.0, 0.0), (1000.0, 0.0)]),
            road(2, &[(500.0, 4.0), (500.0, 800.0)]),
            road(3, &[(5000.0, 5000.0), (6000.0, 5000.0)]),
        ];
        let f = FiberReach::new(&roads, &[[0.0, 0.0]], 10.0);
        let d = f.distance(500.0, 800.0).unwrap();
        assert!((d - (500.0 + 4.0 + 796.0)).abs() < 1e-6, "{d}");
        assert_eq!(f.distance(5500.0, 5000.0), None);
        // Without snapping the branch is an island too.
        let g = FiberReach::new(&roads, &[[0.0, 0.0]], 0.0);
        assert_eq!(g.distance(500.0, 800.0), None);
    }

    #[test]
    fn crossing_roads_noded_at_a_shared_vertex_connect() {
        let roads = [road(1, &[(0.0, 0.0), (100.0, 0.0), (200.0, 0.0)]), road(2, &[(100.0, -100.0), (100.0, 0.0), (100.0, 100.0)])];
        let f = FiberReach::new(&roads, &[[200.0, 0.0]], 10.0);
        assert!((f.distance(100.0, 100.0).unwrap() - 200.0).abs() < 1e-9);
        assert!((f.distance(100.0, -100.0).unwrap() - 200.0).abs() < 1e-9);
        assert_eq!(f.graph().node_count(), 5);
    }
}
