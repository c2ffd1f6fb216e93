//! Diffraction beyond the horizon: a weighted blend of double knife-edge diffraction (TN101 Eq. I.1,
//! Fresnel-integral approximation of TN101v2 Eqs. III.24) and smooth-earth diffraction by Vogler's
//! three-radii method (Vogler 1964; Algorithm Eq. 4.20), plus the terrain clutter factor
//! (ERL 79-ITS 67 Eqs. 3.23, 3.38c).

use super::terrain::{sigma_h, terrain_roughness};

/// Radius of the actual earth used to scale Vogler's C₀, m.
const A_0_M: f64 = 6370e3;

/// Everything the diffraction loss needs that does not change with the evaluation distance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DiffractionPath {
    pub f_mhz: f64,
    pub a_e_m: f64,
    pub theta_los: f64,
    pub d_hzn_m: [f64; 2],
    pub h_e_m: [f64; 2],
    pub h_m: [f64; 2],
    pub z_g_abs: f64,
    pub delta_h_m: f64,
    pub d_sml_m: f64,
    /// Point-to-point mode (C ≈ 10 in the weighting factor) rather than area mode.
    pub p2p: bool,
}

/// Ideal knife-edge loss A(v, 0) as a function of v² (TN101v2 Eqs. III.24b–c).
#[inline]
fn fresnel_integral(v2: f64) -> f64 {
    if v2 < 5.76 {
        6.02 + 9.11 * v2.sqrt() - 1.27 * v2
    } else {
        12.953 + 10.0 * v2.log10()
    }
}

/// Double knife-edge diffraction at distance `d` (TN101 Eq. I.7 for v², 1/(4π) = 0.0795775).
fn knife_edge(p: &DiffractionPath, d_m: f64) -> f64 {
    let d_ml = p.d_hzn_m[0] + p.d_hzn_m[1];
    let theta_nlos = d_m / p.a_e_m - p.theta_los;
    let d_nlos = d_m - d_ml;
    let k = 0.0795775 * (p.f_mhz / 47.7) * theta_nlos * theta_nlos;
    let v1 = k * p.d_hzn_m[0] * d_nlos / (d_nlos + p.d_hzn_m[0]);
    let v2 = k * p.d_hzn_m[1] * d_nlos / (d_nlos + p.d_hzn_m[1]);
    fresnel_integral(v1) + fresnel_integral(v2)
}

/// Vogler's height-gain function F(x, K), dB.
fn height_function(x_km: f64, k: f64) -> f64 {
    if x_km < 200.0 {
        let w = -k.ln();
        if k < 1e-5 || x_km * w * w * w > 5495.0 {
            if x_km > 1.0 {
                17.372 * x_km.ln() - 117.0
            } else {
                -117.0
            }
        } else {
            2.5e-5 * x_km * x_km / k - 8.686 * w - 15.0
        }
    } else {
        let result = 0.05751 * x_km - 4.343 * x_km.ln();
        if x_km < 2000.0 {
            let w = 0.0134 * x_km * (-0.005 * x_km).exp();
            (1.0 - w) * result + w * (17.372 * x_km.ln() - 117.0)
        } else {
            result
        }
    }
}

/// Smooth-earth diffraction by the three-radii method: one radius for the diffraction arc, one for
/// each terminal's horizon (Vogler 1964 Eqs. 2, 3, 6a/7a, 13; TN101 Eq. 8.4).
fn smooth_earth(p: &DiffractionPath, d_m: f64) -> f64 {
    let theta_nlos = d_m / p.a_e_m - p.theta_los;
    let d_ml = p.d_hzn_m[0] + p.d_hzn_m[1];
    let a_m = [
        (d_m - d_ml) / (d_m / p.a_e_m - p.theta_los),
        0.5 * p.d_hzn_m[0] * p.d_hzn_m[0] / p.h_e_m[0],
        0.5 * p.d_hzn_m[1] * p.d_hzn_m[1] / p.h_e_m[1],
    ];
    let d_km = [a_m[0] * theta_nlos / 1000.0, p.d_hzn_m[0] / 1000.0, p.d_hzn_m[1] / 1000.0];
    let f_third = p.f_mhz.powf(1.0 / 3.0);
    let f_minus_third = p.f_mhz.powf(-1.0 / 3.0);
    let mut c_0 = [0.0; 3];
    let mut k = [0.0; 3];
    let mut x_km = [0.0; 3];
    for i in 0..3 {
        c_0[i] = ((4.0 / 3.0) * A_0_M / a_m[i]).powf(1.0 / 3.0);
        k[i] = 0.017778 * c_0[i] * f_minus_third / p.z_g_abs;
        let b_0 = 1.607 - k[i];
        x_km[i] = b_0 * c_0[i] * c_0[i] * f_third * d_km[i];
    }
    x_km[0] += x_km[1] + x_km[2];
    let g_x = 0.05751 * x_km[0] - 10.0 * x_km[0].log10();
    g_x - height_function(x_km[1], k[1]) - height_function(x_km[2], k[2]) - 20.0
}

/// Diffraction loss at distance `d` (beyond the horizons): knife-edge and smooth-earth weighted by
/// the terrain's roughness, plus the clutter factor A_fo.
pub(crate) fn diffraction_loss(p: &DiffractionPath, d_m: f64) -> f64 {
    let a_k = knife_edge(p, d_m);
    let a_se = smooth_earth(p, d_m);

    // Clutter, with the roughness at the smooth-earth line-of-sight distance (ERL 79-ITS 67 p. 3-13).
    let sigma_h_d = sigma_h(terrain_roughness(p.d_sml_m, p.delta_h_m));
    let a_fo = (5.0 * (1.0 + 1e-5 * p.h_m[0] * p.h_m[1] * p.f_mhz * sigma_h_d).log10()).min(15.0);

    let delta_h_d = terrain_roughness(d_m, p.delta_h_m);
    let mut q = p.h_m[0] * p.h_m[1];
    let qk = p.h_e_m[0] * p.h_e_m[1] - q;
    if p.p2p {
        // For low antennas with known path parameters C ≈ 10 (ERL 79-ITS 67 p. 3-8).
        q += 10.0;
    }
    let term1 = (1.0 + qk / q).sqrt();
    let d_ml = p.d_hzn_m[0] + p.d_hzn_m[1];
    let q = (term1 + (-p.theta_los * p.a_e_m + d_ml) / d_m) * (delta_h_d * p.f_mhz / 47.7).min(6283.2);
    let w = 25.1 / (25.1 + q.sqrt());
    w * a_se + (1.0 - w) * a_k + a_fo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knife_edge_approximation_at_grazing_and_deep_shadow() {
        // A(v=0) = 6.02 dB, the textbook grazing-incidence loss; large v: 12.953 + 20 log10 v.
        assert!((fresnel_integral(0.0) - 6.02).abs() < 1e-12);
        assert!((fresnel_integral(100.0) - (12.953 + 20.0)).abs() < 1e-12);
        // The two branches nearly meet at v = 2.4 (continuity of the fit within 0.1 dB).
        let below = fresnel_integral(5.76 - 1e-9);
        let above = fresnel_integral(5.76);
        assert!((below - above).abs() < 0.1, "{below} {above}");
    }

    #[test]
    fn height_function_branches_are_continuous() {
        // The x ≥ 200 branch blends towards 17.372 ln x − 117 and is close to it at x = 200.
        let k = 1e-6;
        let lo = height_function(199.999, k);
        let hi = height_function(200.0, k);
        assert!((lo - hi).abs() < 1.0, "{lo} {hi}");
    }
}
