//! The `[coverage]` section of `dataset.toml`: radio, fiber, gap and planner parameters. Every field
//! has a default, so an empty section (or none) is valid; unknown keys are rejected so a typo does not
//! silently fall back to a default.
//!
//! RSRP thresholds (dBm, per LTE resource element):
//! - `covered_dbm = −110`: the edge of usable LTE service in operators' coverage maps and drive-test
//!   practice (a handset camps and gets basic data; regulators' outdoor 4G thresholds lie at −105 to
//!   −115 dBm, e.g. Ofcom's Connected Nations uses −105 dBm for a 2 Mbit/s outdoor service);
//! - `good_dbm = −100`: the usual drive-test boundary between "fair" and "good" RSRP;
//! - `min_rsrp_dbm = −140`: the bottom of the RSRP reporting range of 3GPP TS 36.133 §9.1.4; below
//!   it a cell is "no signal" (nodata in the rasters).
//!
//! Propagation model per band (`[[coverage.bands]]`, first match wins): by default Okumura-Hata for
//! 150–1500 MHz and COST-231 Hata for 1500–2000 MHz, in the open (rural) environment — Sơn La is
//! mountainous countryside; urban centres can be given their own band entries only by frequency, so
//! the environment is a province-wide choice.
//!
//! Computation reach: each transmitter's radials run to `max_radius_m` (20 km) or, sooner, to where
//! even line of sight at boresight — EIRP minus the band's median loss, an upper bound since the
//! antenna pattern and diffraction only subtract — falls `reach_margin_db` (3 dB) below `covered_dbm`.
//! Beyond that no cell can be covered, so the cut changes no coverage class; it only leaves cells
//! that would be weaker than −113 dBm as nodata. For an LTE 1800 sector (30 dBm RS EIRP, 45 m mast,
//! COST-231 open) the reach is about 16 km instead of 20, which saves a third of its cells. With
//! `reach_per_cell` (default) the build applies the same floor per direction and per cell — the
//! sector pattern between the sectors, the terminal clutter under trees — which leaves out about half
//! of the remaining cells ([`super::cut`]; the hamlets' cells are always evaluated).

use serde::{Deserialize, Serialize};

use crate::radio::cost231::COST231_RANGE_MHZ;
use crate::radio::hata::{Environment, HATA_RANGE_MHZ};
use crate::radio::itm::{ItmConfig, ItmError, ItmParams};
use crate::radio::{FreeSpace, Hata, Propagation};
use crate::error::{Error, Result};

/// Which path-loss model a band uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// ITU-R P.525 free space (any frequency).
    FreeSpace,
    /// Okumura-Hata, 150–1500 MHz.
    Hata,
    /// COST-231 Hata, 1500–2000 MHz.
    Cost231,
    /// Longley-Rice ITM point-to-point along each radial's terrain profile (20–20000 MHz), settings
    /// in `[coverage.itm]`. It replaces the median model and the knife-edge diffraction together.
    Itm,
}

impl ModelKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ModelKind::FreeSpace => "free_space",
            ModelKind::Hata => "hata",
            ModelKind::Cost231 => "cost231",
            ModelKind::Itm => "itm",
        }
    }
    /// The frequency range (MHz) in which the model is defined.
    pub fn range_mhz(&self) -> (f64, f64) {
        match self {
            ModelKind::FreeSpace => (0.0, f64::INFINITY),
            ModelKind::Hata => HATA_RANGE_MHZ,
            ModelKind::Cost231 => COST231_RANGE_MHZ,
            ModelKind::Itm => (20.0, 20_000.0),
        }
    }
}

/// How obstructions along a path combine into one diffraction loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffractionMethod {
    /// Bullington's equivalent knife edge (ITU-R P.1812 §4.3.1): continuous and monotone.
    Bullington,
    /// Deygout's three-edge construction: closer to measurements over well-separated ridges, but
    /// discontinuous where two edges compete for principal edge.
    Deygout,
}

/// One frequency band and the model used in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandConfig {
    pub min_mhz: f64,
    pub max_mhz: f64,
    pub model: ModelKind,
    #[serde(default = "default_env")]
    pub environment: Environment,
    /// A smaller computation radius for sectors in this band (the smaller of it and `max_radius_m` applies).
    #[serde(default)]
    pub max_radius_m: Option<f64>,
}

fn default_env() -> Environment {
    Environment::Open
}

