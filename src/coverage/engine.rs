//! The whole-area engine: every site's transmitters swept in parallel (rayon, one scratch buffer per
//! worker), each cell of each sweep handed to a caller's `emit` — which folds it into the shared
//! best-server grids ([`super::best`]). Nothing is allocated per cell; per transmitter only the small
//! per-sample tables of its [`Profile`].

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use rayon::prelude::*;

use super::cut::CutRule;
use super::params::CoverageParams;
use super::profile::Profile;
use super::radial::RadialPlan;
use super::sites::{PreparedSite, Transmitter};
use super::sweep::{rasterize, sweep_tx, Scratch};
use crate::error::{Error, Result};
use crate::grid::Grid;

/// Work done by a set of sweeps.
#[derive(Debug, Clone, Copy, Default)]
pub struct SweepStats {
    pub transmitters: u64,
    /// Cells whose value was looked up (cells within each transmitter's reach, summed).
    pub cells: u64,
    /// Profile samples walked (for ITM: the samples evaluated, those some cell takes).
    pub samples: u64,
}

impl SweepStats {
    pub fn add(&mut self, o: SweepStats) {
        self.transmitters += o.transmitters;
        self.cells += o.cells;
        self.samples += o.samples;
    }
}

/// A transmitter's profile on `dem` and the radial plan it needs — what every sweep and point
/// evaluation of it starts from; `None` where not one sample is within its reach.
pub fn walk_for<'a>(dem: &'a Grid<f32>, tx: &Transmitter, params: &CoverageParams) -> Option<(Profile<'a>, RadialPlan)> {
    let prof = Profile::new(dem, tx, params);
    if prof.n == 0 {
        return None;
    }
    let plan = plan_for(&prof, dem, params);
    Some((prof, plan))
}

/// The radial plan a profile needs.
fn plan_for(prof: &Profile, dem: &Grid<f32>, params: &CoverageParams) -> RadialPlan {
    let cell = dem.transform.dx.min(dem.transform.dy);
    RadialPlan::new(prof.n, prof.step_m, params.radial_gap_cells * cell)
}

/// What a sweep reads: the terrain, the sites whose transmitters it sweeps, the coverage parameters,
/// and the dataset's name (for errors).
#[derive(Clone, Copy)]
pub struct SweepInput<'a> {
    pub dem: &'a Grid<f32>,
    pub sites: &'a [&'a PreparedSite],
    pub params: &'a CoverageParams,
    pub source: &'a str,
}

/// The error of a site whose model failed during the sweep (ITM refusing a profile).
pub fn model_error(source: &str, site: &PreparedSite, e: crate::radio::itm::ItmError) -> Error {
    Error::feature(source, "sites", &site.label, format!("ITM: {e} (code {})", e.code()))
}

/// Sweep every transmitter of the input's sites over its DEM, calling `emit(cell index, rsrp, site)`
/// for every cell with RSRP ≥ the floor. `tick` is called once per finished site (progress).
pub fn sweep_sites<E, T>(input: SweepInput<'_>, emit: E, tick: T) -> Result<SweepStats>
where
    E: Fn(usize, f32, &PreparedSite) + Sync,
    T: Fn() + Sync,
{
    let (dem, floor) = (input.dem, input.params.min_rsrp_dbm as f32);
    sweep_sites_with(
        input,
        &CutRule::Off,
        |_| true,
        |site, tx, plan, sc| rasterize(tx, plan, sc, dem, floor, |i, v| emit(i, v, site)),
        tick,
    )
}

/// The general form of [`sweep_sites`]: sweeps the transmitters `select` accepts under the reach
/// rule `cut` ([`super::cut`]) and hands each finished sweep to `visit(site, transmitter, plan,
/// scratch)`, which reads its cells and returns how many it evaluated (e.g. [`rasterize`], or every
/// sector's value for the network-quality servers).
pub fn sweep_sites_with<S, V, T>(input: SweepInput<'_>, cut: &CutRule, select: S, visit: V, tick: T) -> Result<SweepStats>
where
    S: Fn(&Transmitter) -> bool + Sync,
    V: Fn(&PreparedSite, &Transmitter, &RadialPlan, &Scratch) -> u64 + Sync,
    T: Fn() + Sync,
{
    let SweepInput { dem, sites, params, source } = input;
    let (tx_n, cells, samples) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    sites.par_iter().with_max_len(1).try_for_each_init(Scratch::default, |sc, site| -> Result<()> {
        for tx in site.txs.iter().filter(|t| select(t)) {
            let Some((prof, plan)) = walk_for(dem, tx, params) else { continue };
            sc.cut.prepare(if params.reach_per_cell { cut } else { &CutRule::Off }, &prof, tx, params.reach_floor_dbm());
            let evaluated = sweep_tx(&prof, &plan, sc, tx, dem).map_err(|e| model_error(source, site, e))?;
            let c = visit(site, tx, &plan, sc);
            tx_n.fetch_add(1, Relaxed);
            cells.fetch_add(c, Relaxed);
            samples.fetch_add(evaluated, Relaxed);
        }
        tick();
        Ok(())
    })?;
    Ok(SweepStats { transmitters: tx_n.into_inner(), cells: cells.into_inner(), samples: samples.into_inner() })
}
