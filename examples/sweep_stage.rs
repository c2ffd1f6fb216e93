//! The build's coverage sweep alone, for timing it (issue 15): loads the dataset, prepares its sites
//! and runs each operator's sweep as `covermap build` does (reach rule on, the hamlets' cells kept,
//! every carrier with its SINR and rate), without calibration, rasters or layers. Prints per
//! operator the wall time and the process CPU time (user + system, from `getrusage`), and the
//! cells and samples evaluated — CPU seconds compare across runs on a shared machine, wall times
//! do not.
//!
//! `cargo run --release --example sweep_stage -- [DATASET_DIR [OPERATOR]]` (defaults `data/sonla`,
//! every operator); `RAYON_NUM_THREADS=1` for one core.

use std::path::PathBuf;
use std::time::Instant;

use covermap::coverage::best::BestServerGrid;
use covermap::coverage::hamlets::{cell_indices, hamlet_cells};
use covermap::coverage::params::CoverageParams;
use covermap::coverage::sites::{prepare_sites, PreparedSite};
use covermap::coverage::stage::{LocalSweep, OperatorSweep, SweepSource};
use covermap::dataset::{load::load_with, DatasetConfig};

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `ru` is a valid, writable rusage; getrusage only writes it.
    let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr()) } == 0;
    if !ok {
        return f64::NAN;
    }
    // SAFETY: zero-initialised, then filled by a successful getrusage.
    let ru = unsafe { ru.assume_init() };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 * 1e-6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let data = PathBuf::from(args.next().unwrap_or_else(|| "data/sonla".into()));
    let only = args.next();
    let cfg = DatasetConfig::read(&data)?;
    let params: CoverageParams = cfg.params("coverage")?;
    let ds = load_with(&cfg, &data)?;
    let sites = prepare_sites(&ds, &params)?;
    let points = cell_indices(&ds.dem, &hamlet_cells(&ds)?);
    let any = BestServerGrid::new(ds.dem.len());
    let (mut wall, mut cpu) = (0.0, 0.0);
    let mut sweep = LocalSweep::new(&params, &ds.name);
    for op in ds.operators() {
        if only.as_ref().is_some_and(|o| o != &op) {
            continue;
        }
        let op_sites: Vec<&PreparedSite> = sites.iter().filter(|s| s.operator == op).collect();
        let job = OperatorSweep { dem: &ds.dem, params: &params, op: &op, sites: &op_sites, any: &any, points: &points, tick: &|| {} };
        let (t, c) = (Instant::now(), cpu_seconds());
        let (_, stats, _) = sweep.operator(&job)?;
        let (dt, dc) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
        eprintln!(
            "  {op}: {} sites, {:.1} M cells, {:.1} M samples: {dt:.2} s wall, {dc:.2} s CPU",
            op_sites.len(),
            stats.cells as f64 / 1e6,
            stats.samples as f64 / 1e6
        );
        wall += dt;
        cpu += dc;
    }
    eprintln!("  sweep: {wall:.2} s wall, {cpu:.2} s CPU");
    Ok(())
}
