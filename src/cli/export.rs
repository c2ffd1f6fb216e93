//! `covermap export --format pmtiles|mbtiles|csv --layers a,b --minzoom Z --maxzoom Z --out FILE`: the
//! command's options; the export itself is the library's [`covermap::tiles::export`].

use std::path::PathBuf;

use covermap::tiles::export::{run_export, ExportFormat, ExportOptions};

/// `covermap export` options.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// Results store to read.
    #[arg(long, default_value = "out/sonla")]
    pub store: PathBuf,
    /// Archive format: pmtiles (PMTiles v3) or mbtiles (MBTiles 1.3); or csv: one vector layer's
    /// attributes (id, fields, lon/lat of its representative point; zooms ignored).
    #[arg(long, default_value = "pmtiles")]
    pub format: ExportFormat,
    /// Layers to export, comma-separated: vector layers (composited into each tile) or one raster.
    #[arg(long, value_delimiter = ',', required = true)]
    pub layers: Vec<String>,
    #[arg(long, default_value_t = 0)]
    pub minzoom: u8,
    #[arg(long, default_value_t = 14)]
    pub maxzoom: u8,
    /// Output file (default: tiles/<layers joined by '-'>.<format>).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `covermap export`.
pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let ExportArgs { store, format, layers, minzoom, maxzoom, out } = args;
    run_export(&ExportOptions { store, format, layers, minzoom, maxzoom, out })?;
    Ok(())
}
