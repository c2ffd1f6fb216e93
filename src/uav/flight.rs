//! One flight end to end, independent of where results go: validate the imagery, compute the index
//! rasters into `<root>/uav/<flight-id>/`, the statistics and health of every parcel it covers, and
//! the per-pixel change against the latest earlier flight over the same ground.
//! Used by the build stage and by ingest (CLI and upload endpoint) alike.

use std::path::{Path, PathBuf};
use std::time::Instant;

use geo::Intersects;

use super::camera::{Band, CameraSetup};
use super::change::write_change_raster;
use super::float_raster::F32Raster;
use super::index_rasters::write_index_rasters;
use super::indices::VegetationIndex;
use super::ortho::Orthomosaic;
use super::params::UavParams;
use super::parcels::{footprint_polygon, observe_parcels, parcels_in, same_crs};
use super::records::{FlightRecord, HealthRecord, Linkage};
use crate::crs::Transformer;
use crate::dataset::Orchard;
use crate::error::{Error, Result};
use crate::store::RasterStyle;

/// What to process.
#[derive(Debug, Clone)]
pub struct FlightSpec {
    pub id: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub images: Vec<PathBuf>,
    pub setup: CameraSetup,
}

/// Progress report: (step, done, total). Steps: "indices" (windows), "parcels", "change".
pub type ProgressFn<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// An earlier flight available for comparison: its record and its NDVI raster.
#[derive(Debug, Clone)]
pub struct EarlierFlight {
    pub record: FlightRecord,
    pub ndvi: PathBuf,
}

#[derive(Debug, Clone)]
pub struct FlightOutput {
    pub record: FlightRecord,
    /// One row per covered parcel (linkage not yet filled: see `records::relink`).
    pub rows: Vec<HealthRecord>,
    /// Raster files written, relative to the root (e.g. `uav/2026-04-07/ndvi.tif`), with their styles.
    pub rasters: Vec<(String, RasterStyle)>,
    pub pixels: u64,
    pub index_seconds: f64,
    pub zonal_seconds: f64,
    pub change_seconds: f64,
}

/// Check a flight date (YYYY-MM-DD, a real calendar date).
pub fn check_date(date: &str) -> Result<()> {
    let ok = date.len() == 10 && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok();
    if ok {
        Ok(())
    } else {
        Err(Error::param("date", format!("`{date}` is not a date in the form YYYY-MM-DD")))
    }
}

/// Check a flight id: it names a directory and appears in URLs.
pub fn check_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('.')
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(Error::param("flight id", format!("`{id}`: use letters, digits, '-', '_' or '.' (at most 64)")))
    }
}

