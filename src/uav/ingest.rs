//! Adding a flight to a live results store (CLI `covermap uav ingest` and the upload endpoint): the
//! parcels come from the store's `orchards` layer, the earlier flights from its `uav_flights` and
//! `orchard_health` layers. Everything is written through [`StoreWriter::begin_update`] into a staging
//! copy of the store and swapped in atomically at the end, so what is served stays untouched until
//! the new flight is complete — and stays exactly as it was if the flight is refused or fails.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use geo::Intersects;

use super::camera::CameraSetup;
use super::change::write_change_raster;
use super::flight::{process_flight, EarlierFlight, FlightSpec, ProgressFn};
use super::float_raster::F32Raster;
use super::layers::{flight_records, flights_layer, health_layer, health_rows, ORCHARD_HEALTH, UAV_FLIGHTS};
use super::params::UavParams;
use super::records::{declines, relink, FlightRecord};
use crate::dataset::{Crop, Orchard};
use crate::error::{Error, Result};
use crate::store::{Layer, RasterStyle, Row, StageTiming, StoreWriter};

/// One store update at a time per process: the staging directory is per store and process.
static INGEST_LOCK: Mutex<()> = Mutex::new(());

/// Everything an ingest can be told.
#[derive(Debug, Clone)]
pub struct IngestRequest {
    pub images: Vec<PathBuf>,
    /// YYYY-MM-DD.
    pub date: String,
    /// `p4m`, `rededge`, `altum` or `generic`.
    pub camera: String,
    /// `--bands` mapping, e.g. `red=3,nir=5` (required for `generic`).
    pub bands: Option<String>,
    /// Reflectance per stored unit, overriding file metadata and presets.
    pub scale: Option<f64>,
    /// Flight id; default: the date, with `-2`, `-3`… when taken.
    pub id: Option<String>,
}

/// A parcel whose health fell with this flight.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Decline {
    pub orchard_id: i64,
    pub crop: String,
    pub from: String,
    pub to: String,
    pub ndvi_change: Option<f64>,
}

/// What an ingest did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IngestReport {
    pub flight_id: String,
    pub date: String,
    pub parcels: usize,
    /// Parcels whose health fell, worst first.
    pub declined: Vec<Decline>,
    pub change_vs: Option<String>,
    pub rasters: Vec<String>,
    pub pixels: u64,
    pub seconds: f64,
}

/// Ingest a flight into the store at `store_dir` (see [`ingest_request`]).
pub fn ingest_flight(
    store_dir: &Path,
    images: &[PathBuf],
    date: &str,
    camera: &str,
    bands: Option<&str>,
    progress: ProgressFn,
) -> Result<IngestReport> {
    let req = IngestRequest {
        images: images.to_vec(),
        date: date.to_string(),
        camera: camera.to_string(),
        bands: bands.map(str::to_string),
        scale: None,
        id: None,
    };
    ingest_request(store_dir, &req, progress)
}

