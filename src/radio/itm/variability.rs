//! Variability: from the reference attenuation to the loss not exceeded for the requested time,
//! location and situation percentages. Climate curves of TN101 Fig. 10.13 / TN101v2 Eqs. III.69–70
//! as fitted in Hufford's Algorithm (1995) §5 (Table 5.1 and Eqs. 5.3–5.11), the Abramowitz & Stegun
//! 26.2.23 approximation of the inverse normal, and the soft clamp of Eq. 52 for negative results.

use super::inputs::{Prepared, VariabilityMode};
use super::terrain::terrain_roughness;

/// Effective earth radius used by the effective distance (9000 km).
const A_9000_M: f64 = 9000e3;

// Climate tables, columns = climates 1..7 (Algorithm §5, Table 5.1; TN101 Fig. 10.13).
/// Median (all-year) curve V_med: c1, c2, x1, x2, x3.
const ALL_YEAR: [[f64; 7]; 5] = [
    [-9.67, -0.62, 1.26, -9.21, -0.62, -0.39, 3.15],
    [12.7, 9.19, 15.5, 9.05, 9.19, 2.86, 857.9],
    [144.9e3, 228.9e3, 262.6e3, 84.1e3, 228.9e3, 141.7e3, 2222.0e3],
    [190.3e3, 205.2e3, 185.2e3, 101.1e3, 205.2e3, 315.9e3, 164.8e3],
    [133.8e3, 143.6e3, 99.8e3, 98.6e3, 143.6e3, 167.4e3, 116.3e3],
];
/// Time variability below the median (σ_T−): c1, c2, x1, x2, x3.
const SIGMA_MINUS: [[f64; 7]; 5] = [
    [2.13, 2.66, 6.11, 1.98, 2.68, 6.86, 8.51],
    [159.5, 7.67, 6.65, 13.11, 7.16, 10.38, 169.8],
    [762.2e3, 100.4e3, 138.2e3, 139.1e3, 93.7e3, 187.8e3, 609.8e3],
    [123.6e3, 172.5e3, 242.2e3, 132.7e3, 186.8e3, 169.6e3, 119.9e3],
    [94.5e3, 136.4e3, 178.6e3, 193.5e3, 133.5e3, 108.9e3, 106.6e3],
];
/// Time variability above the median (σ_T+): c1, c2, x1, x2, x3.
const SIGMA_PLUS: [[f64; 7]; 5] = [
    [2.11, 6.87, 10.08, 3.68, 4.75, 8.58, 8.43],
    [102.3, 15.53, 9.60, 159.3, 8.12, 13.97, 8.19],
    [636.9e3, 138.7e3, 165.3e3, 464.4e3, 93.2e3, 216.0e3, 136.2e3],
    [134.8e3, 143.7e3, 225.7e3, 93.1e3, 135.9e3, 152.0e3, 188.5e3],
    [95.6e3, 98.6e3, 129.7e3, 94.2e3, 113.4e3, 122.7e3, 122.9e3],
];
/// Ducting tail: C_D and z_D (Algorithm, Table 5.1).
const C_D: [f64; 7] = [1.224, 0.801, 1.380, 1.000, 1.224, 1.518, 1.518];
const Z_D: [f64; 7] = [1.282, 2.161, 1.282, 20.0, 1.282, 1.282, 1.282];
/// Frequency factors g(f) of σ_T− and σ_T+: a + b / ((c·ln(0.133 wn))² + 1).
const BF_MINUS: [[f64; 7]; 3] = [
    [1.0, 1.0, 1.0, 1.0, 0.92, 1.0, 1.0],
    [0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 1.77, 0.0, 0.0],
];
const BF_PLUS: [[f64; 7]; 3] = [
    [1.0, 0.93, 1.0, 0.93, 0.93, 1.0, 1.0],
    [0.0, 0.31, 0.0, 0.19, 0.31, 0.0, 0.0],
    [0.0, 2.00, 0.0, 1.79, 2.00, 0.0, 0.0],
];

/// Inverse of the complementary normal distribution Q⁻¹(q), Abramowitz & Stegun 26.2.23
/// (|error| < 4.5e-4), as the reference uses it.
pub fn inverse_ccdf(q: f64) -> f64 {
    const C0: f64 = 2.515516;
    const C1: f64 = 0.802853;
    const C2: f64 = 0.010328;
    const D1: f64 = 1.432788;
    const D2: f64 = 0.189269;
    const D3: f64 = 0.001308;
    let x = if q > 0.5 { 1.0 - q } else { q };
    let t = (-2.0 * x.ln()).sqrt();
    let zeta = ((C2 * t + C1) * t + C0) / (((D3 * t + D2) * t + D1) * t + 1.0);
    if q > 0.5 {
        -(t - zeta)
    } else {
        t - zeta
    }
}

/// The climate curve shape of TN101v2 Eqs. III.69–70 at effective distance `d_e`.
#[inline]
fn curve(c: &[[f64; 7]; 5], k: usize, d_e_m: f64) -> f64 {
    let r = d_e_m / c[2][k];
    let r2 = r * r;
    let s = (d_e_m - c[3][k]) / c[4][k];
    (c[0][k] + c[1][k] / (1.0 + s * s)) * r2 / (1.0 + r2)
}

