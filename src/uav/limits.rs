//! Limits on what one UAV flight may make the service do, checked from the images' headers before
//! any pixel is read: a 74 KB sparse GeoTIFF can declare 50,000 × 47,640 px × 5 bands and would
//! otherwise fill the disk with index rasters. Side, band count and the flight's total pixel count
//! are bounded by `[uav]` parameters, and a flight is refused when its index rasters could bring the
//! free space of the store's file system under a margin.

use std::path::{Path, PathBuf};

use super::params::UavParams;
use crate::error::{Error, Result};

/// Index rasters a flight writes (NDVI, NDRE, GNDVI, SAVI and the NDVI change), Float32 each: the
/// upper bound of its scratch use is pixels × 4 bytes × 5 (DEFLATE usually halves it).
const RASTERS_PER_FLIGHT: u64 = 5;

/// What the headers say about a flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlightSize {
    /// Pixels over all images (width × height, each pixel counted once whatever its bands).
    pub pixels: u64,
    /// Worst-case bytes of the index rasters.
    pub scratch_bytes: u64,
}

/// Check `images` against the limits of `params`, reading headers only; then check that writing the
/// flight's rasters on the file system of `scratch` leaves `params.min_free_disk_mb` free.
pub fn check_flight(images: &[PathBuf], params: &UavParams, scratch: &Path) -> Result<FlightSize> {
    let mut pixels = 0u64;
    for p in images {
        if !p.exists() {
            return Err(Error::input(p, "file not found"));
        }
        let ds = gdal::Dataset::open(p).map_err(|e| Error::input(p, format!("cannot open as a raster (truncated or not an image?): {e}")))?;
        let (w, h) = ds.raster_size();
        let bands = ds.raster_count();
        let (w, h) = (w as u64, h as u64);
        if w.max(h) > params.max_image_side {
            return Err(Error::limit(
                "uav.max_image_side",
                format!("{}: {w} × {h} px exceeds {} px on a side", p.display(), params.max_image_side),
            ));
        }
        if bands > params.max_bands {
            return Err(Error::limit("uav.max_bands", format!("{}: {bands} bands exceed {}", p.display(), params.max_bands)));
        }
        pixels = pixels.saturating_add(w * h);
        if pixels > params.max_flight_pixels {
            return Err(Error::limit(
                "uav.max_flight_pixels",
                format!(
                    "{}: {w} × {h} px × {bands} bands brings the flight to {pixels} px, over the limit of {} px per flight",
                    p.display(),
                    params.max_flight_pixels
                ),
            ));
        }
    }
    let scratch_bytes = pixels.saturating_mul(4 * RASTERS_PER_FLIGHT);
    let free = free_bytes(scratch).map_err(|e| Error::io(scratch, e))?;
    let margin = params.min_free_disk_mb.saturating_mul(1 << 20);
    if free < scratch_bytes.saturating_add(margin) {
        return Err(Error::limit(
            "uav.min_free_disk_mb",
            format!(
                "{}: {} MB free; the flight's rasters need up to {} MB and {} MB must stay free",
                scratch.display(),
                free >> 20,
                scratch_bytes >> 20,
                params.min_free_disk_mb
            ),
        ));
    }
    Ok(FlightSize { pixels, scratch_bytes })
}

/// Free bytes for an unprivileged user on the file system holding `path` (or its nearest existing
/// ancestor).
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let mut p = path;
    while !p.exists() {
        p = p.parent().filter(|q| !q.as_os_str().is_empty()).unwrap_or(Path::new("."));
    }
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a NUL-terminated path and `st` a valid out-parameter.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(st.f_bavail as u64 * st.f_frsize as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GeoTIFF of `w` × `h` × `bands` written sparse (no pixel stored): GDAL's SPARSE_OK.
    fn sparse(dir: &Path, w: usize, h: usize, bands: usize) -> PathBuf {
        let p = dir.join(format!("sparse-{w}x{h}x{bands}.tif"));
        let drv = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
        let opts = gdal::raster::RasterCreationOptions::from_iter(["SPARSE_OK=TRUE", "COMPRESS=DEFLATE", "TILED=YES", "BIGTIFF=YES"]);
        let mut ds = drv.create_with_band_type_with_options::<u16, _>(&p, w, h, bands, &opts).unwrap();
        ds.set_geo_transform(&[500_000.0, 0.05, 0.0, 2_400_000.0, 0.0, -0.05]).unwrap();
        ds.set_spatial_ref(&gdal::spatial_ref::SpatialRef::from_epsg(32648).unwrap()).unwrap();
        drop(ds);
        p
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        let dir = tempfile::tempdir().unwrap();
        // The probe's bomb: 50,000 × 47,640 px × 5 bands = 2.382 × 10⁹ px, a few KB on disk.
        let bomb = sparse(dir.path(), 50_000, 47_640, 5);
        assert!(std::fs::metadata(&bomb).unwrap().len() < 20 << 20);
        let e = check_flight(&[bomb], &UavParams::default(), dir.path()).unwrap_err();
        assert!(matches!(e, Error::Limit { .. }), "{e}");
        let msg = e.to_string();
        assert!(msg.contains("uav.max_flight_pixels") && msg.contains("2382000000") && msg.contains("50000 × 47640"), "{msg}");

        let small = sparse(dir.path(), 400, 300, 5);
        let ok = check_flight(&[small.clone()], &UavParams { min_free_disk_mb: 0, ..Default::default() }, dir.path()).unwrap();
        assert_eq!(ok, FlightSize { pixels: 120_000, scratch_bytes: 2_400_000 });
        let e = check_flight(&[small.clone()], &UavParams { max_image_side: 399, ..Default::default() }, dir.path()).unwrap_err();
        assert!(e.to_string().contains("uav.max_image_side"), "{e}");
        let e = check_flight(&[small.clone()], &UavParams { max_bands: 4, ..Default::default() }, dir.path()).unwrap_err();
        assert!(e.to_string().contains("uav.max_bands"), "{e}");
        // No file system has an exabyte free: the margin refuses the flight.
        let e = check_flight(&[small], &UavParams { min_free_disk_mb: 1 << 40, ..Default::default() }, dir.path()).unwrap_err();
        assert!(e.to_string().contains("uav.min_free_disk_mb") && e.to_string().contains("MB free"), "{e}");
    }
}
