//! `covermap risk --dem FILE --out DIR [--stream-km2 A] [--rainfall MM]`: the terrain and hydrology
//! products of any DEM (slope, aspect, filled DEM, D8, flow accumulation, streams, HAND, TWI, the two
//! susceptibility rasters) as COGs, with each step's time and throughput — the library's
//! [`covermap::risk::dem_tool`] on a DEM read by [`covermap::grid::metric_dem`].

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use covermap::grid::metric_dem::read_metric_dem;
use covermap::risk::dem_tool::run_dem;
use covermap::risk::RiskParams;

#[derive(Args)]
pub struct RiskArgs {
    /// DEM to analyse: any raster GDAL reads, in a metric projected CRS or in degrees (then warped
    /// into the UTM zone of its centre at its metric cell size).
    #[arg(long)]
    pub dem: PathBuf,
    /// Output directory for the COGs (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// Contributing area (km²) from which a cell is a stream.
    #[arg(long = "stream-km2", default_value_t = 0.5)]
    pub stream_km2: f64,
    /// 24-hour rainfall scenario (mm) for the susceptibility models; 0 = dry.
    #[arg(long, default_value_t = 150.0)]
    pub rainfall: f32,
}

pub fn run(a: RiskArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let m = read_metric_dem(&a.dem)?;
    let (w, h) = (m.dem.width, m.dem.height);
    match &m.warped_from {
        Some(src) => eprintln!(
            "  read {} ({src}): warped into {} at {:.1} m, {w} × {h} cells, in {:.2} s",
            a.dem.display(),
            m.crs,
            m.dem.transform.dx,
            t0.elapsed().as_secs_f64()
        ),
        None => eprintln!("  read {} ({}, {w} × {h} cells of {} m) in {:.2} s", a.dem.display(), m.crs, m.dem.transform.dx, t0.elapsed().as_secs_f64()),
    }
    let params = RiskParams { stream_threshold_km2: a.stream_km2, rainfall_24h_mm: a.rainfall, ..RiskParams::default() };
    let cores = rayon::current_num_threads();
    let s = run_dem(&m.dem, &m.crs, &params, &a.out, |st| {
        let note = if st.note.is_empty() { String::new() } else { format!("  {}", st.note) };
        eprintln!(
            "  {:<20} {:>7.2} s  {:>7.1} M cells/s ({:.1} per core){note}",
            st.name,
            st.seconds,
            st.rate(),
            st.rate() / cores as f64
        );
    })
    .with_context(|| format!("risk on {}", a.dem.display()))?;
    println!(
        "risk: {} × {} cells ({} valid) in {:.2} s of computation ({:.1} s in all); {} stream cells; {} rasters in {}",
        s.width,
        s.height,
        s.valid_cells,
        s.compute_seconds,
        t0.elapsed().as_secs_f64(),
        s.stream_cells,
        s.files.len(),
        a.out.display()
    );
    Ok(())
}
