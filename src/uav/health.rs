//! Orchard health classes per crop from a parcel's NDVI distribution.
//!
//! A parcel's pixels are tree crowns and the ground between rows. Pixels with NDVI ≥ `canopy_ndvi`
//! are canopy (bare or dry-season soil and dry grass stay below ≈ 0.25); a canopy pixel with NDVI
//! below the crop's `stress_ndvi` is stressed. The class follows the stressed share of the canopy:
//!
//! | class      | stressed share of canopy | meaning |
//! |------------|--------------------------|---------|
//! | `healthy`  | < `watch_share`          | uniform vigorous canopy |
//! | `watch`    | < `stressed_share`       | patches to scout |
//! | `stressed` | < `severe_share`         | stress over a large part of the orchard |
//! | `severe`   | ≥ `severe_share`         | most of the canopy stressed |
//! | `no_canopy`| canopy < `min_canopy_share` of the parcel | cleared, newly planted or not imaged |
//!
//! Defaults (configurable per crop in `[uav.health.mango]` / `[uav.health.longan]` of dataset.toml):
//! vigorous mango canopies show NDVI ≈ 0.7–0.9 in UAV multispectral surveys and longan's denser
//! evergreen crowns slightly higher, so `stress_ndvi` is 0.55 for mango and 0.60 for longan;
//! `canopy_ndvi` 0.30; shares 0.15 / 0.35 / 0.60; `min_canopy_share` 0.05. They are starting values
//! to calibrate against field scouting for a given sensor and season, not agronomic constants.

use serde::{Deserialize, Serialize};

use super::zonal::WeightedValues;
use crate::dataset::Crop;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthClass {
    Healthy,
    Watch,
    Stressed,
    Severe,
    NoCanopy,
}

impl HealthClass {
    pub fn name(self) -> &'static str {
        match self {
            HealthClass::Healthy => "healthy",
            HealthClass::Watch => "watch",
            HealthClass::Stressed => "stressed",
            HealthClass::Severe => "severe",
            HealthClass::NoCanopy => "no_canopy",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [HealthClass::Healthy, HealthClass::Watch, HealthClass::Stressed, HealthClass::Severe, HealthClass::NoCanopy]
            .into_iter()
            .find(|c| c.name() == s)
    }

    /// 0 (healthy) … 3 (severe); `None` for `no_canopy`, which is not on the same scale.
    pub fn rank(self) -> Option<u8> {
        match self {
            HealthClass::Healthy => Some(0),
            HealthClass::Watch => Some(1),
            HealthClass::Stressed => Some(2),
            HealthClass::Severe => Some(3),
            HealthClass::NoCanopy => None,
        }
    }

    /// Whether going from `prev` to `self` is a decline in health.
    pub fn fell_from(self, prev: HealthClass) -> bool {
        match (prev.rank(), self.rank()) {
            (Some(a), Some(b)) => b > a,
            // Canopy present before and gone now is the worst decline of all.
            (Some(_), None) => true,
            _ => false,
        }
    }
}

/// Thresholds for one crop. In dataset.toml any subset may be given; the rest keep the crop's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CropThresholds {
    /// Pixels with NDVI at or above this are canopy.
    pub canopy_ndvi: f64,
    /// Canopy pixels below this NDVI are stressed.
    pub stress_ndvi: f64,
    pub watch_share: f64,
    pub stressed_share: f64,
    pub severe_share: f64,
    /// Below this canopy share of the parcel the class is `no_canopy`.
    pub min_canopy_share: f64,
}

/// The TOML form of [`CropThresholds`]: every field optional.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CropOverrides {
    canopy_ndvi: Option<f64>,
    stress_ndvi: Option<f64>,
    watch_share: Option<f64>,
    stressed_share: Option<f64>,
    severe_share: Option<f64>,
    min_canopy_share: Option<f64>,
}

