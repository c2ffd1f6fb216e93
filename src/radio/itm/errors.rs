//! ITM's outcome codes: the typed error [`ItmError`] (one variant per error code of NTIA's reference
//! implementation, same numbers, see its `ERRORS_AND_WARNINGS.md`) and the warning bit flags
//! [`Warnings`] (same bits as the reference's `WARN__*` flags).

use std::fmt;

/// Why ITM refused to compute. [`ItmError::code`] gives the reference implementation's return code.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ItmError {
    #[error("TX terminal height {0} m is out of range 0.5–3000 m")]
    TxTerminalHeight(f64),
    #[error("RX terminal height {0} m is out of range 0.5–3000 m")]
    RxTerminalHeight(f64),
    #[error("invalid radio climate {0} (1–7)")]
    InvalidRadioClimate(i32),
    #[error("time percentage {0} is out of range (0, 100)")]
    InvalidTime(f64),
    #[error("location percentage {0} is out of range (0, 100)")]
    InvalidLocation(f64),
    #[error("situation percentage {0} is out of range (0, 100)")]
    InvalidSituation(f64),
    #[error("confidence percentage {0} is out of range (0, 100)")]
    InvalidConfidence(f64),
    #[error("reliability percentage {0} is out of range (0, 100)")]
    InvalidReliability(f64),
    #[error("refractivity N_0 = {0} N-units is out of range 250–400")]
    Refractivity(f64),
    #[error("frequency {0} MHz is out of range 20–20000 MHz")]
    Frequency(f64),
    #[error("invalid polarization {0} (0 horizontal, 1 vertical)")]
    Polarization(i32),
    #[error("relative permittivity epsilon = {0} is below 1")]
    Epsilon(f64),
    #[error("conductivity sigma = {0} S/m is not positive")]
    Sigma(f64),
    #[error("the imaginary part of the ground impedance exceeds its real part")]
    GroundImpedance,
    #[error("invalid mode of variability {0} (0–3, plus 10 and/or 20)")]
    Mdvar(i32),
    #[error("internally computed effective earth radius {0} m is invalid")]
    EffectiveEarth(f64),
    /// Area mode: distance ≤ 0. Point-to-point: a profile of fewer than two points or a spacing that
    /// is not a positive finite number (the reference does not check these and returns NaN; covermap
    /// reports them with the reference's code for an out-of-range path distance).
    #[error("path distance is out of range: {0}")]
    PathDistance(&'static str),
    #[error("terrain irregularity delta_h = {0} m is negative")]
    DeltaH(f64),
    #[error("invalid TX siting criteria {0} (0 random, 1 careful, 2 very careful)")]
    TxSitingCriteria(i32),
    #[error("invalid RX siting criteria {0} (0 random, 1 careful, 2 very careful)")]
    RxSitingCriteria(i32),
    #[error("internally computed surface refractivity N_s = {0} is below 150")]
    SurfaceRefractivitySmall(f64),
    #[error("internally computed surface refractivity N_s = {0} is above 400")]
    SurfaceRefractivityLarge(f64),
    /// covermap's own check (no reference code): an elevation that is not a finite number, a
    /// malformed profile or an output buffer of the wrong length.
    #[error("terrain profile: {0}")]
    Profile(&'static str),
    /// covermap's own parameter (no reference code): the Δh interpolation step of area sweeps.
    #[error("radial Δh step {0} is out of range 0–0.5 (0: Δh at every receiver)")]
    RadialDeltaHStep(f64),
}

impl ItmError {
    /// The reference implementation's return code (1000–1022); 1100 for covermap's own profile check, 1101
    /// for its Δh interpolation step.
    pub fn code(&self) -> i32 {
        match self {
            ItmError::TxTerminalHeight(_) => 1000,
            ItmError::RxTerminalHeight(_) => 1001,
            ItmError::InvalidRadioClimate(_) => 1002,
            ItmError::InvalidTime(_) => 1003,
            ItmError::InvalidLocation(_) => 1004,
            ItmError::InvalidSituation(_) => 1005,
            ItmError::InvalidConfidence(_) => 1006,
            ItmError::InvalidReliability(_) => 1007,
            ItmError::Refractivity(_) => 1008,
            ItmError::Frequency(_) => 1009,
            ItmError::Polarization(_) => 1010,
            ItmError::Epsilon(_) => 1011,
            ItmError::Sigma(_) => 1012,
            ItmError::GroundImpedance => 1013,
            ItmError::Mdvar(_) => 1014,
            ItmError::EffectiveEarth(_) => 1016,
            ItmError::PathDistance(_) => 1017,
            ItmError::DeltaH(_) => 1018,
            ItmError::TxSitingCriteria(_) => 1019,
            ItmError::RxSitingCriteria(_) => 1020,
            ItmError::SurfaceRefractivitySmall(_) => 1021,
            ItmError::SurfaceRefractivityLarge(_) => 1022,
            ItmError::Profile(_) => 1100,
            ItmError::RadialDeltaHStep(_) => 1101,
        }
    }

    /// The ITM input this error is about, to name it in covermap's errors.
    pub fn parameter(&self) -> &'static str {
        match self {
            ItmError::TxTerminalHeight(_) => "h_tx__meter",
            ItmError::RxTerminalHeight(_) => "h_rx__meter",
            ItmError::InvalidRadioClimate(_) => "climate",
            ItmError::InvalidTime(_) => "time",
            ItmError::InvalidLocation(_) => "location",
            ItmError::InvalidSituation(_) => "situation",
            ItmError::InvalidConfidence(_) => "confidence",
            ItmError::InvalidReliability(_) => "reliability",
            ItmError::Refractivity(_) => "N_0",
            ItmError::Frequency(_) => "f__mhz",
            ItmError::Polarization(_) => "pol",
            ItmError::Epsilon(_) => "epsilon",
            ItmError::Sigma(_) => "sigma",
            ItmError::GroundImpedance => "epsilon/sigma",
            ItmError::Mdvar(_) => "mdvar",
            ItmError::EffectiveEarth(_) | ItmError::SurfaceRefractivitySmall(_) | ItmError::SurfaceRefractivityLarge(_) => {
                "N_0 (with the profile's mean elevation)"
            }
            ItmError::PathDistance(_) => "d__km / terrain profile",
            ItmError::DeltaH(_) => "delta_h__meter",
            ItmError::TxSitingCriteria(_) => "tx_site_criteria",
            ItmError::RxSitingCriteria(_) => "rx_site_criteria",
            ItmError::Profile(_) => "terrain profile",
            ItmError::RadialDeltaHStep(_) => "radial_delta_h_step",
        }
    }
}

