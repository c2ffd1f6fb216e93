//! ITM settings as they appear in a configuration file (e.g. a `[coverage.itm]` table of
//! `dataset.toml`): everything but the terminals and the frequency, which come from each site and
//! band. Defaults are the usual planning values (SPLAT!'s and NTIA's examples): average ground
//! (ε = 15, σ = 0.005 S/m), N_0 = 301 N-units, continental temperate climate, vertical
//! polarization, medians (50 % time, location and situation) in mobile mode.

use serde::{Deserialize, Serialize};

use super::errors::ItmError;
use super::inputs::{Climate, ItmParams, Mdvar, Polarization, DEFAULT_RADIAL_DELTA_H_STEP};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ItmConfig {
    pub climate: Climate,
    pub n_0: f64,
    pub polarization: Polarization,
    pub epsilon: f64,
    pub sigma: f64,
    /// The reference's mode-of-variability code (0–3, +10, +20).
    pub mdvar: i32,
    pub time_pct: f64,
    pub location_pct: f64,
    pub situation_pct: f64,
    /// Receiver height above ground, m.
    pub h_rx_m: f64,
    /// Area sweeps: Δh computed at receivers this fraction of the distance apart and interpolated
    /// between ([`ItmParams::radial_delta_h_step`]); 0 for the exact model at every receiver.
    pub radial_delta_h_step: f64,
}

impl Default for ItmConfig {
    fn default() -> Self {
        ItmConfig {
            climate: Climate::ContinentalTemperate,
            n_0: 301.0,
            polarization: Polarization::Vertical,
            epsilon: 15.0,
            sigma: 0.005,
            mdvar: 2,
            time_pct: 50.0,
            location_pct: 50.0,
            situation_pct: 50.0,
            h_rx_m: 1.5,
            radial_delta_h_step: DEFAULT_RADIAL_DELTA_H_STEP,
        }
    }
}

impl ItmConfig {
    /// The full, validated parameters for a transmitter `h_tx_m` above ground at `f_mhz`.
    pub fn params(&self, h_tx_m: f64, f_mhz: f64) -> Result<ItmParams, ItmError> {
        let p = ItmParams {
            h_tx_m,
            h_rx_m: self.h_rx_m,
            climate: self.climate,
            n_0: self.n_0,
            f_mhz,
            polarization: self.polarization,
            epsilon: self.epsilon,
            sigma: self.sigma,
            mdvar: Mdvar::from_code(self.mdvar)?,
            time_pct: self.time_pct,
            location_pct: self.location_pct,
            situation_pct: self.situation_pct,
            radial_delta_h_step: self.radial_delta_h_step,
        };
        p.validate()?;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_partial_tables() {
        let c: ItmConfig = toml::from_str("climate = \"continental_subtropical\"\nmdvar = 12").unwrap();
        assert_eq!(c.climate, Climate::ContinentalSubtropical);
        assert_eq!(c.mdvar, 12);
        assert_eq!(c.n_0, 301.0);
        let p = c.params(30.0, 1800.0).unwrap();
        assert_eq!(p.mdvar.code(), 12);
        assert_eq!(ItmConfig::default().params(30.0, 10.0).unwrap_err().code(), 1009);
        assert!(toml::from_str::<ItmConfig>("climat = 5").is_err());
        let bad = ItmConfig { mdvar: 5, ..ItmConfig::default() };
        assert_eq!(bad.params(30.0, 900.0).unwrap_err().code(), 1014);
        assert_eq!(c.radial_delta_h_step, DEFAULT_RADIAL_DELTA_H_STEP);
        let exact: ItmConfig = toml::from_str("radial_delta_h_step = 0").unwrap();
        assert_eq!(exact.params(30.0, 1800.0).unwrap().radial_delta_h_step, 0.0);
        let too_coarse = ItmConfig { radial_delta_h_step: 0.7, ..ItmConfig::default() };
        assert_eq!(too_coarse.params(30.0, 1800.0).unwrap_err().code(), 1101);
    }
}