/// Ingest a flight: indices, parcel statistics and health, change against the previous flight, and
/// the updated `orchard_health` / `uav_flights` layers, committed atomically. Blocking; call it from
/// `spawn_blocking` in a server. Errors leave the store exactly as it was.
pub fn ingest_request(store_dir: &Path, req: &IngestRequest, progress: ProgressFn) -> Result<IngestReport> {
    let _guard = INGEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let t0 = Instant::now();
    let setup = CameraSetup::new(&req.camera, req.bands.as_deref(), req.scale)?;
    if !store_dir.join(crate::store::MANIFEST_JSON).exists() {
        return Err(Error::store(store_dir, "no manifest.json: run `covermap build` first"));
    }
    // The store's write lock first (waiting for another ingest, upload or build, in any process),
    // then everything this flight builds on read from the copy of the store as it is now: a flight
    // added meanwhile by another writer is in it and kept.
    let (mut writer, mut manifest) = StoreWriter::begin_update(store_dir)?;
    let root = writer.staging_dir().to_path_buf();
    let (manifest_now, mut layers) = read_uav_layers(&root, &["orchards", ORCHARD_HEALTH, UAV_FLIGHTS])?;
    let gpkg = store_dir.join(crate::store::RESULTS_GPKG);
    let orchards_layer = layers[0]
        .take()
        .ok_or_else(|| Error::store(store_dir, "no `orchards` layer: build the dataset (covermap build) first"))?;
    let orchards = orchards_from_layer(&orchards_layer, &gpkg)?;
    let crs = if orchards_layer.crs.is_empty() { manifest_now.crs.clone() } else { orchards_layer.crs.clone() };
    let params: UavParams = match manifest_now.params.get("uav") {
        Some(v) if !v.is_null() => serde_json::from_value(v.clone())
            .map_err(|e| Error::store(store_dir, format!("manifest parameters [uav]: {e}")))?,
        _ => UavParams::default(),
    };
    let mut rows = match &layers[1] {
        Some(l) => health_rows(l, &gpkg)?,
        None => Vec::new(),
    };
    let mut flights = match &layers[2] {
        Some(l) => flight_records(l, &gpkg)?,
        None => Vec::new(),
    };

    let id = match &req.id {
        Some(id) => {
            if flights.iter().any(|f| &f.id == id) {
                return Err(Error::param("flight id", format!("a flight `{id}` is already in the store")));
            }
            id.clone()
        }
        None => unique_id(&req.date, &flights),
    };
    let spec = FlightSpec { id: id.clone(), date: req.date.clone(), images: req.images.clone(), setup };

    let earlier: Vec<EarlierFlight> = flights
        .iter()
        .map(|f| EarlierFlight { record: f.clone(), ndvi: root.join(format!("uav/{}/ndvi.tif", f.id)) })
        .filter(|e| e.ndvi.exists())
        .collect();
    let out = process_flight(&spec, &orchards, &crs, &root, &earlier, &params, progress)?;
    for (r, style) in &out.rasters {
        writer.register_raster(r, *style);
    }
    flights.push(out.record.clone());
    let redone = redo_later_changes(&mut flights, &out.record, &root)?;
    for r in &redone {
        writer.register_raster(r, RasterStyle::Change);
    }
    rows.extend(out.rows.iter().cloned());
    relink(&mut rows);
    writer.put_layer(&health_layer(&rows, &crs))?;
    writer.put_layer(&flights_layer(&flights, &rows, &crs))?;
    let seconds = t0.elapsed().as_secs_f64();
    manifest.timings.push(StageTiming {
        stage: format!("uav ingest {id}"),
        seconds,
        detail: format!("{:.1} M pixels, {:.1} M pixels/s (indices)", out.pixels as f64 / 1e6, out.pixels as f64 / 1e6 / out.index_seconds.max(1e-9)),
    });
    writer.commit(manifest)?;

    let declined = declines(&rows, &id)
        .into_iter()
        .map(|r| Decline {
            orchard_id: r.orchard_id,
            crop: r.crop.clone(),
            from: r.link.prev_health_class.map(|c| c.name().to_string()).unwrap_or_default(),
            to: r.health_class.name().to_string(),
            ndvi_change: r.link.ndvi_change,
        })
        .collect();
    Ok(IngestReport {
        flight_id: id,
        date: req.date.clone(),
        parcels: out.rows.len(),
        declined,
        change_vs: out.record.change_vs.clone(),
        rasters: out.rasters.into_iter().map(|(r, _)| r).collect(),
        pixels: out.pixels,
        seconds,
    })
}