/// The site planner's parameters. Unset site parameters default to the median of the dataset's sectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlannerParams {
    /// How many sites to propose.
    pub k: usize,
    /// Candidates are searched around this many gap areas, the most populous first (areas are
    /// ranked by uncovered people; small remote areas rarely win a greedy round).
    pub max_gap_areas: usize,
    /// Candidate high points kept per gap area.
    pub candidates_per_gap: usize,
    /// How far around a gap area's hamlets candidates are searched (m).
    pub search_margin_m: f64,
    /// A candidate must be within this distance of a road (m) — reachable for building and power.
    pub road_max_m: f64,
    /// Minimum distance between two candidates of one gap area (m).
    pub min_separation_m: f64,
    /// Side of the block from which one high point is taken (m).
    pub block_m: f64,
    pub operator: String,
    pub height_m: Option<f64>,
    pub frequency_mhz: Option<f64>,
    pub rs_eirp_dbm: Option<f64>,
    /// Sectors per proposed site (evenly spaced from azimuth 0); 0 = one omni antenna.
    pub sectors: usize,
    pub h_beamwidth_deg: f64,
    pub v_beamwidth_deg: f64,
    pub elec_tilt_deg: f64,
}

impl Default for PlannerParams {
    fn default() -> Self {
        Self {
            k: 10,
            max_gap_areas: 60,
            candidates_per_gap: 6,
            search_margin_m: 4000.0,
            road_max_m: 1000.0,
            min_separation_m: 1000.0,
            block_m: 300.0,
            operator: "proposed".into(),
            height_m: None,
            frequency_mhz: None,
            rs_eirp_dbm: None,
            sectors: 3,
            h_beamwidth_deg: 65.0,
            v_beamwidth_deg: 10.0,
            elec_tilt_deg: 2.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoverageParams {
    /// Handset antenna height above ground (m).
    pub rx_height_m: f64,
    /// Effective earth radius factor.
    pub k_factor: f64,
    /// Largest distance from a site at which signal is computed (m), unless a band overrides it.
    pub max_radius_m: f64,
    pub covered_dbm: f64,
    pub good_dbm: f64,
    pub min_rsrp_dbm: f64,
    /// Margins for reception inside a building and inside a car (dB): a hamlet is covered indoors
    /// (in a vehicle) where its RSRP less the margin reaches `covered_dbm`. Defaults: 15 dB, a rural
    /// indoor planning margin (low-loss buildings, ITU-R P.2109 "traditional" class at 0.9–1.8 GHz
    /// lies around 10–20 dB), and 9 dB, the mean car penetration loss of 3GPP TR 38.901 §7.4.3.2.
    pub indoor_loss_db: f64,
    pub in_vehicle_loss_db: f64,
    /// Radials stop where line of sight at boresight would be this far below `covered_dbm` (dB).
    pub reach_margin_db: f64,
    /// The build's sweep also leaves out, per direction and per cell, the cells no sector can bring
    /// to that floor (antenna pattern and terminal clutter counted; hamlets' cells always kept):
    /// see `coverage::cut`. `false` evaluates every cell within the radius.
    pub reach_per_cell: bool,
    /// Add terrain diffraction to the empirical model where the path is obstructed.
    pub diffraction: bool,
    pub diffraction_method: DiffractionMethod,
    /// Profile hull tolerance (m), see `coverage::hull`.
    pub hull_tolerance_m: f64,
    /// Settings of the ITM model for bands that use it (`[coverage.itm]`); its receiver height is
    /// `rx_height_m`.
    pub itm: ItmConfig,
    /// Largest gap between neighbouring radials, in DEM cells (1 = every cell is within half a cell
    /// of a radial sample).
    pub radial_gap_cells: f64,
    /// Antenna front-to-back ratio A_m (dB), TR 36.814.
    pub front_to_back_db: f64,
    /// Antenna vertical side-lobe level SLA_V (dB), TR 36.814.
    pub vertical_sidelobe_db: f64,
    pub bands: Vec<BandConfig>,
    /// A hamlet is fiber-ready when its network distance to an access point is at most this (m):
    /// the reach of a GPON distribution + drop cable from a splitter cabinet.
    pub fiber_drop_m: f64,
    /// Road line ends closer than this to another road are joined to it (m).
    pub road_snap_m: f64,
    /// Uncovered hamlets closer than this are one gap area (single linkage, m): about twice the
    /// radius one rural site covers in mountain terrain.
    pub gap_link_m: f64,
    pub planner: PlannerParams,
    /// `[coverage.calibration]`: drive-test calibration and location probability.
    pub calibration: super::calibration::CalibrationParams,
    /// Filled by the coverage stage from the calibration (never read from `dataset.toml`): EIRP
    /// offsets per operator × band and the location variability σ.
    #[serde(skip)]
    pub applied: super::calibration::Applied,
    /// Network quality: servers kept per cell, load, noise, throughput (`[coverage.quality]`).
    pub quality: crate::coverage::quality::QualityParams,
    /// Terminal clutter loss per land-cover class (`[coverage.clutter]`), applied at the receiver
    /// when the dataset has `[layers.landcover]`.
    pub clutter: super::clutter::ClutterParams,
}

impl Default for CoverageParams {
    fn default() -> Self {
        Self {
            rx_height_m: 1.5,
            k_factor: 4.0 / 3.0,
            max_radius_m: 20_000.0,
            covered_dbm: -110.0,
            good_dbm: -100.0,
            min_rsrp_dbm: -140.0,
            indoor_loss_db: 15.0,
            in_vehicle_loss_db: 9.0,
            reach_margin_db: 3.0,
            reach_per_cell: true,
            diffraction: true,
            diffraction_method: DiffractionMethod::Bullington,
            hull_tolerance_m: 0.5,
            itm: ItmConfig::default(),
            radial_gap_cells: 1.0,
            front_to_back_db: 25.0,
            vertical_sidelobe_db: 20.0,
            bands: vec![
                BandConfig {
                    min_mhz: 150.0,
                    max_mhz: 1500.0,
                    model: ModelKind::Hata,
                    environment: Environment::Open,
                    max_radius_m: None,
                },
                BandConfig {
                    min_mhz: 1500.0,
                    max_mhz: 2000.0,
                    model: ModelKind::Cost231,
                    environment: Environment::Open,
                    max_radius_m: None,
                },
            ],
            fiber_drop_m: 2000.0,
            road_snap_m: 10.0,
            gap_link_m: 3000.0,
            planner: PlannerParams::default(),
            calibration: Default::default(),
            applied: Default::default(),
            quality: Default::default(),
            clutter: Default::default(),
        }
    }
}

fn positive(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::param(format!("coverage.{name}"), format!("must be a positive number, got {v}")))
    }
}

fn non_negative(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Error::param(format!("coverage.{name}"), "must be ≥ 0"))
    }
}

