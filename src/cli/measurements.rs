//! `covermap measurements add --store DIR --file FILE`: add a drive-test file to a live results
//! store (validated, compared with the calibrated model, swapped in atomically); the next build
//! refits the calibration with it.

use std::path::PathBuf;

use anyhow::Context;

/// Drive-test measurements.
#[derive(Debug, clap::Subcommand)]
pub enum MeasurementsCommand {
    /// Add a measurements file (any OGR format; CSV with lon,lat columns in WGS 84) with `operator`,
    /// `rsrp_dbm` and optionally `time`, `band`, `pci`, `site_id`, `environment` (outdoor|in_vehicle)
    /// to the store's `measurements` layer, each point compared with the calibrated model there.
    /// `covermap build --force` refits the calibration with them.
    Add(AddArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Results store to update.
    #[arg(long, default_value = "out/sonla")]
    pub store: PathBuf,
    /// The measurements file.
    #[arg(long)]
    pub file: PathBuf,
}

pub fn run(cmd: MeasurementsCommand) -> anyhow::Result<()> {
    match cmd {
        MeasurementsCommand::Add(a) => {
            let r = covermap::coverage::calibration::add::add_measurements(&a.store, &a.file)
                .with_context(|| format!("measurements add into {}", a.store.display()))?;
            eprintln!("measurements add: {} measurements added to {}", r.added, a.store.display());
            for (op, n, me, rmse) in &r.per_operator {
                let f = |v: &Option<f64>| v.map_or("–".into(), |x| format!("{x:.1}"));
                eprintln!("  {op}: n = {n}, measured − calibrated model: mean {} dB, RMSE {} dB", f(me), f(rmse));
            }
            Ok(())
        }
    }
}
