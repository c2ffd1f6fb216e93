//! The coverage stage of `covermap build`, and the entry points other analyses use.
//!
//! Memory: one operator at a time is swept into a running-max grid (4 bytes a cell) while every site
//! also folds into the "any operator" best-server grid (8 bytes a cell: RSRP and site); each operator's
//! raster is written as soon as it is complete and dropped. For the 6,600 × 5,700 Sơn La DEM that is
//! about 450 MB beside the 150 MB DEM.
//!
//! Rasters: `rsrp_<operator>.tif` and `rsrp_any.tif` (Float32 dBm; nodata −9999 where no site reaches
//! the cell above the RSRP floor), `serving_site.tif` (Int32 site id, nodata −1) and
//! `coverage_class.tif` (UInt8: 0 no service, 1 covered, 2 good; nodata 255 where the DEM has none)
//! and `coverage_probability.tif` (UInt8: 0 below 50 % location probability of the covered threshold,
//! 1 covered at 50 %, 2 covered at 90 %; nodata 255); per operator also `sinr_<operator>.tif` and
//! `dl_mbps_<operator>.tif` ([`super::quality`]), from the N strongest sectors per cell kept during
//! the same sweep, one carrier at a time (N = 4: 16 bytes a cell, plus 8 for the two rasters).
//!
//! The `coverage_h3` layer ([`super::h3`]) folds each operator's RSRP and rate rasters into H3
//! hexagons as they are finished (runs per row, about 20 MB for Sơn La at 30 m), keeping the best
//! rate over the operators for its `any` rows (4 bytes a cell, until the last operator is done).
//!
//! With drive-test measurements the model is calibrated first ([`super::calibration`]): the fitted
//! offsets become EIRP corrections of the prepared sites, so everything after is calibrated.

use std::sync::Arc;
use std::time::Instant;

use super::best::{BestServerGrid, MaxGrid};
use super::cut::CutRule;
use super::engine::{SweepInput, SweepStats};
use super::fiber::FiberReach;
use super::gaps::{find_gaps, Gap, GapArea};
use super::hamlets::{cell_indices, hamlet_cells, status, HamletStatus};
use super::indicators::{compute, AllIndicators};
use super::layers::{gap_layers, hamlet_coverage, indicator_layers, operator_key, proposal_layer};
use super::params::CoverageParams;
use super::planner::{plan, Proposal};
use super::points::SiteHitTable;
use super::quality::topn::TopNGrid;
use super::quality::{self, OperatorPass, OperatorQuality, PointQuality};
use super::sites::{prepare_sites, PreparedSite};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::grid::Grid;
use crate::store::{RasterStyle, Sink};

/// What the stage computed.
#[derive(Debug, Clone)]
pub struct CoverageOutput {
    /// Operators, sorted (the order of every per-operator vector).
    pub operators: Vec<String>,
    /// In `Dataset::hamlets` order.
    pub hamlets: Vec<HamletStatus>,
    /// In `Dataset::communes` order.
    pub commune_fiber: Vec<bool>,
    pub indicators: AllIndicators,
    pub gaps: Vec<Gap>,
    pub gap_areas: Vec<GapArea>,
    pub proposals: Vec<Proposal>,
    /// Network quality per operator (order of `operators`), per hamlet (`Dataset::hamlets` order).
    pub quality: Vec<Vec<PointQuality>>,
    pub sweep: SweepStats,
    pub sweep_seconds: f64,
    pub seconds: f64,
    /// The drive-test calibration, when the dataset has measurements.
    pub calibration: Option<super::calibration::Calibration>,
    /// The parameters as applied (with the calibration's offsets and σ): what later stages must use
    /// to see the same model.
    pub params: CoverageParams,
    /// Every site's RSRP at every hamlet, as [`hamlet_signal_table`] computes it, when the sweep ran
    /// here (read from each site's sweep); `None` from a merge's grids.
    pub hamlet_hits: Option<SiteHitTable>,
}

/// Check that site ids fit the Int32 serving-site raster.
fn check_site_ids(ds: &Dataset) -> Result<()> {
    for s in &ds.sites {
        if i32::try_from(s.id).is_err() || s.id < 0 {
            return Err(Error::feature(&ds.name, "sites", s.id, "site id must be between 0 and 2147483647"));
        }
    }
    Ok(())
}

