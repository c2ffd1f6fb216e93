//! `covermap build`: dataset → results store. Loads and validates the dataset, runs every analysis
//! stage, writes their layers and rasters into a staging store and swaps it in atomically with the
//! manifest. Skips all work when the store is fresh (same inputs, parameters and program version).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::dataset::{self, DatasetConfig};
use crate::error::{Error, Result};
use crate::store::{Manifest, StageTiming, StoreWriter, MANIFEST_JSON};

pub struct BuildOptions {
    pub data: PathBuf,
    pub out: PathBuf,
    pub force: bool,
}

pub enum BuildOutcome {
    Fresh,
    Built(Manifest),
}

/// Stage timings collected as the build runs, printed as they finish.
#[derive(Default)]
pub struct Timings(pub Vec<StageTiming>);

impl Timings {
    pub fn record(&mut self, stage: &str, start: Instant, detail: impl Into<String>) {
        let t = StageTiming { stage: stage.into(), seconds: start.elapsed().as_secs_f64(), detail: detail.into() };
        eprintln!("  {:<28} {:>8.2} s  {}", t.stage, t.seconds, t.detail);
        self.0.push(t);
    }
}

/// The effective parameters as `manifest.json` records them: every key, defaults included, so the
/// store says exactly which thresholds its counts, colour maps and legends used.
pub fn params_value(
    crs: &str,
    coverage: &crate::coverage::CoverageParams,
    risk: &crate::risk::RiskParams,
    uav: &crate::uav::UavParams,
) -> serde_json::Value {
    serde_json::json!({"crs": crs, "coverage": coverage, "risk": risk, "uav": uav})
}

/// [`params_value`] of a dataset's `dataset.toml` (an invalid section is an error naming it).
pub fn effective_params(cfg: &DatasetConfig) -> Result<serde_json::Value> {
    Ok(params_value(&cfg.crs, &cfg.params("coverage")?, &cfg.params("risk")?, &cfg.params("uav")?))
}

/// The program's identity for stale detection: its version plus a fingerprint of the sources it was
/// built from (the build script's `COVERMAP_SOURCE_HASH`), so changed analyses rebuild the store while
/// every executable of the same sources — `cargo build`'s and `cargo test`'s, whose bytes differ by
/// the dev-dependencies' features — finds it fresh.
pub fn program_version() -> String {
    format!("{}+{}", env!("CARGO_PKG_VERSION"), &env!("COVERMAP_SOURCE_HASH")[..12])
}

/// Whether the store at `out` was built by this version with these parameters from the inputs
/// whose checksums `inputs` gives (asked only when the rest matches; `None`: an input is missing).
fn store_matches(
    cfg: &DatasetConfig,
    out: &Path,
    inputs: impl FnOnce() -> Result<Option<BTreeMap<String, String>>>,
) -> Result<bool> {
    let Ok(m) = Manifest::read(&out.join(MANIFEST_JSON)) else { return Ok(false) };
    if m.covermap_version != program_version() || m.params != effective_params(cfg)? {
        return Ok(false);
    }
    Ok(inputs()?.is_some_and(|i| i == m.inputs))
}

/// Whether the store at `out` was built from exactly these inputs by this version.
pub fn is_fresh(cfg: &DatasetConfig, data: &Path, out: &Path) -> Result<bool> {
    store_matches(cfg, out, || {
        let files = cfg.input_files(data);
        if files.iter().any(|f| !f.exists()) {
            return Ok(None);
        }
        crate::store::manifest::checksums(data, &files).map(Some)
    })
}

/// The error for an input file named in dataset.toml that does not exist, naming its layer.
fn missing_input(cfg: &DatasetConfig, data: &Path, missing: &Path) -> Error {
    let problem = "file not found (named in dataset.toml)";
    if data.join(&cfg.dem.file) == missing {
        return Error::layer(missing, "dem", problem);
    }
    match cfg.layers.iter().find(|(_, l)| data.join(&l.file) == missing) {
        Some((name, _)) => Error::layer(missing, name, problem),
        None => Error::input(missing, problem),
    }
}

