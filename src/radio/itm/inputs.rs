//! ITM's inputs: [`ItmParams`] (terminals, ground, atmosphere, frequency, variability), the enums
//! for radio climate, polarization, mode of variability and siting criteria, their validation with
//! the reference implementation's limits, error codes and warnings (NTIA/ITS ITM 1.3
//! `ValidateInputs`, checked in the same order), and [`Prepared`]: everything that depends on the
//! parameters only, computed once so the per-path work stays small.

use super::complex::Complex;
use super::errors::{ItmError, Warnings};
use super::variability::inverse_ccdf;

/// Declares an enum of the reference's integer codes (serialized by name, snake_case) and
/// `by_code`, its inverse: each code is written once, so the enum and its parsing cannot drift apart.
macro_rules! coded_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $v:ident = $code:literal,)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $v = $code,)+
        }

        impl $name {
            /// The variant whose reference code is `code`.
            #[allow(dead_code)] // PropMode is only ever an output
            pub(crate) fn by_code(code: i32) -> Option<Self> {
                match code {
                    $($code => Some(Self::$v),)+
                    _ => None,
                }
            }
        }
    };
}
pub(super) use coded_enum;

coded_enum! {
    /// Radio climate (Hufford 1995, the Algorithm, §5; TN101).
    pub enum Climate {
        Equatorial = 1,
        ContinentalSubtropical = 2,
        MaritimeSubtropical = 3,
        Desert = 4,
        ContinentalTemperate = 5,
        MaritimeTemperateOverLand = 6,
        MaritimeTemperateOverSea = 7,
    }
}

impl Climate {
    pub fn from_code(code: i32) -> Result<Self, ItmError> {
        Self::by_code(code).ok_or(ItmError::InvalidRadioClimate(code))
    }

    /// 0-based index into the climate tables.
    #[inline]
    pub(crate) fn index(self) -> usize {
        self as usize - 1
    }
}

coded_enum! {
    pub enum Polarization {
        Horizontal = 0,
        Vertical = 1,
    }
}

impl Polarization {
    pub fn from_code(code: i32) -> Result<Self, ItmError> {
        Self::by_code(code).ok_or(ItmError::Polarization(code))
    }
}

coded_enum! {
    /// How time, location and situation variability are combined (Hufford 1995, §5; the
    /// reference's `mdvar` modulo 10).
    pub enum VariabilityMode {
        /// Single-message mode: confidence only (time, location and situation merged).
        SingleMessage = 0,
        /// Accidental mode: time and situation.
        Accidental = 1,
        /// Mobile mode: time/location reliability and situation confidence.
        Mobile = 2,
        /// Broadcast mode: time, location and situation separately.
        Broadcast = 3,
    }
}

/// The reference's `mdvar`: a [`VariabilityMode`] plus 10 when location variability is eliminated
/// (point-to-point links with known terminals) and plus 20 when direct situation variability is
/// eliminated (interference studies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mdvar {
    pub mode: VariabilityMode,
    pub eliminate_location: bool,
    pub eliminate_situation: bool,
}

impl Mdvar {
    pub fn from_code(code: i32) -> Result<Self, ItmError> {
        // Valid codes: 0–3, 10–13, 20–23, 30–33.
        let mode = VariabilityMode::by_code(code % 10).filter(|_| (0..=33).contains(&code)).ok_or(ItmError::Mdvar(code))?;
        Ok(Mdvar { mode, eliminate_location: (code / 10) % 2 == 1, eliminate_situation: code >= 20 })
    }

    pub fn code(&self) -> i32 {
        self.mode as i32 + if self.eliminate_location { 10 } else { 0 } + if self.eliminate_situation { 20 } else { 0 }
    }
}

coded_enum! {
    /// Area mode: how carefully a terminal was sited (raises its effective height over random
    /// siting).
    pub enum SitingCriteria {
        Random = 0,
        Careful = 1,
        VeryCareful = 2,
    }
}

