//! Okumura-Hata median path loss (M. Hata, "Empirical formula for propagation loss in land mobile
//! radio services", IEEE Trans. Veh. Technol. VT-29(3), 1980), valid for 150–1500 MHz, base station
//! height 30–200 m, mobile height 1–10 m, distance 1–20 km:
//!
//! L_urban = 69.55 + 26.16 log f − 13.82 log h_b − a(h_m) + (44.9 − 6.55 log h_b) log d
//!
//! with a(h_m) the mobile-antenna correction of a small/medium city (or of a large city for
//! [`Environment::Metropolitan`]), and the suburban and open-area corrections subtracted from the
//! small/medium-city urban loss, all with Hata's published constants.

use serde::{Deserialize, Serialize};

/// The clutter environment of an empirical model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Large city (Hata's large-city a(h_m); COST-231's C_m = 3 dB).
    Metropolitan,
    /// Small or medium-sized city.
    Urban,
    Suburban,
    /// Open or rural area.
    Open,
}

impl Environment {
    pub fn as_str(&self) -> &'static str {
        match self {
            Environment::Metropolitan => "metropolitan",
            Environment::Urban => "urban",
            Environment::Suburban => "suburban",
            Environment::Open => "open",
        }
    }
}

/// Frequency range of the Okumura-Hata model, MHz.
pub const HATA_RANGE_MHZ: (f64, f64) = (150.0, 1500.0);

/// Mobile-antenna height correction a(h_m) for a small or medium-sized city (dB).
#[inline]
pub fn a_hm_medium_city(f_mhz: f64, hm_m: f64) -> f64 {
    let lf = f_mhz.log10();
    (1.1 * lf - 0.7) * hm_m - (1.56 * lf - 0.8)
}

/// Mobile-antenna height correction a(h_m) for a large city (dB); Hata gives one form below and
/// one above 300 MHz.
#[inline]
pub fn a_hm_large_city(f_mhz: f64, hm_m: f64) -> f64 {
    if f_mhz <= 300.0 {
        8.29 * (1.54 * hm_m).log10().powi(2) - 1.1
    } else {
        3.2 * (11.75 * hm_m).log10().powi(2) - 4.97
    }
}

/// Suburban correction subtracted from the urban loss: 2 (log(f/28))² + 5.4 dB.
#[inline]
pub fn suburban_correction_db(f_mhz: f64) -> f64 {
    2.0 * (f_mhz / 28.0).log10().powi(2) + 5.4
}

/// Open-area correction subtracted from the urban loss: 4.78 (log f)² − 18.33 log f + 40.94 dB.
#[inline]
pub fn open_correction_db(f_mhz: f64) -> f64 {
    let lf = f_mhz.log10();
    4.78 * lf * lf - 18.33 * lf + 40.94
}

/// The core formula's loss `core` (dB) in an environment: minus the mobile-antenna correction a(h_m)
/// (of a large city for [`Environment::Metropolitan`], else of a small/medium city) and, outside
/// cities, minus the suburban or open-area correction. Hata's form, shared by COST-231 Hata.
#[inline]
pub fn in_environment_db(core: f64, f_mhz: f64, hm_m: f64, env: Environment) -> f64 {
    match env {
        Environment::Metropolitan => core - a_hm_large_city(f_mhz, hm_m),
        Environment::Urban => core - a_hm_medium_city(f_mhz, hm_m),
        Environment::Suburban => core - a_hm_medium_city(f_mhz, hm_m) - suburban_correction_db(f_mhz),
        Environment::Open => core - a_hm_medium_city(f_mhz, hm_m) - open_correction_db(f_mhz),
    }
}

/// What tells the models of the Hata family apart — Okumura-Hata here, COST-231 Hata in
/// [`super::cost231`]: one form,
///
/// L = a + b log f − 13.82 log h_b − a(h_m) + (44.9 − 6.55 log h_b) log d [− suburban/open correction] + C_m,
///
/// with its own constant `a`, frequency slope `b` and metropolitan-centre C_m (0 elsewhere).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HataForm {
    pub a: f64,
    pub b: f64,
    pub metropolitan_c_m_db: f64,
}

impl HataForm {
    /// The form's median loss (dB), evaluated as published for any input.
    #[inline]
    pub fn loss_db(&self, f_mhz: f64, hb_m: f64, hm_m: f64, d_km: f64, env: Environment) -> f64 {
        let lf = f_mhz.log10();
        let lhb = hb_m.log10();
        let core = self.a + self.b * lf - 13.82 * lhb + (44.9 - 6.55 * lhb) * d_km.log10();
        let c_m = if env == Environment::Metropolitan { self.metropolitan_c_m_db } else { 0.0 };
        in_environment_db(core, f_mhz, hm_m, env) + c_m
    }
}