/// Results computed elsewhere that a build takes instead of computing them (`covermap merge`: the
/// shards' coverage sweeps and the tiled hydrology). Each must equal what the build would compute.
#[derive(Default)]
pub struct Precomputed<'a> {
    pub sweep: Option<&'a mut dyn crate::coverage::SweepSource>,
    pub hydrology: Option<crate::risk::Hydrology<'a>>,
}

/// Every analysis's parameters, parsed and range-checked.
struct Params {
    coverage: crate::coverage::CoverageParams,
    risk: crate::risk::RiskParams,
    uav: crate::uav::UavParams,
}

/// Everything that can be checked without the long stages, checked first so a typo in `[risk]` or a
/// bad flight image fails in seconds, not after the coverage sweep: every parameter section (unknown
/// keys, ranges) and every flight (camera, band mapping, images' headers, size limits).
fn check_params(cfg: &DatasetConfig, data: &Path, out: &Path) -> Result<Params> {
    let coverage: crate::coverage::CoverageParams = cfg.params("coverage")?;
    coverage.validate()?;
    let risk: crate::risk::RiskParams = cfg.params("risk")?;
    risk.validate()?;
    let uav: crate::uav::UavParams = cfg.params("uav")?;
    let scratch = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    crate::uav::stage::check_sources(&dataset::load::flight_sources(cfg, data), &uav, scratch)?;
    Ok(Params { coverage, risk, uav })
}

pub fn run(opts: &BuildOptions) -> Result<BuildOutcome> {
    run_with(opts, Precomputed::default())
}