impl SitingCriteria {
    /// `rx` selects the receiver's error code (1020) instead of the transmitter's (1019).
    pub fn from_code(code: i32, rx: bool) -> Result<Self, ItmError> {
        Self::by_code(code).ok_or(if rx { ItmError::RxSitingCriteria(code) } else { ItmError::TxSitingCriteria(code) })
    }
}

/// Every input of ITM except the terrain (profile in point-to-point mode, distance and Δh in area
/// mode). Percentages are in (0, 100).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItmParams {
    /// Structural height of the transmitter above ground, m (0.5–3000).
    pub h_tx_m: f64,
    /// Structural height of the receiver above ground, m (0.5–3000).
    pub h_rx_m: f64,
    pub climate: Climate,
    /// Surface refractivity at sea level, N-units (250–400; 301 is the continental average).
    pub n_0: f64,
    /// Frequency, MHz (20–20000; warning outside 40–10000).
    pub f_mhz: f64,
    pub polarization: Polarization,
    /// Relative permittivity of the ground (≥ 1; 15 for average ground).
    pub epsilon: f64,
    /// Ground conductivity, S/m (> 0; 0.005 for average ground).
    pub sigma: f64,
    pub mdvar: Mdvar,
    pub time_pct: f64,
    pub location_pct: f64,
    pub situation_pct: f64,
    /// Area sweeps only ([`super::ItmPath`] along a radial; never the point-to-point functions):
    /// the receivers at which Δh is computed are `r` × the distance apart (a power of two of
    /// profile points), the others interpolate it (`super::radial`); 0 computes Δh at every
    /// receiver, the exact model. [`ItmParams::from_codes`] gives 0, [`super::ItmConfig`]
    /// [`DEFAULT_RADIAL_DELTA_H_STEP`].
    pub radial_delta_h_step: f64,
}

/// The default [`ItmParams::radial_delta_h_step`] of area sweeps: measured on a 30 km site over the
/// Sơn La terrain (docs/ARCHITECTURE.md, "ITM along radials, one site").
pub const DEFAULT_RADIAL_DELTA_H_STEP: f64 = 0.0625;

/// The largest [`ItmParams::radial_delta_h_step`] accepted.
pub const MAX_RADIAL_DELTA_H_STEP: f64 = 0.5;

impl ItmParams {
    /// Build from the reference's raw inputs, validating in the reference's order so that the
    /// first failing check gives the same error code as `ITM_P2P_TLS`.
    #[allow(clippy::too_many_arguments)]
    pub fn from_codes(
        h_tx_m: f64,
        h_rx_m: f64,
        climate: i32,
        n_0: f64,
        f_mhz: f64,
        pol: i32,
        epsilon: f64,
        sigma: f64,
        mdvar: i32,
        time_pct: f64,
        location_pct: f64,
        situation_pct: f64,
    ) -> Result<Self, ItmError> {
        check_heights(h_tx_m, h_rx_m)?;
        let climate = Climate::from_code(climate)?;
        check_range(n_0, 250.0, 400.0).map_err(|_| ItmError::Refractivity(n_0))?;
        check_range(f_mhz, 20.0, 20000.0).map_err(|_| ItmError::Frequency(f_mhz))?;
        let polarization = Polarization::from_code(pol)?;
        check_ground(epsilon, sigma)?;
        let mdvar = Mdvar::from_code(mdvar)?;
        let p = ItmParams {
            h_tx_m,
            h_rx_m,
            climate,
            n_0,
            f_mhz,
            polarization,
            epsilon,
            sigma,
            mdvar,
            time_pct,
            location_pct,
            situation_pct,
            radial_delta_h_step: 0.0,
        };
        p.validate()?;
        Ok(p)
    }

