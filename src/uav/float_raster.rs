//! Single-band Float32 rasters streamed by windows: a writer that fills a tiled scratch GeoTIFF
//! window by window and finishes it as a Cloud-Optimized GeoTIFF with overviews (GDAL's COG driver,
//! DEFLATE + floating-point predictor, average-resampled overviews), and a reader that serves windows
//! to many threads. Neither holds the whole raster in memory, so index and change rasters of
//! orthomosaics larger than memory work. The final file appears only complete (written beside it,
//! then renamed), so a reader never sees a half-written raster.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use gdal::raster::{Buffer, RasterCreationOptions};
use gdal::{Dataset, DriverManager};

use super::ortho::WINDOW;
use crate::error::{Error, Result};
use crate::grid::{Bounds, GeoTransform};

/// Streams windows into a scratch tiled GeoTIFF, then converts it to a COG at `path`.
pub struct F32CogWriter {
    path: PathBuf,
    scratch: PathBuf,
    ds: Option<Dataset>,
    pub width: usize,
    pub height: usize,
}

impl F32CogWriter {
    pub fn create(path: &Path, width: usize, height: usize, transform: GeoTransform, crs_wkt: &str, nodata: f32) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let scratch = sibling(path, "scratch");
        let driver = DriverManager::get_driver_by_name("GTiff").map_err(|e| Error::gdal(path, e))?;
        // The scratch file is read once by the COG conversion: no compression, no CPU spent twice.
        let opts = RasterCreationOptions::from_iter(["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "BIGTIFF=IF_SAFER"]);
        let mut ds = driver
            .create_with_band_type_with_options::<f32, _>(&scratch, width, height, 1, &opts)
            .map_err(|e| Error::gdal(&scratch, e))?;
        ds.set_geo_transform(&transform.to_gdal()).map_err(|e| Error::gdal(&scratch, e))?;
        ds.set_projection(crs_wkt).map_err(|e| Error::gdal(&scratch, e))?;
        ds.rasterband(1)
            .and_then(|mut b| b.set_no_data_value(Some(nodata as f64)))
            .map_err(|e| Error::gdal(&scratch, e))?;
        Ok(Self { path: path.to_path_buf(), scratch, ds: Some(ds), width, height })
    }

    /// Write a w × h window at (x, y), row-major.
    pub fn write(&mut self, x: usize, y: usize, w: usize, h: usize, data: Vec<f32>) -> Result<()> {
        let ds = self.ds.as_mut().expect("writer open until finish");
        let mut band = ds.rasterband(1).map_err(|e| Error::gdal(&self.scratch, e))?;
        let mut buf = Buffer::new((w, h), data);
        band.write((x as isize, y as isize), (w, h), &mut buf).map_err(|e| Error::gdal(&self.scratch, e))
    }

    /// Convert the scratch file into the COG at the final path.
    pub fn finish(mut self) -> Result<PathBuf> {
        let ds = self.ds.take().expect("finish once");
        ds.close().map_err(|e| Error::gdal(&self.scratch, e))?;
        let src = Dataset::open(&self.scratch).map_err(|e| Error::gdal(&self.scratch, e))?;
        let driver = DriverManager::get_driver_by_name("COG").map_err(|e| Error::gdal(&self.path, e))?;
        let opts = RasterCreationOptions::from_iter([
            "COMPRESS=DEFLATE",
            // Level 1: on noisy Float32 indices levels 1 and 6 differ by < 1 % in size, not in time.
            "LEVEL=1",
            "PREDICTOR=YES",
            "BLOCKSIZE=512",
            "OVERVIEWS=IGNORE_EXISTING",
            "RESAMPLING=AVERAGE",
            "BIGTIFF=IF_SAFER",
        ]);
        let partial = sibling(&self.path, "partial");
        let out = src.create_copy(&driver, &partial, &opts).map_err(|e| Error::gdal(&self.path, e))?;
        out.close().map_err(|e| Error::gdal(&partial, e))?;
        drop(src);
        std::fs::rename(&partial, &self.path).map_err(|e| Error::io(&self.path, e))?;
        let _ = std::fs::remove_file(&self.scratch);
        Ok(self.path.clone())
    }
}

impl Drop for F32CogWriter {
    fn drop(&mut self) {
        // Abandoned (an error upstream): leave no scratch file behind.
        if self.ds.take().is_some() {
            let _ = std::fs::remove_file(&self.scratch);
        }
    }
}

/// `dir/stem.<tag>.tif` next to `path` (same filesystem, so the final rename is atomic).
fn sibling(path: &Path, tag: &str) -> PathBuf {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("raster");
    path.with_file_name(format!(".{stem}.{tag}.tif"))
}

/// A single-band raster read by windows from many threads (any type GDAL converts to f32).
pub struct F32Raster {
    pub path: PathBuf,
    pub width: usize,
    pub height: usize,
    pub transform: GeoTransform,
    pub crs_wkt: String,
    pub nodata: Option<f64>,
    pool: Mutex<Vec<Dataset>>,
}

impl F32Raster {
    pub fn open(path: &Path) -> Result<Self> {
        let ds = Dataset::open(path).map_err(|e| Error::input(path, format!("cannot open raster: {e}")))?;
        let (width, height) = ds.raster_size();
        let gt = ds.geo_transform().map_err(|e| Error::gdal(path, e))?;
        let transform = GeoTransform::from_gdal(&gt).ok_or_else(|| Error::input(path, "not north-up"))?;
        let crs_wkt = ds.projection();
        let nodata = ds.rasterband(1).map_err(|e| Error::gdal(path, e))?.no_data_value();
        Ok(Self { path: path.to_path_buf(), width, height, transform, crs_wkt, nodata, pool: Mutex::new(vec![ds]) })
    }

