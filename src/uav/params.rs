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
    /// Most pixels (width × height, summed over the images) one flight may have: 2 × 10⁹ is a
    /// 2,000 ha orchard survey at 10 cm, beyond any real multispectral orthomosaic of one flight.
    pub max_flight_pixels: u64,
    /// Longest side of one image, in pixels.
    pub max_image_side: u64,
    /// Most bands one image may have (multispectral cameras have 5–10; alpha included).
    pub max_bands: usize,
    /// Free space (MB) that must remain on the store's file system after a flight's rasters.
    pub min_free_disk_mb: u64,
}

impl Default for UavParams {
    fn default() -> Self {
        Self {
            min_covered_fraction: 0.5,
            health: HealthParams::default(),
            max_flight_pixels: 2_000_000_000,
            max_image_side: 200_000,
            max_bands: 16,
            min_free_disk_mb: 1024,
        }
    }
}

impl UavParams {
    pub fn validate(&self) -> Result<()> {
        if !(self.min_covered_fraction > 0.0 && self.min_covered_fraction <= 1.0) {
            return Err(Error::param("uav.min_covered_fraction", "must be in (0, 1]"));
        }
        if self.max_flight_pixels == 0 || self.max_image_side == 0 || self.max_bands == 0 {
            return Err(Error::param("uav.max_flight_pixels / max_image_side / max_bands", "limits must be positive"));
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
