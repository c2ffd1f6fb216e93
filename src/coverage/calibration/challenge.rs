//! Measurements that contradict an "uncovered" prediction: a drive-test sample within
//! `challenge_radius_m` of an uncovered hamlet that reaches the covered threshold (as measured,
//! in-vehicle samples included as they are, which only understates the outdoor level). Such a hamlet
//! is "challenged" in `coverage_gaps`, as the FCC map accepts drive-test challenges.

use geo::Point;
use rstar::primitives::GeomWithData;
use rstar::RTree;

use crate::coverage::params::CoverageParams;
use crate::dataset::Dataset;

pub struct Challenges {
    tree: RTree<GeomWithData<[f64; 2], f64>>,
    radius: f64,
}

impl Challenges {
    pub fn new(ds: &Dataset, params: &CoverageParams) -> Self {
        let pts = ds
            .measurements
            .iter()
            .filter(|m| m.rsrp_dbm >= params.covered_dbm)
            .map(|m| GeomWithData::new([m.pos.x(), m.pos.y()], m.rsrp_dbm))
            .collect();
        Self { tree: RTree::bulk_load(pts), radius: params.calibration.challenge_radius_m }
    }

    /// (number of contradicting measurements, the strongest) near `p`, or `None`.
    pub fn at(&self, p: Point<f64>) -> Option<(usize, f64)> {
        let mut n = 0;
        let mut best = f64::NEG_INFINITY;
        for g in self.tree.locate_within_distance([p.x(), p.y()], self.radius * self.radius) {
            n += 1;
            best = best.max(g.data);
        }
        (n > 0).then_some((n, best))
    }
}
