//! Landslide susceptibility: a weighted linear combination of rated factors with AHP weights, the
//! approach of the Vietnamese northern-mountain studies (e.g. Le et al. 2021, "Developing a
//! landslide susceptibility map using the Analytic Hierarchical Process in Ta Van and Hau Thao
//! communes, Sapa", J. Disaster Research 16(4): 529–538), restricted to the factors a DEM, the road
//! network and a rainfall scenario give us. Tran et al. 2024 (Sustainability 16(21): 9574, 1,771
//! landslides in Sơn La) rank slope, rainfall, distance to roads and to rivers, curvature and
//! wetness among the influential factors of this province.
//!
//! `LSI = gate(slope) × Σ wᵢ rᵢ`, each rating rᵢ ∈ [0, 1] from a piecewise-linear curve:
//!
//! | factor | rating curve (value → rating) | why |
//! |---|---|---|
//! | slope (°) | 0→0, 5→0.05, 15→0.35, 25→0.65, 35→0.9, 45→1, 60→0.85 | shallow slides cluster on 25–45° slopes; cliffs hold little soil |
//! | 24-h rainfall (mm) | 0→0, 50→0.25, 100→0.55, 150→0.75, 200→0.9, 300→1 | Vietnamese "heavy" (50–100) and "very heavy" (>100 mm/24 h) rain trigger most slides |
//! | distance to road (m) | 0→1, 50→0.8, 100→0.55, 200→0.25, 400→0.05, 600→0 | cut slopes and drainage of mountain roads |
//! | distance to stream (m) | 0→1, 50→0.75, 100→0.5, 200→0.25, 400→0.05 | toe erosion by streams |
//! | TWI | 4→0.1, 6→0.35, 8→0.65, 10→0.9, 12→1 | saturated soils lose strength |
//! | curvature | 0.6 × plan (−0.01→0.1, 0→0.4, 0.01→1) + 0.4 × profile (−0.01→1, 0→0.5, 0.01→0.2) (1/m) | hollows converge water; convex-steepening profiles fail |
//!
//! The weights are the AHP eigenvector ([`super::ahp`]) of the judgement matrix [`JUDGEMENTS`]
//! (slope ≻ rainfall ≻ roads ≻ streams ≈ wetness ≻ curvature), about 0.36, 0.24, 0.15, 0.09, 0.09,
//! 0.06 with a consistency ratio below 0.02. Slopes gentler than 5° cannot host shallow landslides
//! (Sidle & Ochiai 2006), so `gate` rises from 0 at 5° to 1 at 15°.
//!
//! **Rainfall**: the scenario is one 24-h total over the province. 0 mm is valid and gives the dry
//! (terrain-only) susceptibility: the rainfall term is 0 and classes fall by about one; a negative
//! or non-finite rainfall is a parameter error. The model is uncalibrated against an inventory; its
//! classes rank terrain, they are not probabilities.

use rayon::prelude::*;

use super::ahp::ahp_weights;
use super::curvature::{plan_profile, window};
use crate::grid::distance::distance_to;
use super::rating::Curve;
use super::slope::SLOPE_NODATA;
use super::twi::twi;
use crate::grid::Grid;

pub const SLOPE: Curve = Curve(&[(0.0, 0.0), (5.0, 0.05), (15.0, 0.35), (25.0, 0.65), (35.0, 0.9), (45.0, 1.0), (60.0, 0.85)]);
pub const RAIN: Curve = Curve(&[(0.0, 0.0), (50.0, 0.25), (100.0, 0.55), (150.0, 0.75), (200.0, 0.9), (300.0, 1.0)]);
pub const ROAD: Curve = Curve(&[(0.0, 1.0), (50.0, 0.8), (100.0, 0.55), (200.0, 0.25), (400.0, 0.05), (600.0, 0.0)]);
pub const STREAM: Curve = Curve(&[(0.0, 1.0), (50.0, 0.75), (100.0, 0.5), (200.0, 0.25), (400.0, 0.05)]);
pub const WETNESS: Curve = Curve(&[(4.0, 0.1), (6.0, 0.35), (8.0, 0.65), (10.0, 0.9), (12.0, 1.0)]);
pub const PLAN: Curve = Curve(&[(-0.01, 0.1), (0.0, 0.4), (0.01, 1.0)]);
pub const PROFILE: Curve = Curve(&[(-0.01, 1.0), (0.0, 0.5), (0.01, 0.2)]);
pub const GATE: Curve = Curve(&[(5.0, 0.0), (15.0, 1.0)]);

