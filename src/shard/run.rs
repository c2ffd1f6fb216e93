//! `covermap run-shard`: one shard of a plan. Its files, under `PREFIX/shard-I/`:
//!
//! - `coverage/rsrp_<operator>.tif` — the running-max RSRP (Float32 dBm, nodata −9999) of the
//!   shard's sites of that operator; `coverage/best_rsrp.tif` + `coverage/best_site.tif` — their best
//!   server (RSRP, and the site's index in the dataset, Int32, nodata −1);
//! - `coverage/topn_<operator>.bin` — per carrier, each cell's N strongest sectors of the shard's
//!   sites of that operator, numbered over all the operator's sites ([`super::topn`]): what the merge
//!   needs for SINR and rates;
//! - `hydrology/tile-<t>-label.tif` (UInt32 watershed labels), `tile-<t>-filled.tif` (Float32, locally
//!   filled) and `tile-<t>.json` (the tile's rectangle and spill graph): the first phase of
//!   [`crate::risk::tiled::fill`] for each tile, computed from the tile and a one-cell halo;
//! - `shard.json` — the plan's checksum, the sweep statistics, times per phase and peak memory.
//!
//! Everything is written into `PREFIX/.shard-I.partial-<pid>/` and then exchanged with
//! `PREFIX/shard-I/` in one rename, so a re-run of the same index (a retried pod) replaces the old
//! result atomically and a killed run leaves the old one intact.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::plan::Plan;
use super::{peak_rss_kb, shard_dir, write_json, SHARD_JSON};
use crate::coverage::cut::CutRule;
use crate::coverage::engine::SweepInput;
use crate::coverage::best::{BestServerGrid, MaxGrid, RSRP_NODATA, SITE_NODATA};
use crate::coverage::layers::operator_key;
use crate::coverage::quality::OperatorPass;
use crate::coverage::sites::{prepare_sites, PreparedSite};
use crate::coverage::CoverageParams;
use crate::error::{Error, Result};
use crate::grid::io::write_cog;
use crate::store::object::{upload, Staged};
use crate::grid::{GeoTransform, Grid};
use crate::risk::tiled::fill::{fill_tile, TileFill, NO_LABEL};
use crate::risk::tiled::Rect;

/// What `shard.json` records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardReport {
    pub index: usize,
    /// SHA-256 of the plan file the shard ran.
    pub plan_sha256: String,
    /// Operators with a `coverage/rsrp_<key>.tif` and `coverage/topn_<key>.bin` (the shard has sites
    /// of theirs).
    pub operators: Vec<String>,
    /// Bytes of the `topn_<key>.bin` files, in `operators` order.
    #[serde(default)]
    pub topn_bytes: Vec<u64>,
    pub sites: usize,
    pub transmitters: u64,
    pub cells: u64,
    pub samples: u64,
    pub tiles: Vec<usize>,
    /// (phase, seconds).
    pub seconds: Vec<(String, f64)>,
    pub peak_rss_kb: u64,
}

/// A tile's spill graph and shape (`tile-<t>.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TileGraph {
    pub rect: Rect,
    pub labels: u32,
    pub edges: Vec<(u32, u32, f32)>,
}

/// The rect-sized array of a tile as a raster placed where the tile lies on the DEM.
pub(crate) fn tile_grid<T: Copy + PartialEq + Send + Sync>(t: &GeoTransform, rect: Rect, data: Vec<T>, nodata: Option<T>) -> Grid<T> {
    let transform = GeoTransform { x0: t.x0 + rect.c0 as f64 * t.dx, y0: t.y0 - rect.r0 as f64 * t.dy, dx: t.dx, dy: t.dy };
    Grid { width: rect.w, height: rect.h, transform, nodata, data }
}

