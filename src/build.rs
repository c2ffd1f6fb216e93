//! `covermap build`: dataset → results store. Checks every analysis's parameters first, loads and
//! validates the dataset, runs the registered analyses ([`crate::analysis::registry`]) in order into a
//! staging store and swaps it in atomically with the manifest. Skips all work when the store is fresh
//! (same inputs, parameters and program version).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use crate::analysis::Precomputed;
use crate::analysis::{self, CheckContext, RunContext};
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

/// The effective parameters of a dataset's `dataset.toml` as `manifest.json` records them
/// ([`analysis::params_value`]; an invalid section is an error naming it).
pub fn effective_params(cfg: &DatasetConfig) -> Result<serde_json::Value> {
    Ok(analysis::params_value(&cfg.crs, &analysis::configure(cfg)?))
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
    params: &serde_json::Value,
    out: &Path,
    inputs: impl FnOnce() -> Result<Option<BTreeMap<String, String>>>,
) -> Result<bool> {
    let Ok(m) = Manifest::read(&out.join(MANIFEST_JSON)) else { return Ok(false) };
    if m.covermap_version != program_version() || m.params != *params {
        return Ok(false);
    }
    Ok(inputs()?.is_some_and(|i| i == m.inputs))
}

/// Whether the store at `out` was built from exactly these inputs by this version.
pub fn is_fresh(cfg: &DatasetConfig, data: &Path, out: &Path) -> Result<bool> {
    store_matches(&effective_params(cfg)?, out, || {
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
    let analyses = analysis::configure_checked(&CheckContext { cfg: &cfg, data: &opts.data, out: &opts.out })?;
    let params = analysis::params_value(&cfg.crs, &analyses);
    let mut timings = Timings::default();
    let t = Instant::now();
    let inputs = crate::store::manifest::checksums(&opts.data, &files)?;
    if !opts.force && store_matches(&params, &opts.out, || Ok(Some(inputs.clone())))? {
        return Ok(BuildOutcome::Fresh);
    }
    eprintln!("building {} → {}", opts.data.display(), opts.out.display());
    timings.record("checksums", t, format!("{} files", files.len()));

    let t = Instant::now();
    let sp = crate::progress::spinner("loading dataset");
    let mut ds = dataset::load::load_with(&cfg, &opts.data)?;
    sp.finish_and_clear();
    // The writer's lock first: what earlier writers added to the store is read under it.
    let mut w = StoreWriter::begin(&opts.out)?;
    for a in &analyses {
        a.carry_over(&mut ds, &opts.out)?;
    }
    let ds = ds;
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

    // The analyses in registry order (coverage, risk, UAV), each leaving on the board what later
    // ones read.
    let mut board = analysis::Board::default();
    let mut pre = pre;
    for a in &analyses {
        let t = Instant::now();
        let mut cx = RunContext { out: &opts.out, board: &mut board, pre: &mut pre };
        let report = a.run(&ds, &mut w.sink(&ds.crs), &mut cx)?;
        timings.0.extend(report.timings);
        timings.record(a.section(), t, report.detail);
    }
    drop(board);

    let manifest = Manifest {
        dataset: cfg.name.clone(),
        covermap_version: program_version(),
        built_at_unix: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        crs: ds.crs.clone(),
        inputs,
        params,
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