/// AHP judgements, factors in the order slope, rainfall, road, stream, wetness, curvature.
pub const JUDGEMENTS: [[f64; 6]; 6] = [
    [1.0, 2.0, 3.0, 4.0, 4.0, 5.0],
    [1.0 / 2.0, 1.0, 2.0, 3.0, 3.0, 4.0],
    [1.0 / 3.0, 1.0 / 2.0, 1.0, 2.0, 2.0, 3.0],
    [1.0 / 4.0, 1.0 / 3.0, 1.0 / 2.0, 1.0, 1.0, 2.0],
    [1.0 / 4.0, 1.0 / 3.0, 1.0 / 2.0, 1.0, 1.0, 2.0],
    [1.0 / 5.0, 1.0 / 4.0, 1.0 / 3.0, 1.0 / 2.0, 1.0 / 2.0, 1.0],
];

/// The factor weights (slope, rainfall, road, stream, wetness, curvature).
pub fn weights() -> [f32; 6] {
    ahp_weights(&JUDGEMENTS).0.map(|w| w as f32)
}

/// The index of one cell from its factor values (used by the grid version and by tests).
#[allow(clippy::too_many_arguments)]
pub fn index_of(slope: f32, rain: f32, d_road: f32, d_stream: f32, wet: f32, plan: f32, profile: f32) -> f32 {
    let w = weights();
    let curv = 0.6 * PLAN.rate(plan) + 0.4 * PROFILE.rate(profile);
    let s = w[0] * SLOPE.rate(slope)
        + w[1] * RAIN.rate(rain)
        + w[2] * ROAD.rate(d_road)
        + w[3] * STREAM.rate(d_stream)
        + w[4] * WETNESS.rate(wet)
        + w[5] * curv;
    GATE.rate(slope) * s
}

/// Landslide susceptibility index grid (NaN where slope is undefined). `streams` and `roads` are
/// cell masks; distances to them are computed one at a time and dropped, to keep memory low.
pub fn landslide_index(dem: &Grid<f32>, slope: &Grid<f32>, acc: &Grid<u32>, streams: &[bool], roads: &[bool], rain_mm: f32) -> Grid<f32> {
    let w = weights();
    let (dx, dy, width) = (dem.transform.dx, dem.transform.dy, dem.width);
    let rain_term = w[1] * RAIN.rate(rain_mm);
    // Local factors first.
    let mut idx = dem.like(f32::NAN, Some(f32::NAN));
    idx.data.par_chunks_mut(width).enumerate().for_each(|(r, row)| {
        for (c, out) in row.iter_mut().enumerate() {
            let i = r * width + c;
            let s = slope.data[i];
            if s == SLOPE_NODATA {
                continue;
            }
            let (plan, profile) = window(dem, c, r).map_or((0.0, 0.0), |win| plan_profile(&win, dx, dy));
            let wet = twi(acc.data[i], s, dx, dy).unwrap_or(0.0);
            let curv = 0.6 * PLAN.rate(plan) + 0.4 * PROFILE.rate(profile);
            *out = w[0] * SLOPE.rate(s) + rain_term + w[4] * WETNESS.rate(wet) + w[5] * curv;
        }
    });
    // Distance terms, one distance grid alive at a time.
    for (mask, curve, wk) in [(streams, STREAM, w[3]), (roads, ROAD, w[2])] {
        let d = distance_to(mask, dem.width, dem.height, dem.transform);
        idx.data.par_iter_mut().zip(d.data.par_iter()).for_each(|(v, d)| {
            if !v.is_nan() {
                *v += wk * curve.rate(*d);
            }
        });
    }
    idx.data.par_iter_mut().zip(slope.data.par_iter()).for_each(|(v, s)| {
        if !v.is_nan() {
            *v *= GATE.rate(*s);
        }
    });
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_in_the_order_of_the_judgements() {
        // The weights as the model uses them sum to 1 and keep the judgements' order.
        let w = weights();
        assert!((w.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(w[0] > w[1] && w[1] > w[2] && w[2] > w[3] && w[4] > w[5], "{w:?}");
    }

    #[test]
    fn index_responds_to_factors() {
        // Flat ground never slides, whatever the rain.
        assert_eq!(index_of(2.0, 300.0, 0.0, 0.0, 12.0, 0.01, -0.01), 0.0);
        // Steep slope by a road and a stream under heavy rain approaches 1; the same slope dry and
        // far from both scores lower; every factor at its top rating gives exactly 1.
        let wet = index_of(40.0, 250.0, 10.0, 20.0, 10.0, 0.005, -0.005);
        let dry = index_of(40.0, 0.0, 1000.0, 1000.0, 5.0, 0.0, 0.0);
        assert!(wet > 0.8 && dry < 0.45 && dry > 0.2, "{wet} {dry}");
        assert!((index_of(45.0, 300.0, 0.0, 0.0, 12.0, 0.01, -0.01) - 1.0).abs() < 1e-5);
        // Zero rainfall lowers the index by exactly the rainfall weight × rating at the scenario.
        let w = weights();
        let d = index_of(30.0, 150.0, 80.0, 120.0, 7.0, 0.0, 0.0) - index_of(30.0, 0.0, 80.0, 120.0, 7.0, 0.0, 0.0);
        assert!((d - w[1] * 0.75).abs() < 1e-5);
    }
}