/// [`run`] taking the parts of `pre` that are given.
pub fn run_with(opts: &BuildOptions, pre: Precomputed<'_>) -> Result<BuildOutcome> {
    let total = Instant::now();
    let cfg = DatasetConfig::read(&opts.data)?;
    let files = cfg.input_files(&opts.data);
    if let Some(missing) = files.iter().find(|f| !f.exists()) {
        return Err(missing_input(&cfg, &opts.data, missing));
    }
    let params = check_params(&cfg, &opts.data, &opts.out)?;
    let mut timings = Timings::default();
    let t = Instant::now();
    let inputs = crate::store::manifest::checksums(&opts.data, &files)?;
    if !opts.force && store_matches(&cfg, &opts.out, || Ok(Some(inputs.clone())))? {
        return Ok(BuildOutcome::Fresh);
    }
    eprintln!("building {} → {}", opts.data.display(), opts.out.display());
    timings.record("checksums", t, format!("{} files", files.len()));

    let t = Instant::now();
    let sp = crate::progress::spinner("loading dataset");
    let mut ds = dataset::load::load_with(&cfg, &opts.data)?;
    sp.finish_and_clear();
    // Drive tests added to the previous store by `measurements add`, refitted with the dataset's.
    let last_id = ds.measurements.iter().map(|m| m.id).max().unwrap_or(0);
    let operators = ds.operators();
    let (carried, dropped): (Vec<_>, Vec<_>) = crate::coverage::calibration::add::added_measurements(&opts.out, last_id)?
        .into_iter()
        .partition(|m| operators.contains(&m.operator) && ds.dem.cell_of(m.pos.x(), m.pos.y()).is_some());
    if !dropped.is_empty() {
        eprintln!("  measurements: {} added earlier no longer match the dataset (operator without sites or off the DEM), not carried over", dropped.len());
    }
    if !carried.is_empty() {
        eprintln!("  measurements: {} added to the previous store carried over", carried.len());
    }
    ds.measurements.extend(carried);
    timings.record(
        "load dataset",
        t,
        format!(
            "DEM {}×{} @ {} m, {} communes, {} hamlets, {} sites",
            ds.dem.width,
            ds.dem.height,
            ds.dem.transform.dx,
            ds.communes.len(),
            ds.hamlets.len(),
            ds.sites.len()
        ),
    );

    let mut w = StoreWriter::begin(&opts.out)?;
    let t = Instant::now();
    let layers = dataset::layers::base_layers(&ds);
    let pb = crate::progress::bar(layers.len() as u64 + 1, "writing dataset layers");
    for l in &layers {
        w.put_layer(l)?;
        pb.inc(1);
    }
    w.put_raster_file_or_f32("dem", ds.dem_source.as_deref(), &ds.dem, &ds.crs, crate::store::RasterStyle::Elevation)?;
    // The land cover as the engine sees it (on the DEM grid), for the map's WorldCover view.
    if let Some(lc) = &ds.landcover {
        w.put_raster(crate::dataset::landcover::LAYER, lc, &ds.crs, crate::store::RasterStyle::Landcover)?;
    }
    pb.finish_and_clear();
    timings.record("dataset layers + dem.tif", t, format!("{} layers", layers.len()));

    // Coverage (issue 3): 4G best server, hamlet status, fiber reach, indicators, gaps, planner.
    let t = Instant::now();
    let coverage_params = params.coverage;
    let cov = match pre.sweep {
        Some(source) => crate::coverage::build_stage_from(&ds, &coverage_params, &mut w, source)?,
        None => crate::coverage::build_stage(&ds, &coverage_params, &mut w)?,
    };
    timings.record(
        "coverage",
        t,
        format!(
            "sweep {:.1} s, {:.1} M cells, {:.2} M cells/s; {} gaps, {} proposals",
            cov.sweep_seconds,
            cov.sweep.cells as f64 / 1e6,
            cov.sweep.cells as f64 / cov.sweep_seconds.max(1e-9) / 1e6,
            cov.gaps.len(),
            cov.proposals.len()
        ),
    );

    // Risk (issue 6), with the coverage at hamlets for the warning reach (and a recompute without
    // the sites standing in high-risk zones).
    let t = Instant::now();
    let risk_params = params.risk;
    let mut hamlet_rsrp = vec![f32::NAN; ds.hamlets.len()];
    for h in &cov.hamlets {
        hamlet_rsrp[h.hamlet] = h.rsrp_dbm;
    }
    // Every site's signal at the hamlets, evaluated once and only if the risk stage asks.
    let table: std::sync::OnceLock<crate::coverage::SiteHitTable> = std::sync::OnceLock::new();
    let recompute = |excluded: &[i64]| -> Result<Vec<f32>> {
        if table.get().is_none() {
            let _ = table.set(crate::coverage::hamlet_signal_table(&ds, &cov.params)?);
        }
        Ok(table.get().expect("set above").rsrp_without(excluded))
    };
    let cov_input = crate::risk::CoverageInput {
        hamlet_rsrp: &hamlet_rsrp,
        recompute: &recompute,
        covered_rsrp_dbm: Some(coverage_params.covered_dbm as f32),
    };
    let risk = crate::risk::build_stage_with(&ds, &risk_params, Some(cov_input), &mut w, pre.hydrology)?;
    timings.0.extend(risk.timings.iter().cloned());
    timings.record(
        "risk",
        t,
        format!("{} zones, {} high-risk hamlets, rainfall {} mm/24 h", risk.zones, risk.high_risk_ranked.len(), risk_params.rainfall_24h_mm),
    );
    drop(cov);

    // UAV: the dataset's flights plus those added to the previous store by `uav ingest` / upload.
    let t = Instant::now();
    let uav_params = params.uav;
    let mut ds = ds;
    let carried = crate::uav::ingest::ingested_flights(&opts.out, &ds.uav_flights)?;
    ds.uav_flights.extend(carried);
    let uav = crate::uav::build_stage(&ds, &uav_params, &mut w)?;
    timings.record(
        "uav",
        t,
        format!("{} flights, {} parcel rows, {:.1} M px, {:.1} M px/s", uav.flights.len(), uav.rows.len(), uav.pixels as f64 / 1e6, uav.pixels as f64 / 1e6 / t.elapsed().as_secs_f64().max(1e-9)),
    );

    let manifest = Manifest {
        dataset: cfg.name.clone(),
        covermap_version: program_version(),
        built_at_unix: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        crs: ds.crs.clone(),
        inputs,
        params: effective_params(&cfg)?,
        timings: timings.0.clone(),
        ..Default::default()
    };
    let t = Instant::now();
    w.commit(manifest)?;
    timings.record("commit store", t, "");
    eprintln!("  {:<28} {:>8.2} s", "total", total.elapsed().as_secs_f64());
    let mut m = Manifest::read(&opts.out.join(MANIFEST_JSON))?;
    m.timings = timings.0;
    Ok(BuildOutcome::Built(m))
}
