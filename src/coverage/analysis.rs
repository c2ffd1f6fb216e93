//! The coverage analysis as `covermap build` runs it ([`crate::analysis::Stage`]): the `[coverage]`
//! section, the drive tests added to the previous store carried over, the sweep (here, or the
//! shards' grids in a merge) and everything after it into the sink; it leaves each hamlet's signal
//! on the board for the risk stage's warning reach.

use std::path::Path;
use std::sync::OnceLock;

use super::params::CoverageParams;
use super::points::SiteHitTable;
use super::stage::{hamlet_signal_table, run, run_from};
use crate::analysis::{CheckContext, RunContext, Stage, StageReport};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::store::Sink;

#[derive(Clone, Copy)]
pub struct Coverage;

/// What the coverage analysis leaves on the board: the best 4G RSRP at every hamlet and the model to
/// evaluate the hamlets again without some sites.
pub struct HamletSignal {
    /// dBm, in `Dataset::hamlets` order; NaN where no site reaches the hamlet above the RSRP floor.
    pub rsrp: Vec<f32>,
    /// `[coverage] covered_dbm`.
    pub covered_dbm: f32,
    /// The parameters as applied (calibrated), so a recomputation sees the same model.
    params: CoverageParams,
    /// Every site's signal at the hamlets, evaluated on the first [`HamletSignal::rsrp_without`].
    table: OnceLock<SiteHitTable>,
}

impl HamletSignal {
    /// RSRP at every hamlet without the sites `excluded` (ids); equals `rsrp` with none excluded.
    pub fn rsrp_without(&self, ds: &Dataset, excluded: &[i64]) -> Result<Vec<f32>> {
        let table = match self.table.get() {
            Some(t) => t,
            None => {
                let t = hamlet_signal_table(ds, &self.params)?;
                self.table.get_or_init(|| t)
            }
        };
        Ok(table.rsrp_without(excluded))
    }
}

impl Stage for Coverage {
    type Params = CoverageParams;
    const SECTION: &'static str = "coverage";

    fn check(&self, params: &CoverageParams, _cx: &CheckContext<'_>) -> Result<()> {
        params.validate()
    }

    /// Drive tests added to the previous store by `measurements add`, refitted with the dataset's.
    fn carry_over(&self, ds: &mut Dataset, out: &Path) -> Result<()> {
        let last_id = ds.measurements.iter().map(|m| m.id).max().unwrap_or(0);
        let operators = ds.operators();
        let (carried, dropped): (Vec<_>, Vec<_>) = super::calibration::add::added_measurements(out, last_id)?
            .into_iter()
            .partition(|m| operators.contains(&m.operator) && ds.dem.cell_of(m.pos.x(), m.pos.y()).is_some());
        if !dropped.is_empty() {
            eprintln!("  measurements: {} added earlier no longer match the dataset (operator without sites or off the DEM), not carried over", dropped.len());
        }
        if !carried.is_empty() {
            eprintln!("  measurements: {} added to the previous store carried over", carried.len());
        }
        ds.measurements.extend(carried);
        Ok(())
    }

    fn run(&self, ds: &Dataset, params: &CoverageParams, sink: &mut dyn Sink, cx: &mut RunContext<'_, '_>) -> Result<StageReport> {
        let cov = match cx.pre.sweep.take() {
            Some(source) => run_from(ds, params, sink, source)?,
            None => run(ds, params, sink)?,
        };
        let mut rsrp = vec![f32::NAN; ds.hamlets.len()];
        for h in &cov.hamlets {
            rsrp[h.hamlet] = h.rsrp_dbm;
        }
        let detail = format!(
            "sweep {:.1} s, {:.1} M cells, {:.2} M cells/s; {} gaps, {} proposals",
            cov.sweep_seconds,
            cov.sweep.cells as f64 / 1e6,
            cov.sweep.cells as f64 / cov.sweep_seconds.max(1e-9) / 1e6,
            cov.gaps.len(),
            cov.proposals.len()
        );
        // The sweep's own hits when it ran here, so the warning reach walks no radial again.
        let table = OnceLock::new();
        if let Some(t) = cov.hamlet_hits {
            let _ = table.set(t);
        }
        cx.board.put(HamletSignal { rsrp, covered_dbm: params.covered_dbm as f32, params: cov.params, table });
        Ok(StageReport { detail, timings: Vec::new() })
    }
}
