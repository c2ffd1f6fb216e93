//! The terrain analysis of point-to-point mode (Hufford's `qlrpfl`, the reference's `QuickPfl`):
//! radio horizons of both terminals on an effective earth, the terrain irregularity Δh (in
//! [`super::delta_h`]), and the effective antenna heights over the least-squares fit of the
//! foreground terrain.
//!
//! Profiles are elevation slices from the transmitter (index 0) to the receiver (last index) at a
//! constant spacing; any element type that widens exactly to f64 (f32 DEM samples, f64 PFL files).

use super::delta_h::delta_h;

/// An elevation sample type: converts to f64 exactly.
pub trait Elevation: Copy + Into<f64> + Send + Sync {}
impl Elevation for f32 {}
impl Elevation for f64 {}

/// The geometry ITM derives from a terrain profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathGeometry {
    /// Path length, m.
    pub d_m: f64,
    /// Horizon elevation angles of TX and RX, rad.
    pub theta_hzn: [f64; 2],
    /// Horizon distances of TX and RX, m.
    pub d_hzn_m: [f64; 2],
    /// Effective antenna heights of TX and RX, m.
    pub h_e_m: [f64; 2],
    /// Terrain irregularity parameter Δh, m.
    pub delta_h_m: f64,
}

/// C's `fdim`: x − y when positive, else 0.
#[inline]
pub(crate) fn fdim(x: f64, y: f64) -> f64 {
    if x > y {
        x - y
    } else {
        0.0
    }
}

/// Δh(d): the terrain irregularity seen over a path of length d (ERL 79-ITS 67, Eq. 3).
#[inline]
pub(crate) fn terrain_roughness(d_m: f64, delta_h_m: f64) -> f64 {
    delta_h_m * (1.0 - 0.8 * (-d_m / 50e3).exp())
}

/// σ_h: RMS deviation of terrain within the first Fresnel zone (ERL 79-ITS 67, Eq. 3.6a).
#[inline]
pub(crate) fn sigma_h(delta_h_m: f64) -> f64 {
    // x^(1/4) as two square roots (equal to pow to an ulp, far cheaper).
    0.78 * delta_h_m * (-0.5 * delta_h_m.sqrt().sqrt()).exp()
}

/// Horizon angles and distances of both terminals, scanning every intermediate point
/// (Algorithm §4, TN101 Eq. 6.15 for the line-of-sight start values). Earliest point wins ties.
pub(crate) fn find_horizons<T: Elevation>(z: &[T], xi: f64, a_e_m: f64, h_m: [f64; 2]) -> ([f64; 2], [f64; 2]) {
    let np = z.len() - 1;
    let d = np as f64 * xi;
    let z_tx = z[0].into() + h_m[0];
    let z_rx = z[np].into() + h_m[1];
    let mut theta = [(z_rx - z_tx) / d - d / (2.0 * a_e_m), -(z_rx - z_tx) / d - d / (2.0 * a_e_m)];
    let mut d_hzn = [d, d];
    let (mut d_tx, mut d_rx) = (0.0, d);
    for zi in &z[1..np] {
        let zi: f64 = (*zi).into();
        d_tx += xi;
        d_rx -= xi;
        let t_tx = (zi - z_tx) / d_tx - d_tx / (2.0 * a_e_m);
        let t_rx = -(z_rx - zi) / d_rx - d_rx / (2.0 * a_e_m);
        if t_tx > theta[0] {
            theta[0] = t_tx;
            d_hzn[0] = d_tx;
        }
        if t_rx > theta[1] {
            theta[1] = t_rx;
            d_hzn[1] = d_rx;
        }
    }
    (theta, d_hzn)
}

/// Index range [i_start, i_end] of the points a least-squares fit between two distances uses,
/// widened by one point each way when it would be empty (the reference's rule).
#[inline]
pub(crate) fn fit_range(np: usize, xi: f64, d_start: f64, d_end: f64) -> (usize, usize) {
    let npf = np as f64;
    let mut i_start = fdim(d_start / xi, 0.0) as i64;
    let mut i_end = np as i64 - fdim(npf, d_end / xi) as i64;
    if i_end <= i_start {
        i_start = fdim(i_start as f64, 1.0) as i64;
        i_end = np as i64 - fdim(npf, i_end as f64 + 1.0) as i64;
    }
    // Profiles built by QuickPfl never reach outside [0, np]; clamping keeps odd input from panicking.
    let i_start = i_start.clamp(0, np as i64) as usize;
    let i_end = i_end.clamp(0, np as i64) as usize;
    (i_start, i_end)
}

