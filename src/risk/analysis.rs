//! The risk analysis as `covermap build` runs it ([`crate::analysis::Stage`]): the `[risk]` section,
//! the drainage computed here or taken from a merge's tiles, and the warning reach from the hamlet
//! signal the coverage analysis left on the board (none without it).

use super::params::RiskParams;
use super::stage::{run, CoverageInput};
use crate::analysis::{CheckContext, RunContext, Stage, StageReport};
use crate::coverage::analysis::HamletSignal;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::store::Sink;

#[derive(Clone, Copy)]
pub struct Risk;

impl Stage for Risk {
    type Params = RiskParams;
    const SECTION: &'static str = "risk";

    fn check(&self, params: &RiskParams, _cx: &CheckContext<'_>) -> Result<()> {
        params.validate()
    }

    fn run(&self, ds: &Dataset, params: &RiskParams, sink: &mut dyn Sink, cx: &mut RunContext<'_, '_>) -> Result<StageReport> {
        let risk = match cx.board.get::<HamletSignal>() {
            Some(s) => {
                let recompute = |excluded: &[i64]| s.rsrp_without(ds, excluded);
                let coverage = CoverageInput { hamlet_rsrp: &s.rsrp, recompute: &recompute, covered_rsrp_dbm: Some(s.covered_dbm) };
                run(ds, params, Some(coverage), cx.pre.hydrology, sink)?
            }
            None => run(ds, params, None, cx.pre.hydrology, sink)?,
        };
        Ok(StageReport {
            detail: format!("{} zones, {} high-risk hamlets, rainfall {} mm/24 h", risk.zones, risk.high_risk_ranked.len(), params.rainfall_24h_mm),
            timings: risk.timings,
        })
    }
}
