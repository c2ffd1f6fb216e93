//! The reference attenuation (Hufford's `lrprop`, the reference's `LongleyRice`): from the path
//! geometry to the median attenuation relative to free space, choosing the line-of-sight,
//! diffraction or troposcatter region. The diffraction line is fitted through two distances far
//! in the diffraction region; inside the line of sight a log-linear curve (ERL 79-ITS 67 Eqs.
//! 3.16–3.21) joins the two-ray loss to it; beyond the diffraction–troposcatter transition the
//! troposcatter line takes over. Also the checks the reference makes at this stage.

use super::complex::Complex;
use super::diffraction::{DiffractionInputs, DiffractionPath};
use super::errors::{ItmError, Warnings};
use super::inputs::coded_enum;
use super::line_of_sight::line_of_sight_loss;
use super::terrain::{fdim, PathGeometry};
use super::troposcatter::troposcatter_loss;

coded_enum! {
    /// The propagation region the path falls in (the reference's `propmode`).
    pub enum PropMode {
        LineOfSight = 1,
        Diffraction = 2,
        Troposcatter = 3,
    }
}

/// Inputs of the reference attenuation besides the geometry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Medium {
    pub f_mhz: f64,
    pub z_g: Complex,
    pub z_g_abs: f64,
    pub gamma_e: f64,
    pub n_s: f64,
    pub h_m: [f64; 2],
    /// f^(1/3) and f^(−1/3), computed once per parameter set.
    pub f_third: f64,
    pub f_minus_third: f64,
    pub p2p: bool,
}

/// Free-space basic transmission loss, dB (ITU-R P.525 with the reference's 32.45 constant).
#[inline]
pub fn free_space_loss_db(d_m: f64, f_mhz: f64) -> f64 {
    32.45 + 20.0 * f_mhz.log10() + 20.0 * (d_m / 1000.0).log10()
}

