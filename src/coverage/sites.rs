//! Cell sites made ready for the engine: every sector validated (a clear error naming the site and
//! sector for a missing or out-of-band frequency, a non-numeric height, a site off the DEM), then the
//! sectors of a site that share antenna height and frequency grouped into one [`Transmitter`] — their
//! terrain profiles are identical, so one radial sweep serves them all and only the antenna pattern
//! differs per sector.

use crate::radio::antenna::AntennaPattern;
use super::clutter::ReceiverClutter;
use super::params::CoverageParams;
use crate::radio::Propagation;
use crate::dataset::{CellSite, Dataset, Sector};
use crate::error::{Error, Result};
use crate::grid::Grid;

/// One sector's radio: its pattern and boresight EIRP per resource element.
#[derive(Debug, Clone)]
pub struct SectorRadio {
    pub sector_id: i64,
    pub pattern: AntennaPattern,
    pub eirp_dbm: f32,
}

/// The sectors of one site sharing antenna height and frequency.
#[derive(Debug, Clone)]
pub struct Transmitter {
    pub x: f64,
    pub y: f64,
    /// Ground elevation at the site (m, DEM).
    pub ground_m: f32,
    pub height_m: f64,
    pub f_mhz: f64,
    /// The band's propagation model (with ITM's parameters when it is ITM).
    pub propagation: Propagation,
    pub radius_m: f64,
    pub sectors: Vec<SectorRadio>,
    pub max_eirp_dbm: f32,
    /// The receiver's clutter loss by land-cover class at this frequency; `None` without a
    /// land-cover layer (then nothing is added anywhere).
    pub clutter: Option<ReceiverClutter>,
}

/// A site with its transmitters.
#[derive(Debug, Clone)]
pub struct PreparedSite {
    /// "id (name)", for messages.
    pub label: String,
    /// Index in `Dataset::sites` (or past its end for planner candidates).
    pub index: usize,
    pub id: i64,
    pub operator: String,
    pub x: f64,
    pub y: f64,
    pub txs: Vec<Transmitter>,
}

/// Bilinear DEM elevation at a world point, `None` off the grid or next to nodata.
pub fn dem_elevation(dem: &Grid<f32>, x: f64, y: f64) -> Option<f32> {
    let v = dem.sample_bilinear(x, y)?;
    if v.is_nan() {
        None
    } else {
        Some(v)
    }
}

fn site_error(ds: &Dataset, site: &CellSite, problem: String) -> Error {
    Error::feature(&ds.name, "sites", format!("{} ({})", site.id, site.name), problem)
}

fn finite(v: f64) -> bool {
    v.is_finite()
}

fn check_sector(ds: &Dataset, site: &CellSite, s: &Sector, params: &CoverageParams) -> Result<()> {
    let err = |p: String| site_error(ds, site, format!("sector {}: {p}", s.id));
    if !(finite(s.frequency_mhz) && s.frequency_mhz > 0.0) {
        return Err(err(format!("no valid frequency (got {})", s.frequency_mhz)));
    }
    if params.band_for(s.frequency_mhz).is_none() {
        let bands: Vec<String> = params
            .bands
            .iter()
            .map(|b| format!("{}–{} MHz ({})", b.min_mhz, b.max_mhz, b.model.as_str()))
            .collect();
        return Err(err(format!(
            "frequency {} MHz is outside every configured propagation model's band: {}",
            s.frequency_mhz,
            bands.join(", ")
        )));
    }
    if !(finite(s.height_m) && s.height_m > 0.0) {
        return Err(err(format!("antenna height must be a positive number of metres (got {})", s.height_m)));
    }
    if let Some(a) = s.azimuth_deg {
        if !finite(a) {
            return Err(err(format!("azimuth is not a number (got {a})")));
        }
        if !(finite(s.h_beamwidth_deg) && s.h_beamwidth_deg > 0.0 && s.h_beamwidth_deg <= 360.0) {
            return Err(err(format!("horizontal beamwidth must be in (0, 360] degrees (got {})", s.h_beamwidth_deg)));
        }
    }
    if !(finite(s.v_beamwidth_deg) && s.v_beamwidth_deg > 0.0 && s.v_beamwidth_deg <= 180.0) {
        return Err(err(format!("vertical beamwidth must be in (0, 180] degrees (got {})", s.v_beamwidth_deg)));
    }
    if !(finite(s.mech_tilt_deg) && finite(s.elec_tilt_deg)) {
        return Err(err(format!("tilt is not a number (mechanical {}, electrical {})", s.mech_tilt_deg, s.elec_tilt_deg)));
    }
    if !finite(s.rs_eirp_dbm) {
        return Err(err(format!("RS EIRP is not a number (got {})", s.rs_eirp_dbm)));
    }
    Ok(())
}