    /// The reference's input checks (`ValidateInputs`, same order and limits): an error for a value
    /// outside the model's range, warning flags for a value near it. NaN counts as out of range.
    pub fn validate(&self) -> Result<Warnings, ItmError> {
        let mut w = Warnings::NONE;
        if !(1.0..=1000.0).contains(&self.h_tx_m) {
            w |= Warnings::TX_TERMINAL_HEIGHT;
        }
        if !(1.0..=1000.0).contains(&self.h_rx_m) {
            w |= Warnings::RX_TERMINAL_HEIGHT;
        }
        check_heights(self.h_tx_m, self.h_rx_m)?;
        check_range(self.n_0, 250.0, 400.0).map_err(|_| ItmError::Refractivity(self.n_0))?;
        if !(40.0..=10000.0).contains(&self.f_mhz) {
            w |= Warnings::FREQUENCY;
        }
        check_range(self.f_mhz, 20.0, 20000.0).map_err(|_| ItmError::Frequency(self.f_mhz))?;
        check_ground(self.epsilon, self.sigma)?;
        check_pct(self.situation_pct).map_err(ItmError::InvalidSituation)?;
        check_pct(self.time_pct).map_err(ItmError::InvalidTime)?;
        check_pct(self.location_pct).map_err(ItmError::InvalidLocation)?;
        if !(0.0..=MAX_RADIAL_DELTA_H_STEP).contains(&self.radial_delta_h_step) {
            return Err(ItmError::RadialDeltaHStep(self.radial_delta_h_step));
        }
        Ok(w)
    }

    /// The same model with variability given as confidence/reliability (the reference's `_CR`
    /// functions): time = reliability, location = 50 %, situation = confidence.
    pub fn with_confidence_reliability(&self, confidence_pct: f64, reliability_pct: f64) -> ItmParams {
        ItmParams { time_pct: reliability_pct, location_pct: 50.0, situation_pct: confidence_pct, ..*self }
    }
}

/// Maps the time/situation errors of a confidence/reliability call to the reference's CR codes.
pub fn cr_error(e: ItmError) -> ItmError {
    match e {
        ItmError::InvalidTime(v) => ItmError::InvalidReliability(v),
        ItmError::InvalidSituation(v) => ItmError::InvalidConfidence(v),
        other => other,
    }
}

fn check_heights(h_tx: f64, h_rx: f64) -> Result<(), ItmError> {
    check_range(h_tx, 0.5, 3000.0).map_err(|_| ItmError::TxTerminalHeight(h_tx))?;
    check_range(h_rx, 0.5, 3000.0).map_err(|_| ItmError::RxTerminalHeight(h_rx))
}

fn check_ground(epsilon: f64, sigma: f64) -> Result<(), ItmError> {
    if !(epsilon >= 1.0) || !epsilon.is_finite() {
        return Err(ItmError::Epsilon(epsilon));
    }
    if !(sigma > 0.0) || !sigma.is_finite() {
        return Err(ItmError::Sigma(sigma));
    }
    Ok(())
}

#[inline]
fn check_range(v: f64, lo: f64, hi: f64) -> Result<(), ()> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(())
    }
}

#[inline]
fn check_pct(p: f64) -> Result<(), f64> {
    if p > 0.0 && p < 100.0 {
        Ok(())
    } else {
        Err(p)
    }
}

/// Everything that depends on [`ItmParams`] only, computed once per parameter set (ground
/// impedance, the standard normal deviates of the variability, the climate's time-variability
/// frequency factors) so that a path costs only its own geometry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prepared {
    pub h_m: [f64; 2],
    pub n_0: f64,
    pub f_mhz: f64,
    /// Wave number, 1/m (f / 47.7 MHz·m).
    pub wn: f64,
    /// Ground impedance Z_g (TN101 / the Algorithm, Eq. 4.x): sqrt(ε_r − 1), divided by ε_r for
    /// vertical polarization.
    pub z_g: Complex,
    pub z_g_abs: f64,
    pub warnings: Warnings,
    pub climate: usize,
    pub mode: VariabilityMode,
    pub eliminate_location: bool,
    pub eliminate_situation: bool,
    /// Standard normal deviates for time, location and situation after the mode's merging.
    pub z_t: f64,
    pub z_l: f64,
    pub z_s: f64,
    /// Frequency gain factors of the time variability below and above the median.
    pub g_minus: f64,
    pub g_plus: f64,
    /// f^(1/3) and f^(−1/3) of Vogler's smooth-earth diffraction.
    pub f_third: f64,
    pub f_minus_third: f64,
    /// (575.7e12 / wn)^(1/3), the frequency term of the effective distance (Algorithm, Eq. 5.3).
    pub d_ex_freq_m: f64,
}