/// Where the best-server grids and each cell's N strongest sectors come from: a sweep of the sites
/// here ([`LocalSweep`]), or the partial results of shards that each swept a group of sites
/// (`covermap merge`). Either way the result is a max (and argmax) over sites and the top N of the
/// union of the groups' top N, neither of which depends on how the sites were grouped.
pub trait SweepSource {
    /// Fold operator `job.op`'s sites (`job.sites`, all of them) into a running-max grid, which it
    /// returns, and each of their cells into `job.any` (site index as server); with it, the
    /// operator's network quality ([`super::quality`]) at every cell and at the DEM cells
    /// `job.points` (hamlets).
    fn operator(&mut self, job: &OperatorSweep<'_>) -> Result<OperatorResult>;

    /// Every operator is done: free what was kept from one operator to the next.
    fn done(&mut self) {}
}

/// One operator's part of the sweep, as [`SweepSource::operator`] is asked for it.
pub struct OperatorSweep<'a> {
    pub dem: &'a Grid<f32>,
    /// The parameters as applied (calibrated), `[coverage.quality]` among them.
    pub params: &'a CoverageParams,
    pub op: &'a str,
    pub sites: &'a [&'a PreparedSite],
    pub any: &'a BestServerGrid,
    pub points: &'a [usize],
    /// Called once per site done (progress).
    pub tick: &'a (dyn Fn() + Sync),
}

/// An operator's running-max grid, sweep counts and quality.
pub type OperatorResult = (MaxGrid, SweepStats, OperatorQuality);

/// The sweep of every site on this machine.
pub struct LocalSweep<'a> {
    params: &'a CoverageParams,
    source: &'a str,
    /// The top-N grid, kept from one operator to the next (cleared, not allocated again).
    top: Option<TopNGrid>,
}

impl<'a> LocalSweep<'a> {
    /// The sweep with `params` of the sites of dataset `source`.
    pub fn new(params: &'a CoverageParams, source: &'a str) -> Self {
        Self { params, source, top: None }
    }
}

impl SweepSource for LocalSweep<'_> {
    fn operator(&mut self, job: &OperatorSweep<'_>) -> Result<OperatorResult> {
        let OperatorSweep { dem, sites, any, points, tick, .. } = *job;
        let grid = MaxGrid::new(dem.len());
        // The operator's carriers one at a time, keeping each cell's N strongest sectors (SINR, rate).
        // The reach rule per cell, the hamlets' cells kept exact (`super::cut`).
        let pass = OperatorPass::new(sites, &self.params.quality, self.source)?.with_cut(CutRule::reach_keeping(dem.len(), points));
        let top = match &mut self.top {
            Some(top) => {
                top.clear();
                top
            }
            none => none.insert(pass.top_grid(dem)),
        };
        let input = SweepInput { dem, sites, params: self.params, source: self.source };
        let (q, stats) = pass.run(top, input, &grid, points, |i, v, s| any.update(i, v, s.index as u32), tick)?;
        Ok((grid, stats, q))
    }

    fn done(&mut self) {
        self.top = None;
    }
}

/// A class raster of the "any operator" RSRP on the DEM's grid: `class(rsrp)` per cell, 255 (nodata)
/// where the DEM has none.
fn classes_on(dem: &Grid<f32>, rsrp_any: &Grid<f32>, class: impl Fn(f32) -> u8) -> Grid<u8> {
    let data = rsrp_any.data.iter().zip(&dem.data).map(|(v, z)| if dem.is_nodata(*z) || z.is_nan() { 255 } else { class(*v) }).collect();
    Grid { width: dem.width, height: dem.height, transform: dem.transform, nodata: Some(255u8), data }
}

/// The whole-province computation into any sink (the build's is the store: [`super::analysis`]).
pub fn run(ds: &Dataset, params: &CoverageParams, sink: &mut dyn Sink) -> Result<CoverageOutput> {
    run_from(ds, params, sink, &mut LocalSweep::new(params, &ds.name))
}

