//! Windowed reading of multispectral orthomosaics through GDAL: any format and CRS GDAL reads, any
//! size — nothing holds more than one window per worker, so a mosaic larger than memory works.
//! Several images of one flight (tiles of one mosaic) are read as one through a GDAL VRT mosaic.
//!
//! Each window comes back as surface reflectance per mapped band, NaN wherever that band is masked:
//! every mask GDAL knows for the band (nodata values, internal masks, 2/4-band alpha) and an alpha
//! band of a multispectral mosaic, which GDAL itself does not apply. Workers read in parallel, each with its own dataset handle from a small pool,
//! because a GDAL dataset must not be used by two threads at once.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use gdal::raster::GdalDataType;
use gdal::Dataset;

use super::camera::{Band, CameraSetup};
use crate::error::{Error, Result};
use crate::grid::{Bounds, GeoTransform};

/// Side of the square processing windows (and of the output COG tiles they map onto, so each output
/// tile is written exactly once).
pub const WINDOW: usize = 512;

/// How one mapped band is read and scaled.
#[derive(Debug, Clone, Copy)]
struct BandRead {
    number: usize,
    scale: f64,
    offset: f64,
}

/// One window of reflectance.
#[derive(Debug, Clone)]
pub struct ReflectanceWindow {
    pub x: usize,
    pub y: usize,
    pub w: usize,
    pub h: usize,
    /// Reflectance per [`Band::slot`]; empty for bands not read; NaN where the band is masked.
    pub bands: [Vec<f32>; 5],
    /// Every band read is valid at the pixel.
    pub valid: Vec<bool>,
}

impl ReflectanceWindow {
    /// Reflectances of pixel `i` (0 for bands not read).
    #[inline]
    pub fn pixel(&self, i: usize) -> [f32; 5] {
        let g = |s: usize| self.bands[s].get(i).copied().unwrap_or(0.0);
        [g(0), g(1), g(2), g(3), g(4)]
    }
}

/// An opened, validated orthomosaic (one image or a mosaic of several).
pub struct Orthomosaic {
    pub images: Vec<PathBuf>,
    /// What GDAL opens: the single image, or an in-memory VRT of all images.
    source: PathBuf,
    pub width: usize,
    pub height: usize,
    pub transform: GeoTransform,
    /// The mosaic's CRS as WKT.
    pub crs_wkt: String,
    pub setup: CameraSetup,
    reads: [Option<BandRead>; 5],
    /// A band declared alpha. GDAL derives masks from alpha only for 2- and 4-band images, so a
    /// multispectral mosaic's alpha band (Pix4D, Metashape) is applied here.
    alpha: Option<usize>,
    pool: Mutex<Vec<Dataset>>,
    vsimem: bool,
}

