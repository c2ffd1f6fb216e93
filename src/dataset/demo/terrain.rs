//! Terrain measures the synthesis uses to place things as people do: slope, position relative to the
//! surroundings (valley floor or ridge), and distances to lines (rivers, roads) via a point index.

use geo::{LineString, Point};
use rstar::RTree;

use crate::grid::Grid;

/// Slope in degrees at (x, y) from central differences over ±`h` metres.
pub fn slope_deg(dem: &Grid<f32>, x: f64, y: f64, h: f64) -> f64 {
    let s = |dx: f64, dy: f64| dem.sample_bilinear(x + dx, y + dy).map(|v| v as f64);
    match (s(h, 0.0), s(-h, 0.0), s(0.0, h), s(0.0, -h)) {
        (Some(e), Some(w), Some(n), Some(so)) => {
            let gx = (e - w) / (2.0 * h);
            let gy = (n - so) / (2.0 * h);
            (gx.hypot(gy)).atan().to_degrees()
        }
        _ => 90.0,
    }
}

/// Elevation at (x, y) minus the mean of 8 points on a circle of radius `r`: negative in valleys,
/// positive on ridges and summits.
pub fn relative_elevation(dem: &Grid<f32>, x: f64, y: f64, r: f64) -> f64 {
    let Some(z) = dem.sample_bilinear(x, y) else { return 0.0 };
    let mut sum = 0.0;
    let mut n = 0.0;
    for k in 0..8 {
        let a = k as f64 * std::f64::consts::FRAC_PI_4;
        if let Some(v) = dem.sample_bilinear(x + r * a.cos(), y + r * a.sin()) {
            sum += v as f64;
            n += 1.0;
        }
    }
    if n == 0.0 {
        0.0
    } else {
        z as f64 - sum / n
    }
}

/// Nearest-distance index over densified lines.
pub struct LineIndex(RTree<[f64; 2]>);

impl LineIndex {
    pub fn new<'a>(lines: impl IntoIterator<Item = &'a LineString<f64>>, step: f64) -> Self {
        let pts: Vec<[f64; 2]> = lines
            .into_iter()
            .flat_map(|l| super::real::densify(l, step))
            .map(|c| [c.x, c.y])
            .collect();
        Self(RTree::bulk_load(pts))
    }

    pub fn distance(&self, p: Point<f64>) -> f64 {
        self.0
            .nearest_neighbor([p.x(), p.y()])
            .map(|q| (q[0] - p.x()).hypot(q[1] - p.y()))
            .unwrap_or(f64::INFINITY)
    }

    pub fn nearest(&self, p: Point<f64>) -> Option<Point<f64>> {
        self.0.nearest_neighbor([p.x(), p.y()]).map(|q| Point::new(q[0], q[1]))
    }
}
