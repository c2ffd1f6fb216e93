//! COST-231 Hata median path loss (COST Action 231, "Digital mobile radio towards future generation
//! systems", final report, EUR 18957, 1999, §4.4.1), the extension of Okumura-Hata to 1500–2000 MHz:
//!
//! L = 46.3 + 33.9 log f − 13.82 log h_b − a(h_m) + (44.9 − 6.55 log h_b) log d + C_m
//!
//! with C_m = 0 dB for medium-sized cities and suburban centres ([`Environment::Urban`]) and 3 dB for
//! metropolitan centres ([`Environment::Metropolitan`], with the large-city a(h_m)). COST-231 publishes
//! no suburban or open-area variant; for those environments the Okumura-Hata suburban and open-area
//! corrections are subtracted from the C_m = 0 loss, the usual practice of planning tools for rural
//! areas at 1800 MHz. This is an extension, recorded here so no one mistakes it for COST-231 itself.

use super::hata::HataForm;

/// Frequency range of COST-231 Hata, MHz.
pub const COST231_RANGE_MHZ: (f64, f64) = (1500.0, 2000.0);

/// COST-231's constants in the Hata form, C_m = 3 dB in metropolitan centres; as a model:
/// [`Hata::cost231`](super::Hata::cost231).
///
/// ```
/// use covermap::radio::cost231::COST231_HATA;
/// use covermap::radio::Environment;
/// // ns-3's okumura-hata test suite, "COST231 OH Urban small city and suburban":
/// // 2114 MHz, 2 km, base 30 m, mobile 1 m → 150.64 dB.
/// let l = COST231_HATA.loss_db(2114.0, 30.0, 1.0, 2.0, Environment::Urban);
/// assert!((l - 150.64).abs() < 0.01, "{l}");
/// // Metropolitan centres add C_m = 3 dB (and take the large-city a(h_m)).
/// let m = COST231_HATA.loss_db(1800.0, 30.0, 1.5, 1.0, Environment::Metropolitan);
/// assert!((m - 139.241).abs() < 0.01, "{m}");
/// ```
pub const COST231_HATA: HataForm = HataForm { a: 46.3, b: 33.9, metropolitan_c_m_db: 3.0, range_mhz: COST231_RANGE_MHZ };

#[cfg(test)]
mod tests {
    use super::super::hata::Environment;
    use super::*;

    // The published and hand-computed values of the form are checked with Okumura-Hata's, in
    // `hata::tests::the_family_gives_the_published_and_hand_computed_values`.

    #[test]
    fn continuous_with_hata_at_1500() {
        // The two models were fitted to the same Okumura curves; at their common edge the constant
        // terms differ by (46.3 + 33.9 log 1500) − (69.55 + 26.16 log 1500) = 1.33 dB.
        let h = super::super::hata::OKUMURA_HATA.loss_db(1500.0, 30.0, 1.5, 5.0, Environment::Urban);
        let c = COST231_HATA.loss_db(1500.0, 30.0, 1.5, 5.0, Environment::Urban);
        assert!((c - h - 1.332).abs() < 0.01, "{h} {c}");
    }
}
