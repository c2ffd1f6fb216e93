//! Forward scatter from tropospheric irregularities, for paths far beyond the horizon: the
//! attenuation function F(θd) of the Algorithm Eq. 6.9, the frequency gain function H₀ (TN101v1
//! §9.2, curve fits of Algorithm Eq. 6.13) and the scattering efficiency η_s (TN101 Eq. 9.3a).

/// F(θ·d) in dB (Algorithm Eq. 6.9).
fn attenuation_function(td: f64) -> f64 {
    let (a, b, c) = if td <= 10e3 {
        (133.4, 0.332e-3, -10.0)
    } else if td <= 70e3 {
        (104.6, 0.212e-3, -2.5)
    } else {
        (71.8, 0.157e-3, 5.0)
    };
    a + b * td + c * td.log10()
}

/// One of the five H₀₁(r, j) curves (Algorithm Eq. 6.13).
fn h0_curve(j: usize, r: f64) -> f64 {
    const A: [f64; 5] = [25.0, 80.0, 177.0, 395.0, 705.0];
    const B: [f64; 5] = [24.0, 45.0, 68.0, 80.0, 105.0];
    let inv = 1.0 / r;
    let inv2 = inv * inv;
    10.0 * (1.0 + A[j] * inv2 * inv2 + B[j] * inv2).log10()
}

/// H₀(r, η_s), interpolated between the integer-η_s curves (1 ≤ η_s ≤ 5).
fn h0_function(r: f64, eta_s: f64) -> f64 {
    let eta_s = eta_s.clamp(1.0, 5.0);
    let i = eta_s as usize;
    let q = eta_s - i as f64;
    let mut result = h0_curve(i - 1, r);
    if q != 0.0 {
        result = (1.0 - q) * result + q * h0_curve(i, r);
    }
    result
}

/// Troposcatter loss at distance `d`. `h0` carries H₀ between the two evaluations the reference
/// makes (at d₆ then d₅): start it at −1. Returns 1001 when the scatter loss is undefined (both
/// r₁, r₂ < 0.2, Algorithm p. 11).
#[allow(clippy::too_many_arguments)]
pub(crate) fn troposcatter_loss(
    d_m: f64,
    theta_hzn: [f64; 2],
    d_hzn_m: [f64; 2],
    h_e_m: [f64; 2],
    a_e_m: f64,
    n_s: f64,
    f_mhz: f64,
    theta_los: f64,
    h0: &mut f64,
) -> f64 {
    let wn = f_mhz / 47.7;
    let h_0 = if *h0 > 15.0 {
        *h0
    } else {
        let mut ad = d_hzn_m[0] - d_hzn_m[1];
        let mut rr = h_e_m[1] / h_e_m[0];
        if ad < 0.0 {
            ad = -ad;
            rr = 1.0 / rr;
        }
        let theta = theta_hzn[0] + theta_hzn[1] + d_m / a_e_m;
        let r_1 = 2.0 * wn * theta * h_e_m[0];
        let r_2 = 2.0 * wn * theta * h_e_m[1];
        if r_1 < 0.2 && r_2 < 0.2 {
            return 1001.0;
        }
        // Asymmetry s and height ratio q, truncated at 0.1 and 10 (Algorithm p. 16; TN101 Eq. 9.5).
        let mut s = (d_m - ad) / (d_m + ad);
        let q = (rr / s).max(0.1).min(10.0);
        s = s.max(0.1);
        // Height of the crossover of the horizon rays (Algorithm Eq. 4.66).
        let h_0_m = (d_m - ad) * (d_m + ad) * theta * 0.25 / d_m;
        const Z_0_M: f64 = 1.7556e3;
        const Z_1_M: f64 = 8.0e3;
        let eta_s = (h_0_m / Z_0_M)
            * (1.0 + (0.031 - n_s * 2.32e-3 + n_s * n_s * 5.67e-6) * (-(h_0_m / Z_1_M).min(1.7).powi(6)).exp());
        let h_00 = (h0_function(r_1, eta_s) + h0_function(r_2, eta_s)) / 2.0;
        let delta_h_0 = h_00.min(6.0 * (0.6 - eta_s.max(1.0).log10()) * s.log10() * q.log10());
        let mut h_0 = (h_00 + delta_h_0).max(0.0);
        if eta_s < 1.0 {
            // Interpolate towards the η_s = 0 special case.
            let sq2 = std::f64::consts::SQRT_2;
            let t = (1.0 + sq2 / r_1) * (1.0 + sq2 / r_2);
            h_0 = eta_s * h_0 + (1.0 - eta_s) * 10.0 * (t * t * (r_1 + r_2) / (r_1 + r_2 + 2.0 * sq2)).log10();
        }
        // "If, at d₅, calculations show that H₀ will exceed 15 dB, they are replaced by the value it
        // has at d₆" (Algorithm p. 12).
        if h_0 > 15.0 && *h0 >= 0.0 {
            *h0
        } else {
            h_0
        }
    };
    *h0 = h_0;
    let th = d_m / a_e_m - theta_los;
    const D_0_M: f64 = 40e3;
    const H_M: f64 = 47.7;
    attenuation_function(th * d_m) + 10.0 * (wn * H_M * th * th * th * th).log10() - 0.1 * (n_s - 301.0) * (-th * d_m / D_0_M).exp()
        + h_0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h0_interpolates_between_curves() {
        // At integer η_s the function is the curve itself; half-way it is the mean of two curves.
        let r = 3.0;
        assert_eq!(h0_function(r, 2.0), h0_curve(1, r));
        let mid = h0_function(r, 2.5);
        assert!((mid - 0.5 * (h0_curve(1, r) + h0_curve(2, r))).abs() < 1e-12);
        // η_s is clamped to [1, 5].
        assert_eq!(h0_function(r, 0.2), h0_curve(0, r));
        assert_eq!(h0_function(r, 9.0), h0_curve(4, r));
        // Large r: H₀ → 10 log10(1) = 0 dB.
        assert!(h0_curve(4, 1e6).abs() < 1e-6);
    }

    #[test]
    fn attenuation_function_pieces() {
        // F(θd) at the break points of Algorithm Eq. 6.9.
        assert!((attenuation_function(10e3) - (133.4 + 3.32 - 40.0)).abs() < 1e-9);
        assert!((attenuation_function(70e3) - (104.6 + 14.84 - 2.5 * 70e3f64.log10())).abs() < 1e-9);
    }
}