/// [`run`] with the best-server grids from `source`.
pub fn run_from(ds: &Dataset, params: &CoverageParams, sink: &mut dyn Sink, source: &mut dyn SweepSource) -> Result<CoverageOutput> {
    let start = Instant::now();
    params.validate()?;
    check_site_ids(ds)?;
    let raw_sites = prepare_sites(ds, params)?;
    let t = Instant::now();
    let calibration = super::calibration::calibrate(ds, params, &raw_sites)?;
    let calibrated;
    let (params, sites) = match &calibration {
        Some(cal) => {
            for line in cal.summary_lines() {
                eprintln!("  {line}");
            }
            eprintln!("  {}", cal.off_air_line());
            eprintln!(
                "  calibration: {} measurements in {:.1} s, in-vehicle loss {:.1} dB ({})",
                cal.points.len(),
                t.elapsed().as_secs_f64(),
                cal.in_vehicle_loss.db,
                if cal.in_vehicle_loss.estimated { "estimated" } else { "assumed" }
            );
            calibrated = CoverageParams { applied: cal.applied.clone(), ..params.clone() };
            let sites = if cal.applied.offsets.is_empty() { raw_sites } else { prepare_sites(ds, &calibrated)? };
            (&calibrated, sites)
        }
        None => (params, raw_sites),
    };
    let operators = ds.operators();
    let cells = hamlet_cells(ds)?;
    let dem = &ds.dem;
    let cell_index = cell_indices(dem, &cells);

    // The regulator hexagons (H3 r8): the DEM's assignment now, each raster folded in when finished.
    let t = Instant::now();
    let mut hexes = super::h3::HexCoverage::new(ds, &operators, &params.quality.tiers_mbps)?;
    let mut h3_seconds = t.elapsed().as_secs_f64();

    // Radio: operator by operator into the running grids.
    let t = Instant::now();
    let any = BestServerGrid::new(dem.len());
    let mut per_op = vec![vec![f32::NAN; operators.len()]; ds.hamlets.len()];
    let mut stats = SweepStats::default();
    let mut quality: Vec<Vec<PointQuality>> = Vec::with_capacity(operators.len());
    // Every site's signal at the hamlets, read from the sweep when the source swept (the risk
    // stage's warning reach asks it, and would otherwise walk every site's radials again).
    let mut hits: Option<quality::pass::SiteHits> = Some(Vec::new());
    let pb = crate::progress::bar(quality::pass::progress_units(&sites), "coverage: sites × carriers");
    for (o, op) in operators.iter().enumerate() {
        let op_sites: Vec<&PreparedSite> = sites.iter().filter(|s| &s.operator == op).collect();
        let job = OperatorSweep { dem, params, op, sites: &op_sites, any: &any, points: &cell_index, tick: &|| pb.inc(1) };
        let (grid, st, q) = source.operator(&job)?;
        stats.add(st);
        for (h, &i) in cell_index.iter().enumerate() {
            per_op[h][o] = grid.get(i).unwrap_or(f32::NAN);
        }
        let key = operator_key(op);
        let raster = grid.into_grid(dem);
        let th = Instant::now();
        hexes.add_operator(o, &raster, &q.dl_mbps, params)?;
        h3_seconds += th.elapsed().as_secs_f64();
        sink.put_raster(&format!("rsrp_{key}"), &raster, RasterStyle::Rsrp)?;
        drop(raster);
        sink.put_raster(&format!("sinr_{key}"), &q.sinr, RasterStyle::Sinr)?;
        sink.put_raster(&format!("dl_mbps_{key}"), &q.dl_mbps, RasterStyle::SpeedTiers)?;
        match (&mut hits, q.site_hits) {
            (Some(all), Some(h)) => all.extend(h),
            _ => hits = None,
        }
        quality.push(q.points);
    }
    pb.finish_and_clear();
    source.done();
    let hamlet_hits = hits.and_then(|h| SiteHitTable::from_hits(&sites, cells.len(), h));
    let hamlet_any: Vec<Option<(f32, u32)>> = cell_index.iter().map(|i| any.get(*i)).collect();
    let (rsrp_any, serving) = any.into_grids(dem, |i| ds.sites[i as usize].id as i32);
    let sweep_seconds = t.elapsed().as_secs_f64();
    let cores = rayon::current_num_threads() as f64;
    eprintln!(
        "  coverage sweep: {} sites, {} transmitters, {:.1} M cells evaluated, {:.1} M profile samples evaluated, in {:.1} s: {:.2} M cells/s ({:.2} M cells/s/core, {} cores)",
        sites.len(),
        stats.transmitters,
        stats.cells as f64 / 1e6,
        stats.samples as f64 / 1e6,
        sweep_seconds,
        stats.cells as f64 / sweep_seconds / 1e6,
        stats.cells as f64 / sweep_seconds / cores / 1e6,
        cores
    );
    // The province-wide rasters are compressed on background threads while the hexagons, the
    // layers and the planner below compute (mostly on one core); the stage waits for them at its end.
    let (covered, good) = (params.covered_dbm as f32, params.good_dbm as f32);
    let class = classes_on(dem, &rsrp_any, |v| if v >= good { 2 } else if v >= covered { 1 } else { 0 });
    let sigma_any = params.sigma_db(None);
    let probability = classes_on(dem, &rsrp_any, |v| super::location::class(v, params.covered_dbm, sigma_any));
    sink.put_raster_shared("coverage_probability", Arc::new(probability), RasterStyle::LocationProbability)?;
    let rsrp_any = Arc::new(rsrp_any);
    sink.put_raster_shared("rsrp_any", rsrp_any.clone(), RasterStyle::Rsrp)?;
    sink.put_raster_shared("serving_site", Arc::new(serving), RasterStyle::Continuous)?;
    sink.put_raster_shared("coverage_class", Arc::new(class), RasterStyle::CoverageClasses)?;
    let th = Instant::now();
    hexes.add_any(&rsrp_any, params)?;
    let h3_layer = hexes.layer(ds)?;
    drop(hexes);
    h3_seconds += th.elapsed().as_secs_f64();
    eprintln!(
        "  coverage h3: {} hexagons (resolution 8) × {} operators = {} features in {:.1} s",
        h3_layer.features.len() / (operators.len() + 1),
        operators.len() + 1,
        h3_layer.features.len(),
        h3_seconds
    );
    sink.layer(&h3_layer)?;
    drop(h3_layer);
    drop(rsrp_any);

    // Fiber, hamlet status, indicators, gaps, planner.
    let aps: Vec<[f64; 2]> = ds.fiber_access_points.iter().map(|a| [a.pos.x(), a.pos.y()]).collect();
    let fiber = FiberReach::new(&ds.roads, &aps, params.road_snap_m);
    let statuses: Vec<HamletStatus> = (0..ds.hamlets.len())
        .map(|h| {
            let (rsrp, site) = hamlet_any[h].map_or((f32::NAN, None), |(v, s)| (v, Some(s as usize)));
            let p = ds.hamlets[h].pos;
            status(h, rsrp, site, per_op[h].clone(), fiber.distance(p.x(), p.y()), params)
        })
        .collect();
    let commune_fiber: Vec<bool> = ds
        .communes
        .iter()
        .map(|c| {
            ds.fiber_access_points.iter().any(|a| a.commune_code == c.code)
                || fiber.distance(c.centre.x(), c.centre.y()).is_some_and(|d| d <= params.fiber_drop_m)
        })
        .collect();
    let indicators = compute(ds, &statuses, &commune_fiber, params);
    let (gaps, gap_areas) = find_gaps(ds, &statuses, params);
    let t = Instant::now();
    let proposals = plan(ds, params, &statuses, &cells, &gap_areas, fiber.graph(), &commune_fiber)?;
    eprintln!("  coverage planner: {} proposals from {} gap areas in {:.1} s", proposals.len(), gap_areas.len(), t.elapsed().as_secs_f64());

    let mut hamlet_layer = hamlet_coverage(ds, &statuses, &operators);
    quality::layers::extend_hamlets(&mut hamlet_layer, ds, &statuses, &operators, &quality, params);
    sink.layer(&hamlet_layer)?;
    let mut ind_layers = indicator_layers(ds, &indicators, &operators);
    quality::layers::extend_indicators(&mut ind_layers, ds, &operators, &statuses, &quality, params);
    for l in ind_layers {
        sink.layer(&l)?;
    }
    for l in gap_layers(ds, &gaps, &gap_areas, params) {
        sink.layer(&l)?;
    }
    if let Some(cal) = &calibration {
        sink.layer(&super::calibration::layers::measurements_layer(ds, cal))?;
        sink.layer(&super::calibration::layers::calibration_layer(ds, cal))?;
    }
    sink.layer(&proposal_layer(ds, &proposals, &indicators.province))?;
    sink.flush()?;
    eprintln!("  {}", indicators.province.summary());
    Ok(CoverageOutput {
        operators,
        hamlets: statuses,
        commune_fiber,
        indicators,
        gaps,
        gap_areas,
        proposals,
        quality,
        sweep: stats,
        sweep_seconds,
        seconds: start.elapsed().as_secs_f64(),
        calibration,
        params: params.clone(),
        hamlet_hits,
    })
}

/// RSRP (dBm) at every hamlet (in `Dataset::hamlets` order) with the sites `excluded_site_ids` taken
/// out of service; NaN where no remaining site reaches the hamlet above the RSRP floor. Evaluated at
/// the hamlets only, with the same engine, so with nothing excluded it equals `rsrp_any.tif` at the
/// hamlets' cells.
pub fn hamlet_rsrp_without_sites(ds: &Dataset, params: &CoverageParams, excluded_site_ids: &[i64]) -> Result<Vec<f32>> {
    Ok(hamlet_signal_table(ds, params)?.rsrp_without(excluded_site_ids))
}

/// Every site's RSRP at every hamlet, computed once; ask it [`SiteHitTable::rsrp_without`] as often as
/// needed (the same values as [`hamlet_rsrp_without_sites`], without re-running propagation).
pub fn hamlet_signal_table(ds: &Dataset, params: &CoverageParams) -> Result<SiteHitTable> {
    params.validate()?;
    let sites = prepare_sites(ds, params)?;
    let cells = hamlet_cells(ds)?;
    SiteHitTable::new(&ds.dem, &sites, &cells, params, &ds.name)
}
