//! The thresholds and class palettes every view of the results draws from, so the map, its legends
//! and the analyses' counts cannot disagree. Thresholds are the analyses' own parameters as the store's
//! manifest records them (`params`, defaults included): the covered/good RSRP of `[coverage]`, the
//! risk classes of `[risk]`, the NDVI health breaks of `[uav.health]`. The palettes of the classes
//! are written here once; raster colour maps ([`super::colormap`]), `/tiles/{layer}/legend.json`
//! and the web map (through `/catalog`'s `thresholds`) all read them.

use serde::de::DeserializeOwned;
use serde_json::{json, Value as Json};

use crate::coverage::CoverageParams;
use crate::error::{Error, Result};
use crate::risk::RiskParams;
use crate::uav::UavParams;

/// Risk classes 1–5: name and colour (ColorBrewer RdYlGn, 5 classes, reversed).
pub const RISK_CLASSES: [(u8, &str, [u8; 4]); 5] = [
    (1, "very low", [26, 150, 65, 200]),
    (2, "low", [166, 217, 106, 200]),
    (3, "moderate", [255, 255, 191, 200]),
    (4, "high", [253, 174, 97, 210]),
    (5, "very high", [215, 25, 28, 220]),
];

/// Orchard health classes (the `health_class` values) and their colours, best to worst.
pub const HEALTH_CLASSES: [(&str, [u8; 3]); 5] = [
    ("healthy", [26, 152, 80]),
    ("watch", [217, 239, 139]),
    ("stressed", [252, 141, 89]),
    ("severe", [215, 48, 39]),
    ("no_canopy", [189, 189, 189]),
];

/// Land-cover classes (ESA WorldCover codes) and their official colours, as the dataset defines them.
pub use crate::dataset::landcover::CLASSES as LANDCOVER_CLASSES;

/// Colours of hamlets / cells with and without 4G coverage.
pub const COVERED_COLOR: [u8; 3] = [27, 158, 90];
pub const UNCOVERED_COLOR: [u8; 3] = [215, 48, 31];

/// The analyses' parameters a view needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    pub coverage: CoverageParams,
    pub risk: RiskParams,
    pub uav: UavParams,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { coverage: CoverageParams::default(), risk: RiskParams::default(), uav: UavParams::default() }
    }
}

fn section<T: DeserializeOwned + Default>(params: &Json, name: &str) -> Result<T> {
    match params.get(name) {
        None | Some(Json::Null) => Ok(T::default()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| Error::param(name, format!("manifest.json params: {e}"))),
    }
}

impl Thresholds {
    /// From a manifest's `params` (`{"coverage": {…}, "risk": {…}, "uav": {…}}`); a missing section
    /// takes its analysis' defaults.
    pub fn from_params(params: &Json) -> Result<Self> {
        Ok(Self { coverage: section(params, "coverage")?, risk: section(params, "risk")?, uav: section(params, "uav")? })
    }

    /// The lowest NDVI that counts as canopy, and as healthy canopy, over the crops.
    pub fn ndvi_breaks(&self) -> (f64, f64) {
        let h = &self.uav.health;
        (h.mango.canopy_ndvi.min(h.longan.canopy_ndvi), h.mango.stress_ndvi.min(h.longan.stress_ndvi))
    }

    /// What `/catalog` publishes for the web map: thresholds and palettes.
    pub fn to_json(&self) -> Json {
        let hex3 = |c: [u8; 3]| format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
        json!({
            "coverage": {
                "covered_dbm": self.coverage.covered_dbm,
                "good_dbm": self.coverage.good_dbm,
                "covered_color": hex3(COVERED_COLOR),
                "uncovered_color": hex3(UNCOVERED_COLOR),
                "tiers_mbps": self.coverage.quality.tiers_mbps,
                "sinr_min_db": self.coverage.quality.sinr_min_db,
            },
            "risk": {
                "high_class": self.risk.high_class,
                "zone_min_class": self.risk.zone_min_class,
                "classes": RISK_CLASSES.iter().map(|(k, name, c)| json!({"class": k, "label": name, "color": hex3([c[0], c[1], c[2]])})).collect::<Vec<_>>(),
            },
            "landcover": {
                "classes": LANDCOVER_CLASSES.iter().map(|c| json!({"class": c.code, "key": c.key, "label": c.label, "color": hex3(c.color)})).collect::<Vec<_>>(),
            },
            "uav": {
                "health": self.uav.health,
                "health_classes": HEALTH_CLASSES.iter().map(|(name, c)| json!({"class": name, "color": hex3(*c)})).collect::<Vec<_>>(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_sections_take_defaults_and_values_are_read() {
        let t = Thresholds::from_params(&json!({"coverage": {"covered_dbm": -105.0}})).unwrap();
        assert_eq!(t.coverage.covered_dbm, -105.0);
        assert_eq!(t.coverage.good_dbm, CoverageParams::default().good_dbm);
        assert_eq!(t.risk, RiskParams::default());
        assert_eq!(Thresholds::from_params(&json!({})).unwrap(), Thresholds::default());
        let e = Thresholds::from_params(&json!({"risk": {"high_class": "x"}})).unwrap_err().to_string();
        assert!(e.contains("risk"), "{e}");
        let j = t.to_json();
        assert_eq!(j["coverage"]["covered_dbm"], -105.0);
        assert_eq!(j["coverage"]["tiers_mbps"], json!([5.0, 25.0]));
        assert_eq!(j["risk"]["classes"][4]["color"], "#d7191c");
        assert_eq!(t.ndvi_breaks(), (0.30, 0.55));
    }
}
