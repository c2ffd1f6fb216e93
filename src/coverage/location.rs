//! Location probability under log-normal shadowing: the received level at a random spot of a small
//! area is Gaussian in dB around the model's median with the calibration's residual σ, so the chance
//! that it reaches a threshold is P = Φ((median − threshold)/σ). "Covered at 90 % of locations" is
//! then median ≥ threshold + z₀.₉·σ with z₀.₉ = 1.2816 (the FCC's broadband-map 90 % cell-edge
//! probability); "at 50 %" is the median itself reaching the threshold.

/// Standard normal quantile of 0.9.
pub const Z90: f64 = 1.281_551_565_545;

/// Complementary error function, |relative error| < 1.2·10⁻⁷ everywhere (Chebyshev fit of Press et
/// al., *Numerical Recipes* 3rd ed. §6.2, `erfccheb` precursor `erfcc`).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06 + t * (0.278_868_07 + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Standard normal CDF Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// P(level ≥ `threshold_dbm`) for a median `median_dbm` and shadowing σ; 0 where there is no signal
/// (NaN median: no site reaches the point above the engine's floor).
pub fn p_at_least(median_dbm: f64, threshold_dbm: f64, sigma_db: f64) -> f64 {
    if median_dbm.is_nan() {
        return 0.0;
    }
    normal_cdf((median_dbm - threshold_dbm) / sigma_db)
}

/// Raster class: 0 below 50 % location probability, 1 covered at 50 %, 2 covered at 90 %.
pub fn class(median_dbm: f32, threshold_dbm: f64, sigma_db: f64) -> u8 {
    let v = median_dbm as f64;
    if v >= threshold_dbm + Z90 * sigma_db {
        2
    } else if v >= threshold_dbm {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_at_known_values() {
        // Abramowitz & Stegun table 26.1: Φ(1) = 0.8413447461, Φ(2) = 0.9772498681, Φ(−1.959964) =
        // 0.025, Φ(1.2815516) = 0.9, Φ(0) = 0.5, Φ(−3) = 0.0013498980.
        for (x, p) in [(0.0, 0.5), (1.0, 0.841_344_746_1), (2.0, 0.977_249_868_1), (-1.959_964, 0.025), (Z90, 0.9), (-3.0, 0.001_349_898_0)] {
            assert!((normal_cdf(x) - p).abs() < 1e-7 + 1.2e-7 * p, "Φ({x}) = {} ≠ {p}", normal_cdf(x));
        }
    }

    #[test]
    fn p_covered_at_known_levels() {
        // σ = 8 dB, threshold −110 dBm: a median 8 dB above is covered at Φ(1) of locations, one at the
        // threshold at half, one z₀.₉·σ above at 90 %; no signal is never covered.
        assert!((p_at_least(-102.0, -110.0, 8.0) - 0.841_344_746).abs() < 1e-6);
        assert!((p_at_least(-110.0, -110.0, 8.0) - 0.5).abs() < 1e-6);
        assert!((p_at_least(-110.0 + Z90 * 8.0, -110.0, 8.0) - 0.9).abs() < 1e-6);
        assert_eq!(p_at_least(f64::NAN, -110.0, 8.0), 0.0);
        assert_eq!(class(-100.0, -110.0, 8.0), 1); // 10 dB above < the 10.25 dB needed for 90 %
        assert_eq!(class(-99.0, -110.0, 8.0), 2);
        assert_eq!(class(-111.0, -110.0, 8.0), 0);
    }
}
