//! Flash-flood susceptibility: a weighted linear combination in the manner of the Flash Flood
//! Potential Index (Smith 2003, US National Weather Service; weighted with AHP as in the Vietnamese
//! applications, e.g. the Cau River watershed WFFPI study), with the terrain factors that locate
//! where a flash flood reaches: height above the nearest drainage (HAND; Rennó et al. 2008, Nobre et
//! al. 2011 — cells a few metres above a channel are flood-prone), the size of that channel
//! (contributing area of the drainage cell), local slope (flat valley floors hold water) and the
//! rainfall scenario.
//!
//! `FFI = gate(HAND, A) × Σ wᵢ rᵢ`:
//!
//! | factor | rating curve (value → rating) |
//! |---|---|
//! | HAND (m) | 0→1, 2→0.9, 5→0.6, 10→0.3, 20→0.05, 30→0 |
//! | drainage area A, log₁₀ km² | −1→0, 0→0.15, 1→0.45, 2→0.75, 3→1 |
//! | slope (°) | 0→1, 2→0.9, 5→0.6, 10→0.3, 20→0.1, 30→0 |
//! | 24-h rainfall (mm) | 0→0, 50→0.3, 100→0.6, 150→0.8, 200→0.95, 300→1 |
//!
//! Weights: AHP eigenvector of [`JUDGEMENTS`] (HAND = drainage area ≻ rainfall ≻ slope): about
//! 0.35, 0.35, 0.11, 0.19. The `gate` bounds the reach of a flood by the size of its stream: a
//! flood stage `h(A) = 2 m · A^0.3` (A in km²; hydraulic geometry, depth ∝ Q^0.4 with Q ∝ A^0.75,
//! Leopold & Maddock 1953) — 2 m for a 1 km² gully, 16 m for a 1,000 km² river — and the gate is 1
//! up to HAND = h, falling to 0 at HAND = 3h. Ground higher than that above its drainage is out of
//! reach whatever the other factors, so small gullies flag only a narrow strip along their bed.
//!
//! **Rainfall** 0 mm is valid: the rainfall term vanishes and the classes show the terrain's
//! predisposition only (typically one class lower); negative rainfall is a parameter error.

use rayon::prelude::*;

use super::accumulation::ACC_NODATA;
use super::ahp::ahp_weights;
use super::hand::HAND_NODATA;
use super::rating::Curve;
use super::slope::SLOPE_NODATA;
use crate::grid::Grid;

pub const HAND: Curve = Curve(&[(0.0, 1.0), (2.0, 0.9), (5.0, 0.6), (10.0, 0.3), (20.0, 0.05), (30.0, 0.0)]);
pub const AREA_LOG_KM2: Curve = Curve(&[(-1.0, 0.0), (0.0, 0.15), (1.0, 0.45), (2.0, 0.75), (3.0, 1.0)]);
pub const SLOPE: Curve = Curve(&[(0.0, 1.0), (2.0, 0.9), (5.0, 0.6), (10.0, 0.3), (20.0, 0.1), (30.0, 0.0)]);
pub const RAIN: Curve = Curve(&[(0.0, 0.0), (50.0, 0.3), (100.0, 0.6), (150.0, 0.8), (200.0, 0.95), (300.0, 1.0)]);

/// Flood stage (m) of a stream draining `area_km2`: the HAND up to which the gate is fully open.
#[inline]
pub fn flood_stage_m(area_km2: f32) -> f32 {
    2.0 * area_km2.max(0.01).powf(0.3)
}

/// 1 up to the flood stage, 0 from three times the stage, linear between.
#[inline]
pub fn gate(hand: f32, area_km2: f32) -> f32 {
    let h = flood_stage_m(area_km2);
    (1.0 - (hand - h) / (2.0 * h)).clamp(0.0, 1.0)
}

/// AHP judgements, factors in the order HAND, drainage area, slope, rainfall.
pub const JUDGEMENTS: [[f64; 4]; 4] = [
    [1.0, 1.0, 3.0, 2.0],
    [1.0, 1.0, 3.0, 2.0],
    [1.0 / 3.0, 1.0 / 3.0, 1.0, 1.0 / 2.0],
    [1.0 / 2.0, 1.0 / 2.0, 2.0, 1.0],
];

/// The factor weights (HAND, drainage area, slope, rainfall).
pub fn weights() -> [f32; 4] {
    ahp_weights(&JUDGEMENTS).0.map(|w| w as f32)
}

/// Index of one cell: HAND (m), drainage area (km²), slope (°), rainfall (mm / 24 h).
#[inline]
pub fn index_with(w: &[f32; 4], hand: f32, area_km2: f32, slope: f32, rain: f32) -> f32 {
    let s = w[0] * HAND.rate(hand) + w[1] * AREA_LOG_KM2.rate(area_km2.max(1e-6).log10()) + w[2] * SLOPE.rate(slope) + w[3] * RAIN.rate(rain);
    gate(hand, area_km2) * s
}

/// Flash-flood susceptibility index grid (NaN where HAND, drainage area or slope is undefined).
pub fn flood_index(hand: &Grid<f32>, drain_area: &Grid<u32>, slope: &Grid<f32>, rain_mm: f32) -> Grid<f32> {
    let w = weights();
    let cell_km2 = (hand.transform.dx * hand.transform.dy / 1e6) as f32;
    let mut idx = hand.like(f32::NAN, Some(f32::NAN));
    idx.data.par_iter_mut().enumerate().for_each(|(i, out)| {
        let (h, a, s) = (hand.data[i], drain_area.data[i], slope.data[i]);
        if h == HAND_NODATA || a == ACC_NODATA || s == SLOPE_NODATA {
            return;
        }
        *out = index_with(&w, h, a as f32 * cell_km2, s, rain_mm);
    });
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_and_drainage_area_outweigh_rainfall_which_outweighs_slope() {
        // HAND = drainage area ≻ rainfall ≻ slope, as the model uses them.
        let w = weights();
        assert!((w[0] - w[1]).abs() < 1e-6 && w[1] > w[3] && w[3] > w[2], "{w:?}");
    }

    #[test]
    fn valley_floor_beats_hillside() {
        let w = weights();
        // 1 m above a 20 km² stream on a 1° floor under 150 mm: very high (≥ 0.7).
        let floor = index_with(&w, 1.0, 20.0, 1.0, 150.0);
        let hill = index_with(&w, 40.0, 0.001, 25.0, 150.0);
        assert!(floor > 0.7, "{floor}");
        assert_eq!(hill, 0.0);
        // The gate scales with the stream: 8 m above a 1 km² gully (stage 2 m, gate closed from 6 m)
        // is out of reach, 8 m above a 1,000 km² river (stage 15.9 m) is not.
        assert!((flood_stage_m(1.0) - 2.0).abs() < 1e-6 && (flood_stage_m(1000.0) - 15.887).abs() < 1e-2);
        assert_eq!(index_with(&w, 8.0, 1.0, 2.0, 150.0), 0.0);
        assert!(index_with(&w, 8.0, 1000.0, 2.0, 150.0) > 0.5);
        // Every factor at its top rating gives exactly 1; no rain removes exactly w_rain.
        assert!((index_with(&w, 0.0, 1000.0, 0.0, 300.0) - 1.0).abs() < 1e-5);
        assert!((index_with(&w, 0.0, 1000.0, 0.0, 0.0) - (1.0 - w[3])).abs() < 1e-5);
    }
}
