//! Change between two flights. Per pixel: NDVI(new) − NDVI(previous) on the new flight's grid, the
//! previous NDVI resampled onto it with GDAL's warper (bilinear, any CRS), streamed by windows into a
//! Float32 COG (`ndvi_change.tif`). Per parcel: the difference of the coverage-weighted means, which
//! [`super::records::relink`] computes from the stored statistics.

use std::path::{Path, PathBuf};

use gdal::raster::RasterCreationOptions;
use gdal::{Dataset, DriverManager};
use rayon::prelude::*;

use super::float_raster::{F32CogWriter, F32Raster};
use super::indices::INDEX_NODATA;
use super::parcels::{same_crs, transformed_bounds};
use crate::crs::Transformer;
use crate::error::{Error, Result};

/// A computed window: (x, y, w, h, values, valid pixels, Σ change).
type ChangeWindow = (usize, usize, usize, usize, Vec<f32>, u64, f64);

#[derive(Debug, Clone)]
pub struct ChangeSummary {
    pub path: PathBuf,
    /// Pixels valid in both flights.
    pub valid_pixels: u64,
    /// Mean per-pixel change over those pixels.
    pub mean_change: f64,
}

/// Write `out` = `new` − `prev` (NDVI rasters). `None` when the two footprints do not overlap.
pub fn write_change_raster(new: &F32Raster, prev_path: &Path, out: &Path) -> Result<Option<ChangeSummary>> {
    let prev = F32Raster::open(prev_path)?;
    let pb = if same_crs(&prev.crs_wkt, &new.crs_wkt) {
        prev.bounds()
    } else {
        transformed_bounds(&prev.bounds(), &Transformer::new(&prev.crs_wkt, &new.crs_wkt)?)?
    };
    let nb = new.bounds();
    if pb.max_x <= nb.min_x || pb.min_x >= nb.max_x || pb.max_y <= nb.min_y || pb.min_y >= nb.max_y {
        return Ok(None);
    }
    drop(prev);

    // The previous NDVI on the new grid, in a scratch file (bounded memory; GDAL's warper works in chunks).
    let scratch = out.with_file_name(".ndvi_prev_on_grid.scratch.tif");
    let result = (|| {
        warp_onto(prev_path, new, &scratch)?;
        let warped = F32Raster::open(&scratch)?;
        let mut wr = F32CogWriter::create(out, new.width, new.height, new.transform, &new.crs_wkt, INDEX_NODATA)?;
        let windows = new.windows();
        let batch = (rayon::current_num_threads() * 2).clamp(4, 32);
        let (mut valid, mut sum) = (0u64, 0f64);
        for chunk in windows.chunks(batch) {
            let parts: Vec<ChangeWindow> = chunk
                .par_iter()
                .map(|&(x, y, w, h)| {
                    let a = new.read(x, y, w, h)?;
                    let b = warped.read(x, y, w, h)?;
                    let (mut n, mut s) = (0u64, 0f64);
                    let d: Vec<f32> = a
                        .iter()
                        .zip(&b)
                        .map(|(a, b)| {
                            let v = a - b;
                            if v.is_finite() {
                                n += 1;
                                s += v as f64;
                                v
                            } else {
                                INDEX_NODATA
                            }
                        })
                        .collect();
                    Ok((x, y, w, h, d, n, s))
                })
                .collect::<Result<_>>()?;
            for (x, y, w, h, d, n, s) in parts {
                valid += n;
                sum += s;
                wr.write(x, y, w, h, d)?;
            }
        }
        let path = wr.finish()?;
        Ok(Some(ChangeSummary { path, valid_pixels: valid, mean_change: if valid > 0 { sum / valid as f64 } else { f64::NAN } }))
    })();
    let _ = std::fs::remove_file(&scratch);
    result
}

