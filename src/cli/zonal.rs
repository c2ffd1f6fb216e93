//! `covermap zonal --raster FILE --zones FILE [--band N] [--stats LIST] [--out CSV|GPKG]`: exact
//! coverage-weighted statistics of any raster under any polygons ([`covermap::uav::zonal_file`]).
//! CSV goes to `--out` (or standard output); a `.gpkg` output holds the zones with their
//! statistics as layer `zonal`, in the raster's CRS. Written atomically.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;

use covermap::uav::zonal_file::{parse_stats, zonal_stats_files};

#[derive(Args)]
pub struct ZonalArgs {
    /// Raster with the values (any file GDAL reads, north-up).
    #[arg(long)]
    pub raster: PathBuf,
    /// Polygons (any vector file OGR reads; first layer; any CRS).
    #[arg(long)]
    pub zones: PathBuf,
    /// Band of the raster (1-based).
    #[arg(long, default_value_t = 1)]
    pub band: usize,
    /// Statistics, comma-separated: count, sum, mean, stdev (std), variance, min, max, median, pNN.
    #[arg(long, default_value = "count,mean")]
    pub stats: String,
    /// Output: a .csv file, or a .gpkg (layer `zonal`); CSV on standard output when absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(a: ZonalArgs) -> anyhow::Result<()> {
    let stats = parse_stats(&a.stats)?;
    let t = Instant::now();
    let table = zonal_stats_files(&a.raster, a.band, &a.zones, &stats)?;
    let secs = t.elapsed().as_secs_f64();
    match &a.out {
        None => {
            std::io::stdout().write_all(table.to_csv()?.as_bytes())?;
        }
        Some(p) => {
            let ext = p.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
            let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let tmp = p.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
            match ext.as_str() {
                "csv" => std::fs::write(&tmp, table.to_csv()?).with_context(|| format!("writing {}", tmp.display()))?,
                "gpkg" => {
                    let _ = std::fs::remove_file(&tmp);
                    let mut ds = covermap::store::gpkg::create_or_open(&tmp)?;
                    covermap::store::gpkg::write_layer(&mut ds, p, &table.to_layer("zonal"))?;
                    drop(ds);
                }
                _ => bail!("{}: the output must end in .csv or .gpkg", p.display()),
            }
            std::fs::rename(&tmp, p).with_context(|| format!("writing {}", p.display()))?;
        }
    }
    let undefined = table.zones.iter().filter(|z| z.values.iter().all(|v| v.is_none())).count();
    eprintln!(
        "zonal: {} zones × {} statistics over {} pixels in {secs:.2} s{}{}",
        table.zones.len(),
        stats.len(),
        table.pixels,
        if undefined > 0 { format!(" ({undefined} zones without a valid pixel)") } else { String::new() },
        a.out.as_ref().map(|p| format!("; wrote {}", p.display())).unwrap_or_default()
    );
    Ok(())
}
