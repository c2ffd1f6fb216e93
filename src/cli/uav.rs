//! `covermap uav …`: the UAV commands of the CLI. `covermap uav ingest --image FILE... --date
//! YYYY-MM-DD --camera p4m|rededge|altum|generic [--bands ...]` adds a flight to a results store
//! (indices, per-parcel health, change against the previous flight), atomically.

use std::path::PathBuf;

use anyhow::Context;

/// UAV crop monitoring commands.
#[derive(Debug, clap::Subcommand)]
pub enum UavCommand {
    /// Ingest a multispectral flight into the results store: vegetation indices (NDVI, NDRE, GNDVI,
    /// SAVI as COGs), statistics and a health class for every orchard parcel it covers, change against
    /// the previous flight, and the updated `orchard_health` layer. What is served is replaced only when
    /// everything succeeded.
    Ingest(IngestArgs),
}

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Orthomosaic GeoTIFF(s) of the flight (any CRS; several files are mosaicked). Repeat or list.
    #[arg(long = "image", required = true, num_args = 1..)]
    pub images: Vec<PathBuf>,
    /// Flight date, YYYY-MM-DD.
    #[arg(long)]
    pub date: String,
    /// Camera preset giving the band order: p4m (DJI P4 Multispectral), rededge, altum (MicaSense), or
    /// generic (then --bands is required).
    #[arg(long)]
    pub camera: String,
    /// Band mapping overriding the preset, e.g. `blue=1,green=2,red=3,rededge=4,nir=5`.
    #[arg(long)]
    pub bands: Option<String>,
    /// Reflectance per stored unit (e.g. 0.0001 for reflectance × 10000), overriding file metadata.
    #[arg(long)]
    pub scale: Option<f64>,
    /// Flight id (default: the date, suffixed -2, -3… when taken).
    #[arg(long)]
    pub id: Option<String>,
    /// Results store to update.
    #[arg(long, default_value = "out/sonla")]
    pub store: PathBuf,
}

pub fn run(cmd: UavCommand) -> anyhow::Result<()> {
    match cmd {
        UavCommand::Ingest(a) => run_ingest(&a),
    }
}

/// `covermap uav ingest`.
pub fn run_ingest(a: &IngestArgs) -> anyhow::Result<()> {
    let req = covermap::uav::IngestRequest {
        images: a.images.clone(),
        date: a.date.clone(),
        camera: a.camera.clone(),
        bands: a.bands.clone(),
        scale: a.scale,
        id: a.id.clone(),
    };
    let bar = covermap::progress::bar(1, "uav ingest");
    let progress = |step: &str, done: u64, total: u64| {
        bar.set_message(format!("uav ingest: {step}"));
        bar.set_length(total.max(1));
        bar.set_position(done);
    };
    let report = covermap::uav::ingest_request(&a.store, &req, &progress)
        .with_context(|| format!("uav ingest into {}", a.store.display()))?;
    bar.finish_and_clear();
    eprintln!(
        "uav ingest: flight {} ({}) — {} parcels, {:.1} M pixels in {:.1} s{}",
        report.flight_id,
        report.date,
        report.parcels,
        report.pixels as f64 / 1e6,
        report.seconds,
        report.change_vs.as_ref().map(|p| format!(", change vs {p}")).unwrap_or_default()
    );
    if report.declined.is_empty() {
        eprintln!("uav ingest: no parcel's health fell");
    } else {
        eprintln!("uav ingest: {} parcel(s) whose health fell, worst first:", report.declined.len());
        for d in &report.declined {
            eprintln!(
                "  orchard {:>5} {:<7} {:>9} → {:<9} NDVI change {}",
                d.orchard_id,
                d.crop,
                d.from,
                d.to,
                d.ndvi_change.map(|c| format!("{c:+.3}")).unwrap_or_else(|| "—".into())
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        uav: UavCommand,
    }

    #[test]
    fn ingest_arguments_as_the_issue_names_them() {
        let cli = Cli::try_parse_from([
            "uav", "ingest", "--image", "a.tif", "b.tif", "--image", "c.tif", "--date", "2026-03-10", "--camera", "generic",
            "--bands", "red=3,nir=4",
        ])
        .unwrap();
        let UavCommand::Ingest(a) = cli.uav;
        assert_eq!(a.images.len(), 3);
        assert_eq!((a.date.as_str(), a.camera.as_str(), a.bands.as_deref()), ("2026-03-10", "generic", Some("red=3,nir=4")));
        assert_eq!(a.store, PathBuf::from("out/sonla"));
        assert!(Cli::try_parse_from(["uav", "ingest", "--date", "2026-03-10", "--camera", "p4m"]).is_err(), "--image is required");
    }
}
