//! The `[coverage.quality]` section of `dataset.toml`: how many servers the sweep keeps per cell, the
//! cell load, the receiver noise figure, the throughput mapping and each band's channel. Every key has
//! a default (below) and an unknown key is an error, as in every section.
//!
//! Defaults and their sources:
//! - `servers = 4`: the N strongest cells kept per cell and operator (interference beyond the fourth
//!   strongest co-channel cell is usually more than 10 dB under the sum of the first three);
//! - `load = 0.5`: the FCC's mobile broadband maps model 50 % cell loading;
//! - `noise_figure_db = 9`: the UE noise figure of 3GPP TR 36.942 (Table 4.3);
//! - `alpha = 0.6`, `sinr_min_db = −10`, `max_spectral_efficiency = 4.4` bps/Hz: the truncated-Shannon
//!   fit of LTE downlink throughput in 3GPP TR 36.942 Annex A.2;
//! - bands: 600–1000 MHz (LTE band 8 in Vietnam) 10 MHz channels, 1700–2200 MHz (bands 3 and 1) 20 MHz
//!   channels, 2300–2700 MHz (bands 40, 41 and 7, auctioned in Vietnam in 2023) 20 MHz channels, all 2×2
//!   MIMO (rank 2);
//! - `tiers_mbps = [5, 25]`: the FCC's 4G tier (5 Mbps) and a fixed-broadband-like tier (25 Mbps).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// LTE channel bandwidths (MHz) and their resource blocks (3GPP TS 36.101 Table 5.6-1).
pub const LTE_CHANNELS: [(f64, u32); 6] = [(1.4, 6), (3.0, 15), (5.0, 25), (10.0, 50), (15.0, 75), (20.0, 100)];

/// One frequency range's channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityBand {
    pub min_mhz: f64,
    pub max_mhz: f64,
    /// LTE channel bandwidth (MHz): 1.4, 3, 5, 10, 15 or 20.
    pub bandwidth_mhz: f64,
    /// Downlink MIMO rank (spatial layers).
    #[serde(default = "default_layers")]
    pub mimo_layers: u32,
}

fn default_layers() -> u32 {
    2
}

impl QualityBand {
    /// Resource blocks of the channel (validated to be an LTE bandwidth).
    pub fn resource_blocks(&self) -> u32 {
        LTE_CHANNELS.iter().find(|(b, _)| (b - self.bandwidth_mhz).abs() < 1e-9).map_or(0, |c| c.1)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QualityParams {
    /// N: the strongest cells kept per DEM cell and operator by the sweep.
    pub servers: usize,
    /// Fraction of the interfering cells' resource elements carrying traffic, and of the serving
    /// cell's resources taken by other users (0–1).
    pub load: f64,
    pub noise_figure_db: f64,
    /// TR 36.942 A.2 attenuation factor α (implementation losses).
    pub alpha: f64,
    /// Below this SINR (dB) the throughput is zero.
    pub sinr_min_db: f64,
    /// Spectral efficiency ceiling (bps/Hz per layer).
    pub max_spectral_efficiency: f64,
    /// Download speed tiers (Mbps) counted in the indicators.
    pub tiers_mbps: Vec<f64>,
    pub bands: Vec<QualityBand>,
}

impl Default for QualityParams {
    fn default() -> Self {
        Self {
            servers: 4,
            load: 0.5,
            noise_figure_db: 9.0,
            alpha: 0.6,
            sinr_min_db: -10.0,
            max_spectral_efficiency: 4.4,
            tiers_mbps: vec![5.0, 25.0],
            bands: vec![
                QualityBand { min_mhz: 600.0, max_mhz: 1000.0, bandwidth_mhz: 10.0, mimo_layers: 2 },
                QualityBand { min_mhz: 1700.0, max_mhz: 2200.0, bandwidth_mhz: 20.0, mimo_layers: 2 },
                QualityBand { min_mhz: 2300.0, max_mhz: 2700.0, bandwidth_mhz: 20.0, mimo_layers: 2 },
            ],
        }
    }
}

fn err(name: &str, problem: impl Into<String>) -> Error {
    Error::param(format!("coverage.quality.{name}"), problem)
}

impl QualityParams {
    pub fn validate(&self) -> Result<()> {
        if !(1..=16).contains(&self.servers) {
            return Err(err("servers", format!("must be 1 to 16, got {}", self.servers)));
        }
        if !(self.load.is_finite() && (0.0..=1.0).contains(&self.load)) {
            return Err(err("load", format!("must be between 0 and 1, got {}", self.load)));
        }
        if !(self.noise_figure_db.is_finite() && self.noise_figure_db >= 0.0) {
            return Err(err("noise_figure_db", format!("must be ≥ 0 dB, got {}", self.noise_figure_db)));
        }
        if !(self.alpha.is_finite() && self.alpha > 0.0 && self.alpha <= 1.0) {
            return Err(err("alpha", format!("must be in (0, 1], got {}", self.alpha)));
        }
        if !self.sinr_min_db.is_finite() {
            return Err(err("sinr_min_db", "must be a number"));
        }
        if !(self.max_spectral_efficiency.is_finite() && self.max_spectral_efficiency > 0.0) {
            return Err(err("max_spectral_efficiency", format!("must be positive, got {}", self.max_spectral_efficiency)));
        }
        if self.tiers_mbps.iter().any(|t| !(t.is_finite() && *t > 0.0)) {
            return Err(err("tiers_mbps", format!("every tier must be a positive number of Mbps, got {:?}", self.tiers_mbps)));
        }
        if self.bands.is_empty() {
            return Err(err("bands", "at least one band is needed"));
        }
        for (i, b) in self.bands.iter().enumerate() {
            let name = format!("bands[{i}]");
            if !(b.min_mhz.is_finite() && b.max_mhz.is_finite() && 0.0 < b.min_mhz && b.min_mhz <= b.max_mhz) {
                return Err(err(&name, format!("bad frequency range {}–{} MHz", b.min_mhz, b.max_mhz)));
            }
            if b.resource_blocks() == 0 {
                return Err(err(&name, format!("bandwidth_mhz must be an LTE channel (1.4, 3, 5, 10, 15 or 20), got {}", b.bandwidth_mhz)));
            }
            if !(1..=8).contains(&b.mimo_layers) {
                return Err(err(&name, format!("mimo_layers must be 1 to 8, got {}", b.mimo_layers)));
            }
        }
        Ok(())
    }

    /// The channel of a carrier at `f_mhz` (first match).
    pub fn band_for(&self, f_mhz: f64) -> Option<&QualityBand> {
        self.bands.iter().find(|b| f_mhz >= b.min_mhz && f_mhz <= b.max_mhz)
    }

    /// A tier's name in field names: `5` → "5mbps", `2.5` → "2_5mbps".
    pub fn tier_key(t: f64) -> String {
        format!("{}mbps", format!("{t}").replace('.', "_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_valid_and_bad_values_named() {
        crate::analysis::assert_defaults_valid_and_empty_table_default(QualityParams::validate);
        assert!(toml::from_str::<QualityParams>("lod = 0.5").is_err());
        let e = QualityParams { load: 1.5, ..Default::default() }.validate().unwrap_err().to_string();
        assert!(e.contains("coverage.quality.load"), "{e}");
        let mut p = QualityParams::default();
        p.bands[1].bandwidth_mhz = 7.0;
        assert!(p.validate().unwrap_err().to_string().contains("bands[1]"));
        assert_eq!(QualityParams::tier_key(25.0), "25mbps");
        assert_eq!(p.bands[0].resource_blocks(), 50);
    }
}