impl Prepared {
    pub fn new(p: &ItmParams) -> Result<Self, ItmError> {
        let mut warnings = p.validate()?;
        let wn = p.f_mhz / 47.7;

        let ep_r = Complex::new(p.epsilon, 18000.0 * p.sigma / p.f_mhz);
        let mut z_g = (ep_r - Complex::new(1.0, 0.0)).sqrt();
        if p.polarization == Polarization::Vertical {
            z_g = z_g / ep_r;
        }

        let mut z_t = inverse_ccdf(p.time_pct / 100.0);
        let mut z_l = inverse_ccdf(p.location_pct / 100.0);
        let z_s = inverse_ccdf(p.situation_pct / 100.0);
        match p.mdvar.mode {
            VariabilityMode::SingleMessage => {
                z_t = z_s;
                z_l = z_s;
            }
            VariabilityMode::Accidental => z_l = z_s,
            VariabilityMode::Mobile => z_l = z_t,
            VariabilityMode::Broadcast => {}
        }
        if z_t.abs() > 3.10 || z_l.abs() > 3.10 || z_s.abs() > 3.10 {
            warnings |= Warnings::EXTREME_VARIABILITIES;
        }

        let climate = p.climate.index();
        let (g_minus, g_plus) = super::variability::frequency_gains(climate, wn);

        Ok(Prepared {
            h_m: [p.h_tx_m, p.h_rx_m],
            n_0: p.n_0,
            f_mhz: p.f_mhz,
            wn,
            z_g,
            z_g_abs: z_g.abs(),
            warnings,
            climate,
            mode: p.mdvar.mode,
            eliminate_location: p.mdvar.eliminate_location,
            eliminate_situation: p.mdvar.eliminate_situation,
            z_t,
            z_l,
            z_s,
            g_minus,
            g_plus,
            f_third: p.f_mhz.powf(1.0 / 3.0),
            f_minus_third: p.f_mhz.powf(-1.0 / 3.0),
            d_ex_freq_m: (575.7e12 / wn).powf(1.0 / 3.0),
        })
    }
}