/// The frequency factors (g−, g+) of the time variability for climate index `k` (0-based).
pub(crate) fn frequency_gains(k: usize, wn: f64) -> (f64, f64) {
    let q = (0.133 * wn).ln();
    let g = |b: &[[f64; 7]; 3]| {
        let x = b[2][k] * q;
        b[0][k] + b[1][k] / (x * x + 1.0)
    };
    (g(&BF_MINUS), g(&BF_PLUS))
}

/// The attenuation relative to free space not exceeded with the prepared time/location/situation
/// percentages, from the reference attenuation `a_ref_db` (Algorithm §5).
pub(crate) fn variability(p: &Prepared, h_e_m: [f64; 2], delta_h_m: f64, d_m: f64, a_ref_db: f64) -> f64 {
    let k = p.climate;
    let d_ex_m = (2.0 * A_9000_M * h_e_m[0]).sqrt() + (2.0 * A_9000_M * h_e_m[1]).sqrt() + p.d_ex_freq_m;
    let d_e_m = if d_m < d_ex_m { 130e3 * d_m / d_ex_m } else { 130e3 + d_m - d_ex_m };

    // Situation variability (Eq. 5.10), eliminated by mdvar + 20.
    let sigma_s = if p.eliminate_situation { 0.0 } else { 5.0 + 3.0 * (-d_e_m / 100e3).exp() };

    let v_med_db = curve(&ALL_YEAR, k, d_e_m);

    // Location variability, eliminated by mdvar + 10.
    let sigma_l = if p.eliminate_location {
        0.0
    } else {
        let dh_d = terrain_roughness(d_m, delta_h_m);
        10.0 * p.wn * dh_d / (p.wn * dh_d + 13.0)
    };
    let y_l = sigma_l * p.z_l;

    // Time variability, with the ducting tail above z_D.
    let sigma_t_minus = curve(&SIGMA_MINUS, k, d_e_m) * p.g_minus;
    let sigma_t_plus = curve(&SIGMA_PLUS, k, d_e_m) * p.g_plus;
    let sigma_td = C_D[k] * sigma_t_plus;
    let tgtd = (sigma_t_plus - sigma_td) * Z_D[k];
    let z_t = p.z_t;
    let sigma_t = if z_t < 0.0 {
        sigma_t_minus
    } else if z_t <= Z_D[k] {
        sigma_t_plus
    } else {
        sigma_td + tgtd / z_t
    };
    let y_t = sigma_t * z_t;

    let z_s2 = p.z_s * p.z_s;
    let y_s_temp = sigma_s * sigma_s + y_t * y_t / (7.8 + z_s2) + y_l * y_l / (24.0 + z_s2);
    let (y_r, y_s) = match p.mode {
        VariabilityMode::SingleMessage => (0.0, (sigma_t * sigma_t + sigma_l * sigma_l + y_s_temp).sqrt() * p.z_s),
        VariabilityMode::Accidental => (y_t, (sigma_l * sigma_l + y_s_temp).sqrt() * p.z_s),
        VariabilityMode::Mobile => ((sigma_t * sigma_t + sigma_l * sigma_l).sqrt() * z_t, y_s_temp.sqrt() * p.z_s),
        VariabilityMode::Broadcast => (y_t + y_l, y_s_temp.sqrt() * p.z_s),
    };

    let result = a_ref_db - v_med_db - y_r - y_s;
    if result < 0.0 {
        // Soft limit for negative attenuation (Algorithm, Eq. 52).
        result * (29.0 - result) / (29.0 - 10.0 * result)
    } else {
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_normal_matches_tables() {
        // Standard normal quantiles (Abramowitz & Stegun Table 26.5): Q⁻¹(0.1) = 1.281552,
        // Q⁻¹(0.5) = 0, Q⁻¹(0.9) = −1.281552, Q⁻¹(0.01) = 2.326348, Q⁻¹(0.001) = 3.090232;
        // the approximation's error is below 4.5e-4 (26.2.23).
        assert!((inverse_ccdf(0.1) - 1.281552).abs() < 4.5e-4);
        assert!(inverse_ccdf(0.5).abs() < 4.5e-4);
        assert!((inverse_ccdf(0.9) + 1.281552).abs() < 4.5e-4);
        assert!((inverse_ccdf(0.01) - 2.326348).abs() < 4.5e-4);
        assert!((inverse_ccdf(0.001) - 3.090232).abs() < 4.5e-4);
    }

    #[test]
    fn median_curve_vanishes_at_zero_distance() {
        // V_med(d_e) ∝ (d_e/x1)² / (1 + (d_e/x1)²): 0 at d_e = 0, → c1 + c2/(1+((d_e−x2)/x3)²) far out.
        assert_eq!(curve(&ALL_YEAR, 4, 0.0), 0.0);
        let far = curve(&ALL_YEAR, 4, 1e9);
        assert!((far - ALL_YEAR[0][4]).abs() < 1e-3, "{far}");
    }
}
