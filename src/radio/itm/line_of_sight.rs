//! Line-of-sight loss: a two-ray (direct + ground-reflected) attenuation with a rough-earth
//! reflection coefficient, blended with the extrapolated diffraction line (Algorithm Eqs.
//! 4.46–4.50; ERL 79-ITS 67 §3).

use super::complex::Complex;
use super::terrain::{sigma_h, terrain_roughness};

/// Loss at distance `d` inside the line-of-sight region. `m_d`, `a_d0_db` are the slope and
/// intercept of the diffraction line.
#[allow(clippy::too_many_arguments)]
pub(crate) fn line_of_sight_loss(
    d_m: f64,
    h_e_m: [f64; 2],
    z_g: Complex,
    delta_h_m: f64,
    m_d: f64,
    a_d0_db: f64,
    d_sml_m: f64,
    f_mhz: f64,
) -> f64 {
    let sigma_h_d = sigma_h(terrain_roughness(d_m, delta_h_m));
    let wn = f_mhz / 47.7;
    let h_sum = h_e_m[0] + h_e_m[1];
    let sin_psi = h_sum / (d_m * d_m + h_sum * h_sum).sqrt();

    // Reflection coefficient reduced by the terrain's roughness (Eq. 4.47), and kept from
    // vanishing (Eq. 4.48).
    let s = Complex::new(sin_psi, 0.0);
    let mut r_e = (s - z_g) / (s + z_g) * (-(wn * sigma_h_d * sin_psi).min(10.0)).exp();
    let q = r_e.norm_sqr();
    if q < 0.25 || q < sin_psi {
        r_e = r_e * (sin_psi / q).sqrt();
    }

    // Phase difference between the rays, limited beyond π/2 (Eqs. 4.49–4.50).
    let mut delta_phi = wn * 2.0 * h_e_m[0] * h_e_m[1] / d_m;
    if delta_phi > std::f64::consts::FRAC_PI_2 {
        delta_phi = std::f64::consts::PI - std::f64::consts::FRAC_PI_2 * std::f64::consts::FRAC_PI_2 / delta_phi;
    }
    let rr = Complex::new(delta_phi.cos(), -delta_phi.sin()) + r_e;
    let a_t_db = -10.0 * rr.norm_sqr().log10();

    let a_d_db = m_d * d_m + a_d0_db;
    let w = 1.0 / (1.0 + f_mhz * delta_h_m / d_sml_m.max(10e3));
    w * a_t_db + (1.0 - w) * a_d_db
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smooth_perfect_reflector_gives_two_ray_interference() {
        // Z_g → 0 (perfect conductor, horizontal polarization): R_e = 1, and with Δh = 0 the loss is
        // pure two-ray: A_t = −10 log10 |e^{−iΔφ} + 1|² = −10 log10(2 + 2 cos Δφ).
        let (h1, h2, d, f) = (30.0, 10.0, 5000.0, 100.0);
        let wn = f / 47.7;
        let dphi = wn * 2.0 * h1 * h2 / d;
        assert!(dphi < std::f64::consts::FRAC_PI_2);
        let got = line_of_sight_loss(d, [h1, h2], Complex::new(1e-12, 0.0), 0.0, 0.0, 0.0, 30e3, f);
        let expect = -10.0 * (2.0 + 2.0 * dphi.cos()).log10();
        assert!((got - expect).abs() < 1e-6, "{got} vs {expect}");
    }
}
