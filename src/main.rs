//! The `covermap` command line: generate the demo dataset, build results, serve them, and the
//! analyses' own commands. Errors end the process with a non-zero code and one line naming the problem.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "covermap",
    version,
    about = "Coverage mapping and geospatial analysis for a province: 4G/fiber coverage, disaster risk, UAV orchard monitoring",
    long_about = "covermap builds a province's dataset (DEM, communes, hamlets, cell sites, roads, fiber, orchards, UAV flights)\n\
into a results store (GeoPackage + Cloud-Optimized GeoTIFFs + manifest) and serves it as a web map, vector/raster tiles\n\
and OGC API – Features.\n\n\
Typical use:  covermap demo-data && covermap build && covermap serve   (then open http://127.0.0.1:8080)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the default Sơn La dataset: real public data plus layers synthesized from a seed
    /// (same seed → byte-identical files). Skips the work when the dataset is already complete.
    DemoData {
        /// Dataset directory to write.
        #[arg(long, default_value = "data/sonla")]
        out: PathBuf,
        /// Seed of the synthesized layers.
        #[arg(long, default_value_t = covermap::dataset::demo::DEFAULT_SEED)]
        seed: u64,
        /// DEM cell size in metres.
        #[arg(long, default_value_t = 30.0)]
        resolution: f64,
        /// Regenerate even when the dataset is complete.
        #[arg(long)]
        force: bool,
    },
    /// Build the results store from a dataset: load and validate it, run every analysis, write
    /// results.gpkg, the rasters and manifest.json atomically. Does nothing when the store is fresh.
    Build {
        /// Dataset directory (holding dataset.toml).
        #[arg(long, default_value = "data/sonla")]
        data: PathBuf,
        /// Results store directory.
        #[arg(long, default_value = "out/sonla")]
        out: PathBuf,
        /// Rebuild even when the store is fresh.
        #[arg(long)]
        force: bool,
    },
    // --- map service (issue 4): serve and export ---
    /// Serve a results store (and/or tile archives): web viewer, vector/raster tiles, TileJSON,
    /// OGC API – Features, JSON/CSV APIs, /health and /metrics. Stops cleanly on SIGTERM or Ctrl-C.
    Serve(covermap::server::ServeArgs),
    /// Write layers of a results store into a tile archive (PMTiles v3 or MBTiles) under tiles/.
    Export(covermap::cli_export::ExportArgs),
    // --- end map service ---
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::DemoData { out, seed, resolution, force } => {
            let opts = covermap::dataset::demo::DemoOptions { out: out.clone(), seed, resolution_m: resolution };
            if !force && covermap::dataset::demo::is_complete(&opts) {
                eprintln!("demo-data: {} is complete (seed {seed}, {resolution} m); nothing to do", out.display());
                return Ok(());
            }
            covermap::dataset::demo::generate(&opts).with_context(|| format!("demo-data into {}", out.display()))?;
            eprintln!("demo-data: wrote {}", out.display());
        }
        Command::Build { data, out, force } => {
            match covermap::build::run(&covermap::build::BuildOptions { data: data.clone(), out: out.clone(), force })? {
                covermap::build::BuildOutcome::Fresh => eprintln!("build: {} is up to date with {}", out.display(), data.display()),
                covermap::build::BuildOutcome::Built(m) => {
                    eprintln!("build: wrote {} ({} layers, {} rasters)", out.display(), m.layers.len(), m.rasters.len())
                }
            }
        }
        // --- map service (issue 4) ---
        Command::Serve(args) => {
            let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            rt.block_on(covermap::server::serve_with(args.config()))?;
        }
        Command::Export(args) => {
            covermap::cli_export::run_export(&args)?;
        }
        // --- end map service ---
    }
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("COVERMAP_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the context chain joined.
            let msg: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("error: {}", msg.join(": "));
            ExitCode::FAILURE
        }
    }
}
