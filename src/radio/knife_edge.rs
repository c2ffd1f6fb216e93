//! Single knife-edge diffraction, ITU-R P.526: the Fresnel-Kirchhoff parameter ν (eq. 22) and the
//! approximation of the diffraction loss J(ν) (eq. 31),
//!
//! J(ν) = 6.9 + 20 log( √((ν − 0.1)² + 1) + ν − 0.1 )  dB for ν > −0.78, and 0 otherwise.
//!
//! The hot loop of the engine works in `f32` on the squared form of ν (see [`super::deygout`]); the
//! `f64` functions here are the reference.

/// Speed of light over 10⁶: wavelength (m) = `C_MHZ_M / f_MHz`.
pub const C_MHZ_M: f64 = 299.792458;

/// ν below which P.526 eq. (31) gives no loss.
pub const NU_MIN: f64 = -0.78;

/// Wavelength (m) of a frequency in MHz.
#[inline]
pub fn wavelength_m(f_mhz: f64) -> f64 {
    C_MHZ_M / f_mhz
}

/// P.526 eq. (22): ν = h √(2/λ · (1/d₁ + 1/d₂)), with h the height of the edge above the straight
/// line joining the ends (negative below it) and d₁, d₂ its distances to the ends, all in metres.
#[inline]
pub fn fresnel_nu(h_m: f64, d1_m: f64, d2_m: f64, lambda_m: f64) -> f64 {
    h_m * (2.0 / lambda_m * (1.0 / d1_m + 1.0 / d2_m)).sqrt()
}

/// P.526 eq. (31): knife-edge diffraction loss J(ν) in dB.
///
/// ```
/// use covermap::radio::knife_edge::{fresnel_nu, j_db};
/// // Grazing incidence (ν = 0): 6 dB, the classical half-plane value (6.03 by the approximation).
/// assert!((j_db(0.0) - 6.03).abs() < 0.01);
/// // Rappaport, Example 4.7: λ = 1/3 m, an edge 25 m above the line, 1 km from each end:
/// // ν = 2.74 and J ≈ 22 dB (21.7 dB read from his chart).
/// let nu = fresnel_nu(25.0, 1000.0, 1000.0, 1.0 / 3.0);
/// assert!((nu - 2.74).abs() < 0.01);
/// assert!((j_db(nu) - 21.7).abs() < 0.5);
/// // In the clear (ν ≤ −0.78) there is no loss.
/// assert_eq!(j_db(-1.0), 0.0);
/// ```
#[inline]
pub fn j_db(nu: f64) -> f64 {
    if nu <= NU_MIN {
        return 0.0;
    }
    j_formula(nu)
}

/// Eq. (31) without its ν > −0.78 cut-off (J(−0.78) is 0.004 dB, not exactly zero).
#[inline]
fn j_formula(nu: f64) -> f64 {
    let a = nu - 0.1;
    6.9 + 20.0 * ((a * a + 1.0).sqrt() + a).log10()
}

/// Table of J(ν) for the engine's inner loop: ν from −0.78 in steps of 1/128 up to 40, linearly
/// interpolated. J'' is at most 3.34 dB per unit² (at ν − 0.1 = 1/√2), so the interpolation error is
/// below 3.34/(8·128²) = 2.6·10⁻⁵ dB; past the table the formula is evaluated.
const J_STEPS_PER_UNIT: f32 = 128.0;
const J_TABLE_MAX: f32 = 40.0;

static J_TABLE: std::sync::LazyLock<Vec<f32>> = std::sync::LazyLock::new(|| {
    let n = ((J_TABLE_MAX - NU_MIN as f32) * J_STEPS_PER_UNIT) as usize + 2;
    (0..n).map(|i| j_formula(NU_MIN + i as f64 / J_STEPS_PER_UNIT as f64) as f32).collect()
});

/// `f32` J(ν) for the engine's inner loop (table, see above).
#[inline]
pub fn j_db_f32(nu: f32) -> f32 {
    if nu <= NU_MIN as f32 {
        return 0.0;
    }
    if nu >= J_TABLE_MAX {
        let a = nu - 0.1;
        return 6.9 + 20.0 * ((a * a + 1.0).sqrt() + a).log10();
    }
    let t = (nu - NU_MIN as f32) * J_STEPS_PER_UNIT;
    let i = t as usize;
    let f = t - i as f32;
    let tab = &*J_TABLE;
    tab[i] + (tab[i + 1] - tab[i]) * f
}