impl CropOverrides {
    fn over(self, d: CropThresholds) -> CropThresholds {
        CropThresholds {
            canopy_ndvi: self.canopy_ndvi.unwrap_or(d.canopy_ndvi),
            stress_ndvi: self.stress_ndvi.unwrap_or(d.stress_ndvi),
            watch_share: self.watch_share.unwrap_or(d.watch_share),
            stressed_share: self.stressed_share.unwrap_or(d.stressed_share),
            severe_share: self.severe_share.unwrap_or(d.severe_share),
            min_canopy_share: self.min_canopy_share.unwrap_or(d.min_canopy_share),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct HealthToml {
    mango: CropOverrides,
    longan: CropOverrides,
}

impl From<HealthToml> for HealthParams {
    fn from(t: HealthToml) -> Self {
        Self { mango: t.mango.over(CropThresholds::MANGO), longan: t.longan.over(CropThresholds::LONGAN) }
    }
}

impl CropThresholds {
    pub const MANGO: CropThresholds = CropThresholds {
        canopy_ndvi: 0.30,
        stress_ndvi: 0.55,
        watch_share: 0.15,
        stressed_share: 0.35,
        severe_share: 0.60,
        min_canopy_share: 0.05,
    };
    pub const LONGAN: CropThresholds = CropThresholds { stress_ndvi: 0.60, ..CropThresholds::MANGO };

    fn validate(&self, crop: &str) -> Result<()> {
        let name = |f: &str| format!("uav.health.{crop}.{f}");
        let in_range = |v: f64, lo: f64, hi: f64| v.is_finite() && v >= lo && v <= hi;
        if !in_range(self.canopy_ndvi, -1.0, 1.0) {
            return Err(Error::param(name("canopy_ndvi"), "must be in −1…1"));
        }
        if !in_range(self.stress_ndvi, self.canopy_ndvi, 1.0) {
            return Err(Error::param(name("stress_ndvi"), "must be between canopy_ndvi and 1"));
        }
        if !(in_range(self.watch_share, 0.0, 1.0)
            && self.watch_share <= self.stressed_share
            && self.stressed_share <= self.severe_share
            && self.severe_share <= 1.0)
        {
            return Err(Error::param(name("watch_share"), "need 0 ≤ watch_share ≤ stressed_share ≤ severe_share ≤ 1"));
        }
        if !in_range(self.min_canopy_share, 0.0, 1.0) {
            return Err(Error::param(name("min_canopy_share"), "must be in 0…1"));
        }
        Ok(())
    }
}

/// Thresholds per crop (`[uav.health]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(from = "HealthToml")]
pub struct HealthParams {
    pub mango: CropThresholds,
    pub longan: CropThresholds,
}

impl Default for HealthParams {
    fn default() -> Self {
        Self { mango: CropThresholds::MANGO, longan: CropThresholds::LONGAN }
    }
}

impl HealthParams {
    pub fn for_crop(&self, crop: Crop) -> &CropThresholds {
        match crop {
            Crop::Mango => &self.mango,
            Crop::Longan => &self.longan,
        }
    }

    pub fn validate(&self) -> Result<()> {
        self.mango.validate("mango")?;
        self.longan.validate("longan")
    }
}

/// What the classification saw in a parcel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthAssessment {
    /// Share of the parcel's (weighted) pixels that are canopy.
    pub canopy_share: f64,
    /// Share of canopy pixels below the stress threshold (0 when there is no canopy).
    pub stressed_share: f64,
    pub class: HealthClass,
}

/// Classify a parcel from its coverage-weighted NDVI values.
pub fn assess(ndvi: &WeightedValues, t: &CropThresholds) -> HealthAssessment {
    let canopy = t.canopy_ndvi as f32;
    let stress = t.stress_ndvi as f32;
    let canopy_share = ndvi.share(|_| true, |x| x >= canopy).unwrap_or(0.0);
    let stressed_share = ndvi.share(|x| x >= canopy, |x| x < stress).unwrap_or(0.0);
    let class = classify(canopy_share, stressed_share, t);
    HealthAssessment { canopy_share, stressed_share, class }
}

/// The class for a canopy share and a stressed share (table in the module docs).
pub fn classify(canopy_share: f64, stressed_share: f64, t: &CropThresholds) -> HealthClass {
    if canopy_share < t.min_canopy_share {
        HealthClass::NoCanopy
    } else if stressed_share < t.watch_share {
        HealthClass::Healthy
    } else if stressed_share < t.stressed_share {
        HealthClass::Watch
    } else if stressed_share < t.severe_share {
        HealthClass::Stressed
    } else {
        HealthClass::Severe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_documented_table() {
        let t = CropThresholds::MANGO;
        assert_eq!(classify(0.6, 0.0, &t), HealthClass::Healthy);
        assert_eq!(classify(0.6, 0.15, &t), HealthClass::Watch);
        assert_eq!(classify(0.6, 0.349, &t), HealthClass::Watch);
        assert_eq!(classify(0.6, 0.35, &t), HealthClass::Stressed);
        assert_eq!(classify(0.6, 0.6, &t), HealthClass::Severe);
        assert_eq!(classify(0.01, 0.9, &t), HealthClass::NoCanopy);
    }

    #[test]
    fn assess_separates_soil_canopy_and_stress() {
        // Mango parcel, equal weights: 4 soil pixels (NDVI 0.15), 6 canopy pixels of which 2 stressed (0.45).
        let mut v = WeightedValues::new();
        for x in [0.15, 0.15, 0.15, 0.15, 0.82, 0.80, 0.85, 0.79, 0.45, 0.45] {
            v.push(x, 1.0);
        }
        let a = assess(&v, &CropThresholds::MANGO);
        assert!((a.canopy_share - 0.6).abs() < 1e-12);
        assert!((a.stressed_share - 2.0 / 6.0).abs() < 1e-12);
        assert_eq!(a.class, HealthClass::Watch);
        // Longan's higher stress threshold counts a 0.58 canopy pixel as stressed, mango's does not.
        let mut w = WeightedValues::new();
        for x in [0.58, 0.8, 0.8] {
            w.push(x, 1.0);
        }
        assert_eq!(assess(&w, &CropThresholds::MANGO).stressed_share, 0.0);
        assert!((assess(&w, &CropThresholds::LONGAN).stressed_share - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn decline_ordering() {
        assert!(HealthClass::Stressed.fell_from(HealthClass::Healthy));
        assert!(!HealthClass::Healthy.fell_from(HealthClass::Watch));
        assert!(!HealthClass::Watch.fell_from(HealthClass::Watch));
        assert!(HealthClass::NoCanopy.fell_from(HealthClass::Severe));
        assert!(!HealthClass::Healthy.fell_from(HealthClass::NoCanopy));
    }

    #[test]
    fn thresholds_are_validated() {
        let mut p = HealthParams::default();
        assert!(p.validate().is_ok());
        p.longan.stress_ndvi = 0.1; // below canopy_ndvi
        let e = p.validate().unwrap_err().to_string();
        assert!(e.contains("uav.health.longan.stress_ndvi"), "{e}");
        let toml_src = "[mango]\nstress_ndvi = 0.5\n[longan]\nwatch_share = 0.1\n";
        let q: HealthParams = toml::from_str(toml_src).unwrap();
        assert_eq!(q.mango.stress_ndvi, 0.5);
        assert_eq!(q.mango.canopy_ndvi, 0.30);
        // A partial longan section keeps longan's own defaults, not mango's.
        assert_eq!(q.longan.stress_ndvi, CropThresholds::LONGAN.stress_ndvi);
        assert_eq!(q.longan.watch_share, 0.1);
        assert!(toml::from_str::<HealthParams>("[mango]\nstres_ndvi = 0.5\n").is_err());
    }
}
