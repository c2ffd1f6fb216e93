//! Point-to-point mode (the reference's `ITM_P2P_TLS` / `ITM_P2P_CR`): validate, scale the surface
//! refractivity to the path's mean height, analyse the profile, compute the reference attenuation,
//! add free-space loss and the variability.

use super::attenuation::{free_space_loss_db, reference_attenuation, Medium, PropMode};
use super::errors::{ItmError, Warnings};
use super::inputs::{cr_error, ItmParams, Prepared};
use super::radial::ItmScratch;
use super::terrain::{path_mean_height, quick_pfl, Elevation, PathGeometry};
use super::variability::variability;

/// The outcome of one ITM evaluation, with the reference's intermediate values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItmResult {
    /// Basic transmission loss, dB (the reference's `A__db`).
    pub loss_db: f64,
    pub warnings: Warnings,
    pub mode: PropMode,
    /// Reference attenuation relative to free space, before variability, dB.
    pub a_ref_db: f64,
    /// Free-space loss, dB.
    pub a_fs_db: f64,
    /// Surface refractivity at the path's height, N-units.
    pub n_s: f64,
    pub geometry: PathGeometry,
}

impl ItmResult {
    /// The reference's return code for a successful call: 0, or 1 when warnings are set.
    pub fn rtn(&self) -> i32 {
        if self.warnings.is_empty() {
            0
        } else {
            1
        }
    }
}

/// Surface refractivity at height `h_sys` and the effective earth's curvature (TN101 Eqs. 4.3,
/// 4.4 reworked; actual earth curvature 157e-9 /m).
#[inline]
pub(crate) fn refractivity_and_curvature(n_0: f64, h_sys_m: f64) -> (f64, f64) {
    let n_s = if h_sys_m == 0.0 { n_0 } else { n_0 * (-h_sys_m / 9460.0).exp() };
    (n_s, 157e-9 * (1.0 - 0.04665 * (n_s / 179.3).exp()))
}

/// Checks a profile the reference would silently turn into NaN.
pub(crate) fn check_profile<T: Elevation>(elev: &[T], spacing_m: f64) -> Result<(), ItmError> {
    if elev.len() < 2 {
        return Err(ItmError::PathDistance("a terrain profile needs at least two points"));
    }
    if !(spacing_m > 0.0 && spacing_m.is_finite()) {
        return Err(ItmError::PathDistance("the profile spacing must be a positive distance"));
    }
    if elev.iter().any(|v| !(*v).into().is_finite()) {
        return Err(ItmError::Profile("an elevation is not a finite number"));
    }
    Ok(())
}

/// From the path geometry to the result: reference attenuation, free space, variability.
pub(crate) fn finish(
    p: &Prepared,
    g: &PathGeometry,
    n_s: f64,
    gamma_e: f64,
    p2p: bool,
) -> Result<ItmResult, ItmError> {
    let mut warnings = p.warnings;
    let medium = Medium {
        f_mhz: p.f_mhz,
        z_g: p.z_g,
        z_g_abs: p.z_g_abs,
        gamma_e,
        n_s,
        h_m: p.h_m,
        f_third: p.f_third,
        f_minus_third: p.f_minus_third,
        p2p,
    };
    let (a_ref_db, mode) = reference_attenuation(g, &medium, &mut warnings)?;
    let a_fs_db = free_space_loss_db(g.d_m, p.f_mhz);
    let loss_db = variability(p, g.h_e_m, g.delta_h_m, g.d_m, a_ref_db) + a_fs_db;
    Ok(ItmResult { loss_db, warnings, mode, a_ref_db, a_fs_db, n_s, geometry: *g })
}

/// Point-to-point ITM with prepared parameters, exactly in the reference's order of operations.
pub(crate) fn p2p_prepared<T: Elevation>(
    elev: &[T],
    spacing_m: f64,
    p: &Prepared,
    delta_h_buf: &mut [f64],
) -> Result<ItmResult, ItmError> {
    check_profile(elev, spacing_m)?;
    let (n_s, gamma_e) = refractivity_and_curvature(p.n_0, path_mean_height(elev));
    let g = quick_pfl(elev, spacing_m, gamma_e, p.h_m, delta_h_buf);
    finish(p, &g, n_s, gamma_e, true)
}

/// Basic transmission loss of a terrain profile, ITM point-to-point mode with time / location /
/// situation variability (the reference's `ITM_P2P_TLS`). `elev` runs from the transmitter (first)
/// to the receiver (last), `spacing_m` apart. Allocation-free: `scratch` holds the work buffers.
pub fn p2p_loss_db<T: Elevation>(
    elev: &[T],
    spacing_m: f64,
    params: &ItmParams,
    scratch: &mut ItmScratch,
) -> Result<ItmResult, ItmError> {
    let p = Prepared::new(params)?;
    p2p_prepared(elev, spacing_m, &p, scratch.delta_h_buffer())
}

/// Point-to-point ITM with confidence / reliability variability (the reference's `ITM_P2P_CR`);
/// the time/location/situation percentages of `params` are ignored.
pub fn p2p_cr_loss_db<T: Elevation>(
    elev: &[T],
    spacing_m: f64,
    params: &ItmParams,
    confidence_pct: f64,
    reliability_pct: f64,
    scratch: &mut ItmScratch,
) -> Result<ItmResult, ItmError> {
    let params = params.with_confidence_reliability(confidence_pct, reliability_pct);
    p2p_loss_db(elev, spacing_m, &params, scratch).map_err(cr_error)
}
