//! `covermap merge`: the shards' partial results into the store `covermap build` makes.
//!
//! The merge is the build ([`crate::build::run_with`]) with two parts taken from the shards:
//! - the coverage sweep: per operator, the cell-wise max of the shards' `rsrp_<operator>.tif`; for
//!   "any operator", the max of (RSRP, −site index) over the shards' best-server grids — the same
//!   fold, with the same tie rule, as the one-process sweep, so the grouping of sites does not matter;
//! - the network quality: per operator and carrier, each cell's N strongest sectors as the top N of
//!   the union of the shards' top-N lists (`coverage/topn_<operator>.bin`, [`super::topn`]) — a
//!   sector in the global top N is in its own shard's top N, and the packed entries order equal RSRP
//!   by sector index as the one-process grid does — folded by blocks of rows into the quality pass
//!   ([`crate::coverage::quality::OperatorPass::from_lists`]), so SINR, rates, tiers and the
//!   hamlets' servers are the one-process values;
//! - the drainage: the shards' first fill phase per tile, the fill merge and second phase
//!   ([`crate::risk::tiled::fill`]), then D8 with flats across tiles and the three-phase
//!   accumulation ([`crate::risk::tiled`]), tiles in parallel in this process.
//!
//! Everything downstream (hamlet status, indicators, gaps, planner, HAND, susceptibility, zones,
//! exposure, warning reach, UAV) runs as in the build, from the merged layers. The store differs from
//! a one-machine build only in `manifest.json`'s `built_at_unix` and `timings`.

use std::path::Path;

use rayon::prelude::*;

use super::plan::Plan;
use super::run::{ShardReport, TileGraph};
use super::topn::ShardLists;
use super::{read_json, shard_dir, SHARD_JSON};
use crate::build::{BuildOptions, BuildOutcome, Precomputed};
use crate::coverage::best::{MaxGrid, RSRP_NODATA, SITE_NODATA};
use crate::coverage::engine::SweepStats;
use crate::coverage::layers::operator_key;
use crate::coverage::quality::pass::progress_units;
use crate::coverage::quality::OperatorPass;
use crate::coverage::{OperatorResult, OperatorSweep, SweepSource};
use crate::error::{Error, Result};
use crate::grid::io::read_raster_as;
use crate::grid::Grid;
use crate::risk::tiled::fill::{raise, solve, TileFill};
use crate::risk::tiled::{accumulation, assemble, flats};
use crate::store::object::{upload, Staged};
use crate::store::Manifest;

/// Merge the shards of the plan at `plan_path` found under `from` into the store `out` (each a
/// directory or an s3:// location; a remote store is built locally and uploaded, `manifest.json` last).
pub fn merge(plan_path: &Path, from: &Path, out: &Path) -> Result<Manifest> {
    let plan = Plan::read(plan_path)?;
    let data = Staged::input(&plan.data)?;
    plan.check_inputs(plan_path, &data.local)?;
    let parts = Staged::input(from)?;
    let target = Staged::output(out)?;
    let m = merge_local(&plan, plan_path, &data.local, &parts.local, &target.local)?;
    if target.is_remote() {
        upload(&target.local, out, crate::store::MANIFEST_JSON)?;
    }
    Ok(m)
}

fn merge_local(plan: &Plan, plan_path: &Path, data: &Path, from: &Path, out: &Path) -> Result<Manifest> {
    let plan = plan.clone();
    let sha = crate::store::manifest::sha256_file(plan_path)?;
    let mut reports = Vec::with_capacity(plan.shards.len());
    for s in &plan.shards {
        let dir = shard_dir(from, s.index);
        let path = dir.join(SHARD_JSON);
        if !path.exists() {
            return Err(Error::input(&dir, format!("shard {} has not finished (no {SHARD_JSON}): run covermap run-shard --index {}", s.index, s.index)));
        }
        let r: ShardReport = read_json(&path)?;
        if r.plan_sha256 != sha || r.index != s.index {
            return Err(Error::input(&path, format!("this shard was run from another plan than {} (or another index)", plan_path.display())));
        }
        reports.push(r);
    }
    let mut sweep = ShardSweep { from, plan: &plan, reports: &reports, folded_any: false };
    let hydrology = |dem: &Grid<f32>| merged_drainage(&plan, from, dem);
    let opts = BuildOptions { data: data.to_path_buf(), out: out.to_path_buf(), force: true };
    let pre = Precomputed { sweep: Some(&mut sweep), hydrology: Some(&hydrology) };
    match crate::build::run_with(&opts, pre)? {
        BuildOutcome::Built(m) => Ok(m),
        BuildOutcome::Fresh => Err(Error::Invariant("merge: the build reported a fresh store without writing it".into())),
    }
}

fn read_partial<T: gdal::raster::GdalType + Copy + PartialEq + Send + Sync>(path: &Path, dem: &Grid<f32>) -> Result<Grid<T>> {
    if !path.exists() {
        return Err(Error::input(path, "partial result missing from a finished shard (was the shard directory altered?)"));
    }
    let g: Grid<T> = read_raster_as(path)?;
    if (g.width, g.height) != (dem.width, dem.height) {
        return Err(Error::input(path, format!("{} × {} cells, the DEM has {} × {}", g.width, g.height, dem.width, dem.height)));
    }
    Ok(g)
}

/// The coverage sweep as the fold of the shards' partial grids.
struct ShardSweep<'a> {
    from: &'a Path,
    plan: &'a Plan,
    reports: &'a [ShardReport],
    folded_any: bool,
}

