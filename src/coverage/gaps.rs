//! Coverage gaps — what operators ask for: the uncovered hamlets ranked by population, each with its
//! commune and district, best RSRP, distance to the nearest site and elevation, grouped into gap
//! areas. A gap area is a single-linkage cluster: uncovered hamlets closer than `gap_link_m` (3 km by
//! default, about twice the radius a rural site covers among mountains) to any other member belong
//! together — the hamlets one new site could plausibly serve. Areas are numbered by population
//! (area 1 holds the most uncovered people).

use geo::{ConvexHull, MultiPoint, Point, Polygon};
use rstar::primitives::GeomWithData;
use rstar::RTree;

use super::hamlets::HamletStatus;
use super::params::CoverageParams;
use super::sites::dem_elevation;
use crate::dataset::Dataset;
use crate::grid::union_find::UnionFind;

/// One uncovered hamlet.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// 1 = most people.
    pub rank: u32,
    /// Index in `Dataset::hamlets`.
    pub hamlet: usize,
    pub rsrp_dbm: f32,
    /// Index in `Dataset::sites` of the nearest site and its distance (m).
    pub nearest_site: Option<(usize, f64)>,
    pub elevation_m: Option<f32>,
    pub area: u32,
    /// The hamlet's location probability of coverage.
    pub p_covered: f64,
}

/// A cluster of uncovered hamlets.
#[derive(Debug, Clone, PartialEq)]
pub struct GapArea {
    pub id: u32,
    /// Indices in `Dataset::hamlets`, most people first.
    pub hamlets: Vec<usize>,
    pub population: u64,
    /// Convex hull of 500 m octagons around the members (so single hamlets have an area too).
    pub outline: Polygon<f64>,
}

/// Single-linkage clusters of `pts` within `link` metres (union-find over R-tree neighbour pairs).
pub fn single_linkage(pts: &[[f64; 2]], link: f64) -> Vec<usize> {
    let tree = RTree::bulk_load(pts.iter().enumerate().map(|(i, p)| GeomWithData::new(*p, i)).collect());
    let mut sets = UnionFind::new(pts.len());
    for (i, p) in pts.iter().enumerate() {
        for g in tree.locate_within_distance(*p, link * link) {
            sets.union_min(i as u32, g.data as u32);
        }
    }
    (0..pts.len() as u32).map(|i| sets.find(i) as usize).collect()
}

fn outline(ds: &Dataset, members: &[usize]) -> Polygon<f64> {
    let mut pts = Vec::with_capacity(members.len() * 8);
    for &h in members {
        let p = ds.hamlets[h].pos;
        for k in 0..8 {
            let a = k as f64 * std::f64::consts::FRAC_PI_4;
            pts.push(Point::new(p.x() + 500.0 * a.cos(), p.y() + 500.0 * a.sin()));
        }
    }
    MultiPoint(pts).convex_hull()
}

/// The gaps and gap areas of the statuses (in `Dataset::hamlets` order).
pub fn find_gaps(ds: &Dataset, statuses: &[HamletStatus], params: &CoverageParams) -> (Vec<Gap>, Vec<GapArea>) {
    let mut uncovered: Vec<usize> = statuses.iter().filter(|s| !s.covered).map(|s| s.hamlet).collect();
    let pop = |h: usize| ds.hamlets[h].population as u64;
    uncovered.sort_by(|a, b| pop(*b).cmp(&pop(*a)).then(a.cmp(b)));
    let pts: Vec<[f64; 2]> = uncovered.iter().map(|h| [ds.hamlets[*h].pos.x(), ds.hamlets[*h].pos.y()]).collect();
    let roots = single_linkage(&pts, params.gap_link_m);
    // Group by root, order groups by population (then by their largest hamlet's rank).
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (k, r) in roots.iter().enumerate() {
        groups.entry(*r).or_default().push(k);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    groups.sort_by(|a, b| {
        let pa: u64 = a.iter().map(|k| pop(uncovered[*k])).sum();
        let pb: u64 = b.iter().map(|k| pop(uncovered[*k])).sum();
        pb.cmp(&pa).then(a[0].cmp(&b[0]))
    });
    let mut area_of = vec![0u32; uncovered.len()];
    let mut areas = Vec::with_capacity(groups.len());
    for (i, g) in groups.iter().enumerate() {
        let hamlets: Vec<usize> = g.iter().map(|k| uncovered[*k]).collect();
        for k in g {
            area_of[*k] = i as u32 + 1;
        }
        areas.push(GapArea {
            id: i as u32 + 1,
            population: hamlets.iter().map(|h| pop(*h)).sum(),
            outline: outline(ds, &hamlets),
            hamlets,
        });
    }
    let sites = RTree::bulk_load(ds.sites.iter().enumerate().map(|(i, s)| GeomWithData::new([s.pos.x(), s.pos.y()], i)).collect());
    let gaps = uncovered
        .iter()
        .enumerate()
        .map(|(k, &h)| {
            let p = ds.hamlets[h].pos;
            let nearest = sites.nearest_neighbor([p.x(), p.y()]).map(|g| (g.data, (g.geom()[0] - p.x()).hypot(g.geom()[1] - p.y())));
            Gap {
                rank: k as u32 + 1,
                hamlet: h,
                rsrp_dbm: statuses[h].rsrp_dbm,
                nearest_site: nearest,
                elevation_m: dem_elevation(&ds.dem, p.x(), p.y()),
                area: area_of[k],
                p_covered: statuses[h].p_covered,
            }
        })
        .collect();
    (gaps, areas)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_linkage_chains() {
        // 0–1–2 chained at 900 m steps (each within 1 km of the next) form one cluster though 0 and 2
        // are 1.8 km apart; 3 stands alone.
        let pts = [[0.0, 0.0], [900.0, 0.0], [1800.0, 0.0], [5000.0, 0.0]];
        let r = single_linkage(&pts, 1000.0);
        assert_eq!(r[0], r[1]);
        assert_eq!(r[1], r[2]);
        assert_ne!(r[2], r[3]);
    }
}