/// The least-squares line through the profile between two distances, evaluated at both ends of
/// the path (trapezoid weights, as Hufford's `zlsq1`): returns (height at TX, height at RX).
pub(crate) fn lsq_fit<T: Elevation>(z: &[T], xi: f64, d_start: f64, d_end: f64) -> (f64, f64) {
    let np = z.len() - 1;
    let (i_start, i_end) = fit_range(np, xi, d_start, d_end);
    let y = |i: usize| -> f64 { z[i].into() };
    let x_length = (i_end as f64) - (i_start as f64);
    let mut mid = -0.5 * x_length;
    let mid_end = i_end as f64 + mid;
    let mut sum_y = 0.5 * (y(i_start) + y(i_end));
    let mut scaled = 0.5 * (y(i_start) - y(i_end)) * mid;
    for i in i_start + 1..i_end {
        mid += 1.0;
        let v = y(i);
        sum_y += v;
        scaled += v * mid;
    }
    finish_fit(sum_y, scaled, x_length, mid_end, np as f64)
}

/// The common tail of the fit: from the trapezoid sums to the line's heights at both path ends.
#[inline]
pub(crate) fn finish_fit(sum_y: f64, scaled: f64, x_length: f64, mid_end: f64, npf: f64) -> (f64, f64) {
    let mean = sum_y / x_length;
    let slope = scaled * 12.0 / ((x_length * x_length + 2.0) * x_length);
    (mean - slope * mid_end, mean + slope * (npf - mid_end))
}

/// Hufford: "consideration of terrain elevations should begin at a point about 15 times the tower
/// height" — or 10 % of the horizon distance if that is less. Returns (d_start, d_end).
#[inline]
pub(crate) fn foreground_limits(d_m: f64, h_m: [f64; 2], d_hzn_m: [f64; 2]) -> (f64, f64) {
    (
        (15.0 * h_m[0]).min(0.1 * d_hzn_m[0]),
        d_m - (15.0 * h_m[1]).min(0.1 * d_hzn_m[1]),
    )
}

/// The rest of QuickPfl once the horizons are known: Δh, effective heights over the fitted
/// foreground, and, on line-of-sight paths, horizons re-derived from the effective heights
/// (Algorithm Eqs. 3.3–3.4). `fit(d_start, d_end)` is the least-squares fit of the profile,
/// `delta_h(d_start, d_end)` its terrain irregularity.
#[allow(clippy::too_many_arguments)]
pub(crate) fn geometry_from_horizons<T: Elevation>(
    z: &[T],
    xi: f64,
    a_e_m: f64,
    h_m: [f64; 2],
    mut theta: [f64; 2],
    mut d_hzn: [f64; 2],
    fit: impl Fn(f64, f64) -> (f64, f64),
    delta_h: impl FnOnce(f64, f64) -> f64,
) -> PathGeometry {
    let np = z.len() - 1;
    let d = np as f64 * xi;
    let (d_start, d_end) = foreground_limits(d, h_m, d_hzn);
    let delta_h_m = delta_h(d_start, d_end);
    let (z0, zn): (f64, f64) = (z[0].into(), z[np].into());
    let mut h_e = [0.0; 2];

    if d_hzn[0] + d_hzn[1] > 1.5 * d {
        // Well within line of sight: effective heights over the fit of the whole path, horizons
        // from the smooth-earth formulas with the terrain's Δh.
        let (fit_tx, fit_rx) = fit(d_start, d_end);
        h_e[0] = h_m[0] + fdim(z0, fit_tx);
        h_e[1] = h_m[1] + fdim(zn, fit_rx);
        let horizon = |h_e: f64| (2.0 * h_e * a_e_m).sqrt() * (-0.07 * (delta_h_m / h_e.max(5.0)).sqrt()).exp();
        for i in 0..2 {
            d_hzn[i] = horizon(h_e[i]);
        }
        let combined = d_hzn[0] + d_hzn[1];
        if combined <= d {
            let q = (d / combined) * (d / combined);
            for i in 0..2 {
                h_e[i] *= q;
                d_hzn[i] = horizon(h_e[i]);
            }
        }
        for i in 0..2 {
            let q = (2.0 * h_e[i] * a_e_m).sqrt();
            theta[i] = (0.65 * delta_h_m * (q / d_hzn[i] - 1.0) - 2.0 * h_e[i]) / q;
        }
    } else {
        // Each terminal's effective height over the fit of its own foreground, up to 90 % of its
        // horizon distance.
        let (fit_tx, _) = fit(d_start, 0.9 * d_hzn[0]);
        h_e[0] = h_m[0] + fdim(z0, fit_tx);
        let (_, fit_rx) = fit(d - 0.9 * d_hzn[1], d_end);
        h_e[1] = h_m[1] + fdim(zn, fit_rx);
    }
    PathGeometry { d_m: d, theta_hzn: theta, d_hzn_m: d_hzn, h_e_m: h_e, delta_h_m }
}

