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
//! With [`ItmParams::radial_delta_h_step`] = 0, results equal [`super::p2p_loss_db`] on the same
//! prefix up to floating-point rounding (the sums are associated differently): over 17,000
//! prefixes of the reference profiles the largest difference is below 1e-7 dB
//! (`tests/coverage/itm_reference.rs`).
//!
//! With a step r > 0 (area sweeps: the coverage engine, `covermap radio site`) Δh — the terrain
//! irregularity over the window [d_start, d_end] the receiver's horizons give, ~45 % of an exact
//! evaluation — is an approximation: Δh(d_start, ·) is computed exactly at anchor window ends X·ξ,
//! X a multiple of P (the power of two ≤ r·d_end/ξ), and linearly interpolated in d_end between
//! the two anchors around the receiver's d_end. The window's end moves by at most a fraction r of
//! its length between anchors, and Δh (an interdecile range over the whole window) changes slowly
//! with it; receivers nearer than 2/r points, well within line of sight (whose horizons and
//! effective heights are derived from Δh), or whose anchors fall off the profile, are exact.
//! The anchors depend only on d_start, X and the profile, so a value does not depend on which
//! receivers were evaluated before it, nor on how far the profile reaches beyond
//! [`delta_h_lookahead`]. Error measured in docs/ARCHITECTURE.md ("ITM along radials, one site").
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
    /// Δh at the anchors of the current radial (interpolated Δh only).
    anchors: Anchors,
    /// Δh computations made (exact or at an anchor), for measuring the interpolation.
    delta_h_count: u64,
}

/// The last few Δh anchors of a radial: (window start d_start, anchor point X, Δh over
/// [d_start, X·ξ]). Receivers move outwards, so the upper anchor of one interval is the lower of
/// the next; four slots also keep both anchors of the previous d_start.
#[derive(Debug, Clone)]
struct Anchors {
    slots: [(f64, usize, f64); 4],
    next: usize,
}

impl Default for Anchors {
    fn default() -> Self {
        // A NaN d_start never matches.
        Anchors { slots: [(f64::NAN, 0, 0.0); 4], next: 0 }
    }
}

impl Anchors {
    #[inline]
    fn get_or(&mut self, d_start: f64, x: usize, compute: impl FnOnce() -> f64) -> f64 {
        if let Some(s) = self.slots.iter().find(|s| s.0 == d_start && s.1 == x) {
            return s.2;
        }
        let v = compute();
        self.slots[self.next] = (d_start, x, v);
        self.next = (self.next + 1) % self.slots.len();
        v
    }
}

/// Profile points beyond receiver `k` that Δh interpolation with step `step` may read (its upper
/// anchor). A sweep that reads the profile this far past its farthest receiver (or to the end of
/// the radial) gives every receiver the value a single evaluation at it would.
pub fn delta_h_lookahead(step: f64, k: usize) -> usize {
    if step > 0.0 {
        (step * k as f64) as usize + 1
    } else {
        0
    }
}

/// Δh for the window [d_start, d_end] interpolated between anchors (module doc), or None where
/// the exact value is taken: near the site (P < 2), anchors off the profile or too short a window.
#[allow(clippy::too_many_arguments)]
#[inline]
fn interpolated_delta_h(
    z: &[f64],
    xi: f64,
    step: f64,
    d_start: f64,
    d_end: f64,
    buf: &mut [f64],
    hint: &mut Option<(f64, f64)>,
    anchors: &mut Anchors,
    count: &mut u64,
) -> Option<f64> {
    let x = d_end / xi;
    let rx = step * x;
    if !(rx >= 2.0 && x.is_finite()) {
        return None;
    }
    let p = 1usize << (rx as usize).ilog2();
    let a = (x as usize / p) * p;
    let b = a + p;
    if b >= z.len() || (a as f64) * xi - d_start < 2.0 * xi {
        return None;
    }
    let mut at = |x_anchor: usize| {
        anchors.get_or(d_start, x_anchor, || {
            *count += 1;
            delta_h_direct(&z[..=x_anchor], xi, d_start, x_anchor as f64 * xi, buf, hint)
        })
    };
    let lo = at(a);
    let hi = at(b);
    let t = (x - a as f64) / p as f64;
    Some(lo + t * (hi - lo))
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
            anchors: Anchors::default(),
            delta_h_count: 0,
        }
    }

    /// Δh computations made with this scratch so far (each receiver's own, or an anchor's).
    pub fn delta_h_evaluations(&self) -> u64 {
        self.delta_h_count
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
    /// [`ItmParams::radial_delta_h_step`].
    dh_step: f64,
}