/// Hata's constants (no C_m: the large-city a(h_m) is its whole metropolitan correction).
pub const OKUMURA_HATA: HataForm = HataForm { a: 69.55, b: 26.16, metropolitan_c_m_db: 0.0 };

/// Okumura-Hata median loss (dB). The formula is evaluated as published for any input; the
/// caller checks the frequency range ([`HATA_RANGE_MHZ`]).
///
/// ```
/// use covermap::radio::hata::{okumura_hata_db, Environment};
/// // 900 MHz, base 30 m, mobile 1.5 m, 5 km, small/medium city: Hata's formula gives 151.0 dB
/// // (69.55 + 26.16·log 900 − 13.82·log 30 − a(1.5) + (44.9 − 6.55·log 30)·log 5).
/// let l = okumura_hata_db(900.0, 30.0, 1.5, 5.0, Environment::Urban);
/// assert!((l - 151.0).abs() < 0.1, "{l}");
/// // Open areas lose less: the open-area correction at 900 MHz is 28.5 dB.
/// assert!((l - okumura_hata_db(900.0, 30.0, 1.5, 5.0, Environment::Open) - 28.5).abs() < 0.1);
/// ```
pub fn okumura_hata_db(f_mhz: f64, hb_m: f64, hm_m: f64, d_km: f64, env: Environment) -> f64 {
    OKUMURA_HATA.loss_db(f_mhz, hb_m, hm_m, d_km, env)
}

/// Okumura-Hata in an environment, as a [`PathLoss`](super::PathLoss) model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hata(pub Environment);

impl super::PathLoss for Hata {
    fn loss_db(&self, link: &super::Link, d_km: f64) -> f64 {
        okumura_hata_db(link.f_mhz, link.hb_m, link.hm_m, d_km, self.0)
    }
    fn range_mhz(&self) -> (f64, f64) {
        HATA_RANGE_MHZ
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values of ns-3's okumura-hata test suite (src/propagation/test/okumura-hata-test-suite.cc,
    // CTTC 2011): f = 869 MHz, d = 2 km, h_b = 30 m, h_m = 1 m.
    #[test]
    fn ns3_reference_values() {
        let l = |env| okumura_hata_db(869.0, 30.0, 1.0, 2.0, env);
        assert!((l(Environment::Metropolitan) - 137.93).abs() < 0.01, "{}", l(Environment::Metropolitan));
        assert!((l(Environment::Urban) - 137.88).abs() < 0.01, "{}", l(Environment::Urban));
        assert!((l(Environment::Suburban) - 128.03).abs() < 0.01, "{}", l(Environment::Suburban));
    }

    #[test]
    fn open_area_by_hand() {
        // Hata (1980) eq. for open areas at the same setting, by hand: log 869 = 2.939020,
        // open correction = 4.78·8.637839 − 18.33·2.939020 + 40.94 = 28.3565 dB, so
        // L_open = 137.8774 − 28.3565 = 109.521 dB.
        let l = okumura_hata_db(869.0, 30.0, 1.0, 2.0, Environment::Open);
        assert!((l - 109.521).abs() < 0.01, "{l}");
    }

    #[test]
    fn classic_900mhz_one_km() {
        // The textbook setting f = 900 MHz, h_b = 30 m, h_m = 1.5 m, d = 1 km gives 126.42 dB in a
        // medium city (a(1.5) = 0.0159 dB): 69.55 + 77.2829 − 20.4138 − 0.0159.
        let l = okumura_hata_db(900.0, 30.0, 1.5, 1.0, Environment::Urban);
        assert!((l - 126.403).abs() < 0.01, "{l}");
    }

    #[test]
    fn loss_grows_with_distance_and_falls_with_height() {
        let a = okumura_hata_db(900.0, 30.0, 1.5, 5.0, Environment::Open);
        let b = okumura_hata_db(900.0, 30.0, 1.5, 10.0, Environment::Open);
        let c = okumura_hata_db(900.0, 60.0, 1.5, 10.0, Environment::Open);
        assert!(b > a && c < b);
        // Slope: (44.9 − 6.55 log 30) dB/decade = 35.22 dB per decade of distance.
        let slope = okumura_hata_db(900.0, 30.0, 1.5, 10.0, Environment::Urban)
            - okumura_hata_db(900.0, 30.0, 1.5, 1.0, Environment::Urban);
        assert!((slope - 35.225).abs() < 0.01);
    }
}
