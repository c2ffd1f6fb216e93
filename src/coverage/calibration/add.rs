//! `covermap measurements add`: a drive-test file added to a live results store. Its points are
//! validated against the store (on its DEM, operators with cell sites), compared with the store's
//! calibrated model — the operator's `rsrp_<operator>.tif` at the point, the car-body loss for
//! in-vehicle samples — and appended to the `measurements` layer with role `added`, through
//! [`StoreWriter::begin_update`] and one atomic swap, as a UAV flight is. The calibration itself is
//! refitted by the next `covermap build`, which carries the added points over (see
//! [`added_measurements`]).

use std::path::Path;
use std::sync::Mutex;

use crate::coverage::layers::operator_key;
use crate::dataset::measurements::{self, source_for_file};
use crate::dataset::{MeasureEnv, Measurement};
use crate::error::{Error, Result};
use crate::grid::Grid;
use crate::store::gpkg::read_layers;
use crate::store::{Layer, Row, StageTiming, StoreWriter, Value};

use super::fit::me_rmse;
use super::layers::{CALIBRATION, MEASUREMENTS};

static ADD_LOCK: Mutex<()> = Mutex::new(());

/// What an addition did: per operator (n, mean error, RMSE of measured − calibrated model).
#[derive(Debug, Clone, serde::Serialize)]
pub struct AddReport {
    pub added: usize,
    pub per_operator: Vec<(String, usize, Option<f64>, Option<f64>)>,
}

/// One applied calibration row: operator, band (MHz), offset (dB), number of points.
struct Offset {
    operator: String,
    band: Option<f64>,
    offset_db: f64,
    n: f64,
}

/// The applied offsets and the car-body loss of a stored `calibration` layer.
fn stored_calibration(c: &Layer, src: &Path) -> Result<(Vec<Offset>, Option<f64>)> {
    let mut offsets = Vec::new();
    let mut loss = None;
    for r in Row::all(c, src) {
        if r.i == 0 {
            loss = r.opt_real("in_vehicle_loss_db")?;
        }
        if r.opt_real("applied")? != Some(1.0) {
            continue;
        }
        let Some(operator) = r.opt_text("operator")? else { continue };
        offsets.push(Offset { operator, band: r.opt_real("band")?, offset_db: r.opt_real("offset_db")?.unwrap_or(0.0), n: r.opt_real("n")?.unwrap_or(0.0) });
    }
    Ok((offsets, loss))
}

/// Add the measurements of `file` to the store at `store`.
pub fn add_measurements(store: &Path, file: &Path) -> Result<AddReport> {
    let _guard = ADD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let t0 = std::time::Instant::now();
    let (mut writer, mut manifest) = StoreWriter::begin_update(store)?;
    let root = writer.staging_dir().to_path_buf();
    let mut layers = read_layers(&root, &["cell_sites", MEASUREMENTS, CALIBRATION])?;
    let gpkg = root.join(crate::store::RESULTS_GPKG);
    let sites = layers[0].take().ok_or_else(|| Error::store(store, "no `cell_sites` layer: build the store from a dataset with cell sites first"))?;
    let mut ops: Vec<String> = Row::all(&sites, &gpkg).filter_map(|r| r.opt_text("operator").transpose()).collect::<Result<_>>()?;
    ops.sort();
    ops.dedup();
    let (dem, _) = crate::grid::io::read_raster_f32(&root.join("dem.tif"), 1)?;
    let existing = layers[1].take();
    let first_id = existing.as_ref().map_or(0, |l| l.features.iter().map(|f| f.id).max().unwrap_or(0)) + 1;
    let src = source_for_file(file);
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let src = crate::dataset::config::LayerSource { file: file.file_name().map(Into::into).unwrap_or_default(), ..src };
    let new = measurements::read(&dir, &src, &manifest.crs, &dem, &ops, first_id)?;
    if new.is_empty() {
        return Err(Error::layer(file, MEASUREMENTS, "the file has no measurements"));
    }
    // The calibration as built: car-body loss, offsets per operator × band.
    let (cal, loss) = match layers[2].take() {
        Some(c) => stored_calibration(&c, &gpkg)?,
        None => (Vec::new(), None),
    };
    let loss = loss.unwrap_or(super::DEFAULT_IN_VEHICLE_LOSS_DB);
    let offset = |op: &str, band: Option<f64>| -> f64 {
        let rows: Vec<&Offset> = cal.iter().filter(|o| o.operator == op).collect();
        match band {
            Some(b) => rows.iter().find(|o| o.band.is_some_and(|x| (x - b).abs() <= 0.1 * b)).map_or(0.0, |o| o.offset_db),
            None => {
                let (s, n) = rows.iter().fold((0.0, 0.0), |(s, n), o| (s + o.n * o.offset_db, n + o.n));
                if n > 0.0 { s / n } else { 0.0 }
            }
        }
    };
    let mut rasters: std::collections::BTreeMap<String, Grid<f32>> = Default::default();
    for op in &ops {
        let p = root.join(format!("rsrp_{}.tif", operator_key(op)));
        if p.exists() {
            rasters.insert(op.clone(), crate::grid::io::read_raster_f32(&p, 1)?.0);
        }
    }
    let mut layer = existing.unwrap_or_else(|| empty_layer(&manifest.crs));
    let mut errs: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for m in &new {
        let model = rasters.get(&m.operator).and_then(|g| {
            let (c, r) = g.cell_of(m.pos.x(), m.pos.y())?;
            let v = g.get(c, r);
            (!g.is_nodata(v) && v.is_finite()).then_some(v as f64)
        });
        let veh = if m.environment == MeasureEnv::InVehicle { loss } else { 0.0 };
        let calibrated = model.map(|v| v - veh);
        let predicted = model.map(|v| v - offset(&m.operator, m.band_mhz));
        if let Some(c) = calibrated {
            errs.entry(m.operator.clone()).or_default().push(m.rsrp_dbm - c);
        }
        push_row(&mut layer, m, predicted, calibrated);
    }
    writer.put_layer(&layer)?;
    manifest.timings.push(StageTiming {
        stage: format!("measurements add {}", file.display()),
        seconds: t0.elapsed().as_secs_f64(),
        detail: format!("{} measurements", new.len()),
    });
    writer.commit(manifest)?;
    Ok(AddReport {
        added: new.len(),
        per_operator: errs
            .into_iter()
            .map(|(op, e)| {
                let (me, rmse) = me_rmse(&e).unzip();
                (op, e.len(), me, rmse)
            })
            .collect(),
    })
}