    pub fn bounds(&self) -> Bounds {
        let t = &self.transform;
        Bounds { min_x: t.x0, max_y: t.y0, max_x: t.x0 + self.width as f64 * t.dx, min_y: t.y0 - self.height as f64 * t.dy }
    }

    /// Values of the window; nodata and non-finite cells become NaN.
    pub fn read(&self, x: usize, y: usize, w: usize, h: usize) -> Result<Vec<f32>> {
        let ds = match self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            Some(ds) => ds,
            None => Dataset::open(&self.path).map_err(|e| Error::gdal(&self.path, e))?,
        };
        let mut buf = vec![0f32; w * h];
        let r = ds
            .rasterband(1)
            .and_then(|b| b.read_into_slice::<f32>((x as isize, y as isize), (w, h), (w, h), &mut buf, None))
            .map_err(|e| Error::input(&self.path, format!("cannot read pixels {w}×{h} at column {x}, row {y}: {e}")));
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(ds);
        r?;
        if let Some(nd) = self.nodata {
            let nd = nd as f32;
            for v in buf.iter_mut() {
                if *v == nd {
                    *v = f32::NAN;
                }
            }
        }
        Ok(buf)
    }

    /// The processing windows of this raster (aligned with the COG tiles the writer produces).
    pub fn windows(&self) -> Vec<(usize, usize, usize, usize)> {
        super::ortho::window_grid(self.width, self.height, WINDOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cog_round_trip_with_overviews() {
        let (dir, path) = crate::scratch::scratch("x.tif");
        let t = GeoTransform { x0: 500000.0, y0: 2300000.0, dx: 0.5, dy: 0.5 };
        let wkt = gdal::spatial_ref::SpatialRef::from_epsg(32648).unwrap().to_wkt().unwrap();
        let (w, h) = (700, 600);
        let mut wr = F32CogWriter::create(&path, w, h, t, &wkt, -9999.0).unwrap();
        for (x, y, ww, hh) in super::super::ortho::window_grid(w, h, WINDOW) {
            let mut d = Vec::with_capacity(ww * hh);
            for r in y..y + hh {
                for c in x..x + ww {
                    d.push(if c == 0 { -9999.0 } else { (c + r) as f32 * 0.001 });
                }
            }
            wr.write(x, y, ww, hh, d).unwrap();
        }
        wr.finish().unwrap();
        // Same checks as `gdalinfo`: the COG layout flag and overviews.
        let ds = Dataset::open(&path).unwrap();
        use gdal::Metadata;
        let layout = ds.metadata_item("LAYOUT", "IMAGE_STRUCTURE");
        assert_eq!(layout.as_deref(), Some("COG"));
        assert!(ds.rasterband(1).unwrap().overview_count().unwrap() >= 1);
        let r = F32Raster::open(&path).unwrap();
        let v = r.read(0, 10, 3, 1).unwrap();
        assert!(v[0].is_nan());
        assert!((v[1] - 0.011).abs() < 1e-6 && (v[2] - 0.012).abs() < 1e-6);
        assert!(!dir.path().join(".x.scratch.tif").exists());
    }
}
