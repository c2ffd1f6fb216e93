//! How a stored raster is drawn, declared by the analysis that writes it: every `put_raster*` /
//! `register_raster` of [`super::StoreWriter`] names a [`RasterStyle`], `manifest.json` records it
//! (`raster_styles`, raster file → style), and the tile catalog builds the colour map and legend
//! from the style and the store's thresholds ([`crate::tiles::colormap::ColorMap::for_style`]).
//! So a new analysis raster chooses its map where it is made, not by a name pattern in the tiles.
//!
//! [`RasterStyle::guess`] is the fallback for rasters that declare none (a store written before
//! styles were recorded, or a raster added to a store by hand): the name patterns the catalog used
//! before, kept in this one place.

use serde::{Deserialize, Serialize};

/// The colour map and legend of a raster (its thresholds come from the store's parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RasterStyle {
    /// RSRP (dBm) in bands around `[coverage] covered_dbm` / `good_dbm`.
    Rsrp,
    /// SINR (dB) in bands from `[coverage.quality] sinr_min_db` to the rate's saturation.
    Sinr,
    /// Downlink rate (Mbps) by the speed tiers `[coverage.quality] tiers_mbps`.
    SpeedTiers,
    /// ESA WorldCover land-cover classes in their official palette.
    Landcover,
    /// Classes 0 no service, 1 covered, 2 good (the same thresholds).
    CoverageClasses,
    /// Classes 1–5 very low … very high (the risk classes' palette).
    RiskClasses,
    /// Location-probability classes: 1 covered at 50 %, 2 covered at 90 % of locations.
    LocationProbability,
    /// Slope (°), 0–60°.
    Slope,
    /// Flow accumulation (cells), on log10.
    FlowAccumulation,
    /// Height above the nearest drainage (m), 0–50 m.
    Hand,
    /// Elevation (m), hypsometric 0–3,000 m.
    Elevation,
    /// Hillshade values 0–255, grey.
    Hillshade,
    /// A change of an index, diverging −0.4 … +0.4.
    Change,
    /// A vegetation index (NDVI, NDRE, …) with stops at the `[uav.health]` canopy and stress breaks.
    VegetationIndex,
    /// Integer classes without a palette of their own (one colour each over the classes present).
    Categorical,
    /// Any other quantity: a ramp over the raster's min … max.
    Continuous,
}

impl RasterStyle {
    /// Whether a floating-point raster of this style is stored with the TIFF predictor
    /// ([`crate::grid::io::write_cog_with`]; integer rasters never are). Measured on the
    /// province's rasters, DEFLATE level 1, `gdal_translate` to COG: the predictor makes smooth
    /// fields smaller (rsrp 68.5 MB with it, 74.7 MB without; slope 166 / 179 MB; HAND 155 /
    /// 172 MB) but not SINR and rates, whose values repeat exactly (sinr 77.2 / 77.7 MB, dl_mbps
    /// 68.3 / 66.5 MB), where it only costs a quarter more CPU; and every integer raster is
    /// smaller and cheaper without it (serving_site 7.9 / 6.9 MB, flow_accumulation 58.3 /
    /// 51.9 MB, class rasters 9–10 %).
    pub fn predictor(self) -> bool {
        !matches!(self, RasterStyle::Sinr | RasterStyle::SpeedTiers)
    }

    /// The style of a raster that declares none, from its store name (e.g. `rsrp_any`,
    /// `uav/f1/ndvi`; only the last path component counts).
    pub fn guess(name: &str) -> RasterStyle {
        let n = name.to_ascii_lowercase();
        let base = n.rsplit('/').next().unwrap_or(&n);
        if base.contains("rsrp") {
            RasterStyle::Rsrp
        } else if base.starts_with("sinr") {
            RasterStyle::Sinr
        } else if base.starts_with("dl_mbps") {
            RasterStyle::SpeedTiers
        } else if base == "landcover" {
            RasterStyle::Landcover
        } else if base == "coverage_class" {
            RasterStyle::CoverageClasses
        } else if base.contains("susceptibility") || base.contains("risk_class") {
            RasterStyle::RiskClasses
        } else if base == "slope" || base.starts_with("slope_") {
            RasterStyle::Slope
        } else if base.contains("accumulation") {
            RasterStyle::FlowAccumulation
        } else if base == "hand" || base.starts_with("hand_") {
            RasterStyle::Hand
        } else if base == "dem" || base.contains("elevation") {
            RasterStyle::Elevation
        } else if base == "hillshade" {
            RasterStyle::Hillshade
        } else if base.contains("change") {
            RasterStyle::Change
        } else if ["ndvi", "ndre", "savi", "gndvi", "evi"].iter().any(|k| base.contains(k)) {
            RasterStyle::VegetationIndex
        } else if base.contains("probability") {
            RasterStyle::LocationProbability
        } else if base.contains("class") {
            RasterStyle::Categorical
        } else {
            RasterStyle::Continuous
        }
    }

    /// Whether the map is drawn over the raster's own value range (so the catalog reads it).
    pub fn needs_range(self) -> bool {
        matches!(self, RasterStyle::Categorical | RasterStyle::Continuous | RasterStyle::Hillshade)
    }
}

#[cfg(test)]
mod tests {
    use super::RasterStyle::{self, *};

    #[test]
    fn guesses_follow_the_former_name_rules() {
        // The names the analyses write (coverage, risk, UAV, the DEM) and the order of the rules:
        // `ndvi_change` is a change, `coverage_probability` is not coverage classes.
        for (name, style) in [
            ("rsrp_viettel", Rsrp),
            ("rsrp_any", Rsrp),
            ("coverage_class", CoverageClasses),
            ("coverage_probability", LocationProbability),
            ("serving_site", Continuous),
            ("sinr_viettel", Sinr),
            ("dl_mbps_vnpt", SpeedTiers),
            ("landcover", Landcover),
            ("landslide_susceptibility", RiskClasses),
            ("flood_susceptibility", RiskClasses),
            ("slope", Slope),
            ("flow_accumulation", FlowAccumulation),
            ("hand", Hand),
            ("dem", Elevation),
            ("uav/2026-04-07/ndvi", VegetationIndex),
            ("uav/2026-04-07/gndvi", VegetationIndex),
            ("uav/2026-04-07/ndvi_change", Change),
            ("land_class", Categorical),
            ("mystery", Continuous),
        ] {
            assert_eq!(RasterStyle::guess(name), style, "{name}");
        }
        assert_eq!(serde_json::to_string(&CoverageClasses).unwrap(), "\"coverage_classes\"");
    }
}
