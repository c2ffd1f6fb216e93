//! Parameters of the UAV stage, the `[uav]` section of dataset.toml (every field has a default).

use serde::{Deserialize, Serialize};

use super::health::HealthParams;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UavParams {
    /// A parcel is reported for a flight only when at least this share of its area lies under valid
    /// pixels; statistics of a parcel cut by the footprint's edge would describe a biased sample.
    pub min_covered_fraction: f64,
    /// Health thresholds per crop (`[uav.health.mango]`, `[uav.health.longan]`).
    pub health: HealthParams,
}

impl Default for UavParams {
    fn default() -> Self {
        Self { min_covered_fraction: 0.5, health: HealthParams::default() }
    }
}

impl UavParams {
    pub fn validate(&self) -> Result<()> {
        if !(self.min_covered_fraction > 0.0 && self.min_covered_fraction <= 1.0) {
            return Err(Error::param("uav.min_covered_fraction", "must be in (0, 1]"));
        }
        self.health.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_section_with_defaults() {
        let p: UavParams = toml::from_str("min_covered_fraction = 0.8\n[health.longan]\nstress_ndvi = 0.65\n").unwrap();
        assert_eq!(p.min_covered_fraction, 0.8);
        assert_eq!(p.health.longan.stress_ndvi, 0.65);
        assert_eq!(p.health.mango, super::super::health::CropThresholds::MANGO);
        assert!(p.validate().is_ok());
        assert_eq!(toml::from_str::<UavParams>("").unwrap(), UavParams::default());
        assert!(toml::from_str::<UavParams>("min_coverd = 1").is_err());
        let bad = UavParams { min_covered_fraction: 0.0, ..Default::default() };
        assert!(bad.validate().unwrap_err().to_string().contains("min_covered_fraction"));
    }
}