/// Validate one site and group its sectors into transmitters.
pub fn prepare_site(ds: &Dataset, index: usize, site: &CellSite, params: &CoverageParams) -> Result<PreparedSite> {
    let (x, y) = (site.pos.x(), site.pos.y());
    if !(x.is_finite() && y.is_finite()) || ds.dem.cell_of(x, y).is_none() {
        return Err(site_error(ds, site, format!("position ({x:.1}, {y:.1}) is outside the DEM")));
    }
    let ground = dem_elevation(&ds.dem, x, y)
        .ok_or_else(|| site_error(ds, site, format!("the DEM has no elevation at ({x:.1}, {y:.1})")))?;
    if site.sectors.is_empty() {
        return Err(site_error(ds, site, "has no sectors".into()));
    }
    if let Some(lc) = &ds.landcover {
        // The engine reads a receiver's class at its DEM cell index: the grids must be one.
        if (lc.width, lc.height) != (ds.dem.width, ds.dem.height) || lc.transform != ds.dem.transform {
            return Err(Error::layer(
                &ds.name,
                crate::dataset::landcover::LAYER,
                format!("land cover is {} × {} cells, not on the DEM's {} × {} grid", lc.width, lc.height, ds.dem.width, ds.dem.height),
            ));
        }
    }
    let mut txs: Vec<Transmitter> = Vec::new();
    for s in &site.sectors {
        check_sector(ds, site, s, params)?;
        let band = params.band_for(s.frequency_mhz).expect("checked above");
        let propagation = params.propagation(band, s.height_m, s.frequency_mhz).map_err(|e| {
            site_error(ds, site, format!("sector {}: ITM cannot model it: {e} (code {})", s.id, e.code()))
        })?;
        let radio = SectorRadio {
            sector_id: s.id,
            pattern: AntennaPattern::new(
                s.azimuth_deg,
                s.h_beamwidth_deg,
                s.v_beamwidth_deg,
                s.elec_tilt_deg,
                s.mech_tilt_deg,
                params.front_to_back_db,
                params.vertical_sidelobe_db,
            ),
            // The drive-test calibration's correction of this operator × band (0 without one).
            eirp_dbm: (s.rs_eirp_dbm + params.eirp_offset_db(&site.operator, s.frequency_mhz)) as f32,
        };
        match txs.iter_mut().find(|t| t.height_m == s.height_m && t.f_mhz == s.frequency_mhz) {
            Some(t) => {
                t.max_eirp_dbm = t.max_eirp_dbm.max(radio.eirp_dbm);
                t.sectors.push(radio);
            }
            None => txs.push(Transmitter {
                clutter: match &ds.landcover {
                    Some(classes) => Some(ReceiverClutter::new(
                        classes.clone(),
                        params.clutter.table_db(s.frequency_mhz, params.rx_height_m).map_err(|e| site_error(ds, site, format!("sector {}: {e}", s.id)))?,
                    )),
                    None => None,
                },
                x,
                y,
                ground_m: ground,
                height_m: s.height_m,
                f_mhz: s.frequency_mhz,
                propagation,
                radius_m: band.max_radius_m.map_or(params.max_radius_m, |r| r.min(params.max_radius_m)),
                max_eirp_dbm: radio.eirp_dbm,
                sectors: vec![radio],
            }),
        }
    }
    Ok(PreparedSite { label: format!("{} ({})", site.id, site.name), index, id: site.id, operator: site.operator.clone(), x, y, txs })
}

/// Validate and prepare every site of the dataset (the first bad site is the error).
pub fn prepare_sites(ds: &Dataset, params: &CoverageParams) -> Result<Vec<PreparedSite>> {
    ds.sites.iter().enumerate().map(|(i, s)| prepare_site(ds, i, s, params)).collect()
}