impl<'s> ItmPath<'s> {
    /// Prepare `elev` (site first, `spacing_m` apart) for the parameters `params` (validated here,
    /// once). The structural receiver height `params.h_rx_m` applies at every receiver; Δh is
    /// interpolated when `params.radial_delta_h_step` > 0 (module doc).
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
        s.anchors = Anchors::default();
        let dh_step = params.radial_delta_h_step;
        Ok(ItmPath { s, xi: spacing_m, p, dh_step })
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
        let ItmScratch { delta_h, z, cum_z, cum_iz, horizons, deciles, anchors, delta_h_count } = &mut *self.s;
        let z_all: &[f64] = z;
        let z = &z_all[..=k];
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
        // Well within line of sight the geometry itself is derived from Δh (smooth-earth horizons
        // and angles, `geometry_from_horizons`), and these receivers are the strongest: exact there.
        let los = d_hzn[0] + d_hzn[1] > 1.5 * (np as f64 * xi);
        let step = if los { 0.0 } else { self.dh_step };
        let dh = |d_start: f64, d_end: f64| {
            if step > 0.0 {
                if let Some(v) = interpolated_delta_h(z_all, xi, step, d_start, d_end, delta_h, deciles, anchors, delta_h_count) {
                    return v;
                }
            }
            *delta_h_count += 1;
            delta_h_direct(z, xi, d_start, d_end, delta_h, deciles)
        };
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
        // The reference's order of operations is the exact model (Δh at this receiver).
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
/// `elev[k]`, `spacing_m` apart (Δh interpolated if `params.radial_delta_h_step` > 0, module
/// doc); `out[0]` (zero distance) is NaN. This is what the coverage engine
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
    use crate::radio::itm::DEFAULT_RADIAL_DELTA_H_STEP;

    /// A mountain radial: a 1,400 m summit site falling into valleys and ridges of several
    /// wavelengths (2–12 km) with a few metres of short-scale roughness, 28.9 m spacing (1″ SRTM
    /// warped to UTM at 21° N), 1,040 points (30 km).
    fn mountain_profile(phase: f64) -> Vec<f32> {
        (0..1040)
            .map(|i| {
                let x = i as f64 * 28.9;
                let base = 900.0 + 500.0 * (-x / 4000.0).exp();
                let ridges = 260.0 * (x / 1900.0 + phase).sin() + 140.0 * (x / 730.0 + 2.0 * phase).cos() + 55.0 * (x / 310.0 - phase).sin();
                let rough = 6.0 * ((i * 7919 + (phase * 1000.0) as usize) % 13) as f64 / 13.0;
                (base + ridges + rough) as f32
            })
            .collect()
    }

    #[test]
    fn interpolated_delta_h_stays_within_its_documented_bound() {
        // The exact model (step 0) against the default step on 12 mountain radials, every receiver:
        // docs/ARCHITECTURE.md documents max 1.2 dB, mean 0.027 dB, p99 0.15 dB over the 3.4 M
        // cells of a 30 km site on the Sơn La terrain; on these radials the bound checked is
        // max ≤ 2 dB and mean ≤ 0.1 dB, and the approximation must make far fewer Δh computations.
        let base = super::super::inputs::average_ground(30.0, 1800.0, 2);
        assert_eq!(base.radial_delta_h_step, 0.0, "the point-to-point parameters are exact");
        let approx = ItmParams { radial_delta_h_step: DEFAULT_RADIAL_DELTA_H_STEP, ..base };
        let (mut se, mut sa) = (ItmScratch::new(), ItmScratch::new());
        let (mut max, mut sum, mut n, mut differing) = (0.0f64, 0.0f64, 0usize, 0usize);
        for r in 0..12 {
            let z = mountain_profile(r as f64 * 0.52);
            let (mut e, mut a) = (vec![0.0f32; z.len()], vec![0.0f32; z.len()]);
            radial_losses(&z, 28.9, &base, &mut e, &mut se).unwrap();
            radial_losses(&z, 28.9, &approx, &mut a, &mut sa).unwrap();
            for k in 1..z.len() {
                let d = (e[k] as f64 - a[k] as f64).abs();
                assert!(d.is_finite(), "radial {r} receiver {k}: {} vs {}", e[k], a[k]);
                max = max.max(d);
                sum += d;
                n += 1;
                differing += usize::from(d > 0.0);
            }
        }
        let mean = sum / n as f64;
        assert!(max <= 2.0 && mean <= 0.1, "max {max} dB, mean {mean} dB over {n} receivers");
        // Not trivially exact: most far receivers take an interpolated Δh.
        assert!(differing * 2 > n, "{differing} of {n} receivers differ");
        assert_eq!(se.delta_h_evaluations() as usize, n, "exact: one Δh per receiver");
        assert!(sa.delta_h_evaluations() * 4 < se.delta_h_evaluations(), "{} Δh computations", sa.delta_h_evaluations());
    }

    #[test]
    fn a_receiver_does_not_depend_on_the_others_evaluated_nor_on_the_profile_beyond_the_lookahead() {
        // The sweep evaluates only the receivers cells take, and the point evaluation reads the
        // profile only to the receiver plus the lookahead: both must give the full radial's bits.
        let p = ItmParams {
            radial_delta_h_step: DEFAULT_RADIAL_DELTA_H_STEP,
            ..super::super::inputs::average_ground(30.0, 1800.0, 2)
        };
        let z = mountain_profile(1.3);
        let mut s = ItmScratch::new();
        let mut full = vec![0.0f32; z.len()];
        radial_losses(&z, 28.9, &p, &mut full, &mut s).unwrap();
        for k in (17..z.len()).step_by(37) {
            let end = (k + delta_h_lookahead(p.radial_delta_h_step, k)).min(z.len() - 1);
            let alone = ItmPath::new(&z[..=end], 28.9, &p, &mut s).unwrap().loss_to(k).unwrap().loss_db as f32;
            assert_eq!(alone.to_bits(), full[k].to_bits(), "receiver {k}");
        }
    }

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