/// Cut `rect` grown by a one-cell halo out of `dem`: the window and the tile's place in it.
fn window(dem: &Grid<f32>, rect: Rect) -> (Grid<f32>, Rect) {
    let g = rect.grown(1, dem.width, dem.height);
    let mut data = Vec::with_capacity(g.len());
    for r in g.r0..g.r0 + g.h {
        data.extend_from_slice(&dem.data[r * dem.width + g.c0..r * dem.width + g.c0 + g.w]);
    }
    let win = tile_grid(&dem.transform, g, data, dem.nodata);
    (win, Rect { c0: rect.c0 - g.c0, r0: rect.r0 - g.r0, w: rect.w, h: rect.h })
}

/// Run shard `index` of the plan at `plan_path`, writing under `prefix` (a directory, or an s3://
/// location: then written locally and uploaded, `shard.json` last). Returns its report.
pub fn run(plan_path: &Path, index: usize, prefix: &Path) -> Result<ShardReport> {
    let out = Staged::output(prefix)?;
    let report = run_local(plan_path, index, &out.local)?;
    if out.is_remote() {
        let dir = format!("shard-{index}");
        upload(&out.local.join(&dir), &prefix.join(&dir), SHARD_JSON)?;
    }
    Ok(report)
}

fn run_local(plan_path: &Path, index: usize, prefix: &Path) -> Result<ShardReport> {
    let total = Instant::now();
    let plan = Plan::read(plan_path)?;
    let work = plan.shard(index, plan_path)?.clone();
    let mut seconds = Vec::new();
    let t = Instant::now();
    let data = Staged::input(&plan.data)?;
    let cfg = plan.check_inputs(plan_path, &data.local)?;
    let plan_sha256 = crate::store::manifest::sha256_file(plan_path)?;
    let ds = crate::dataset::load::load_with(&cfg, &data.local)?;
    if (ds.dem.width, ds.dem.height) != (plan.dem_width, plan.dem_height) {
        return Err(Error::input(&data.local, format!("the DEM is {} × {}, the plan {} × {}", ds.dem.width, ds.dem.height, plan.dem_width, plan.dem_height)));
    }
    seconds.push(("load".to_string(), t.elapsed().as_secs_f64()));

    std::fs::create_dir_all(prefix).map_err(|e| Error::io(prefix, e))?;
    let target = shard_dir(prefix, index);
    let staging: PathBuf = prefix.join(format!(".shard-{index}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let guard = Staging(staging.clone());
    for sub in ["coverage", "hydrology"] {
        let d = staging.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
    }

    // Coverage: this shard's sites, operator by operator, into running grids.
    let t = Instant::now();
    let params: CoverageParams = cfg.params("coverage")?;
    params.validate()?;
    // The drive-test calibration, as the build applies it, so the shards' grids are the build's.
    let (params, _) = crate::coverage::calibration::apply(&ds, &params)?;
    let all = prepare_sites(&ds, &params)?;
    let wanted: std::collections::HashSet<i64> = work.sites.iter().copied().collect();
    let mine: Vec<&PreparedSite> = all.iter().filter(|s| wanted.contains(&s.id)).collect();
    if mine.len() != wanted.len() {
        return Err(Error::input(plan_path, format!("shard {index}: {} of its {} sites are not in the dataset", wanted.len() - mine.len(), wanted.len())));
    }
    let any = BestServerGrid::new(ds.dem.len());
    let hamlet_idx = crate::coverage::hamlets::hamlet_cell_indices(&ds)?;
    let mut topn_seconds = 0.0;
    let mut report = ShardReport { index, plan_sha256, sites: mine.len(), tiles: work.tiles.clone(), ..Default::default() };
    for op in ds.operators() {
        let op_sites: Vec<&PreparedSite> = mine.iter().copied().filter(|s| s.operator == op).collect();
        if op_sites.is_empty() {
            continue;
        }
        // Sectors numbered over all the operator's sites, as the one-machine pass numbers them, so
        // the shards' lists fold into its lists (equal RSRP: the lower sector index first).
        let op_all: Vec<&PreparedSite> = all.iter().filter(|s| s.operator == op).collect();
        // The build's reach rule, the hamlets' cells kept, so the merged grids are the build's.
        let pass = OperatorPass::new(&op_all, &params.quality, &ds.name)?.with_cut(CutRule::reach_keeping(ds.dem.len(), &hamlet_idx));
        let grid = MaxGrid::new(ds.dem.len());
        let mut topn = super::topn::Writer::new(&pass, ds.dem.width, ds.dem.height);
        let mut encode = 0.0;
        let mut top = pass.top_grid(&ds.dem);
        for (k, (f, _)) in pass.carriers().iter().enumerate() {
            if k > 0 {
                top.clear();
            }
            let st = pass.sweep_carrier(&top, *f, SweepInput { dem: &ds.dem, sites: &op_sites, params: &params, source: &ds.name }, &grid, |i, v, s| any.update(i, v, s.index as u32), || {}, None)?;
            report.transmitters += st.transmitters;
            report.cells += st.cells;
            report.samples += st.samples;
            let te = Instant::now();
            topn.add(*f, &top)?;
            encode += te.elapsed().as_secs_f64();
        }
        let key = operator_key(&op);
        let te = Instant::now();
        report.topn_bytes.push(topn.write(&staging.join(format!("coverage/topn_{key}.bin")))?);
        topn_seconds += encode + te.elapsed().as_secs_f64();
        write_cog(&grid.into_grid(&ds.dem), &staging.join(format!("coverage/rsrp_{key}.tif")), &ds.crs)?;
        report.operators.push(op);
    }
    let (rsrp, site) = any.into_grids(&ds.dem, |i| i as i32);
    debug_assert_eq!(rsrp.nodata, Some(RSRP_NODATA));
    debug_assert_eq!(site.nodata, Some(SITE_NODATA));
    write_cog(&rsrp, &staging.join("coverage/best_rsrp.tif"), &ds.crs)?;
    write_cog(&site, &staging.join("coverage/best_site.tif"), &ds.crs)?;
    drop((rsrp, site));
    seconds.push(("coverage sweep".to_string(), t.elapsed().as_secs_f64() - topn_seconds));
    seconds.push(("top-N partials".to_string(), topn_seconds));

    // Hydrology: the first fill phase of each tile, from the tile and its one-cell halo only.
    let t = Instant::now();
    for &ti in &work.tiles {
        if ti >= plan.tiles.count() {
            return Err(Error::input(plan_path, format!("shard {index}: tile {ti} is not in the plan's {} tiles", plan.tiles.count())));
        }
        let rect = plan.tiles.rect(ti);
        let (win, local) = window(&ds.dem, rect);
        let TileFill { label, filled, labels, edges, .. } = fill_tile(&win, local);
        drop(win);
        let h = staging.join("hydrology");
        write_cog(&tile_grid(&ds.dem.transform, rect, label, Some(NO_LABEL)), &h.join(format!("tile-{ti}-label.tif")), &ds.crs)?;
        write_cog(&tile_grid(&ds.dem.transform, rect, filled, ds.dem.nodata), &h.join(format!("tile-{ti}-filled.tif")), &ds.crs)?;
        write_json(&h.join(format!("tile-{ti}.json")), &TileGraph { rect, labels, edges })?;
    }
    seconds.push(("hydrology tiles".to_string(), t.elapsed().as_secs_f64()));
    seconds.push(("total".to_string(), total.elapsed().as_secs_f64()));
    report.seconds = seconds;
    report.peak_rss_kb = peak_rss_kb();
    write_json(&staging.join(SHARD_JSON), &report)?;
    crate::store::writer::swap_in(&staging, &target)?;
    // After an exchange the old result sits at the staging path.
    let _ = std::fs::remove_dir_all(&staging);
    drop(guard);
    Ok(report)
}

impl Default for ShardReport {
    fn default() -> Self {
        Self {
            index: 0,
            plan_sha256: String::new(),
            operators: Vec::new(),
            topn_bytes: Vec::new(),
            sites: 0,
            transmitters: 0,
            cells: 0,
            samples: 0,
            tiles: Vec::new(),
            seconds: Vec::new(),
            peak_rss_kb: 0,
        }
    }
}

/// Removes a half-written staging directory when the run fails.
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
