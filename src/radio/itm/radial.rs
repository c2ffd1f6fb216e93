//! ITM along a radial: one terrain profile from a site outwards, evaluated at every point as a
//! receiver. [`ItmPath`] prepares the profile once (elevations as f64, prefix sums of z and i·z,
//! the horizon search structures of [`super::radial_horizons`]) so that each receiver costs:
//! - the path's mean height and every least-squares fit in O(1) from the prefix sums (the
//!   reference sums the points again for each fit);
//! - the transmitter's horizon by binary search on an incrementally built envelope, the
//!   receiver's by a backward scan that stops as soon as nothing further can be higher;
//! - Δh on at most 245 resampled points (positions computed directly, selection thresholds from
//!   the previous receiver), and the fixed-cost attenuation and variability.
//!
//! Results equal [`super::p2p_loss_db`] on the same prefix up to floating-point rounding (the sums
//! are associated differently): over 17,000 prefixes of the reference profiles the largest
//! difference is below 1e-7 dB (`tests/itm_reference.rs`).
//! [`ItmScratch`] owns all buffers: reuse one per thread and nothing is allocated per receiver.

use super::errors::ItmError;
use super::inputs::{ItmParams, Prepared};
use super::p2p::{check_profile, finish, p2p_prepared, refractivity_and_curvature, ItmResult};
use super::radial_horizons::RadialHorizons;
use super::delta_h::{delta_h_direct, DELTA_H_MAX_POINTS};
use super::terrain::{finish_fit, fit_range, geometry_from_horizons, Elevation};

/// Reusable work buffers for ITM evaluations (one per thread). Grows to the longest profile seen.
#[derive(Debug, Clone)]
pub struct ItmScratch {
    delta_h: Vec<f64>,
    z: Vec<f64>,
    /// cum_z[i] = Σ_{j<i} z_j.
    cum_z: Vec<f64>,
    /// cum_iz[i] = Σ_{j<i} j·z_j.
    cum_iz: Vec<f64>,
    horizons: RadialHorizons,
    /// The previous receiver's Δh deciles (selection thresholds for the next one).
    deciles: Option<(f64, f64)>,
}

impl Default for ItmScratch {
    fn default() -> Self {
        Self::new()
    }
}

impl ItmScratch {
    pub fn new() -> Self {
        ItmScratch {
            delta_h: vec![0.0; DELTA_H_MAX_POINTS],
            z: Vec::new(),
            cum_z: Vec::new(),
            cum_iz: Vec::new(),
            horizons: RadialHorizons::default(),
            deciles: None,
        }
    }

    #[inline]
    pub(crate) fn delta_h_buffer(&mut self) -> &mut [f64] {
        &mut self.delta_h
    }
}

/// A terrain profile prepared for evaluating ITM from its first point to any later point.
pub struct ItmPath<'s> {
    s: &'s mut ItmScratch,
    xi: f64,
    p: Prepared,
}

impl<'s> ItmPath<'s> {
    /// Prepare `elev` (site first, `spacing_m` apart) for the parameters `params` (validated here,
    /// once). The structural receiver height `params.h_rx_m` applies at every receiver.
    pub fn new<T: Elevation>(
        elev: &[T],
        spacing_m: f64,
        params: &ItmParams,
        scratch: &'s mut ItmScratch,
    ) -> Result<Self, ItmError> {
        let p = Prepared::new(params)?;
        check_profile(elev, spacing_m)?;
        let n = elev.len();
        let s = scratch;
        s.z.clear();
        s.z.extend(elev.iter().map(|v| -> f64 { (*v).into() }));
        s.cum_z.clear();
        s.cum_iz.clear();
        s.cum_z.reserve(n + 1);
        s.cum_iz.reserve(n + 1);
        let (mut a, mut b) = (0.0, 0.0);
        s.cum_z.push(0.0);
        s.cum_iz.push(0.0);
        for (i, z) in s.z.iter().enumerate() {
            a += z;
            b += i as f64 * z;
            s.cum_z.push(a);
            s.cum_iz.push(b);
        }
        s.horizons.prepare(&s.z, spacing_m, p.h_m[0]);
        s.deciles = None;
        Ok(ItmPath { s, xi: spacing_m, p })
    }

    /// Number of profile points (receivers are 1..len()).
    pub fn len(&self) -> usize {
        self.s.z.len()
    }

    pub fn is_empty(&self) -> bool {
        self.s.z.is_empty()
    }