impl SweepSource for ShardSweep<'_> {
    fn operator(&mut self, job: &OperatorSweep<'_>) -> Result<OperatorResult> {
        let OperatorSweep { dem, params, op, sites, any, points, tick } = *job;
        let mut stats = SweepStats::default();
        if !self.folded_any {
            // The "any operator" grid holds every operator's sites: fold it once.
            for r in self.reports {
                let dir = shard_dir(self.from, r.index).join("coverage");
                let rsrp: Grid<f32> = read_partial(&dir.join("best_rsrp.tif"), dem)?;
                let site: Grid<i32> = read_partial(&dir.join("best_site.tif"), dem)?;
                rsrp.data.par_iter().zip(site.data.par_iter()).enumerate().try_for_each(|(i, (v, s))| {
                    if *v == RSRP_NODATA && *s == SITE_NODATA {
                        return Ok(());
                    }
                    if *s < 0 || *v == RSRP_NODATA {
                        return Err(Error::input(dir.join("best_site.tif"), format!("cell {i} has a server without a signal or a signal without a server")));
                    }
                    any.update(i, *v, *s as u32);
                    Ok(())
                })?;
                stats.transmitters += r.transmitters;
                stats.cells += r.cells;
                stats.samples += r.samples;
            }
            self.folded_any = true;
        }
        // Every site of the operator must have been swept by exactly one shard.
        let planned: usize = sites.iter().filter(|s| self.plan.shards.iter().any(|w| w.sites.contains(&s.id))).count();
        if planned != sites.len() {
            return Err(Error::Usage(format!("merge: {} of operator {op}'s {} sites are in no shard of the plan", sites.len() - planned, sites.len())));
        }
        let key = operator_key(op);
        let grid = MaxGrid::new(dem.len());
        let mut topn = Vec::new();
        for r in self.reports.iter().filter(|r| r.operators.iter().any(|o| o == op)) {
            let dir = shard_dir(self.from, r.index).join("coverage");
            let g: Grid<f32> = read_partial(&dir.join(format!("rsrp_{key}.tif")), dem)?;
            g.data.par_iter().enumerate().filter(|(_, v)| **v != RSRP_NODATA).for_each(|(i, v)| grid.update(i, *v));
            let path = dir.join(format!("topn_{key}.bin"));
            if !path.exists() {
                return Err(Error::input(path, "partial result missing from a finished shard (was the shard directory altered, or run by an older covermap?)"));
            }
            topn.push(path);
        }
        // The quality pass numbers the sectors over all the operator's sites, as each shard did.
        let t = std::time::Instant::now();
        let pass = OperatorPass::new(sites, &params.quality, &self.plan.dataset)?;
        let lists = ShardLists::open(&topn, &pass, dem.width, dem.height)?;
        let quality = pass.from_lists(dem, points, &lists)?;
        let bytes: u64 = topn.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
        eprintln!(
            "  coverage: {op}: SINR and rate from {} shards' top-N lists ({:.1} MB, {} carriers) in {:.1} s",
            topn.len(),
            bytes as f64 / 1e6,
            pass.carriers().len(),
            t.elapsed().as_secs_f64()
        );
        sites.iter().for_each(|s| (0..progress_units(std::slice::from_ref(*s))).for_each(|_| tick()));
        Ok((grid, stats, quality))
    }
}

/// The drainage of `dem` from the shards' first fill phase: fill merge, second phase, then D8 with
/// flats and the accumulation, by tiles.
fn merged_drainage(plan: &Plan, from: &Path, dem: &Grid<f32>) -> Result<(Grid<u8>, Grid<u32>)> {
    let layout = plan.tiles;
    if (layout.width, layout.height) != (dem.width, dem.height) {
        return Err(Error::Usage(format!("merge: the plan's tiles cover {} × {} cells, the DEM has {} × {}", layout.width, layout.height, dem.width, dem.height)));
    }
    let owner = |t: usize| plan.shards.iter().find(|s| s.tiles.contains(&t)).map(|s| s.index);
    let tiles: Vec<TileFill> = (0..layout.count())
        .into_par_iter()
        .map(|t| {
            let s = owner(t).ok_or_else(|| Error::Usage(format!("merge: tile {t} is in no shard of the plan")))?;
            let dir = shard_dir(from, s).join("hydrology");
            let graph: TileGraph = read_json(&dir.join(format!("tile-{t}.json")))?;
            let rect = layout.rect(t);
            if graph.rect != rect {
                return Err(Error::input(dir.join(format!("tile-{t}.json")), format!("tile covers {:?}, the plan says {:?}", graph.rect, rect)));
            }
            let label: Grid<u32> = read_raster_as(&dir.join(format!("tile-{t}-label.tif")))?;
            let filled: Grid<f32> = read_raster_as(&dir.join(format!("tile-{t}-filled.tif")))?;
            if label.len() != rect.len() || filled.len() != rect.len() {
                return Err(Error::input(&dir, format!("tile {t}'s rasters are not {} × {} cells", rect.w, rect.h)));
            }
            Ok(TileFill { rect, label: label.data, filled: filled.data, labels: graph.labels, edges: graph.edges })
        })
        .collect::<Result<_>>()?;
    let spill = solve(&layout, &tiles)?;
    let raised: Vec<Vec<f32>> = tiles.par_iter().zip(&spill).map(|(t, s)| raise(t, s, dem.nodata)).collect();
    drop(tiles);
    let filled = assemble(dem, &layout, &raised, 0.0, dem.nodata);
    drop(raised);
    let dirs = flats::directions(&filled, &layout);
    drop(filled);
    let acc = accumulation::accumulate(&dirs, &layout)?;
    Ok((dirs, acc))
}