impl From<ItmError> for crate::error::Error {
    fn from(e: ItmError) -> Self {
        crate::error::Error::param(format!("itm.{}", e.parameter()), format!("{e} (ITM error {})", e.code()))
    }
}

/// ITM's warning flags: the computation succeeded but an input or an intermediate value is near or
/// beyond the limits the model was fitted for. Bits equal the reference's `WARN__*` constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Warnings(pub u32);

impl Warnings {
    pub const NONE: Warnings = Warnings(0);
    pub const TX_TERMINAL_HEIGHT: Warnings = Warnings(0x0001);
    pub const RX_TERMINAL_HEIGHT: Warnings = Warnings(0x0002);
    pub const FREQUENCY: Warnings = Warnings(0x0004);
    pub const PATH_DISTANCE_TOO_BIG_1: Warnings = Warnings(0x0008);
    pub const PATH_DISTANCE_TOO_BIG_2: Warnings = Warnings(0x0010);
    pub const PATH_DISTANCE_TOO_SMALL_1: Warnings = Warnings(0x0020);
    pub const PATH_DISTANCE_TOO_SMALL_2: Warnings = Warnings(0x0040);
    pub const TX_HORIZON_ANGLE: Warnings = Warnings(0x0080);
    pub const RX_HORIZON_ANGLE: Warnings = Warnings(0x0100);
    pub const TX_HORIZON_DISTANCE_1: Warnings = Warnings(0x0200);
    pub const RX_HORIZON_DISTANCE_1: Warnings = Warnings(0x0400);
    pub const TX_HORIZON_DISTANCE_2: Warnings = Warnings(0x0800);
    pub const RX_HORIZON_DISTANCE_2: Warnings = Warnings(0x1000);
    pub const EXTREME_VARIABILITIES: Warnings = Warnings(0x2000);
    pub const SURFACE_REFRACTIVITY: Warnings = Warnings(0x4000);

    const NAMES: [(u32, &'static str); 15] = [
        (0x0001, "TX terminal height near its limits"),
        (0x0002, "RX terminal height near its limits"),
        (0x0004, "frequency near its limits"),
        (0x0008, "path distance near its upper limit"),
        (0x0010, "path distance large"),
        (0x0020, "path distance near its lower limit"),
        (0x0040, "path distance small"),
        (0x0080, "TX horizon angle large"),
        (0x0100, "RX horizon angle large"),
        (0x0200, "TX horizon distance < 1/10 of smooth-earth horizon"),
        (0x0400, "RX horizon distance < 1/10 of smooth-earth horizon"),
        (0x0800, "TX horizon distance > 3× smooth-earth horizon"),
        (0x1000, "RX horizon distance > 3× smooth-earth horizon"),
        (0x2000, "extreme variabilities"),
        (0x4000, "surface refractivity small"),
    ];

    #[inline]
    pub fn bits(self) -> u32 {
        self.0
    }
    #[inline]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    #[inline]
    pub fn contains(self, other: Warnings) -> bool {
        self.0 & other.0 == other.0
    }
    #[inline]
    pub fn set(&mut self, flag: Warnings) {
        self.0 |= flag.0;
    }
}

impl std::ops::BitOr for Warnings {
    type Output = Warnings;
    fn bitor(self, rhs: Warnings) -> Warnings {
        Warnings(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Warnings {
    fn bitor_assign(&mut self, rhs: Warnings) {
        self.0 |= rhs.0;
    }
}

impl fmt::Display for Warnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("no warnings");
        }
        let mut first = true;
        for (bit, name) in Self::NAMES {
            if self.0 & bit != 0 {
                if !first {
                    f.write_str("; ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_reference_table() {
        // Values from NTIA/itm ERRORS_AND_WARNINGS.md.
        assert_eq!(ItmError::TxTerminalHeight(0.2).code(), 1000);
        assert_eq!(ItmError::Frequency(10.0).code(), 1009);
        assert_eq!(ItmError::Refractivity(200.0).code(), 1008);
        assert_eq!(ItmError::PathDistance("x").code(), 1017);
        assert_eq!(ItmError::SurfaceRefractivityLarge(401.0).code(), 1022);
        assert_eq!(Warnings::SURFACE_REFRACTIVITY.bits(), 0x4000);
        assert_eq!(Warnings::RX_HORIZON_DISTANCE_2.bits(), 0x1000);
    }

    #[test]
    fn flags_combine_and_print() {
        let w = Warnings::TX_TERMINAL_HEIGHT | Warnings::FREQUENCY;
        assert!(w.contains(Warnings::FREQUENCY));
        assert!(!w.contains(Warnings::RX_TERMINAL_HEIGHT));
        assert_eq!(w.bits(), 5);
        assert_eq!(w.to_string(), "TX terminal height near its limits; frequency near its limits");
        assert_eq!(Warnings::NONE.to_string(), "no warnings");
    }
}