fn empty_layer(crs: &str) -> Layer {
    let ds = crate::coverage::synthetic::empty_dataset(Grid::new(1, 1, crate::grid::GeoTransform { x0: 0.0, y0: 1.0, dx: 1.0, dy: 1.0 }, 0f32, None));
    let cal = super::Calibration {
        points: vec![],
        groups: vec![],
        operators: vec![],
        in_vehicle_loss: super::VehicleLoss { db: 0.0, estimated: false },
        enabled: false,
        applied: Default::default(),
        suspect_off_air: vec![],
    };
    let mut l = super::layers::measurements_layer(&ds, &cal);
    l.crs = crs.to_string();
    l
}

fn push_row(l: &mut Layer, m: &Measurement, predicted: Option<f64>, calibrated: Option<f64>) {
    let r2 = |v: Option<f64>| -> Value { v.map(|x| (x * 100.0).round() / 100.0).into() };
    let vals: Vec<(&str, Value)> = vec![
        ("operator", m.operator.clone().into()),
        ("band", m.band_mhz.into()),
        ("measured_dbm", m.rsrp_dbm.into()),
        ("predicted_dbm", r2(predicted)),
        ("calibrated_dbm", r2(calibrated)),
        ("residual_db", r2(predicted.map(|p| m.rsrp_dbm - p))),
        ("calibrated_residual_db", r2(calibrated.map(|c| m.rsrp_dbm - c))),
        ("holdout", 0i64.into()),
        ("role", "added".into()),
        ("source", "added".into()),
        ("environment", m.environment.as_str().into()),
        ("time", m.time.clone().into()),
        ("pci", m.pci.into()),
        ("site_id", m.site_id.into()),
    ];
    let values = l.fields.iter().map(|f| vals.iter().find(|(n, _)| *n == f.name).map_or(Value::Null, |v| v.1.clone())).collect();
    l.push(m.id, Some(geo::Geometry::Point(m.pos)), values);
}

/// Measurements added to the store at `store` by `measurements add` (role `added`), for the next
/// build to carry over and fit; ids continue after `after_id`. Empty when there is no such store.
pub fn added_measurements(store: &Path, after_id: i64) -> Result<Vec<Measurement>> {
    if !store.join(crate::store::RESULTS_GPKG).exists() {
        return Ok(vec![]);
    }
    let Ok(mut layers) = read_layers(store, &[MEASUREMENTS]) else { return Ok(vec![]) };
    let Some(l) = layers[0].take() else { return Ok(vec![]) };
    let gpkg = store.join(crate::store::RESULTS_GPKG);
    let mut out = Vec::new();
    for r in Row::all(&l, &gpkg) {
        if r.opt_text("source")?.as_deref() != Some("added") {
            continue;
        }
        let Some(geo::Geometry::Point(pos)) = l.features[r.i].geometry else { continue };
        let (Some(operator), Some(rsrp)) = (r.opt_text("operator")?, r.opt_real("measured_dbm")?) else { continue };
        out.push(Measurement {
            id: after_id + out.len() as i64 + 1,
            operator,
            rsrp_dbm: rsrp,
            pos,
            time: r.opt_text("time")?,
            band_mhz: r.opt_real("band")?,
            pci: r.opt_int("pci")?,
            site_id: r.opt_int("site_id")?,
            environment: r.parsed("environment", "environment (outdoor or in_vehicle)", MeasureEnv::parse)?.unwrap_or(MeasureEnv::Outdoor),
            added: true,
        });
    }
    Ok(out)
}
