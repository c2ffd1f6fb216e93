//! The build's risk stage alone on a dataset, for timing and comparing it (issue 15): loads the
//! dataset, runs `risk::stage::run` without the coverage stage (so no warning reach) into a fresh
//! store at OUT and prints the step times `covermap build` prints.
//!
//! `cargo run --release --example risk_stage -- [DATASET_DIR [OUT]]` (defaults `data/sonla`,
//! `out/risk-stage`). Compare two runs' rasters with `gdalinfo -checksum` or SHA-256 of the decoded
//! bands, and their `risk_zones` layers feature by feature.

use std::path::PathBuf;
use std::time::Instant;

use covermap::dataset::{load::load_with, DatasetConfig};
use covermap::risk::params::RiskParams;
use covermap::store::{Manifest, StoreWriter};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let data = PathBuf::from(args.next().unwrap_or_else(|| "data/sonla".into()));
    let out = PathBuf::from(args.next().unwrap_or_else(|| "out/risk-stage".into()));
    let cfg = DatasetConfig::read(&data)?;
    let params: RiskParams = cfg.params("risk")?;
    let t = Instant::now();
    let ds = load_with(&cfg, &data)?;
    eprintln!("  load dataset {:.2} s", t.elapsed().as_secs_f64());
    let mut w = StoreWriter::begin(&out)?;
    let t = Instant::now();
    let r = covermap::risk::stage::run(&ds, &params, None, None, &mut w.sink(&ds.crs))?;
    eprintln!("  risk {:.2} s, {} zones", t.elapsed().as_secs_f64(), r.zones);
    let t = Instant::now();
    w.commit(Manifest::default())?;
    eprintln!("  commit store {:.2} s", t.elapsed().as_secs_f64());
    Ok(())
}