static VRT_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Orthomosaic {
    /// Open and validate `images` for the bands `needed`: georeferenced north-up, a CRS, enough
    /// bands for the mapping, a known reflectance scale; several images must share CRS, band count
    /// and pixel size.
    pub fn open(images: &[PathBuf], setup: &CameraSetup, needed: &[Band]) -> Result<Self> {
        if images.is_empty() {
            return Err(Error::param("image", "no image given"));
        }
        let mut opened = Vec::with_capacity(images.len());
        for p in images {
            opened.push(open_checked(p, setup, needed)?);
        }
        let first = &opened[0].1;
        for (ds, info) in opened.iter().skip(1) {
            let p = &info.path;
            if ds.raster_count() != opened[0].0.raster_count() {
                return Err(Error::input(
                    p,
                    format!(
                        "has {} bands but {} has {}; images of one flight must have the same bands",
                        ds.raster_count(),
                        first.path.display(),
                        opened[0].0.raster_count()
                    ),
                ));
            }
            if !same_crs(&info.crs_wkt, &first.crs_wkt) {
                return Err(Error::input(p, format!("is in a different CRS from {}; reproject the images of one flight to one CRS", first.path.display())));
            }
            let (a, b) = (info.transform, first.transform);
            if ((a.dx - b.dx) / b.dx).abs() > 1e-6 || ((a.dy - b.dy) / b.dy).abs() > 1e-6 {
                return Err(Error::input(p, format!("pixel size {}×{} differs from {} ({}×{})", a.dx, a.dy, first.path.display(), b.dx, b.dy)));
            }
        }
        let reads = band_reads(&opened[0].0, &first.path, setup, needed)?;
        let alpha = (1..=opened[0].0.raster_count()).find(|&i| {
            opened[0].0.rasterband(i).is_ok_and(|b| b.color_interpretation() == gdal::raster::ColorInterpretation::AlphaBand)
                && !reads.iter().flatten().any(|r| r.number == i)
        });
        let crs_wkt = first.crs_wkt.clone();

        let (source, vsimem, ds) = if opened.len() == 1 {
            let (ds, info) = opened.pop().expect("one image");
            (info.path, false, ds)
        } else {
            let name = PathBuf::from(format!(
                "/vsimem/covermap_uav_{}_{}.vrt",
                std::process::id(),
                VRT_COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            let dss: Vec<Dataset> = opened.into_iter().map(|(d, _)| d).collect();
            let vrt = gdal::programs::raster::build_vrt(Some(&name), &dss, None)
                .map_err(|e| Error::gdal(&images[0], e))?;
            drop(vrt); // flushes the VRT to /vsimem so every worker can reopen it
            let ds = Dataset::open(&name).map_err(|e| Error::gdal(&name, e))?;
            (name, true, ds)
        };
        let (width, height) = ds.raster_size();
        let gt = ds.geo_transform().map_err(|e| Error::gdal(&source, e))?;
        let transform = GeoTransform::from_gdal(&gt)
            .ok_or_else(|| Error::input(&source, "the mosaic is not north-up"))?;
        Ok(Self {
            images: images.to_vec(),
            source,
            width,
            height,
            transform,
            crs_wkt,
            setup: *setup,
            reads,
            alpha,
            pool: Mutex::new(vec![ds]),
            vsimem,
        })
    }

    /// Ground sample distance (metres when the CRS is metric).
    pub fn gsd(&self) -> f64 {
        (self.transform.dx + self.transform.dy) / 2.0
    }

    pub fn bounds(&self) -> Bounds {
        let t = &self.transform;
        Bounds { min_x: t.x0, max_y: t.y0, max_x: t.x0 + self.width as f64 * t.dx, min_y: t.y0 - self.height as f64 * t.dy }
    }

    /// A name for messages: the single image, or the first image and the count.
    pub fn label(&self) -> PathBuf {
        if self.images.len() == 1 {
            self.images[0].clone()
        } else {
            PathBuf::from(format!("{} (+{} more images)", self.images[0].display(), self.images.len() - 1))
        }
    }

    /// The processing windows, row-major, on a [`WINDOW`]-sized grid from the top-left corner.
    pub fn windows(&self) -> Vec<(usize, usize, usize, usize)> {
        window_grid(self.width, self.height, WINDOW)
    }

    /// Reflectance of `bands` in the window at (x, y) of size w × h. Safe to call from many threads.
    pub fn read(&self, x: usize, y: usize, w: usize, h: usize, bands: &[Band]) -> Result<ReflectanceWindow> {
        let ds = self.checkout()?;
        let out = self.read_with(&ds, x, y, w, h, bands);
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(ds);
        out
    }

    fn checkout(&self) -> Result<Dataset> {
        if let Some(ds) = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            return Ok(ds);
        }
        Dataset::open(&self.source).map_err(|e| Error::gdal(self.label(), e))
    }

    fn read_with(&self, ds: &Dataset, x: usize, y: usize, w: usize, h: usize, bands: &[Band]) -> Result<ReflectanceWindow> {
        let n = w * h;
        let mut out = ReflectanceWindow { x, y, w, h, bands: Default::default(), valid: vec![true; n] };
        let read_err = |e: gdal::errors::GdalError| {
            Error::input(self.label(), format!("cannot read pixels {w}×{h} at column {x}, row {y} (truncated or corrupt file?): {e}"))
        };
        let mut mask = vec![0u8; n];
        let mut alpha_ok: Option<Vec<bool>> = None;
        if let Some(a) = self.alpha {
            let band = ds.rasterband(a).map_err(|e| Error::gdal(self.label(), e))?;
            band.read_into_slice::<u8>((x as isize, y as isize), (w, h), (w, h), &mut mask, None)
                .map_err(read_err)?;
            alpha_ok = Some(mask.iter().map(|m| *m != 0).collect());
        }
        for &b in bands {
            let r = self.reads[b.slot()]
                .ok_or_else(|| Error::param("bands", format!("band `{b}` is not mapped")))?;
            let band = ds.rasterband(r.number).map_err(|e| Error::gdal(self.label(), e))?;
            let mut buf = vec![0f32; n];
            band.read_into_slice::<f32>((x as isize, y as isize), (w, h), (w, h), &mut buf, None)
                .map_err(read_err)?;
            let flags = band.mask_flags().map_err(|e| Error::gdal(self.label(), e))?;
            let (s, o) = (r.scale as f32, r.offset as f32);
            for v in buf.iter_mut() {
                *v = *v * s + o;
            }
            // Masked pixels become NaN in this band only: an index that does not use the band keeps
            // its value there.
            if !flags.is_all_valid() {
                let mb = band.open_mask_band().map_err(|e| Error::gdal(self.label(), e))?;
                mb.read_into_slice::<u8>((x as isize, y as isize), (w, h), (w, h), &mut mask, None)
                    .map_err(read_err)?;
                for (v, m) in buf.iter_mut().zip(&mask) {
                    if *m == 0 {
                        *v = f32::NAN;
                    }
                }
            }
            if let Some(a) = &alpha_ok {
                for (v, ok) in buf.iter_mut().zip(a) {
                    if !ok {
                        *v = f32::NAN;
                    }
                }
            }
            for (v, ok) in buf.iter().zip(out.valid.iter_mut()) {
                *ok &= v.is_finite();
            }
            out.bands[b.slot()] = buf;
        }
        Ok(out)
    }
}

impl Drop for Orthomosaic {
    fn drop(&mut self) {
        if self.vsimem {
            self.pool.lock().unwrap_or_else(|e| e.into_inner()).clear();
            let _ = gdal::vsi::unlink_mem_file(&self.source);
        }
    }
}

/// Row-major windows of at most `size`×`size` covering a `width`×`height` raster.
pub fn window_grid(width: usize, height: usize, size: usize) -> Vec<(usize, usize, usize, usize)> {
    let mut v = Vec::new();
    for y in (0..height).step_by(size) {
        for x in (0..width).step_by(size) {
            v.push((x, y, size.min(width - x), size.min(height - y)));
        }
    }
    v
}

struct ImageInfo {
    path: PathBuf,
    transform: GeoTransform,
    crs_wkt: String,
}

fn open_checked(p: &Path, setup: &CameraSetup, needed: &[Band]) -> Result<(Dataset, ImageInfo)> {
    if !p.exists() {
        return Err(Error::input(p, "file not found"));
    }
    let ds = Dataset::open(p).map_err(|e| Error::input(p, format!("cannot open as a raster (truncated or not an image?): {e}")))?;
    let count = ds.raster_count();
    if count == 0 {
        return Err(Error::input(p, "has no raster bands"));
    }
    setup.mapping.check(needed, count, p, setup.camera)?;
    let gt = ds.geo_transform().map_err(|_| Error::input(p, "has no georeferencing (geotransform)"))?;
    if gt == [0.0, 1.0, 0.0, 0.0, 0.0, 1.0] {
        return Err(Error::input(p, "has no georeferencing (geotransform)"));
    }
    let transform = GeoTransform::from_gdal(&gt)
        .ok_or_else(|| Error::input(p, "is rotated or not north-up; warp it to a north-up grid first (gdalwarp)"))?;
    let crs_wkt = ds.projection();
    if crs_wkt.trim().is_empty() {
        return Err(Error::input(p, "has no CRS"));
    }
    Ok((ds, ImageInfo { path: p.to_path_buf(), transform, crs_wkt }))
}

fn band_reads(ds: &Dataset, p: &Path, setup: &CameraSetup, needed: &[Band]) -> Result<[Option<BandRead>; 5]> {
    let mut reads = [None; 5];
    for &b in needed {
        let number = setup.mapping.get(b).ok_or_else(|| Error::param("bands", format!("band `{b}` is not mapped")))?;
        let band = ds.rasterband(number).map_err(|e| Error::gdal(p, e))?;
        let ty = band.band_type();
        let is_float = matches!(ty, GdalDataType::Float32 | GdalDataType::Float64);
        let is_int = matches!(
            ty,
            GdalDataType::UInt8 | GdalDataType::UInt16 | GdalDataType::Int16 | GdalDataType::UInt32 | GdalDataType::Int32
        );
        if !is_float && !is_int {
            return Err(Error::input(p, format!("band {number} ({b}) has unsupported type {ty:?}")));
        }
        let (scale, offset) = if let Some(s) = setup.scale {
            (s, 0.0)
        } else if let Some(s) = band.scale().filter(|s| *s != 1.0 || band.offset().unwrap_or(0.0) != 0.0) {
            (s, band.offset().unwrap_or(0.0))
        } else if is_float {
            (1.0, 0.0)
        } else if let Some(s) = setup.camera.default_integer_scale() {
            (s, 0.0)
        } else {
            return Err(Error::input(
                p,
                format!("band {number} ({b}) holds integers without a scale; give the reflectance per unit with --scale"),
            ));
        };
        reads[b.slot()] = Some(BandRead { number, scale, offset });
    }
    Ok(reads)
}

fn same_crs(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (gdal::spatial_ref::SpatialRef::from_wkt(a), gdal::spatial_ref::SpatialRef::from_wkt(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_tile_the_raster() {
        let w = window_grid(1100, 600, 512);
        assert_eq!(w.len(), 3 * 2);
        assert_eq!(w[2], (1024, 0, 76, 512));
        assert_eq!(w[5], (1024, 512, 76, 88));
        let area: usize = w.iter().map(|(_, _, a, b)| a * b).sum();
        assert_eq!(area, 1100 * 600);
    }
}