/// The tests' usual parameters: average ground (ε = 15, σ = 0.005 S/m), N_0 = 301, continental
/// temperate climate, vertical polarization, a 1.5 m receiver, medians; exact Δh.
#[cfg(test)]
pub(crate) fn average_ground(h_tx_m: f64, f_mhz: f64, mdvar: i32) -> ItmParams {
    ItmParams::from_codes(h_tx_m, 1.5, 5, 301.0, f_mhz, 1, 15.0, 0.005, mdvar, 50.0, 50.0, 50.0).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ItmParams {
        average_ground(10.0, 900.0, 12)
    }

    #[test]
    fn reference_limits_give_reference_errors() {
        // Limits and codes from NTIA/itm ValidateInputs.cpp / ERRORS_AND_WARNINGS.md.
        let e = |r: Result<ItmParams, ItmError>| r.unwrap_err().code();
        assert_eq!(e(ItmParams::from_codes(0.2, 1.5, 5, 301.0, 900.0, 1, 15.0, 0.005, 12, 50.0, 50.0, 50.0)), 1000);
        assert_eq!(e(ItmParams::from_codes(10.0, 3001.0, 5, 301.0, 900.0, 1, 15.0, 0.005, 12, 50.0, 50.0, 50.0)), 1001);
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 8, 301.0, 900.0, 1, 15.0, 0.005, 12, 50.0, 50.0, 50.0)), 1002);
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 301.0, 900.0, 1, 15.0, 0.005, 12, 100.0, 50.0, 50.0)), 1003);
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 301.0, 900.0, 1, 15.0, 0.005, 12, 50.0, 0.0, 50.0)), 1004);
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 301.0, 900.0, 1, 15.0, 0.005, 12, 50.0, 50.0, 0.0)), 1005);
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 249.0, 900.0, 1, 15.0, 0.005, 12, 50.0, 50.0, 50.0)), 1008);
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 401.0, 900.0, 1, 15.0, 0.005, 12, 50.0, 50.0, 50.0)), 1008);
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 301.0, 10.0, 1, 15.0, 0.005, 12, 50.0, 50.0, 50.0)), 1009);
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 301.0, 900.0, 2, 15.0, 0.005, 12, 50.0, 50.0, 50.0)), 1010);
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 301.0, 900.0, 1, 0.5, 0.005, 12, 50.0, 50.0, 50.0)), 1011);
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 301.0, 900.0, 1, 15.0, 0.0, 12, 50.0, 50.0, 50.0)), 1012);
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 301.0, 900.0, 1, 15.0, 0.005, 4, 50.0, 50.0, 50.0)), 1014);
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 301.0, 900.0, 1, 15.0, 0.005, 34, 50.0, 50.0, 50.0)), 1014);
        // The reference checks situation before time: both bad → situation's code.
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 301.0, 900.0, 1, 15.0, 0.005, 12, 0.0, 50.0, 0.0)), 1005);
        // NaN is out of range (the reference's comparisons would let it through).
        assert_eq!(e(ItmParams::from_codes(10.0, 1.5, 5, 301.0, f64::NAN, 1, 15.0, 0.005, 12, 50.0, 50.0, 50.0)), 1009);
    }

    #[test]
    fn near_limits_warn() {
        let mut p = base();
        assert_eq!(p.validate().unwrap(), Warnings::NONE);
        p.h_tx_m = 0.7;
        p.f_mhz = 30.0;
        assert_eq!(p.validate().unwrap(), Warnings::TX_TERMINAL_HEIGHT | Warnings::FREQUENCY);
        p.h_rx_m = 1500.0;
        assert!(p.validate().unwrap().contains(Warnings::RX_TERMINAL_HEIGHT));
    }

    #[test]
    fn mdvar_codes_round_trip() {
        for code in [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33] {
            assert_eq!(Mdvar::from_code(code).unwrap().code(), code);
        }
        let m = Mdvar::from_code(32).unwrap();
        assert_eq!(m.mode, VariabilityMode::Mobile);
        assert!(m.eliminate_location && m.eliminate_situation);
        for bad in [-10, -1, 4, 9, 14, 24, 29, 34, 40] {
            assert_eq!(Mdvar::from_code(bad).unwrap_err().code(), 1014);
        }
    }

    #[test]
    fn every_code_gives_its_variant_and_no_other_code_gives_one() {
        for code in -3..12 {
            let (c, p) = (Climate::from_code(code), Polarization::from_code(code));
            let (tx, rx) = (SitingCriteria::from_code(code, false), SitingCriteria::from_code(code, true));
            assert_eq!(c.map(|v| v as i32).map_err(|e| e.code()), if (1..=7).contains(&code) { Ok(code) } else { Err(1002) });
            assert_eq!(p.map(|v| v as i32).map_err(|e| e.code()), if (0..=1).contains(&code) { Ok(code) } else { Err(1010) });
            assert_eq!(tx.map(|v| v as i32).map_err(|e| e.code()), if (0..=2).contains(&code) { Ok(code) } else { Err(1019) });
            assert_eq!(rx.map(|v| v as i32).map_err(|e| e.code()), if (0..=2).contains(&code) { Ok(code) } else { Err(1020) });
        }
    }

    #[test]
    fn ground_impedance_of_average_ground() {
        // ε = 15, σ = 0.005 S/m, 100 MHz, horizontal: ε_r = 15 + 0.9i, Z_g = sqrt(14 + 0.9i).
        let p = ItmParams {
            f_mhz: 100.0,
            polarization: Polarization::Horizontal,
            ..base()
        };
        let z = Prepared::new(&p).unwrap().z_g;
        let expect = (14.0f64.powi(2) + 0.81).sqrt();
        assert!((z.re * z.re - z.im * z.im - 14.0).abs() < 1e-12);
        assert!((2.0 * z.re * z.im - 0.9).abs() < 1e-12);
        assert!((z.norm_sqr() - expect).abs() < 1e-12);
    }
}
