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
/// with its own constant `a`, frequency slope `b` and metropolitan-centre C_m (0 elsewhere), and the
/// frequency range it was fitted for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HataForm {
    pub a: f64,
    pub b: f64,
    pub metropolitan_c_m_db: f64,
    pub range_mhz: (f64, f64),
}

impl HataForm {
    /// The form's median loss (dB), evaluated as published for any input (the caller checks the
    /// range).
    ///
    /// ```
    /// use covermap::radio::hata::{Environment, OKUMURA_HATA};
    /// // 900 MHz, base 30 m, mobile 1.5 m, 5 km, small/medium city: Hata's formula gives 151.0 dB
    /// // (69.55 + 26.16·log 900 − 13.82·log 30 − a(1.5) + (44.9 − 6.55·log 30)·log 5).
    /// let l = OKUMURA_HATA.loss_db(900.0, 30.0, 1.5, 5.0, Environment::Urban);
    /// assert!((l - 151.0).abs() < 0.1, "{l}");
    /// // Open areas lose less: the open-area correction at 900 MHz is 28.5 dB.
    /// assert!((l - OKUMURA_HATA.loss_db(900.0, 30.0, 1.5, 5.0, Environment::Open) - 28.5).abs() < 0.1);
    /// ```
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
pub const OKUMURA_HATA: HataForm = HataForm { a: 69.55, b: 26.16, metropolitan_c_m_db: 0.0, range_mhz: HATA_RANGE_MHZ };

/// A model of the Hata family in an environment, as a [`PathLoss`](super::PathLoss) model: the
/// family's models differ only in their [`HataForm`], so they are one model with the form as data.
///
/// ```
/// use covermap::radio::{Environment, Hata, Link, PathLoss};
/// // Band 3 (1800 MHz), base 30 m, mobile 1.5 m, 1 km, medium city: COST-231 gives 136.196 dB
/// // (46.3 + 33.9·log 1800 − 13.82·log 30 − a(1.5)), and is fitted for 1500–2000 MHz only.
/// let band3 = Hata::cost231(Environment::Urban);
/// let l = band3.loss_db(&Link { f_mhz: 1800.0, hb_m: 30.0, hm_m: 1.5 }, 1.0);
/// assert!((l - 136.196).abs() < 0.01, "{l}");
/// assert_eq!(band3.range_mhz(), (1500.0, 2000.0));
/// assert_eq!(Hata::okumura(Environment::Open).range_mhz(), (150.0, 1500.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hata {
    pub form: HataForm,
    pub env: Environment,
}

impl Hata {
    /// Okumura-Hata (150–1500 MHz).
    pub fn okumura(env: Environment) -> Self {
        Hata { form: OKUMURA_HATA, env }
    }

    /// COST-231 Hata (1500–2000 MHz, [`super::cost231`]).
    pub fn cost231(env: Environment) -> Self {
        Hata { form: super::cost231::COST231_HATA, env }
    }
}

impl super::PathLoss for Hata {
    fn loss_db(&self, link: &super::Link, d_km: f64) -> f64 {
        self.form.loss_db(link.f_mhz, link.hb_m, link.hm_m, d_km, self.env)
    }
    fn range_mhz(&self) -> (f64, f64) {
        self.form.range_mhz
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_family_gives_the_published_and_hand_computed_values() {
        use super::super::cost231::COST231_HATA;
        use Environment::*;
        // (form, f MHz, h_b m, h_m m, d km, environment, loss dB)
        #[rustfmt::skip]
        let cases = [
            // ns-3's okumura-hata test suite (src/propagation/test/okumura-hata-test-suite.cc, CTTC 2011).
            (OKUMURA_HATA, 869.0, 30.0, 1.0, 2.0, Metropolitan, 137.93),
            (OKUMURA_HATA, 869.0, 30.0, 1.0, 2.0, Urban, 137.88),
            (OKUMURA_HATA, 869.0, 30.0, 1.0, 2.0, Suburban, 128.03),
            // Its "COST231 OH Urban small city and suburban" (C_m = 0, medium-city a(h_m)), outside
            // COST-231's nominal range only to match that published case.
            (COST231_HATA, 2114.0, 30.0, 1.0, 2.0, Urban, 150.64),
            // Hata (1980)'s open areas at ns-3's setting, by hand: log 869 = 2.939020, open correction
            // = 4.78·8.637839 − 18.33·2.939020 + 40.94 = 28.3565 dB: 137.8774 − 28.3565.
            (OKUMURA_HATA, 869.0, 30.0, 1.0, 2.0, Open, 109.521),
            // The textbook 900 MHz, 1 km in a medium city (a(1.5) = 0.0159 dB):
            // 69.55 + 77.2829 − 20.4138 − 0.0159.
            (OKUMURA_HATA, 900.0, 30.0, 1.5, 1.0, Urban, 126.403),
            // COST-231 in band 3, by hand: 46.3 + 33.9·3.255273 − 13.82·1.477121 − a(1.5), a(1.5) =
            // (1.1·3.255273 − 0.7)·1.5 − (1.56·3.255273 − 0.8) = 0.04438.
            (COST231_HATA, 1800.0, 30.0, 1.5, 1.0, Urban, 136.196),
            // Large-city a(1.5) = 3.2 (log 17.625)² − 4.97 = −0.0009 dB, plus C_m = 3 dB.
            (COST231_HATA, 1800.0, 30.0, 1.5, 1.0, Metropolitan, 139.241),
        ];
        for (form, f, hb, hm, d, env, want) in cases {
            let got = form.loss_db(f, hb, hm, d, env);
            assert!((got - want).abs() < 0.01, "a = {}, {f} MHz, {env:?}: {got} dB, published {want}", form.a);
        }
    }

    #[test]
    fn loss_grows_with_distance_and_falls_with_height() {
        let a = OKUMURA_HATA.loss_db(900.0, 30.0, 1.5, 5.0, Environment::Open);
        let b = OKUMURA_HATA.loss_db(900.0, 30.0, 1.5, 10.0, Environment::Open);
        let c = OKUMURA_HATA.loss_db(900.0, 60.0, 1.5, 10.0, Environment::Open);
        assert!(b > a && c < b);
        // Slope: (44.9 − 6.55 log 30) dB/decade = 35.22 dB per decade of distance.
        let slope = OKUMURA_HATA.loss_db(900.0, 30.0, 1.5, 10.0, Environment::Urban)
            - OKUMURA_HATA.loss_db(900.0, 30.0, 1.5, 1.0, Environment::Urban);
        assert!((slope - 35.225).abs() < 0.01);
    }
}