/// Flights recorded in the store at `store_dir` (its `uav_flights` layer) that are not in `known`,
/// as dataset flight sources — for a rebuild to carry over flights added by `uav ingest` or upload.
/// Only flights whose images still exist are returned, with the band mapping and scale they were
/// ingested with.
pub fn ingested_flights(store_dir: &Path, known: &[crate::dataset::UavFlightSource]) -> Result<Vec<crate::dataset::UavFlightSource>> {
    let Ok((_, mut layers)) = read_uav_layers(store_dir, &[UAV_FLIGHTS]) else { return Ok(Vec::new()) };
    let Some(l) = layers[0].take() else { return Ok(Vec::new()) };
    let gpkg = store_dir.join(crate::store::RESULTS_GPKG);
    Ok(flight_records(&l, &gpkg)?
        .into_iter()
        .filter(|f| !known.iter().any(|k| k.id == f.id))
        .map(|f| crate::dataset::UavFlightSource {
            id: f.id,
            date: f.date,
            camera: f.camera,
            bands: Some(f.bands).filter(|b| !b.is_empty()),
            scale: f.scale,
            images: f.images.iter().map(PathBuf::from).collect(),
        })
        .filter(|s| !s.images.is_empty() && s.images.iter().all(|p| p.exists()))
        .collect())
}

/// The manifest and the named layers (`None` when absent) of a store — only those, not every layer
/// of results.gpkg as `Store::open` would.
fn read_uav_layers(store_dir: &Path, names: &[&str]) -> Result<(crate::store::Manifest, Vec<Option<Layer>>)> {
    let mpath = store_dir.join(crate::store::MANIFEST_JSON);
    if !mpath.exists() {
        return Err(Error::store(store_dir, "no manifest.json: run `covermap build` first"));
    }
    let manifest = crate::store::Manifest::read(&mpath)?;
    let layers = crate::store::gpkg::read_layers(store_dir, names)?;
    Ok((manifest, layers))
}

/// The date, or the date with `-2`, `-3`… when a flight of that id exists.
fn unique_id(date: &str, flights: &[FlightRecord]) -> String {
    let taken = |s: &str| flights.iter().any(|f| f.id == s);
    if !taken(date) {
        return date.to_string();
    }
    (2..).map(|k| format!("{date}-{k}")).find(|s| !taken(s)).expect("an unused suffix exists")
}

/// A flight inserted before later flights becomes their comparison base where it is now the latest
/// earlier flight over their ground: recompute those change rasters (new files, never written through
/// the hard-linked old ones). Returns the rasters rewritten.
fn redo_later_changes(flights: &mut [FlightRecord], new: &FlightRecord, root: &Path) -> Result<Vec<String>> {
    let mut redone = Vec::new();
    let snapshot: Vec<FlightRecord> = flights.to_vec();
    for f in flights.iter_mut().filter(|f| (&f.date, &f.id) > (&new.date, &new.id)) {
        let base = snapshot
            .iter()
            .filter(|e| (&e.date, &e.id) < (&f.date, &f.id) && e.footprint.intersects(&f.footprint))
            .max_by(|a, b| (&a.date, &a.id).cmp(&(&b.date, &b.id)));
        if base.map(|b| &b.id) != Some(&new.id) {
            continue;
        }
        let ndvi = F32Raster::open(&root.join(format!("uav/{}/ndvi.tif", f.id)))?;
        let rel = format!("uav/{}/ndvi_change.tif", f.id);
        if write_change_raster(&ndvi, &root.join(format!("uav/{}/ndvi.tif", new.id)), &root.join(&rel))?.is_some() {
            f.change_vs = Some(new.id.clone());
            redone.push(rel);
        }
    }
    Ok(redone)
}

/// Parcels from a store's `orchards` layer (`crop`, optional `commune_code`; the feature id).
pub fn orchards_from_layer(layer: &Layer, src: &Path) -> Result<Vec<Orchard>> {
    Row::all(layer, src)
        .map(|r| {
            r.get("crop")?;
            let crop_s = r.opt_text("crop")?.unwrap_or_default();
            let crop = Crop::parse(&crop_s).ok_or_else(|| r.error(format!("unknown crop `{crop_s}` (mango or longan)")))?;
            let geom = r.polygon().map_err(|_| r.error("geometry is not a single polygon"))?;
            let commune_code = r.opt_text("commune_code")?.unwrap_or_default();
            Ok(Orchard { id: r.fid(), crop, commune_code, geom })
        })
        .collect()
}
