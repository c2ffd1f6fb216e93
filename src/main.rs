//! The `covermap` command line: generate the demo dataset, build results, serve them, and the
//! analyses' own commands. Errors end the process with a non-zero code and one line naming the problem.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

mod cli;

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
        /// DEM cell size in metres (5–1000).
        #[arg(long, default_value_t = 30.0, allow_negative_numbers = true)]
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
    /// Serve a results store: the web map at /, vector and raster tiles, TileJSON, OGC API – Features,
    /// the indicators/gaps/planner/UAV APIs, /health and /metrics. Reads only; nothing is recomputed.
    Serve {
        /// Results store directory (made by `covermap build`).
        #[arg(long, default_value = "out/sonla")]
        store: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Port to listen on.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Tile archives (PMTiles/MBTiles) to serve beside the store (repeatable).
        #[arg(long = "archive")]
        archives: Vec<PathBuf>,
        /// Serve only the archives, without a store.
        #[arg(long)]
        no_store: bool,
        /// Tile cache size in MiB.
        #[arg(long, default_value_t = 256)]
        cache_mb: u64,
        /// Bearer token for write endpoints (uploads); without one, writes answer 403.
        #[arg(long, env = "COVERMAP_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Largest upload body in MiB; a declared Content-Length above it is refused with 413 at once.
        #[arg(long, default_value_t = covermap::server::DEFAULT_UPLOAD_MAX_MB)]
        upload_max_mb: u64,
        /// Base URL clients reach the service at (e.g. https://gis.example.org/covermap behind a proxy):
        /// used for every absolute link and TileJSON `tiles`. Without it, links use the request's Host
        /// only when it names this server (the bind address, or a --allowed-host).
        #[arg(long)]
        public_url: Option<String>,
        /// Another Host value (`name` or `name:port`) links may be built from (repeatable).
        #[arg(long = "allowed-host")]
        allowed_hosts: Vec<String>,
        /// Most concurrent connections; more wait in the listen backlog.
        #[arg(long, default_value_t = 1024)]
        max_connections: usize,
        /// Seconds a client has to send a whole request header (slow clients are disconnected).
        #[arg(long, default_value_t = 10)]
        header_timeout_secs: u64,
    },
    /// The coverage of one site (--site), one operator (--operator) or every site, with the build's
    /// engine and `[coverage]` parameters: an RSRP GeoTIFF (dBm, COG) and its statistics (cells per
    /// second, area and hamlets covered). Does not touch the results store.
    Coverage {
        /// Dataset directory (holding dataset.toml).
        #[arg(long, default_value = "data/sonla")]
        data: PathBuf,
        /// Id of one site (as in the sites layer).
        #[arg(long, conflicts_with = "operator")]
        site: Option<i64>,
        /// One operator's sites (e.g. viettel).
        #[arg(long)]
        operator: Option<String>,
        /// RSRP raster to write.
        #[arg(long, default_value = "coverage.tif")]
        out: PathBuf,
    },
    /// Write layers of a results store into a tile archive (PMTiles v3 or MBTiles) under tiles/:
    /// vector layers composited into one MVT per tile, or one raster as PNG; parallel, with a progress bar.
    Export(cli::export::ExportArgs),
    /// UAV flights: ingest multispectral orthomosaics into the store (indices, per-orchard health, change).
    #[command(subcommand)]
    Uav(cli::uav::UavCommand),
    /// Radio models on their own: ITM (Longley-Rice) point-to-point on reference cases.
    #[command(subcommand)]
    Radio(RadioCommand),
}

#[derive(Subcommand)]
enum RadioCommand {
    /// ITM point-to-point loss for each case of a CSV (NTIA's column layout) and its PFL profile line;
    /// writes CSV with one `A__db` per case plus `rtn` and `warnings`.
    ItmP2p {
        /// Cases CSV (h_tx__meter, h_rx__meter, epsilon, sigma, N_0, f__mhz, pol, climate, time, location, situation, mdvar[, A__db]).
        #[arg(long)]
        cases: PathBuf,
        /// Profiles CSV: line N is the PFL profile of case N.
        #[arg(long)]
        profiles: PathBuf,
        /// Output CSV (standard output when absent).
        #[arg(long)]
        out: Option<PathBuf>,
    },
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
        Command::Serve { store, bind, port, archives, no_store, cache_mb, token, upload_max_mb, public_url, allowed_hosts, max_connections, header_timeout_secs } => {
            if let Some(u) = &public_url {
                anyhow::ensure!(
                    (u.starts_with("http://") || u.starts_with("https://")) && !u.contains(char::is_whitespace),
                    "--public-url `{u}`: give an absolute http:// or https:// URL"
                );
            }
            anyhow::ensure!(upload_max_mb > 0, "--upload-max-mb must be at least 1");
            anyhow::ensure!(header_timeout_secs > 0, "--header-timeout-secs must be at least 1");
            let config = covermap::server::ServerConfig {
                upload_max_bytes: upload_max_mb.saturating_mul(1 << 20),
                public_url,
                allowed_hosts,
                max_connections: max_connections.max(1),
                header_read_timeout: std::time::Duration::from_secs(header_timeout_secs),
                store_dir: (!no_store).then_some(store),
                archives,
                bind,
                port,
                cache_bytes: cache_mb << 20,
                token: token.filter(|t| !t.is_empty()),
                ..Default::default()
            };
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
            rt.block_on(covermap::server::serve_with(config))?;
        }
        Command::Coverage { data, site, operator, out } => {
            cli::coverage::run_coverage(&data, site, operator.as_deref(), &out)?;
        }
        Command::Export(args) => {
            cli::export::run(args)?;
        }
        Command::Uav(cmd) => cli::uav::run(cmd)?,
        Command::Radio(RadioCommand::ItmP2p { cases, profiles, out }) => {
            cli::radio::run_itm_p2p(&cases, &profiles, out.as_deref())?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("COVERMAP_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    // GDAL prints its own "ERROR 1: …" lines; the error we return already carries GDAL's message, so
    // route them to the log (COVERMAP_LOG=debug) to keep a failure to one line on stderr.
    gdal::config::set_error_handler(|class, code, msg| match class {
        gdal::errors::CplErrType::Warning => tracing::info!("GDAL warning {code}: {msg}"),
        _ => tracing::debug!("GDAL {class:?} {code}: {msg}"),
    });
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help, --version, and the help shown when no command is given: print as clap does.
        Err(e) if !e.use_stderr() || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        Err(e) => {
            // clap's usage errors span several lines; keep the one that says what was wrong.
            let text = e.render().to_string();
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("error: invalid arguments");
            eprintln!("{first} (see --help)");
            return ExitCode::from(2);
        }
    };
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
