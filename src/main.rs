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
        /// A synthetic region of N × N provinces (1–6) instead of the province: each province-sized
        /// tile synthesized by the same generators with its own seed, one dataset with one DEM
        /// (for measuring a scaled-out build; see docs/ARCHITECTURE.md, Scale-out).
        #[arg(long, default_value_t = 1)]
        region: u32,
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
    /// Drive-test measurements: add a file to a live store (checked against the calibrated model).
    #[command(subcommand)]
    Measurements(cli::measurements::MeasurementsCommand),
    /// Radio models on their own: ITM (Longley-Rice) point-to-point on reference cases, one site's
    /// loss/RSRP raster on any DEM.
    #[command(subcommand)]
    Radio(RadioCommand),
    /// Split a build into N shards for a cluster (a Kubernetes Indexed Job): coverage by groups of
    /// sites balanced by their reach, hydrology by DEM tiles. The plan records the input checksums,
    /// parameters and program version; shards and the merge refuse anything else.
    Plan {
        /// Dataset directory (holding dataset.toml), as the shards will see it.
        #[arg(long, default_value = "data/sonla")]
        data: PathBuf,
        /// Number of shards.
        #[arg(long)]
        shards: usize,
        /// Plan file to write.
        #[arg(long, default_value = "plan.json")]
        out: PathBuf,
    },
    /// Run one shard of a plan: its partial results (COG rasters, JSON) under PREFIX/shard-I/,
    /// replaced atomically when the same index runs again.
    RunShard {
        /// Plan file (made by covermap plan).
        #[arg(long)]
        plan: PathBuf,
        /// Shard index (0..N−1); a Kubernetes Indexed Job sets JOB_COMPLETION_INDEX.
        #[arg(long, env = "JOB_COMPLETION_INDEX")]
        index: usize,
        /// Directory holding every shard's results.
        #[arg(long)]
        out: PathBuf,
    },
    /// Merge the shards' results into the results store a one-machine `covermap build` makes.
    Merge {
        /// Plan file (made by covermap plan).
        #[arg(long)]
        plan: PathBuf,
        /// Directory holding every shard's results (run-shard's --out).
        #[arg(long)]
        from: PathBuf,
        /// Results store directory to write.
        #[arg(long, default_value = "out/sonla")]
        out: PathBuf,
    },
    /// Terrain and hydrology of any DEM: slope, aspect, filled DEM, D8, flow accumulation, streams,
    /// HAND, TWI and the landslide/flash-flood susceptibility classes as COGs, with each step's time.
    Risk(cli::risk::RiskArgs),
    /// Exact coverage-weighted zonal statistics (exactextract's definitions) of any raster under any
    /// polygons, as CSV or GeoPackage.
    Zonal(cli::zonal::ZonalArgs),
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
    /// One site's basic transmission loss (or RSRP with --eirp) over any DEM, within a radius, as a
    /// COG: ITM with SPLAT!'s parameters, Hata, COST-231 or free space, through the coverage engine.
    Site(cli::radio_site::SiteArgs),
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::DemoData { out, seed, resolution, region, force } => {
            let opts = covermap::dataset::demo::DemoOptions { out: out.clone(), seed, resolution_m: resolution, region };
            if !force && covermap::dataset::demo::is_complete(&opts) {
                let of_region = if region > 1 { format!(", region {region} × {region}") } else { String::new() };
                eprintln!("demo-data: {} is complete (seed {seed}, {resolution} m{of_region}); nothing to do", out.display());
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
            // A store or archive on object storage (s3://) is copied to local disk once, at start:
            // the server reads it there, as it reads a local one (and never writes it back).
            let staged_store = if no_store { None } else { Some(covermap::store::object::Staged::input(&store)?) };
            let staged_archives = archives.iter().map(|a| covermap::store::object::Staged::input_file(a)).collect::<Result<Vec<_>, _>>()?;
            let config = covermap::server::ServerConfig {
                upload_max_bytes: upload_max_mb.saturating_mul(1 << 20),
                public_url,
                allowed_hosts,
                max_connections: max_connections.max(1),
                header_read_timeout: std::time::Duration::from_secs(header_timeout_secs),
                store_dir: staged_store.as_ref().map(|s| s.local.clone()),
                archives: staged_archives.iter().map(|s| s.local.clone()).collect(),
                bind,
                port,
                cache_bytes: cache_mb << 20,
                token: token.filter(|t| !t.is_empty()),
                ..Default::default()
            };
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
            rt.block_on(covermap::server::serve_with(config))?;
            drop((staged_store, staged_archives));
        }
        Command::Coverage { data, site, operator, out } => {
            cli::coverage::run_coverage(&data, site, operator.as_deref(), &out)?;
        }
        Command::Export(args) => {
            cli::export::run(args)?;
        }
        Command::Uav(cmd) => cli::uav::run(cmd)?,
        Command::Measurements(cmd) => cli::measurements::run(cmd)?,
        Command::Radio(RadioCommand::ItmP2p { cases, profiles, out }) => {
            cli::radio::run_itm_p2p(&cases, &profiles, out.as_deref())?;
        }
        Command::Plan { data, shards, out } => {
            let plan = covermap::shard::plan(&data, shards)?;
            covermap::shard::plan::write(&plan, &out)?;
            for s in &plan.shards {
                eprintln!("  shard {:>3}: {:>5} sites ({:>9.0} km² swept), tiles {:?}", s.index, s.sites.len(), s.site_cost_km2, s.tiles);
            }
            eprintln!("plan: wrote {} ({} shards, {} DEM tiles of {} × {} cells)", out.display(), shards, plan.tiles.count(), plan.tiles.tile_w, plan.tiles.tile_h);
        }
        Command::RunShard { plan, index, out } => {
            let r = covermap::shard::run(&plan, index, &out)?;
            let secs: Vec<String> = r.seconds.iter().map(|(p, s)| format!("{p} {s:.2} s")).collect();
            eprintln!(
                "run-shard {index}: {} sites, {} tiles; {}; top-N partials {:.1} MB; peak RSS {} MB",
                r.sites,
                r.tiles.len(),
                secs.join(", "),
                r.topn_bytes.iter().sum::<u64>() as f64 / 1e6,
                r.peak_rss_kb / 1024
            );
        }
        Command::Merge { plan, from, out } => {
            let m = covermap::shard::merge(&plan, &from, &out)?;
            eprintln!("merge: wrote {} ({} layers, {} rasters); peak RSS {} MB", out.display(), m.layers.len(), m.rasters.len(), covermap::shard::peak_rss_kb() / 1024);
        }
        Command::Radio(RadioCommand::Site(args)) => cli::radio_site::run(args)?,
        Command::Risk(args) => cli::risk::run(args)?,
        Command::Zonal(args) => cli::zonal::run(args)?,
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