impl CoverageParams {
    /// Check ranges and consistency; every error names the parameter.
    pub fn validate(&self) -> Result<()> {
        positive("rx_height_m", self.rx_height_m)?;
        positive("k_factor", self.k_factor)?;
        positive("max_radius_m", self.max_radius_m)?;
        positive("radial_gap_cells", self.radial_gap_cells)?;
        positive("front_to_back_db", self.front_to_back_db)?;
        positive("vertical_sidelobe_db", self.vertical_sidelobe_db)?;
        positive("fiber_drop_m", self.fiber_drop_m)?;
        positive("gap_link_m", self.gap_link_m)?;
        non_negative("reach_margin_db", self.reach_margin_db)?;
        for (n, v) in [("indoor_loss_db", self.indoor_loss_db), ("in_vehicle_loss_db", self.in_vehicle_loss_db)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::param(format!("coverage.{n}"), format!("must be ≥ 0 dB, got {v}")));
            }
        }
        non_negative("hull_tolerance_m", self.hull_tolerance_m)?;
        non_negative("road_snap_m", self.road_snap_m)?;
        for (n, v) in [("covered_dbm", self.covered_dbm), ("good_dbm", self.good_dbm), ("min_rsrp_dbm", self.min_rsrp_dbm)] {
            if !v.is_finite() {
                return Err(Error::param(format!("coverage.{n}"), "must be a number"));
            }
        }
        if !(self.min_rsrp_dbm <= self.covered_dbm && self.covered_dbm <= self.good_dbm) {
            return Err(Error::param(
                "coverage.covered_dbm",
                format!(
                    "thresholds must satisfy min_rsrp_dbm ≤ covered_dbm ≤ good_dbm (got {} ≤ {} ≤ {})",
                    self.min_rsrp_dbm, self.covered_dbm, self.good_dbm
                ),
            ));
        }
        if self.bands.is_empty() {
            return Err(Error::param("coverage.bands", "at least one band is needed"));
        }
        for (i, b) in self.bands.iter().enumerate() {
            let name = format!("coverage.bands[{i}]");
            if !(b.min_mhz.is_finite() && b.max_mhz.is_finite() && 0.0 < b.min_mhz && b.min_mhz <= b.max_mhz) {
                return Err(Error::param(name, format!("bad frequency range {}–{} MHz", b.min_mhz, b.max_mhz)));
            }
            let (lo, hi) = b.model.range_mhz();
            if b.min_mhz < lo || b.max_mhz > hi {
                return Err(Error::param(
                    name,
                    format!(
                        "{}–{} MHz is outside the {} model's range {lo}–{hi} MHz",
                        b.min_mhz,
                        b.max_mhz,
                        b.model.as_str()
                    ),
                ));
            }
            if let Some(r) = b.max_radius_m {
                positive(&format!("bands[{i}].max_radius_m"), r)?;
            }
        }
        if self.bands.iter().any(|b| b.model == ModelKind::Itm) {
            self.itm_params(30.0, 1000.0).map_err(|e| Error::param("coverage.itm", e.to_string()))?;
        }
        let p = &self.planner;
        positive("planner.search_margin_m", p.search_margin_m)?;
        positive("planner.road_max_m", p.road_max_m)?;
        positive("planner.block_m", p.block_m)?;
        non_negative("planner.min_separation_m", p.min_separation_m)?;
        for (n, v) in [("height_m", p.height_m), ("frequency_mhz", p.frequency_mhz)] {
            if let Some(v) = v {
                positive(&format!("planner.{n}"), v)?;
            }
        }
        if let Some(v) = p.rs_eirp_dbm {
            if !v.is_finite() {
                return Err(Error::param("coverage.planner.rs_eirp_dbm", "must be a number"));
            }
        }
        positive("planner.h_beamwidth_deg", p.h_beamwidth_deg)?;
        positive("planner.v_beamwidth_deg", p.v_beamwidth_deg)?;
        self.quality.validate()?;
        self.clutter.validate()?;
        self.calibration.validate()
    }

    /// The location variability σ (dB) of `operator` (`None`: the best server over all operators).
    pub fn sigma_db(&self, operator: Option<&str>) -> f64 {
        let from_cal = match operator {
            Some(op) => self.applied.sigma_db.iter().find(|(o, _)| o == op).map(|x| x.1),
            None => self.applied.sigma_any_db,
        };
        from_cal.unwrap_or(self.calibration.default_sigma_db)
    }

    /// The calibration's EIRP offset (dB) for `operator`'s transmitters at `f_mhz`.
    pub fn eirp_offset_db(&self, operator: &str, f_mhz: f64) -> f64 {
        super::calibration::offset_for(&self.applied, &self.calibration, operator, f_mhz)
    }

    /// Validated ITM parameters for a transmitter `h_tx_m` above ground at `f_mhz`.
    /// The propagation model of `band` for an antenna `h_tx_m` high at `f_mhz` (ITM's parameters
    /// checked for it).
    pub fn propagation(&self, band: &BandConfig, h_tx_m: f64, f_mhz: f64) -> std::result::Result<Propagation, ItmError> {
        Ok(match band.model {
            ModelKind::FreeSpace => Propagation::FreeSpace(FreeSpace),
            ModelKind::Hata => Propagation::Hata(Hata::okumura(band.environment)),
            ModelKind::Cost231 => Propagation::Hata(Hata::cost231(band.environment)),
            ModelKind::Itm => Propagation::Itm(self.itm_params(h_tx_m, f_mhz)?),
        })
    }

    pub fn itm_params(&self, h_tx_m: f64, f_mhz: f64) -> std::result::Result<ItmParams, ItmError> {
        ItmConfig { h_rx_m: self.rx_height_m, ..self.itm }.params(h_tx_m, f_mhz)
    }

    /// The band whose range holds `f_mhz` (first match), if any.
    /// The weakest boresight line-of-sight signal (dBm) a radial is walked for: the RSRP floor, or
    /// `reach_margin_db` under the covered threshold when that is higher (see the module note).
    pub fn reach_floor_dbm(&self) -> f64 {
        self.min_rsrp_dbm.max(self.covered_dbm - self.reach_margin_db)
    }

    pub fn band_for(&self, f_mhz: f64) -> Option<&BandConfig> {
        self.bands.iter().find(|b| f_mhz >= b.min_mhz && f_mhz <= b.max_mhz)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_deserialize_from_nothing() {
        crate::analysis::assert_defaults_valid_and_empty_table_default(CoverageParams::validate);
        let p: CoverageParams = toml::from_str(
            "covered_dbm = -105\n[[bands]]\nmin_mhz = 700\nmax_mhz = 1000\nmodel = \"hata\"\nenvironment = \"suburban\"\n",
        )
        .unwrap();
        assert_eq!(p.covered_dbm, -105.0);
        assert_eq!(p.bands.len(), 1);
        assert_eq!(p.bands[0].environment, Environment::Suburban);
        assert_eq!(p.band_for(900.0).unwrap().model, ModelKind::Hata);
        assert!(p.band_for(1800.0).is_none());
    }

    #[test]
    fn bad_values_name_the_parameter() {
        assert!(toml::from_str::<CoverageParams>("covred_dbm = -105").is_err());
        let p = CoverageParams { rx_height_m: f64::NAN, ..Default::default() };
        assert!(p.validate().unwrap_err().to_string().contains("coverage.rx_height_m"));
        let mut p = CoverageParams::default();
        p.bands[0].max_mhz = 1800.0;
        let e = p.validate().unwrap_err().to_string();
        assert!(e.contains("bands[0]") && e.contains("hata"), "{e}");
        let p = CoverageParams { covered_dbm: -90.0, ..Default::default() };
        assert!(p.validate().is_err());
    }
}