    /// ITM from the first point to point `k` (1 ≤ k < len()), with the receiver at point `k`.
    pub fn loss_to(&mut self, k: usize) -> Result<ItmResult, ItmError> {
        if k == 0 {
            return Err(ItmError::PathDistance("the receiver is at the transmitter (a profile of one point)"));
        }
        if k >= self.len() {
            return Err(ItmError::Profile("receiver index beyond the end of the profile"));
        }
        let ItmScratch { delta_h, z, cum_z, cum_iz, horizons, deciles } = &mut *self.s;
        let z = &z[..=k];
        let np = k;
        let xi = self.xi;
        let p = &self.p;

        // Mean height without the first and last 10 %.
        let p10 = (0.1 * np as f64) as usize;
        let h_sys = (cum_z[np - p10 + 1] - cum_z[p10]) / (np - 2 * p10 + 1) as f64;
        let (n_s, gamma_e) = refractivity_and_curvature(p.n_0, h_sys);
        let a_e = 1.0 / gamma_e;

        let (theta, d_hzn) = horizons.horizons(z, k, a_e, p.h_m[1]);
        let fit = |d_start: f64, d_end: f64| prefix_fit(cum_z, cum_iz, z, np, xi, d_start, d_end);
        let dh = |d_start: f64, d_end: f64| delta_h_direct(z, xi, d_start, d_end, delta_h, deciles);
        let g = geometry_from_horizons(z, xi, a_e, p.h_m, theta, d_hzn, fit, dh);
        finish(p, &g, n_s, gamma_e, true)
    }

    /// The same receiver evaluated as [`super::p2p_loss_db`] does, in the reference's order of
    /// operations (for checking the fast path against it).
    pub fn loss_to_reference_order(&mut self, k: usize) -> Result<ItmResult, ItmError> {
        if k >= self.len() {
            return Err(ItmError::Profile("receiver index beyond the end of the profile"));
        }
        let ItmScratch { delta_h, z, .. } = &mut *self.s;
        p2p_prepared(&z[..=k], self.xi, &self.p, delta_h)
    }
}

/// The least-squares fit of `terrain::lsq_fit` from prefix sums: trapezoid-weighted Σz and
/// Σz·(i − centre) over the fit range in O(1).
#[inline]
fn prefix_fit(cum_z: &[f64], cum_iz: &[f64], z: &[f64], np: usize, xi: f64, d_start: f64, d_end: f64) -> (f64, f64) {
    let (i0, i1) = fit_range(np, xi, d_start, d_end);
    let x_length = i1 as f64 - i0 as f64;
    let centre = 0.5 * (i0 as f64 + i1 as f64);
    let sz = cum_z[i1 + 1] - cum_z[i0];
    let siz = cum_iz[i1 + 1] - cum_iz[i0];
    let (y0, y1) = (z[i0], z[i1]);
    let sum_y = sz - 0.5 * (y0 + y1);
    let scaled = (siz - centre * sz) - 0.5 * (y0 * (i0 as f64 - centre) + y1 * (i1 as f64 - centre));
    finish_fit(sum_y, scaled, x_length, centre, np as f64)
}

/// Basic transmission loss (dB) from the profile's first point (the site) to every other point of
/// a radial: `out[k]` is ITM point-to-point from `elev[0]` to `elev[k]` with the receiver at
/// `elev[k]`, `spacing_m` apart; `out[0]` (zero distance) is NaN. This is what the coverage engine
/// calls for ITM area predictions (issue 8, point 4): profiles along radials from the DEM, each
/// prefix reused by every receiver on it, no allocation once `scratch` has grown to the radial's
/// length. `out` must be as long as `elev`. Errors are the parameters' (checked before any work),
/// a malformed profile, or the first receiver whose surface refractivity falls out of range.
pub fn radial_losses(
    elev: &[f32],
    spacing_m: f64,
    params: &ItmParams,
    out: &mut [f32],
    scratch: &mut ItmScratch,
) -> Result<(), ItmError> {
    if out.len() != elev.len() {
        return Err(ItmError::Profile("output buffer length differs from the profile's"));
    }
    let mut path = ItmPath::new(elev, spacing_m, params, scratch)?;
    out[0] = f32::NAN;
    for (k, o) in out.iter_mut().enumerate().skip(1) {
        *o = path.loss_to(k)?.loss_db as f32;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radio::itm::terrain::lsq_fit;

    #[test]
    fn prefix_fit_equals_direct_fit() {
        let z: Vec<f64> = (0..400).map(|i| 300.0 + 40.0 * ((i as f64) * 0.07).sin() + (i % 7) as f64).collect();
        let mut cz = vec![0.0];
        let mut ciz = vec![0.0];
        for (i, v) in z.iter().enumerate() {
            cz.push(cz[i] + v);
            ciz.push(ciz[i] + i as f64 * v);
        }
        for &(np, a, b) in &[(399usize, 0.0, 399.0 * 30.0), (250, 100.0, 5000.0), (120, 0.0, 10.0), (50, 1400.0, 1450.0)] {
            let direct = lsq_fit(&z[..=np], 30.0, a, b);
            let fast = prefix_fit(&cz, &ciz, &z[..=np], np, 30.0, a, b);
            assert!((direct.0 - fast.0).abs() < 1e-8 && (direct.1 - fast.1).abs() < 1e-8, "{direct:?} {fast:?}");
        }
    }
}
