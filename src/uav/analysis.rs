//! The UAV analysis as `covermap build` runs it ([`crate::analysis::Stage`]): the `[uav]` section and
//! every flight checked up front (camera, band mapping, image headers, size limits), the flights
//! added to the previous store by `uav ingest` or an upload carried over, then every flight processed.

use std::path::Path;

use super::params::UavParams;
use super::stage::{check_sources, run};
use crate::analysis::{CheckContext, RunContext, Stage, StageReport};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::store::Sink;

#[derive(Clone, Copy)]
pub struct Uav;

impl Stage for Uav {
    type Params = UavParams;
    const SECTION: &'static str = "uav";

    fn check(&self, params: &UavParams, cx: &CheckContext<'_>) -> Result<()> {
        // The size limits' disk margin is checked where the store is written.
        let scratch = cx.out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        check_sources(&crate::dataset::load::flight_sources(cx.cfg, cx.data), params, scratch)
    }

    fn carry_over(&self, ds: &mut Dataset, out: &Path) -> Result<()> {
        let carried = super::ingest::ingested_flights(out, &ds.uav_flights)?;
        ds.uav_flights.extend(carried);
        Ok(())
    }

    fn run(&self, ds: &Dataset, params: &UavParams, sink: &mut dyn Sink, _cx: &mut RunContext<'_, '_>) -> Result<StageReport> {
        let uav = run(ds, params, sink)?;
        let mpx = uav.pixels as f64 / 1e6;
        Ok(StageReport {
            detail: format!("{} flights, {} parcel rows, {mpx:.1} M px, {:.1} M px/s", uav.flights.len(), uav.rows.len(), mpx / uav.seconds.max(1e-9)),
            timings: Vec::new(),
        })
    }
}
