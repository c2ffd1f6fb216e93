//! The real river lines as imposed trunk channels of the landscape-evolution grid: each line carried
//! on to the grid's edge where it leaves the province (its outlet — where the Đà and the Mã leave the
//! area) or, for a river entering the province, back to the edge it comes from; rasterized as
//! 8-connected cell paths; joined at confluences; and given one downstream receiver per cell by a
//! shortest-path search from the outlets along the lines, so the network is a tree draining to the
//! edge whatever the lines' small gaps and overlaps.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use geo::{Coord, LineString};

use super::fastscape::NONE;
use super::real::densify;

/// A north-up square-celled grid: top-left corner, cell size, size in cells.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub x0: f64,
    pub y0: f64,
    pub cell: f64,
    pub width: usize,
    pub height: usize,
}

impl Frame {
    pub fn cell_of(&self, c: Coord<f64>) -> Option<usize> {
        let col = ((c.x - self.x0) / self.cell).floor();
        let row = ((self.y0 - c.y) / self.cell).floor();
        (col >= 0.0 && row >= 0.0 && (col as usize) < self.width && (row as usize) < self.height).then(|| row as usize * self.width + col as usize)
    }
    pub fn centre(&self, i: usize) -> Coord<f64> {
        Coord { x: self.x0 + ((i % self.width) as f64 + 0.5) * self.cell, y: self.y0 - ((i / self.width) as f64 + 0.5) * self.cell }
    }
    fn max_x(&self) -> f64 {
        self.x0 + self.width as f64 * self.cell
    }
    fn min_y(&self) -> f64 {
        self.y0 - self.height as f64 * self.cell
    }
}

/// The channel network on a frame.
pub struct Channels {
    /// Channel cells, outlets first, then in order of distance to their outlet along the network.
    pub order: Vec<u32>,
    /// Downstream channel cell of each cell in `order` ([`NONE`] for an outlet on the edge).
    pub receiver: Vec<u32>,
    /// The lines as imposed (extended to the edge where they leave or enter), upstream to downstream.
    pub lines: Vec<LineString<f64>>,
}

/// Where a ray from `p` along unit `d` leaves the frame, and how far that is; `None` if it does not.
fn ray_exit(f: &Frame, p: Coord<f64>, d: Coord<f64>) -> Option<(Coord<f64>, f64)> {
    let mut t = f64::INFINITY;
    let e = 1e-6;
    if d.x > e {
        t = t.min((f.max_x() - p.x) / d.x);
    } else if d.x < -e {
        t = t.min((f.x0 - p.x) / d.x);
    }
    if d.y > e {
        t = t.min((f.y0 - p.y) / d.y);
    } else if d.y < -e {
        t = t.min((f.min_y() - p.y) / d.y);
    }
    (t.is_finite() && t >= 0.0).then(|| (Coord { x: p.x + d.x * t, y: p.y + d.y * t }, t))
}

/// A point just inside the frame's edge from `p`: along the line's own direction `d` when that
/// leaves soon, else straight to the nearest edge (a river leaving sideways is not drawn for 100 km).
fn exit_point(f: &Frame, p: Coord<f64>, d: Coord<f64>) -> Coord<f64> {
    let inset = f.cell * 0.25;
    let edges = [
        (p.x - f.x0, Coord { x: f.x0 + inset, y: p.y }),
        (f.max_x() - p.x, Coord { x: f.max_x() - inset, y: p.y }),
        (f.y0 - p.y, Coord { x: p.x, y: f.y0 - inset }),
        (p.y - f.min_y(), Coord { x: p.x, y: f.min_y() + inset }),
    ];
    let nearest = edges.iter().min_by(|a, b| a.0.total_cmp(&b.0)).map(|e| (e.1, e.0)).unwrap_or((p, 0.0));
    match ray_exit(f, p, d) {
        Some((q, t)) if t <= 2.0 * nearest.1 + 5000.0 => Coord {
            x: q.x.clamp(f.x0 + inset, f.max_x() - inset),
            y: q.y.clamp(f.min_y() + inset, f.y0 - inset),
        },
        _ => nearest.0,
    }
}

/// Unit direction of the last `span` metres of a vertex sequence (last minus the point `span` back).
fn tail_direction(pts: &[Coord<f64>], span: f64) -> Coord<f64> {
    let end = pts[pts.len() - 1];
    let mut back = pts[0];
    for q in pts.iter().rev() {
        back = *q;
        if (end.x - q.x).hypot(end.y - q.y) >= span {
            break;
        }
    }
    let (dx, dy) = (end.x - back.x, end.y - back.y);
    let n = dx.hypot(dy).max(1e-9);
    Coord { x: dx / n, y: dy / n }
}

fn dist_to_lines(p: Coord<f64>, pts: &[Vec<Coord<f64>>], skip: usize) -> f64 {
    pts.iter()
        .enumerate()
        .filter(|(k, _)| *k != skip)
        .flat_map(|(_, l)| l.iter())
        .map(|q| (q.x - p.x).hypot(q.y - p.y))
        .fold(f64::INFINITY, f64::min)
}

