//! The dataset model: what every analysis reads. All geometries are in the dataset's metric working
//! CRS (metres); ids are stable integers assigned in source order.

use geo::{LineString, MultiLineString, MultiPolygon, Point, Polygon};
use serde::{Deserialize, Serialize};

use crate::grid::Grid;

#[derive(Debug, Clone)]
pub struct District {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub geom: MultiPolygon<f64>,
}

#[derive(Debug, Clone)]
pub struct Commune {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub district_code: String,
    pub population: u32,
    pub households: u32,
    pub geom: MultiPolygon<f64>,
    /// The commune centre (seat of the People's Committee; where fiber must reach).
    pub centre: Point<f64>,
}

#[derive(Debug, Clone)]
pub struct Hamlet {
    pub id: i64,
    pub name: String,
    pub commune_code: String,
    pub population: u32,
    pub pos: Point<f64>,
}

#[derive(Debug, Clone)]
pub struct CellSite {
    pub id: i64,
    /// Short operator key, e.g. "viettel", "vnpt", "mobifone".
    pub operator: String,
    pub name: String,
    pub pos: Point<f64>,
    /// Ground elevation from the DEM at the site (filled by the loader).
    pub ground_m: f32,
    pub sectors: Vec<Sector>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sector {
    pub id: i64,
    pub site_id: i64,
    /// Boresight azimuth, degrees clockwise from north; `None` for an omni antenna.
    pub azimuth_deg: Option<f64>,
    /// Antenna height above ground (m).
    pub height_m: f64,
    pub mech_tilt_deg: f64,
    pub elec_tilt_deg: f64,
    /// Horizontal half-power beamwidth (degrees); ignored for omni.
    pub h_beamwidth_deg: f64,
    /// Vertical half-power beamwidth (degrees).
    pub v_beamwidth_deg: f64,
    /// Reference-signal power per resource element at the antenna port plus antenna gain (dBm), i.e. the
    /// boresight EIRP of one LTE resource element, from which RSRP = EIRP_RE − path loss − pattern loss.
    pub rs_eirp_dbm: f64,
    pub frequency_mhz: f64,
}

#[derive(Debug, Clone)]
pub struct Road {
    pub id: i64,
    pub name: String,
    /// "national", "provincial", "district", "commune" (synthesized connectors).
    pub class: String,
    pub geom: LineString<f64>,
}

#[derive(Debug, Clone)]
pub struct FiberRoute {
    pub id: i64,
    pub name: String,
    pub geom: LineString<f64>,
}

#[derive(Debug, Clone)]
pub struct FiberAccessPoint {
    pub id: i64,
    pub commune_code: String,
    pub pos: Point<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Crop {
    Mango,
    Longan,
}

impl Crop {
    pub fn as_str(&self) -> &'static str {
        match self {
            Crop::Mango => "mango",
            Crop::Longan => "longan",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mango" | "xoài" | "xoai" => Some(Crop::Mango),
            "longan" | "nhãn" | "nhan" => Some(Crop::Longan),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Orchard {
    pub id: i64,
    pub crop: Crop,
    pub commune_code: String,
    pub geom: Polygon<f64>,
}

#[derive(Debug, Clone)]
pub struct River {
    pub id: i64,
    pub name: String,
    pub strahler: i32,
    pub geom: MultiLineString<f64>,
}

/// A named point of interest (town, hydropower plant).
#[derive(Debug, Clone)]
pub struct Place {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub pos: Point<f64>,
}

/// One UAV flight as listed in the dataset: its imagery files and date.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UavFlightSource {
    pub id: String,
    pub date: String,
    pub camera: String,
    /// Band mapping (`red=3,nir=5,…`): required for camera `generic`, overrides a preset's otherwise.
    pub bands: Option<String>,
    /// Reflectance scale (DN × scale = reflectance) instead of the camera's own.
    pub scale: Option<f64>,
    pub images: Vec<std::path::PathBuf>,
}

/// Where a drive-test handset was: in the open, or inside a vehicle (adds the car body's loss).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureEnv {
    Outdoor,
    InVehicle,
}

impl MeasureEnv {
    pub fn as_str(&self) -> &'static str {
        match self {
            MeasureEnv::Outdoor => "outdoor",
            MeasureEnv::InVehicle => "in_vehicle",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "outdoor" => Some(MeasureEnv::Outdoor),
            "in_vehicle" | "vehicle" | "incar" | "in_car" => Some(MeasureEnv::InVehicle),
            _ => None,
        }
    }
}

/// One drive-test (or walk-test) RSRP sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Stable id, 1-based in source order.
    pub id: i64,
    /// Operator key (lowercase), one of the dataset's cell-site operators.
    pub operator: String,
    pub rsrp_dbm: f64,
    pub pos: Point<f64>,
    /// As given (ISO 8601 expected, kept as text).
    pub time: Option<String>,
    /// Carrier frequency band (MHz), e.g. 900 or 1800; `None` = the operator's best server on any band.
    pub band_mhz: Option<f64>,
    pub pci: Option<i64>,
    pub site_id: Option<i64>,
    pub environment: MeasureEnv,
    /// Added to a live store by `covermap measurements add` (carried over by the next build) rather
    /// than read from the dataset.
    pub added: bool,
}

/// Everything an analysis needs, loaded, reprojected and validated.
#[derive(Debug)]
pub struct Dataset {
    pub name: String,
    /// The metric working CRS, as PROJ/GDAL accept it (e.g. "EPSG:32648").
    pub crs: String,
    pub dem: Grid<f32>,
    pub province: MultiPolygon<f64>,
    pub districts: Vec<District>,
    pub communes: Vec<Commune>,
    pub hamlets: Vec<Hamlet>,
    pub sites: Vec<CellSite>,
    pub roads: Vec<Road>,
    pub fiber_routes: Vec<FiberRoute>,
    pub fiber_access_points: Vec<FiberAccessPoint>,
    pub orchards: Vec<Orchard>,
    pub rivers: Vec<River>,
    pub towns: Vec<Place>,
    pub hydropower: Vec<Place>,
    pub uav_flights: Vec<UavFlightSource>,
    /// Drive-test measurements (`[layers.measurements]`), empty when the dataset has none.
    pub measurements: Vec<Measurement>,
    /// The DEM file when `dem` holds exactly its content (same CRS, no warp, nodata −32768), so the
    /// store can copy it instead of re-encoding it.
    pub dem_source: Option<std::path::PathBuf>,
    /// ESA WorldCover classes on the DEM grid (`[layers.landcover]`, [`super::landcover`]), 0 where
    /// unknown; shared by every transmitter's receiver clutter. `None` without the layer.
    pub landcover: Option<std::sync::Arc<Grid<u8>>>,
}

impl Dataset {
    pub fn sectors(&self) -> impl Iterator<Item = (&CellSite, &Sector)> {
        self.sites.iter().flat_map(|s| s.sectors.iter().map(move |x| (s, x)))
    }

    /// Operators present, sorted.
    pub fn operators(&self) -> Vec<String> {
        let mut v: Vec<String> = self.sites.iter().map(|s| s.operator.clone()).collect();
        v.sort();
        v.dedup();
        v
    }
}