/// QuickPfl: the full terrain analysis of a profile, in the reference's order of operations.
pub(crate) fn quick_pfl<T: Elevation>(z: &[T], xi: f64, gamma_e: f64, h_m: [f64; 2], buf: &mut [f64]) -> PathGeometry {
    let a_e_m = 1.0 / gamma_e;
    let (theta, d_hzn) = find_horizons(z, xi, a_e_m, h_m);
    geometry_from_horizons(z, xi, a_e_m, h_m, theta, d_hzn, |a, b| lsq_fit(z, xi, a, b), |a, b| {
        delta_h(z, xi, a, b, buf)
    })
}

/// Mean elevation of the profile without its first and last 10 % (the height the surface
/// refractivity is scaled to).
pub(crate) fn path_mean_height<T: Elevation>(z: &[T]) -> f64 {
    let np = z.len() - 1;
    let p10 = (0.1 * np as f64) as usize;
    let mut sum = 0.0;
    for v in &z[p10..=np - p10] {
        sum += (*v).into();
    }
    sum / (np - 2 * p10 + 1) as f64
}

/// Test terrain: `base` plus three waves along the profile, a₀ sin(k₀x) + a₁ cos(k₁x) + a₂ sin(k₂x)
/// at point x, as (amplitude, wavenumber per point) — irregular enough for every horizon and Δh
/// path, the same at every run.
#[cfg(test)]
pub(crate) fn wavy_profile(n: usize, base: f64, waves: [(f64, f64); 3]) -> Vec<f64> {
    let [(a0, k0), (a1, k1), (a2, k2)] = waves;
    (0..n)
        .map(|i| {
            let x = i as f64;
            base + a0 * (x * k0).sin() + a1 * (x * k1).cos() + a2 * (x * k2).sin()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_of_a_plane_is_exact() {
        // A straight ramp z = 100 + 2 i: the least-squares line is the ramp itself.
        let z: Vec<f64> = (0..=50).map(|i| 100.0 + 2.0 * i as f64).collect();
        let (a, b) = lsq_fit(&z, 30.0, 0.0, 50.0 * 30.0);
        assert!((a - 100.0).abs() < 1e-9 && (b - 200.0).abs() < 1e-9, "{a} {b}");
        // A sub-range fit still extrapolates the same line to both ends.
        let (a, b) = lsq_fit(&z, 30.0, 300.0, 900.0);
        assert!((a - 100.0).abs() < 1e-9 && (b - 200.0).abs() < 1e-9, "{a} {b}");
    }

    #[test]
    fn horizons_of_a_ridge() {
        // Flat ground with a 100 m ridge at 1/4 of a 10 km path: both horizons are on the ridge.
        let mut z = vec![0.0f64; 101];
        z[25] = 100.0;
        let (theta, d_hzn) = find_horizons(&z, 100.0, 8.5e6, [10.0, 10.0]);
        assert_eq!(d_hzn, [2500.0, 7500.0]);
        let expect_tx = (100.0 - 10.0) / 2500.0 - 2500.0 / (2.0 * 8.5e6);
        assert!((theta[0] - expect_tx).abs() < 1e-15);
        // A flat path is line of sight: horizons at the far terminal.
        let flat = vec![0.0f64; 101];
        let (_, d_hzn) = find_horizons(&flat, 100.0, 8.5e6, [10.0, 10.0]);
        assert_eq!(d_hzn, [10000.0, 10000.0]);
    }
}
