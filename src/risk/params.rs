//! Parameters of the risk stage: the `[risk]` section of `dataset.toml` (every key optional).
//!
//! ```toml
//! [risk]
//! rainfall_24h_mm = 150        # rainfall scenario (mm in 24 h); 0 = dry, terrain-only susceptibility
//! stream_threshold_km2 = 0.5   # contributing area where a stream begins
//! zone_min_area_m2 = 50000     # zones smaller than this are merged into their neighbours
//! ```

use serde::{Deserialize, Serialize};

use super::classify::check_breaks;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskParams {
    /// Rainfall scenario: 24-hour total (mm) over the province. 0 is valid (dry scenario).
    pub rainfall_24h_mm: f32,
    /// Contributing area (km²) from which a cell is a stream (drainage for HAND, distance to streams).
    pub stream_threshold_km2: f64,
    /// Index breaks between landslide classes 1|2, 2|3, 3|4, 4|5.
    pub landslide_breaks: [f32; 4],
    /// Index breaks between flash-flood classes.
    pub flood_breaks: [f32; 4],
    /// Lowest class stored as `risk_zones` polygons.
    pub zone_min_class: u8,
    /// Zones (and the specks inside them) below this area are merged into their neighbours, and holes
    /// below it are dropped from zone polygons (m²).
    pub zone_min_area_m2: f64,
    /// Chaikin smoothing iterations of zone outlines.
    pub zone_smoothing_iterations: usize,
    /// Classes from this one up count as "high risk" (hamlet ranking, warning gaps, exposure totals).
    pub high_class: u8,
    /// A hamlet is covered by 4G when its best RSRP reaches this (dBm); used for warning gaps when the
    /// coverage stage provides RSRP values only.
    pub covered_rsrp_dbm: f32,
}

impl Default for RiskParams {
    fn default() -> Self {
        Self {
            rainfall_24h_mm: 150.0,
            stream_threshold_km2: 0.5,
            landslide_breaks: [0.25, 0.4, 0.55, 0.7],
            flood_breaks: [0.25, 0.4, 0.55, 0.7],
            zone_min_class: 3,
            zone_min_area_m2: 50_000.0,
            zone_smoothing_iterations: 2,
            high_class: 4,
            covered_rsrp_dbm: -110.0,
        }
    }
}

impl RiskParams {
    /// Reject values the models cannot use, naming the `[risk]` key.
    pub fn validate(&self) -> Result<()> {
        let r = self.rainfall_24h_mm;
        if !r.is_finite() || r < 0.0 {
            return Err(Error::param("risk.rainfall_24h_mm", format!("must be a rainfall ≥ 0 mm, got {r}")));
        }
        if r > 2000.0 {
            return Err(Error::param("risk.rainfall_24h_mm", format!("{r} mm in 24 h exceeds any recorded rainfall")));
        }
        if !(self.stream_threshold_km2.is_finite() && self.stream_threshold_km2 > 0.0) {
            return Err(Error::param("risk.stream_threshold_km2", "must be a positive area"));
        }
        check_breaks("risk.landslide_breaks", &self.landslide_breaks)?;
        check_breaks("risk.flood_breaks", &self.flood_breaks)?;
        if !(1..=5).contains(&self.zone_min_class) {
            return Err(Error::param("risk.zone_min_class", "must be a class 1–5"));
        }
        if !(1..=5).contains(&self.high_class) {
            return Err(Error::param("risk.high_class", "must be a class 1–5"));
        }
        if !(self.zone_min_area_m2.is_finite() && self.zone_min_area_m2 >= 0.0) {
            return Err(Error::param("risk.zone_min_area_m2", "must be an area ≥ 0"));
        }
        if self.zone_smoothing_iterations > 5 {
            return Err(Error::param("risk.zone_smoothing_iterations", "at most 5 (each doubles the vertices)"));
        }
        if !self.covered_rsrp_dbm.is_finite() {
            return Err(Error::param("risk.covered_rsrp_dbm", "must be a number of dBm"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_rainfall_is_named() {
        assert!(RiskParams::default().validate().is_ok());
        let p: RiskParams = toml::from_str("rainfall_24h_mm = 0").unwrap();
        assert!(p.validate().is_ok(), "zero rainfall is a valid (dry) scenario");
        let p = RiskParams { rainfall_24h_mm: -5.0, ..Default::default() };
        let e = p.validate().unwrap_err().to_string();
        assert!(e.contains("risk.rainfall_24h_mm"), "{e}");
        assert!(toml::from_str::<RiskParams>("rain = 3").is_err(), "unknown keys are rejected");
    }
}