/// Process `spec` over `orchards` (in `crs`, the working CRS), writing rasters under `root`.
/// `earlier` are flights before this one (any order); the change raster compares with the latest of
/// them whose footprint meets this one's.
pub fn process_flight(
    spec: &FlightSpec,
    orchards: &[Orchard],
    crs: &str,
    root: &Path,
    earlier: &[EarlierFlight],
    params: &UavParams,
    progress: ProgressFn,
) -> Result<FlightOutput> {
    check_id(&spec.id)?;
    check_date(&spec.date)?;
    params.validate()?;
    // Sizes from the headers, before any pixel is read: a sparse "bomb" must not fill the disk.
    super::limits::check_flight(&spec.images, params, root)?;
    let mut needed: Vec<Band> = VegetationIndex::ALL.iter().flat_map(|i| i.bands().iter().copied()).collect();
    needed.sort();
    needed.dedup();
    let ortho = Orthomosaic::open(&spec.images, &spec.setup, &needed)?;

    // A flight over no parcel is refused before any heavy work.
    if parcels_in(orchards, crs, &ortho.crs_wkt, &ortho.bounds())?.is_empty() {
        return Err(Error::input(
            ortho.label(),
            format!("the flight covers no orchard parcel (its extent meets none of the {} parcels)", orchards.len()),
        ));
    }
    let to_work = if same_crs(&ortho.crs_wkt, crs) { None } else { Some(Transformer::new(&ortho.crs_wkt, crs)?) };
    let footprint = footprint_polygon(&ortho.bounds(), to_work.as_ref())?;

    let rel_dir = format!("uav/{}", spec.id);
    let dir = root.join(&rel_dir);
    let t0 = Instant::now();
    let idx = write_index_rasters(&ortho, &dir, &VegetationIndex::ALL, &|d, t| progress("indices", d, t))?;
    let index_seconds = t0.elapsed().as_secs_f64();
    let mut rasters: Vec<(String, RasterStyle)> =
        VegetationIndex::ALL.iter().map(|i| (format!("{rel_dir}/{}.tif", i.name()), RasterStyle::VegetationIndex)).collect();

    let t1 = Instant::now();
    progress("parcels", 0, 1);
    let ndvi = F32Raster::open(idx.path(VegetationIndex::Ndvi).expect("ndvi written"))?;
    let ndre = F32Raster::open(idx.path(VegetationIndex::Ndre).expect("ndre written"))?;
    let obs = observe_parcels(&ndvi, Some(&ndre), orchards, crs, params)?;
    progress("parcels", 1, 1);
    let zonal_seconds = t1.elapsed().as_secs_f64();
    if obs.is_empty() {
        return Err(Error::input(
            ortho.label(),
            format!(
                "the flight covers no orchard parcel: none has {:.0}% of its area under valid pixels (uav.min_covered_fraction)",
                params.min_covered_fraction * 100.0
            ),
        ));
    }

    let t2 = Instant::now();
    let mut change_vs = None;
    let mut before: Vec<&EarlierFlight> = earlier.iter().filter(|e| e.record.date <= spec.date && e.record.id != spec.id).collect();
    before.sort_by(|a, b| (&b.record.date, &b.record.id).cmp(&(&a.record.date, &a.record.id)));
    if let Some(prev) = before.into_iter().find(|e| e.record.footprint.intersects(&footprint)) {
        progress("change", 0, 1);
        if write_change_raster(&ndvi, &prev.ndvi, &dir.join("ndvi_change.tif"))?.is_some() {
            change_vs = Some(prev.record.id.clone());
            rasters.push((format!("{rel_dir}/ndvi_change.tif"), RasterStyle::Change));
        }
        progress("change", 1, 1);
    }
    let change_seconds = t2.elapsed().as_secs_f64();

    let crs_name = crate::grid::io::spatial_ref(&ortho.crs_wkt)
        .ok()
        .and_then(|sr| crate::grid::io::crs_definition(&sr))
        .unwrap_or_else(|| ortho.crs_wkt.clone());
    let record = FlightRecord {
        id: spec.id.clone(),
        date: spec.date.clone(),
        camera: spec.setup.camera.name().to_string(),
        bands: spec.setup.mapping.describe(),
        scale: spec.setup.scale,
        // Absolute paths, so a rebuild can find the imagery again (see `ingest::ingested_flights`).
        images: spec.images.iter().map(|p| p.canonicalize().unwrap_or_else(|_| p.clone()).to_string_lossy().to_string()).collect(),
        gsd_m: ortho.gsd(),
        width: ortho.width,
        height: ortho.height,
        crs: crs_name,
        footprint,
        valid_pixels: idx.valid_pixels,
        ndvi_mean: idx.ndvi_mean,
        change_vs,
    };
    let rows = obs
        .into_iter()
        .map(|o| {
            let orchard = &orchards[o.index];
            HealthRecord {
                orchard_id: orchard.id,
                flight_id: spec.id.clone(),
                date: spec.date.clone(),
                crop: orchard.crop.as_str().to_string(),
                commune_code: orchard.commune_code.clone(),
                geom: orchard.geom.clone(),
                ndvi_mean: o.ndvi.mean,
                ndvi_std: o.ndvi.std,
                ndvi_p10: o.ndvi.p10,
                ndvi_p50: o.ndvi.p50,
                ndvi_p90: o.ndvi.p90,
                ndre_mean: o.ndre_mean,
                pixel_count: o.ndvi.count,
                covered_fraction: o.ndvi.covered_fraction,
                canopy_share: o.health.canopy_share,
                stressed_share: o.health.stressed_share,
                health_class: o.health.class,
                link: Linkage::default(),
            }
        })
        .collect();
    Ok(FlightOutput { record, rows, rasters, pixels: idx.pixels, index_seconds, zonal_seconds, change_seconds })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ids() {
        assert!(check_date("2026-03-10").is_ok());
        assert!(check_date("2026-02-30").is_err());
        assert!(check_date("10/03/2026").is_err());
        assert!(check_id("2026-03-10").is_ok());
        assert!(check_id("../x").is_err());
        assert!(check_id("").is_err());
    }
}