/// The single-edge case every multi-edge method must reduce to, for their tests: Rappaport (2002)
/// Example 4.7 — λ = 1/3 m, 1 km + 1 km, an edge 25 m above the line of sight: J(ν) = 21.7 dB; no
/// edge, or one far below the line: 0 dB. `loss(tx, rx, edges, tolerance_db)`.
#[cfg(test)]
pub(crate) fn check_single_edge(loss: impl Fn(super::hull::Vertex, super::hull::Vertex, &[super::hull::Vertex], f32) -> f32) {
    let v = super::hull::Vertex::new;
    let l = loss(v(0.0, 0.0), v(2000.0, 0.0), &[v(1000.0, 25.0)], 6.0);
    assert!((l as f64 - j_db(fresnel_nu(25.0, 1000.0, 1000.0, 1.0 / 3.0))).abs() < 1e-3, "{l}");
    assert!((l - 21.7).abs() < 0.3, "{l}");
    assert_eq!(loss(v(0.0, 0.0), v(2000.0, 0.0), &[], 6.0), 0.0);
    assert_eq!(loss(v(0.0, 0.0), v(2000.0, 0.0), &[v(1000.0, -30.0)], 6.0), 0.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exact knife-edge loss from the Fresnel integrals, P.526 eq. (26):
    /// J(ν) = −20 log( √((1 − C − S)² + (C − S)²) / 2 ), C and S by Simpson's rule.
    fn j_exact(nu: f64) -> f64 {
        let n = 20_000;
        let h = nu / n as f64;
        let (mut c, mut s) = (0.0, 0.0);
        for i in 0..=n {
            let t = i as f64 * h;
            let w = if i == 0 || i == n { 1.0 } else if i % 2 == 1 { 4.0 } else { 2.0 };
            let a = std::f64::consts::FRAC_PI_2 * t * t;
            c += w * a.cos();
            s += w * a.sin();
        }
        c *= h / 3.0;
        s *= h / 3.0;
        -20.0 * (((1.0 - c - s).powi(2) + (c - s).powi(2)).sqrt() / 2.0).log10()
    }

    #[test]
    fn p526_values() {
        // Eq. (31) evaluated by hand at the values P.526 Fig. 9 plots.
        assert_eq!(j_db(-0.78), 0.0);
        assert!((j_db(0.0) - 6.033).abs() < 0.001, "{}", j_db(0.0));
        assert!((j_db(1.0) - 13.926).abs() < 0.001, "{}", j_db(1.0));
        assert!((j_db(2.0) - 19.043).abs() < 0.001, "{}", j_db(2.0));
        assert!((j_db(3.0) - 22.416).abs() < 0.001, "{}", j_db(3.0));
        assert!((j_db_f32(1.0) as f64 - j_db(1.0)).abs() < 1e-4);
    }

    #[test]
    fn table_matches_formula() {
        for i in 0..20_000 {
            let nu = -1.0 + i as f64 * 0.0031;
            assert!((j_db_f32(nu as f32) as f64 - j_db(nu)).abs() < 2e-4, "ν = {nu}");
        }
    }

    #[test]
    fn approximation_tracks_fresnel_integrals() {
        // ν = 0 is the half-plane grazing case: exactly half the field, 6.02 dB.
        assert!((j_exact(0.0) - 6.0206).abs() < 1e-3);
        // Eq. (31) is P.526's approximation of eq. (26): within 0.5 dB where ν ≥ −0.5, and it
        // approaches 13 + 20 log ν for large ν.
        for i in 0..=55 {
            let nu = -0.5 + i as f64 * 0.1;
            let (a, e) = (j_db(nu), j_exact(nu));
            assert!((a - e).abs() < 0.5, "ν = {nu}: approx {a}, exact {e}");
        }
        assert!((j_db(10.0) - (13.0 + 20.0 * 10f64.log10())).abs() < 0.2);
    }

    #[test]
    fn textbook_knife_edge() {
        // Rappaport, Wireless Communications, Example 4.7: λ = 1/3 m, d₁ = d₂ = 1 km, an edge 25 m
        // above the line of sight: ν = 2.74 and a loss of about 22 dB (the figure; Lee's
        // approximation 20 log(0.225/ν) gives 21.7 dB).
        let nu = fresnel_nu(25.0, 1000.0, 1000.0, 1.0 / 3.0);
        assert!((nu - 2.7386).abs() < 1e-3, "{nu}");
        let l = j_db(nu);
        assert!((l - 21.7).abs() < 0.3, "{l}");
        // h = 0 → 6 dB; h = −25 m → no loss.
        assert!((j_db(fresnel_nu(0.0, 1000.0, 1000.0, 1.0 / 3.0)) - 6.03).abs() < 0.01);
        assert_eq!(j_db(fresnel_nu(-25.0, 1000.0, 1000.0, 1.0 / 3.0)), 0.0);
    }
}