/// Resample the raster at `src` onto `grid`'s placement and CRS (bilinear), into a new GeoTIFF.
fn warp_onto(src: &Path, grid: &F32Raster, dst_path: &Path) -> Result<()> {
    let src_ds = Dataset::open(src).map_err(|e| Error::input(src, format!("cannot open raster: {e}")))?;
    let drv = DriverManager::get_driver_by_name("GTiff").map_err(|e| Error::gdal(dst_path, e))?;
    let opts = RasterCreationOptions::from_iter(["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "BIGTIFF=IF_SAFER"]);
    let mut dst = drv
        .create_with_band_type_with_options::<f32, _>(dst_path, grid.width, grid.height, 1, &opts)
        .map_err(|e| Error::gdal(dst_path, e))?;
    dst.set_geo_transform(&grid.transform.to_gdal()).map_err(|e| Error::gdal(dst_path, e))?;
    dst.set_projection(&grid.crs_wkt).map_err(|e| Error::gdal(dst_path, e))?;
    {
        let mut b = dst.rasterband(1).map_err(|e| Error::gdal(dst_path, e))?;
        b.set_no_data_value(Some(INDEX_NODATA as f64)).map_err(|e| Error::gdal(dst_path, e))?;
        // Cells no source pixel reaches must read as nodata, not 0.
        b.fill(INDEX_NODATA as f64, None).map_err(|e| Error::gdal(dst_path, e))?;
    }
    gdal::raster::reproject(&src_ds, &dst).map_err(|e| Error::input(src, format!("cannot resample onto the new flight's grid: {e}")))?;
    dst.close().map_err(|e| Error::gdal(dst_path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;

    fn write(path: &Path, t: GeoTransform, epsg: u32, w: usize, h: usize, f: impl Fn(usize, usize) -> f32) {
        let wkt = gdal::spatial_ref::SpatialRef::from_epsg(epsg).unwrap().to_wkt().unwrap();
        let mut wr = F32CogWriter::create(path, w, h, t, &wkt, INDEX_NODATA).unwrap();
        for (x, y, ww, hh) in super::super::ortho::window_grid(w, h, 512) {
            let mut d = Vec::new();
            for r in y..y + hh {
                for c in x..x + ww {
                    d.push(f(c, r));
                }
            }
            wr.write(x, y, ww, hh, d).unwrap();
        }
        wr.finish().unwrap();
    }

    #[test]
    fn change_on_shifted_grids() {
        let dir = tempfile::tempdir().unwrap();
        // Previous flight: 0.8 everywhere; new flight: 0.6 in its western half, 0.8 in the east, shifted
        // 10 m (20 px) east of the previous one. Expected change: −0.2 west, 0 east, nodata where the
        // previous flight did not reach.
        let tp = GeoTransform { x0: 500_000.0, y0: 2_300_000.0, dx: 0.5, dy: 0.5 };
        let tn = GeoTransform { x0: 500_010.0, ..tp };
        write(&dir.path().join("prev.tif"), tp, 32648, 600, 300, |_, _| 0.8);
        write(&dir.path().join("new.tif"), tn, 32648, 600, 300, |c, _| if c < 300 { 0.6 } else { 0.8 });
        let new = F32Raster::open(&dir.path().join("new.tif")).unwrap();
        let out = dir.path().join("ndvi_change.tif");
        let s = write_change_raster(&new, &dir.path().join("prev.tif"), &out).unwrap().unwrap();
        let ch = F32Raster::open(&out).unwrap();
        let row = ch.read(0, 150, 600, 1).unwrap();
        assert!((row[10] + 0.2).abs() < 1e-5, "{}", row[10]);
        assert!(row[400].abs() < 1e-5, "{}", row[400]);
        // The new grid's last 20 columns lie east of the previous flight.
        assert!(row[595].is_nan(), "{}", row[595]);
        assert!(s.valid_pixels > 0 && s.valid_pixels < 600 * 300);
        assert!(!dir.path().join(".ndvi_prev_on_grid.scratch.tif").exists());
        // Disjoint footprints: no change raster.
        let far = GeoTransform { x0: 600_000.0, ..tp };
        write(&dir.path().join("far.tif"), far, 32648, 10, 10, |_, _| 0.5);
        assert!(write_change_raster(&new, &dir.path().join("far.tif"), &dir.path().join("x.tif")).unwrap().is_none());
    }
}
