//! The terrain and hydrology products of one DEM, on their own (`covermap risk --dem FILE --out
//! DIR`): what WhiteboxTools or richdem users run on any DEM, with the same functions the build's
//! risk stage uses ([`super::stage`]) — no copies. Each product is written as a COG into the output
//! directory as soon as it exists, and each step reports its time and throughput to the caller.
//!
//! Products (file names are the store's where the store has them): `slope.tif` (°, Horn/gdaldem),
//! `aspect.tif` (° from north), `filled.tif` (m, Priority-Flood), `d8.tif` (directions 0–7
//! counter-clockwise from east, 8 = outlet, 255 = nodata), `flow_accumulation.tif` (cells,
//! inclusive), `streams.tif` (1 = stream, 0 = not), `hand.tif` (m), `twi.tif` (ln(a / tan β)),
//! `landslide_susceptibility.tif` and `flood_susceptibility.tif` (classes 1–5, 0 = none). A bare
//! DEM carries no roads, so the landslide model's road-cut factor is at its "far from any road"
//! rating everywhere (as for a dataset without roads).

use std::path::{Path, PathBuf};
use std::time::Instant;

use gdal::raster::GdalType;
use rayon::prelude::*;

use super::accumulation::{flow_accumulation, outlet_total, ACC_NODATA};
use super::classify::{class_shares, classify};
use super::fill::fill_depressions;
use super::flood::flood_index;
use super::flowdir::d8_flow_directions;
use super::hand::hand_and_drainage_area;
use super::landslide::landslide_index;
use super::params::RiskParams;
use super::slope::{aspect_degrees, slope_degrees, SLOPE_NODATA};
use super::stage::{check_dem, ACCUMULATION_TIF, FLOOD_TIF, HAND_TIF, LANDSLIDE_TIF, SLOPE_TIF};
use super::streams::{stream_mask, threshold_cells};
use super::twi::twi;
use crate::error::{Error, Result};
use crate::grid::io::write_cog;
use crate::grid::Grid;

/// Nodata of `streams.tif`.
pub const STREAMS_NODATA: u8 = 255;

/// One finished step.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: &'static str,
    pub seconds: f64,
    /// Cells processed (the DEM's size).
    pub cells: usize,
    /// Files written by the step (written after the timing).
    pub files: Vec<PathBuf>,
    /// A short remark (stream threshold, class shares).
    pub note: String,
}

impl Step {
    /// Million cells per second.
    pub fn rate(&self) -> f64 {
        self.cells as f64 / self.seconds.max(1e-9) / 1e6
    }
}

/// What the run produced.
#[derive(Debug, Clone)]
pub struct DemRiskSummary {
    pub width: usize,
    pub height: usize,
    pub valid_cells: usize,
    pub stream_threshold_cells: u32,
    pub stream_cells: usize,
    pub landslide_shares: [f64; 5],
    pub flood_shares: [f64; 5],
    pub files: Vec<PathBuf>,
    /// Seconds of computation (writing excluded).
    pub compute_seconds: f64,
}

/// Run slope → … → susceptibility on `dem` (metric CRS `crs`) with `params` (stream threshold and
/// rainfall; the class breaks), writing into `out`. `report` sees each step when done.
pub fn run_dem(dem: &Grid<f32>, crs: &str, params: &RiskParams, out: &Path, mut report: impl FnMut(&Step)) -> Result<DemRiskSummary> {
    params.validate()?;
    check_dem(dem, crs)?;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let n = dem.len();
    let mut w = Products { out, crs, cells: n, files: Vec::new(), compute: 0.0, report: &mut report };

    let t = Instant::now();
    let slope = slope_degrees(dem);
    w.write("slope (Horn)", t, SLOPE_TIF, &slope, String::new())?;

    let t = Instant::now();
    let aspect = aspect_degrees(dem);
    w.write("aspect (Horn)", t, "aspect", &aspect, String::new())?;
    drop(aspect);

    let t = Instant::now();
    let filled = fill_depressions(dem)?;
    w.write("depression filling", t, "filled", &filled, String::new())?;

    let t = Instant::now();
    let dirs = d8_flow_directions(&filled)?;
    drop(filled);
    w.write("D8 + flats", t, "d8", &dirs, String::new())?;

    let t = Instant::now();
    let acc = flow_accumulation(&dirs)?;
    let valid = n - dem.count_nodata() - dem.data.iter().filter(|v| !v.is_finite()).count();
    let conserved = outlet_total(&dirs, &acc);
    if conserved != valid as u64 {
        return Err(Error::Invariant(format!("flow accumulation lost cells: outlets hold {conserved} of {valid}")));
    }
    w.write("flow accumulation", t, ACCUMULATION_TIF, &acc, String::new())?;

    let t = Instant::now();
    let threshold = threshold_cells(&acc, params.stream_threshold_km2)?;
    let streams = stream_mask(&acc, threshold);
    let stream_grid = Grid {
        data: acc.data.par_iter().zip(streams.par_iter()).map(|(a, s)| if *a == ACC_NODATA { STREAMS_NODATA } else { *s as u8 }).collect(),
        ..acc.like(0u8, Some(STREAMS_NODATA))
    };
    let (hand, drain_area) = hand_and_drainage_area(dem, &dirs, &streams, &acc);
    drop(dirs);
    let stream_cells = streams.iter().filter(|s| **s).count();
    let (ps, ph) = (w.tif("streams"), w.tif(HAND_TIF));
    w.step(
        "streams + HAND",
        t,
        vec![ps.clone(), ph.clone()],
        format!("{stream_cells} stream cells (≥ {threshold} cells = {} km²)", params.stream_threshold_km2),
    );
    write_cog(&stream_grid, &ps, crs)?;
    drop(stream_grid);
    write_cog(&hand, &ph, crs)?;

    let t = Instant::now();
    let (dx, dy) = (dem.transform.dx, dem.transform.dy);
    let wet = Grid {
        data: acc.data.par_iter().zip(slope.data.par_iter()).map(|(a, s)| twi(*a, *s, dx, dy).unwrap_or(SLOPE_NODATA)).collect(),
        ..dem.like(0f32, Some(SLOPE_NODATA))
    };
    w.write("TWI", t, "twi", &wet, String::new())?;
    drop(wet);

    let t = Instant::now();
    let fidx = flood_index(&hand, &drain_area, &slope, params.rainfall_24h_mm);
    drop((hand, drain_area));
    let flood = classify(&fidx, &params.flood_breaks);
    drop(fidx);
    let flood_shares = class_shares(&flood);
    w.write("flash-flood model", t, FLOOD_TIF, &flood, format!("classes 1–5: {}", pct(&flood_shares)))?;
    drop(flood);

    let t = Instant::now();
    let roads = vec![false; n];
    let lidx = landslide_index(dem, &slope, &acc, &streams, &roads, params.rainfall_24h_mm);
    drop((roads, streams, acc, slope));
    let landslide = classify(&lidx, &params.landslide_breaks);
    drop(lidx);
    let landslide_shares = class_shares(&landslide);
    w.write("landslide model", t, LANDSLIDE_TIF, &landslide, format!("classes 1–5: {}", pct(&landslide_shares)))?;
    let (files, compute) = (w.files, w.compute);

    Ok(DemRiskSummary {
        width: dem.width,
        height: dem.height,
        valid_cells: valid,
        stream_threshold_cells: threshold,
        stream_cells,
        landslide_shares,
        flood_shares,
        files,
        compute_seconds: compute,
    })
}

