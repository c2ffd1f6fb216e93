//! What the coverage tests on the synthetic province (`coverage::synthetic::mini_province`) share: its
//! stage parameters and one run of the stage that keeps every raster for the checks.

use covermap::coverage::stage::run;
use covermap::coverage::{CoverageOutput, CoverageParams};
use covermap::dataset::Dataset;
use covermap::store::MemorySink;

/// The default parameters with an 8 km sweep (the mini province's size) and `k` planner picks.
pub fn params(k: usize) -> CoverageParams {
    let mut p = CoverageParams { max_radius_m: 8000.0, ..Default::default() };
    p.planner.k = k;
    p
}

/// The coverage stage into a memory sink that keeps the rasters.
pub fn run_keeping_rasters(ds: &Dataset, p: &CoverageParams) -> (MemorySink, CoverageOutput) {
    let mut sink = MemorySink { keep_rasters: true, ..Default::default() };
    let out = run(ds, p, &mut sink).unwrap();
    (sink, out)
}