/// The reference attenuation A_ref (dB relative to free space, ≥ 0) and the region, adding the
/// reference's geometry warnings to `warnings`.
pub(crate) fn reference_attenuation(
    g: &PathGeometry,
    m: &Medium,
    warnings: &mut Warnings,
) -> Result<(f64, PropMode), ItmError> {
    let a_e = 1.0 / m.gamma_e;
    let h_e = g.h_e_m;
    let d_hzn = g.d_hzn_m;
    let d = g.d_m;
    let f = m.f_mhz;

    let d_hzn_s = [(2.0 * h_e[0] * a_e).sqrt(), (2.0 * h_e[1] * a_e).sqrt()];
    // Maximum line-of-sight distances: smooth earth, and the actual path.
    let d_sml = d_hzn_s[0] + d_hzn_s[1];
    let d_ml = d_hzn[0] + d_hzn[1];
    let theta_los = -(g.theta_hzn[0] + g.theta_hzn[1]).max(-d_ml / a_e);

    // Small-angle approximations and horizon distances the model was fitted for.
    if g.theta_hzn[0].abs() > 200e-3 {
        *warnings |= Warnings::TX_HORIZON_ANGLE;
    }
    if g.theta_hzn[1].abs() > 200e-3 {
        *warnings |= Warnings::RX_HORIZON_ANGLE;
    }
    if d_hzn[0] < 0.1 * d_hzn_s[0] {
        *warnings |= Warnings::TX_HORIZON_DISTANCE_1;
    }
    if d_hzn[1] < 0.1 * d_hzn_s[1] {
        *warnings |= Warnings::RX_HORIZON_DISTANCE_1;
    }
    if d_hzn[0] > 3.0 * d_hzn_s[0] {
        *warnings |= Warnings::TX_HORIZON_DISTANCE_2;
    }
    if d_hzn[1] > 3.0 * d_hzn_s[1] {
        *warnings |= Warnings::RX_HORIZON_DISTANCE_2;
    }

    if m.n_s < 150.0 {
        return Err(ItmError::SurfaceRefractivitySmall(m.n_s));
    }
    if m.n_s > 400.0 {
        return Err(ItmError::SurfaceRefractivityLarge(m.n_s));
    }
    if m.n_s < 250.0 {
        *warnings |= Warnings::SURFACE_REFRACTIVITY;
    }
    if !(4_000_000.0..=13_333_333.0).contains(&a_e) {
        return Err(ItmError::EffectiveEarth(a_e));
    }
    if m.z_g.re <= m.z_g.im.abs() {
        return Err(ItmError::GroundImpedance);
    }

    // The diffraction line through two distances far in the diffraction region.
    // cbrt, not pow(x, 1/3) as the reference writes it: equal to an ulp, several times cheaper.
    let scale = (a_e * a_e / f).cbrt();
    let d_3 = d_sml.max(d_ml + 5.0 * scale);
    let d_4 = d_3 + 10.0 * scale;
    let dp = DiffractionPath::new(DiffractionInputs {
        f_mhz: f,
        a_e_m: a_e,
        theta_los,
        d_hzn_m: d_hzn,
        h_e_m: h_e,
        h_m: m.h_m,
        z_g_abs: m.z_g_abs,
        delta_h_m: g.delta_h_m,
        d_sml_m: d_sml,
        f_third: m.f_third,
        f_minus_third: m.f_minus_third,
        p2p: m.p2p,
    });
    let a_3 = dp.loss(d_3);
    let a_4 = dp.loss(d_4);
    let m_d = (a_4 - a_3) / (d_4 - d_3);
    let a_d0 = a_3 - m_d * d_3;

    let d_min = (h_e[0] - h_e[1]).abs() / 200e-3;
    if d < d_min {
        *warnings |= Warnings::PATH_DISTANCE_TOO_SMALL_1;
    }
    if d < 1e3 {
        *warnings |= Warnings::PATH_DISTANCE_TOO_SMALL_2;
    }
    if d > 1000e3 {
        *warnings |= Warnings::PATH_DISTANCE_TOO_BIG_1;
    }
    if d > 2000e3 {
        *warnings |= Warnings::PATH_DISTANCE_TOO_BIG_2;
    }

    let (a_ref, mode) = if d < d_sml {
        let los = |dist: f64| line_of_sight_loss(dist, h_e, m.z_g, g.delta_h_m, m_d, a_d0, d_sml, f);
        let a_sml = d_sml * m_d + a_d0;
        // ERL 79-ITS 67 Eq. 3.16a (in metres), 3.16d.
        let mut d_0 = 0.04 * f * h_e[0] * h_e[1];
        let d_1 = if a_d0 >= 0.0 {
            d_0 = d_0.min(0.5 * d_ml);
            d_0 + 0.25 * (d_ml - d_0)
        } else {
            (-a_d0 / m_d).max(0.25 * d_ml)
        };
        let a_1 = los(d_1);
        let mut flag = false;
        let mut k_1 = 0.0;
        let mut k_2 = 0.0;
        if d_0 < d_1 {
            let a_0 = los(d_0);
            let q = (d_sml / d_0).ln();
            // Eq. 3.20.
            k_2 = (((d_sml - d_0) * (a_1 - a_0) - (d_1 - d_0) * (a_sml - a_0))
                / ((d_sml - d_0) * (d_1 / d_0).ln() - (d_1 - d_0) * q))
                .max(0.0);
            flag = a_d0 > 0.0 || k_2 > 0.0;
            if flag {
                // Eq. 3.21.
                k_1 = (a_sml - a_0 - k_2 * q) / (d_sml - d_0);
                if k_1 < 0.0 {
                    k_1 = 0.0;
                    k_2 = fdim(a_sml, a_0) / q;
                    if k_2 == 0.0 {
                        k_1 = m_d;
                    }
                }
            }
        }
        if !flag {
            k_1 = fdim(a_sml, a_1) / (d_sml - d_1);
            k_2 = 0.0;
            if k_1 == 0.0 {
                k_1 = m_d;
            }
        }
        let a_o = a_sml - k_1 * d_sml - k_2 * d_sml.ln();
        // Eq. 3.19.
        (a_o + k_1 * d + k_2 * d.ln(), PropMode::LineOfSight)
    } else if d <= 10e6 && d <= d_sml.max(d_ml + 1.088 * scale * f.ln()) {
        // Not beyond the diffraction–troposcatter transition d_x whatever the troposcatter line
        // (d_x below is at least this, or 10,000 km when the troposcatter loss is unusable): the
        // diffraction line, without evaluating the troposcatter loss twice (the same result, bit
        // for bit; nearly every receiver of a 30 km site at 1800 MHz takes this branch, as
        // d_x ≥ d_ml + ~28 km there).
        (m_d * d + a_d0, PropMode::Diffraction)
    } else {
        // Two distances far into the troposcatter region; H₀ carried from d₆ to d₅.
        let d_5 = d_ml + 200e3;
        let d_6 = d_ml + 400e3;
        let mut h0 = -1.0;
        let tropo = |dist: f64, h0: &mut f64| {
            troposcatter_loss(dist, g.theta_hzn, d_hzn, h_e, a_e, m.n_s, f, theta_los, h0)
        };
        let a_6 = tropo(d_6, &mut h0);
        let a_5 = tropo(d_5, &mut h0);
        let (m_s, a_s0, d_x) = if a_5 < 1000.0 {
            let m_s = (a_6 - a_5) / 200e3;
            // Diffraction–troposcatter transition distance.
            let d_x = d_sml
                .max(d_ml + 1.088 * scale * f.ln())
                .max((a_5 - a_d0 - m_s * d_5) / (m_d - m_s));
            (m_s, (m_d - m_s) * d_x + a_d0, d_x)
        } else {
            // No usable troposcatter prediction: keep the diffraction line.
            (m_d, a_d0, 10e6)
        };
        if d > d_x {
            (m_s * d + a_s0, PropMode::Troposcatter)
        } else {
            (m_d * d + a_d0, PropMode::Diffraction)
        }
    };
    Ok((a_ref.max(0.0), mode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_space_reference_value() {
        // ITU-R P.525: L = 32.45 + 20 log10 f(MHz) + 20 log10 d(km); 1 km at 1000 MHz = 92.45 dB.
        assert!((free_space_loss_db(1000.0, 1000.0) - 92.45).abs() < 1e-12);
        assert!((free_space_loss_db(10_000.0, 900.0) - (32.45 + 20.0 * 900f64.log10() + 20.0)).abs() < 1e-12);
    }
}