/// Build the network. `lines` run upstream to downstream; `boundary_dist` gives a point's distance
/// to the province outline (a line starting on it enters the province from outside).
pub fn build(f: &Frame, lines: &[LineString<f64>], boundary_dist: impl Fn(Coord<f64>) -> f64) -> Channels {
    let join = 1.5 * f.cell.max(400.0);
    let dense: Vec<Vec<Coord<f64>>> = lines.iter().filter(|l| l.0.len() >= 2).map(|l| densify(l, 100.0)).collect();
    // Extend: an end not at another line leaves the area; a start on the outline (not fed by another
    // line) comes from outside.
    let mut ext: Vec<Vec<Coord<f64>>> = Vec::with_capacity(dense.len());
    let mut is_outlet_line = Vec::with_capacity(dense.len());
    for (k, l) in dense.iter().enumerate() {
        let mut v = l.clone();
        let (start, end) = (l[0], l[l.len() - 1]);
        if dist_to_lines(start, &dense, k) > join && boundary_dist(start) < 2000.0 {
            let rev: Vec<Coord<f64>> = l.iter().rev().copied().collect();
            let q = exit_point(f, start, tail_direction(&rev, 3000.0));
            v.insert(0, q);
        }
        let leaves = dist_to_lines(end, &dense, k) > join;
        if leaves {
            v.push(exit_point(f, end, tail_direction(l, 3000.0)));
        }
        is_outlet_line.push(leaves);
        ext.push(v);
    }
    let lines_out: Vec<LineString<f64>> = ext.iter().map(|v| LineString(v.clone())).collect();

    // Rasterize into cell paths and collect the directed edges (upstream → downstream).
    let n = f.width * f.height;
    let mut edges: Vec<(u32, u32)> = Vec::new();
    let mut outlets: Vec<u32> = Vec::new();
    let mut paths: Vec<Vec<u32>> = Vec::new();
    for v in &ext {
        let mut path: Vec<u32> = Vec::new();
        for c in densify(&LineString(v.clone()), f.cell * 0.4) {
            if let Some(i) = f.cell_of(c) {
                if path.last() != Some(&(i as u32)) {
                    path.push(i as u32);
                }
            }
        }
        for w in path.windows(2) {
            edges.push((w[0], w[1]));
        }
        paths.push(path);
    }
    let mut on_channel = vec![false; n];
    for p in &paths {
        for &i in p {
            on_channel[i as usize] = true;
        }
    }
    for (k, p) in paths.iter().enumerate() {
        let Some(&last) = p.last() else { continue };
        if is_outlet_line[k] {
            outlets.push(last);
            continue;
        }
        // Confluence: join the nearest cell of another line.
        let lc = f.centre(last as usize);
        let mut best: Option<(f64, u32)> = None;
        for (j, q) in paths.iter().enumerate() {
            if j == k {
                continue;
            }
            for &i in q {
                let c = f.centre(i as usize);
                let d = (c.x - lc.x).hypot(c.y - lc.y);
                if d <= join + f.cell && best.is_none_or(|b| d < b.0) {
                    best = Some((d, i));
                }
            }
        }
        if let Some((_, i)) = best {
            if i != last {
                edges.push((last, i));
            }
        }
    }
    // Shortest paths from the outlets against the flow: each cell's receiver is its parent.
    let mut up: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(a, b) in &edges {
        up[b as usize].push(a);
    }
    let mut dist = vec![f64::INFINITY; n];
    let mut parent = vec![NONE; n];
    let mut heap = BinaryHeap::new();
    outlets.sort_unstable();
    outlets.dedup();
    for &o in &outlets {
        dist[o as usize] = 0.0;
        heap.push(Reverse((0u64, o)));
    }
    let mut order = Vec::new();
    let mut done = vec![false; n];
    while let Some(Reverse((_, c))) = heap.pop() {
        let cu = c as usize;
        if done[cu] {
            continue;
        }
        done[cu] = true;
        order.push(c);
        let cc = f.centre(cu);
        for &a in &up[cu] {
            let ac = f.centre(a as usize);
            let nd = dist[cu] + (ac.x - cc.x).hypot(ac.y - cc.y);
            if nd < dist[a as usize] {
                dist[a as usize] = nd;
                parent[a as usize] = c;
                heap.push(Reverse(((nd * 1000.0) as u64, a)));
            }
        }
    }
    let receiver = order.iter().map(|&c| parent[c as usize]).collect();
    Channels { order, receiver, lines: lines_out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tributary_joins_and_the_trunk_leaves_at_the_edge() {
        // 10 km square, 200 m cells. A trunk from the west edge to (7000, 5000), which is inside: it is
        // carried on eastwards to the edge. A tributary from the north ends on the trunk.
        let f = Frame { x0: 0.0, y0: 10_000.0, cell: 200.0, width: 50, height: 50 };
        let trunk = LineString::from(vec![(100.0, 5000.0), (7000.0, 5000.0)]);
        let trib = LineString::from(vec![(4000.0, 8000.0), (4000.0, 5000.0)]);
        // The province outline is the west edge here.
        let ch = build(&f, &[trunk, trib], |c| c.x);
        let last = ch.lines[0].0.last().unwrap();
        assert!(last.x > 9900.0 && (last.y - 5000.0).abs() < 1.0, "{last:?}");
        // One outlet, on the east edge; every other channel cell has a receiver on the network.
        let outlets: Vec<u32> = ch.order.iter().zip(&ch.receiver).filter(|(_, r)| **r == NONE).map(|(c, _)| *c).collect();
        assert_eq!(outlets.len(), 1);
        assert_eq!(outlets[0] as usize % 50, 49);
        // The tributary's head (col 20, row 10) reaches the outlet by following receivers.
        let head = 10 * 50 + 20;
        let pos: std::collections::HashMap<u32, u32> = ch.order.iter().copied().zip(ch.receiver.iter().copied()).collect();
        let mut c = head as u32;
        let mut steps = 0;
        while pos[&c] != NONE {
            c = pos[&c];
            steps += 1;
            assert!(steps < 200);
        }
        assert_eq!(c, outlets[0]);
        // The trunk's head at the west edge is a channel cell (a river entering from outside).
        assert!(pos.contains_key(&(25 * 50)));
    }
}
