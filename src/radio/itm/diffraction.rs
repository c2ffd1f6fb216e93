//! Diffraction beyond the horizon: a weighted blend of double knife-edge diffraction (TN101 Eq. I.1,
//! Fresnel-integral approximation of TN101v2 Eqs. III.24) and smooth-earth diffraction by Vogler's
//! three-radii method (Vogler 1964; Algorithm Eq. 4.20), plus the terrain clutter factor
//! (ERL 79-ITS 67 Eqs. 3.23, 3.38c).

use super::terrain::{sigma_h, terrain_roughness};

/// Radius of the actual earth used to scale Vogler's C₀, m.
const A_0_M: f64 = 6370e3;

/// Inputs of the diffraction loss that do not change with the evaluation distance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DiffractionInputs {
    pub f_mhz: f64,
    pub a_e_m: f64,
    pub theta_los: f64,
    pub d_hzn_m: [f64; 2],
    pub h_e_m: [f64; 2],
    pub h_m: [f64; 2],
    pub z_g_abs: f64,
    pub delta_h_m: f64,
    pub d_sml_m: f64,
    /// f^(1/3) and f^(−1/3).
    pub f_third: f64,
    pub f_minus_third: f64,
    /// Point-to-point mode (C ≈ 10 in the weighting factor) rather than area mode.
    pub p2p: bool,
}

/// The diffraction loss of one path as a function of distance. The terms that depend only on the
/// path (the terminals' Vogler radii and height gains, the clutter factor, the weighting's antenna
/// term) are computed once, since the reference attenuation evaluates two distances.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DiffractionPath {
    p: DiffractionInputs,
    d_ml: f64,
    /// Vogler x of each terminal's horizon arc (km) and the two height gains F(x, K).
    x_terminals_km: f64,
    height_gains_db: f64,
    /// Clutter factor A_fo (ERL 79-ITS 67 Eq. 3.38c).
    a_fo_db: f64,
    /// sqrt(1 + q_k/q) of the weighting factor (Eq. 3.23).
    term1: f64,
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

/// Vogler's C₀ = (4/3 · a₀ / a)^(1/3), K and x for an arc of radius `a_m` and length `d_km`
/// (Vogler 1964 Eqs. 2, 6a/7a; B₀ = 1.607 − K from his Fig. 4).
#[inline]
fn vogler_x(p: &DiffractionInputs, a_m: f64, d_km: f64) -> (f64, f64) {
    let c_0 = ((4.0 / 3.0) * A_0_M / a_m).cbrt();
    let k = 0.017778 * c_0 * p.f_minus_third / p.z_g_abs;
    let b_0 = 1.607 - k;
    (b_0 * c_0 * c_0 * p.f_third * d_km, k)
}

impl DiffractionPath {
    pub fn new(p: DiffractionInputs) -> Self {
        let d_ml = p.d_hzn_m[0] + p.d_hzn_m[1];
        // The terminals' radii (Vogler 1964 Eq. 3 rearranged) and horizon arcs.
        let (x1, k1) = vogler_x(&p, 0.5 * p.d_hzn_m[0] * p.d_hzn_m[0] / p.h_e_m[0], p.d_hzn_m[0] / 1000.0);
        let (x2, k2) = vogler_x(&p, 0.5 * p.d_hzn_m[1] * p.d_hzn_m[1] / p.h_e_m[1], p.d_hzn_m[1] / 1000.0);

        // Clutter, with the roughness at the smooth-earth line-of-sight distance (ERL 79-ITS 67 p. 3-13).
        let sigma_h_d = sigma_h(terrain_roughness(p.d_sml_m, p.delta_h_m));
        let a_fo_db = (5.0 * (1.0 + 1e-5 * p.h_m[0] * p.h_m[1] * p.f_mhz * sigma_h_d).log10()).min(15.0);

        let mut q = p.h_m[0] * p.h_m[1];
        let qk = p.h_e_m[0] * p.h_e_m[1] - q;
        if p.p2p {
            // For low antennas with known path parameters C ≈ 10 (ERL 79-ITS 67 p. 3-8).
            q += 10.0;
        }
        DiffractionPath {
            p,
            d_ml,
            x_terminals_km: x1 + x2,
            height_gains_db: height_function(x1, k1) + height_function(x2, k2),
            a_fo_db,
            term1: (1.0 + qk / q).sqrt(),
        }
    }

    /// Double knife-edge diffraction at distance `d` (TN101 Eq. I.7 for v², 1/(4π) = 0.0795775).
    fn knife_edge(&self, d_m: f64) -> f64 {
        let p = &self.p;
        let theta_nlos = d_m / p.a_e_m - p.theta_los;
        let d_nlos = d_m - self.d_ml;
        let k = 0.0795775 * (p.f_mhz / 47.7) * theta_nlos * theta_nlos;
        let v1 = k * p.d_hzn_m[0] * d_nlos / (d_nlos + p.d_hzn_m[0]);
        let v2 = k * p.d_hzn_m[1] * d_nlos / (d_nlos + p.d_hzn_m[1]);
        fresnel_integral(v1) + fresnel_integral(v2)
    }

    /// Smooth-earth diffraction by the three-radii method: the diffraction arc's radius plus the
    /// terminals' (Vogler 1964 Eq. 13; TN101 Eq. 8.4; Algorithm Eq. 4.20).
    fn smooth_earth(&self, d_m: f64) -> f64 {
        let p = &self.p;
        let theta_nlos = d_m / p.a_e_m - p.theta_los;
        let a_0 = (d_m - self.d_ml) / theta_nlos;
        let (x0, _) = vogler_x(p, a_0, a_0 * theta_nlos / 1000.0);
        let x = x0 + self.x_terminals_km;
        let g_x = 0.05751 * x - 10.0 * x.log10();
        g_x - self.height_gains_db - 20.0
    }

    /// Diffraction loss at distance `d` (beyond the horizons): knife-edge and smooth-earth weighted
    /// by the terrain's roughness (Eq. 3.23), plus the clutter factor.
    pub fn loss(&self, d_m: f64) -> f64 {
        let p = &self.p;
        let a_k = self.knife_edge(d_m);
        let a_se = self.smooth_earth(d_m);
        let delta_h_d = terrain_roughness(d_m, p.delta_h_m);
        let q = (self.term1 + (-p.theta_los * p.a_e_m + self.d_ml) / d_m) * (delta_h_d * p.f_mhz / 47.7).min(6283.2);
        let w = 25.1 / (25.1 + q.sqrt());
        w * a_se + (1.0 - w) * a_k + self.a_fo_db
    }
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