/// The products written into `out`: each step is timed up to [`Products::step`] (writing is not
/// computing), reported, then its files are written.
struct Products<'a> {
    out: &'a Path,
    crs: &'a str,
    cells: usize,
    files: Vec<PathBuf>,
    compute: f64,
    report: &'a mut dyn FnMut(&Step),
}

impl Products<'_> {
    fn tif(&self, name: &str) -> PathBuf {
        self.out.join(format!("{name}.tif"))
    }

    /// Close step `name` started at `t`, which writes `files`.
    fn step(&mut self, name: &'static str, t: Instant, files: Vec<PathBuf>, note: String) {
        let seconds = t.elapsed().as_secs_f64();
        self.compute += seconds;
        let s = Step { name, seconds, cells: self.cells, files, note };
        (self.report)(&s);
        self.files.extend(s.files);
    }

    /// Close step `name` and write its one product `file`.tif.
    fn write<T: GdalType + Copy + Into<f64> + PartialEq + Send + Sync>(&mut self, name: &'static str, t: Instant, file: &str, grid: &Grid<T>, note: String) -> Result<()> {
        let p = self.tif(file);
        self.step(name, t, vec![p.clone()], note);
        write_cog(grid, &p, self.crs)
    }
}

fn pct(s: &[f64; 5]) -> String {
    s.iter().map(|v| format!("{:.1}%", v * 100.0)).collect::<Vec<_>>().join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;

    #[test]
    fn writes_every_product_and_conserves_flow() {
        // A tilted valley: z = 0.05·|x − 300| + 0.02·y; it drains south along x = 300.
        let t = GeoTransform { x0: 500_000.0, y0: 2_400_000.0, dx: 30.0, dy: 30.0 };
        let dem = Grid::from_fn(20, 30, t, Some(-9999.0), |c, r| {
            let (x, y) = (c as f64 * 30.0, (30 - r) as f64 * 30.0);
            (100.0 + 0.05 * (x - 300.0).abs() + 0.02 * y) as f32
        });
        let dir = tempfile::tempdir().unwrap();
        let params = RiskParams { stream_threshold_km2: 0.02, ..RiskParams::default() };
        let mut names = Vec::new();
        let s = run_dem(&dem, "EPSG:32648", &params, dir.path(), |st| names.push(st.name)).unwrap();
        assert_eq!(s.valid_cells, 600);
        assert_eq!(s.files.len(), 10);
        for f in &s.files {
            assert!(f.exists(), "{}", f.display());
        }
        // Nine steps (streams and HAND are one step writing two files).
        assert_eq!(names.len(), 9);
        // 0.02 km² of 900 m² cells = 22.2 → 23 cells; the valley floor column carries the streams.
        assert_eq!(s.stream_threshold_cells, 23);
        assert!(s.stream_cells > 0);
        let (acc, _) = crate::grid::io::read_raster_f32(&dir.path().join("flow_accumulation.tif"), 1).unwrap();
        // Every cell drains to the valley's outlet at the southern edge.
        assert_eq!(acc.data.iter().copied().fold(0f32, f32::max), 600.0);
    }
}
