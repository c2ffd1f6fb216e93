//! Raster file I/O through GDAL: read any raster GDAL opens (GeoTIFF, SRTM .hgt, …) into a
//! [`Grid`], warp it into the working CRS, and write Cloud-Optimized GeoTIFFs atomically.

use std::path::Path;

use gdal::raster::{GdalType, RasterCreationOptions};
use gdal::spatial_ref::SpatialRef;
use gdal::{Dataset, DriverManager};

use super::{GeoTransform, Grid};
use crate::error::{Error, Result};

/// Open a raster, mapping GDAL's failure to a message naming the file.
pub fn open(path: &Path) -> Result<Dataset> {
    if !path.exists() {
        return Err(Error::input(path, "file not found"));
    }
    Dataset::open(path).map_err(|e| Error::input(path, format!("not a readable raster ({e})")))
}

/// The CRS of a GDAL dataset as a definition PROJ accepts ("EPSG:n" when it has an authority code, else WKT).
pub fn crs_of(ds: &Dataset) -> Option<String> {
    let sr = ds.spatial_ref().ok()?;
    crs_definition(&sr)
}

pub fn crs_definition(sr: &SpatialRef) -> Option<String> {
    if let (Some(name), Ok(code)) = (sr.auth_name(), sr.auth_code()) {
        return Some(format!("{name}:{code}"));
    }
    sr.to_wkt().ok().filter(|w| !w.is_empty())
}

/// GDAL configuration option set for this thread only (GDAL reads it in the calling thread) while
/// the guard lives; cleared when it drops, whatever the caller returns.
struct ThreadConfig(&'static str);

impl ThreadConfig {
    fn set(path: &Path, key: &'static str, value: &str) -> Result<Self> {
        gdal::config::set_thread_local_config_option(key, value).map_err(|e| Error::gdal(path, e))?;
        Ok(Self(key))
    }

    /// GDAL decoding a whole-band read's compressed blocks on every core (GDAL ≥ 3.6, for GeoTIFF;
    /// the values are the same): the province's DEM reads in 0.9 s instead of 1.3 s.
    fn all_cores(path: &Path) -> Result<Self> {
        Self::set(path, "GDAL_NUM_THREADS", "ALL_CPUS")
    }
}

impl Drop for ThreadConfig {
    fn drop(&mut self) {
        let _ = gdal::config::clear_thread_local_config_option(self.0);
    }
}

/// Read band `band` (1-based) of a raster as `f32`, with its nodata value.
/// Returns the grid and the file's CRS definition (`None` when the file has none).
pub fn read_raster_f32(path: &Path, band: usize) -> Result<(Grid<f32>, Option<String>)> {
    let _cores = ThreadConfig::all_cores(path)?;
    let ds = open(path)?;
    let gt = ds.geo_transform().map_err(|e| Error::input(path, format!("no georeferencing ({e})")))?;
    let transform = GeoTransform::from_gdal(&gt)
        .ok_or_else(|| Error::input(path, "raster is rotated or not north-up; warp it first (gdalwarp)"))?;
    if band == 0 || band > ds.raster_count() {
        return Err(Error::input(path, format!("band {band} requested, the file has {}", ds.raster_count())));
    }
    let rb = ds.rasterband(band).map_err(|e| Error::gdal(path, e))?;
    let (w, h) = rb.size();
    let nodata = rb.no_data_value().map(|v| v as f32);
    let buf = rb
        .read_as::<f32>((0, 0), (w, h), (w, h), None)
        .map_err(|e| Error::input(path, format!("cannot read band {band}: {e} (truncated or corrupt file?)")))?;
    let (_, data) = buf.into_shape_and_vec();
    Ok((Grid { width: w, height: h, transform, nodata, data }, crs_of(&ds)))
}

/// Read band 1 of a raster as `T` (no conversion beyond GDAL's), with its placement; the nodata
/// value is the caller's to set (it knows what it wrote).
pub fn read_raster_as<T: GdalType + Copy>(path: &Path) -> Result<Grid<T>> {
    let _cores = ThreadConfig::all_cores(path)?;
    let ds = open(path)?;
    let gt = ds.geo_transform().map_err(|e| Error::input(path, format!("no georeferencing ({e})")))?;
    let transform = GeoTransform::from_gdal(&gt)
        .ok_or_else(|| Error::input(path, "raster is rotated or not north-up; warp it first (gdalwarp)"))?;
    let rb = ds.rasterband(1).map_err(|e| Error::gdal(path, e))?;
    let (w, h) = rb.size();
    let buf = rb
        .read_as::<T>((0, 0), (w, h), (w, h), None)
        .map_err(|e| Error::input(path, format!("cannot read band 1: {e} (truncated or corrupt file?)")))?;
    let (_, data) = buf.into_shape_and_vec();
    Ok(Grid { width: w, height: h, transform, nodata: None, data })
}

/// An in-memory GDAL dataset (MEM driver) whose band 1 is the `width` × `height` cells at `data`
/// themselves (`DATAPOINTER`): no copy of the grid — on the province's 38 M cells a copy was
/// 150–300 MB and a fifth of a COG write's memory traffic.
///
/// # Safety
/// `data` must point to `width × height` values of `T` that stay valid (and are not moved or
/// freed) as long as the returned dataset lives; GDAL writes through it only when the dataset is
/// written to (a warp's destination), so the caller must then hold the grid exclusively.
unsafe fn mem_over<T: GdalType>(data: *mut T, width: usize, height: usize, transform: GeoTransform, nodata: Option<f64>, crs: &str) -> Result<Dataset> {
    let mem = DriverManager::get_driver_by_name("MEM").map_err(|e| Error::gdal("MEM", e))?;
    let mut ds = mem.create_with_band_type::<T, _>("", width, height, 0).map_err(|e| Error::gdal("MEM", e))?;
    let mut opts = gdal::cpl::CslStringList::new();
    opts.set_name_value("DATAPOINTER", &format!("{:p}", data)).map_err(|e| Error::gdal("MEM", e))?;
    // SAFETY: `ds` is a live MEM dataset; the options list outlives the call; the pointer's
    // validity is the caller's contract (above).
    let rv = unsafe { gdal_sys::GDALAddBand(ds.c_dataset(), T::gdal_ordinal(), opts.as_ptr()) };
    if rv != gdal_sys::CPLErr::CE_None {
        return Err(Error::gdal("MEM", gdal::errors::GdalError::CplError { class: rv, number: 0, msg: "cannot add a band over the grid's memory".into() }));
    }
    ds.set_geo_transform(&transform.to_gdal()).map_err(|e| Error::gdal("MEM", e))?;
    ds.set_spatial_ref(&spatial_ref(crs)?).map_err(|e| Error::gdal("MEM", e))?;
    if let Some(nd) = nodata {
        ds.rasterband(1).and_then(|mut b| b.set_no_data_value(Some(nd))).map_err(|e| Error::gdal("MEM", e))?;
    }
    Ok(ds)
}

/// A GDAL spatial reference from anything PROJ accepts.
pub fn spatial_ref(crs: &str) -> Result<SpatialRef> {
    let mut sr = SpatialRef::from_definition(crs).map_err(|e| Error::param("crs", format!("`{crs}`: {e}")))?;
    // Keep x = east / longitude first whatever the authority's axis order.
    sr.set_axis_mapping_strategy(gdal::spatial_ref::AxisMappingStrategy::TraditionalGisOrder);
    Ok(sr)
}

/// Write `grid` as a Cloud-Optimized GeoTIFF (DEFLATE, tiled 512, overviews), atomically: the file
/// appears complete at `path` or not at all.
pub fn write_cog<T: GdalType + Copy + Into<f64> + PartialEq + Send + Sync>(grid: &Grid<T>, path: &Path, crs: &str) -> Result<()> {
    write_cog_with(grid, path, crs, true)
}

/// [`write_cog`] with the TIFF predictor (horizontal differencing, floating-point for floats) or
/// without it: the values are the same either way; the predictor makes smooth fields smaller and
/// costs CPU, and makes piecewise-constant ones (classes, ids, tiers) larger
/// ([`crate::store::RasterStyle::predictor`]).
pub fn write_cog_with<T: GdalType + Copy + Into<f64> + PartialEq + Send + Sync>(grid: &Grid<T>, path: &Path, crs: &str, predictor: bool) -> Result<()> {
    // SAFETY: `grid` is borrowed for the whole function and `mem` is dropped before it returns;
    // the COG driver only reads the source.
    let mem = unsafe { mem_over(grid.data.as_ptr() as *mut T, grid.width, grid.height, grid.transform, grid.nodata.map(Into::into), crs)? };
    let cog = DriverManager::get_driver_by_name("COG").map_err(|e| Error::gdal(path, e))?;
    let opts = RasterCreationOptions::from_iter([
        "COMPRESS=DEFLATE",
        // Level 1 instead of GDAL's default 6: on the province's hand.tif (38 M Float32 cells)
        // 2.6 s instead of 4.2 s of CPU for a file 1 % larger (class rasters 15–24 %, the whole
        // store's rasters 3 %); the values are the same.
        "LEVEL=1",
        if predictor { "PREDICTOR=YES" } else { "PREDICTOR=NO" },
        "BLOCKSIZE=512",
        "OVERVIEWS=AUTO",
        "RESAMPLING=NEAREST",
        "NUM_THREADS=ALL_CPUS",
    ]);
    let tmp = tmp_path(path);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    // The COG driver computes the overviews into a temporary file compressed with ZSTD at libtiff's
    // default level 9 (a fifth of the write's CPU), then copies them into the COG with the
    // options above: level 1 for that temporary file leaves the COG byte-identical and saves the
    // fifth. Set for this thread only (the driver reads it in the calling thread).
    let level = ThreadConfig::set(path, "ZSTD_LEVEL_OVERVIEW", "1")?;
    drop(mem.create_copy(&cog, &tmp, &opts).map_err(|e| Error::gdal(path, e))?);
    drop(level);
    drop(mem);
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Write a multi-band plain GeoTIFF (used for synthetic imagery), atomically.
pub fn write_geotiff_bands<T: GdalType + Copy>(
    bands: &[&[T]],
    width: usize,
    height: usize,
    transform: GeoTransform,
    crs: &str,
    nodata: Option<f64>,
    path: &Path,
) -> Result<()> {
    let drv = DriverManager::get_driver_by_name("GTiff").map_err(|e| Error::gdal(path, e))?;
    let tmp = tmp_path(path);
    let opts = RasterCreationOptions::from_iter(["COMPRESS=DEFLATE", "PREDICTOR=2", "TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256"]);
    {
        let mut ds = drv
            .create_with_band_type_with_options::<T, _>(&tmp, width, height, bands.len(), &opts)
            .map_err(|e| Error::gdal(path, e))?;
        ds.set_geo_transform(&transform.to_gdal()).map_err(|e| Error::gdal(path, e))?;
        ds.set_spatial_ref(&spatial_ref(crs)?).map_err(|e| Error::gdal(path, e))?;
        for (i, data) in bands.iter().enumerate() {
            let mut band = ds.rasterband(i + 1).map_err(|e| Error::gdal(path, e))?;
            if nodata.is_some() {
                band.set_no_data_value(nodata).map_err(|e| Error::gdal(path, e))?;
            }
            let mut buf = gdal::raster::Buffer::new((width, height), data.to_vec());
            band.write((0, 0), (width, height), &mut buf).map_err(|e| Error::gdal(path, e))?;
        }
    }
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

pub(crate) fn tmp_path(path: &Path) -> std::path::PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Warp a raster file into `crs` on a grid with cell size `cell` (bilinear), covering the source's
/// footprint. Used for DEMs delivered in another CRS (SRTM .hgt in EPSG:4326, VN-2000 GeoTIFFs).
pub fn warp_to(path: &Path, src_crs: &str, crs: &str, cell: f64) -> Result<Grid<f32>> {
    let (transform, w, h) = warp_target(path, src_crs, crs, cell)?;
    warp_onto(path, crs, transform, w, h)
}

/// The grid [`warp_to`] warps onto: square `cell`s in `crs` aligned to multiples of the cell,
/// covering the source's footprint (its edges transformed, sampled densely).
pub fn warp_target(path: &Path, src_crs: &str, crs: &str, cell: f64) -> Result<(GeoTransform, usize, usize)> {
    let src = open(path)?;
    let (sw, sh) = src.raster_size();
    let gt = src.geo_transform().map_err(|e| Error::input(path, format!("no georeferencing ({e})")))?;
    let t = crate::crs::Transformer::new(src_crs, crs)?;
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let steps = 64;
    for i in 0..=steps {
        let f = i as f64 / steps as f64;
        for (px, py) in [(f * sw as f64, 0.0), (f * sw as f64, sh as f64), (0.0, f * sh as f64), (sw as f64, f * sh as f64)] {
            let x = gt[0] + px * gt[1] + py * gt[2];
            let y = gt[3] + px * gt[4] + py * gt[5];
            let (a, b) = t.convert(x, y)?;
            min_x = min_x.min(a);
            max_x = max_x.max(a);
            min_y = min_y.min(b);
            max_y = max_y.max(b);
        }
    }
    let x0 = (min_x / cell).floor() * cell;
    let y0 = (max_y / cell).ceil() * cell;
    let w = ((max_x - x0) / cell).ceil() as usize;
    let h = ((y0 - min_y) / cell).ceil() as usize;
    Ok((GeoTransform { x0, y0, dx: cell, dy: cell }, w, h))
}

/// Band 1 of `path` warped (bilinear, exact transformation at every cell: no approximation
/// threshold) onto the `w` × `h` grid `transform` in `crs`; −32768 where the source has no data or
/// does not reach. Each cell is computed on its own, so a window of [`warp_target`]'s grid gets
/// the same values as the whole grid there.
pub fn warp_onto(path: &Path, crs: &str, transform: GeoTransform, w: usize, h: usize) -> Result<Grid<f32>> {
    let src = open(path)?;
    let nodata = -32768.0f32;
    let mut grid = Grid::new(w, h, transform, nodata, Some(nodata));
    // SAFETY: `grid` is held exclusively here and outlives `dst`, which the warp writes into.
    let dst = unsafe { mem_over(grid.data.as_mut_ptr(), w, h, transform, Some(nodata as f64), crs)? };
    gdal::raster::reproject(&src, &dst).map_err(|e| Error::input(path, format!("cannot warp into {crs}: {e}")))?;
    drop(dst);
    Ok(grid)
}

/// Resample band 1 of a class raster (any CRS) onto the grid `transform` × `width` × `height` in
/// `crs` by nearest neighbour — classes are never averaged — as `i32` with −1 where the source has
/// no data or does not reach. The source's nodata value is honoured.
pub fn warp_nearest_i32(path: &Path, src_crs: &str, crs: &str, transform: GeoTransform, width: usize, height: usize) -> Result<Grid<i32>> {
    let _cores = ThreadConfig::all_cores(path)?;
    let src = open(path)?;
    if src.raster_count() == 0 {
        return Err(Error::input(path, "the raster has no band"));
    }
    src.geo_transform().map_err(|e| Error::input(path, format!("no georeferencing ({e})")))?;
    // The CRS given in dataset.toml overrides (or supplies) the file's own; passed to the warp
    // rather than set on the file, which would write a .aux.xml beside the input.
    if let Some(grid) = read_if_same_grid_i32(&src, path, src_crs, crs, transform, width, height)? {
        return Ok(grid);
    }
    let wkt = spatial_ref(src_crs)?.to_wkt().map_err(|e| Error::gdal(path, e))?;
    let wkt = std::ffi::CString::new(wkt).map_err(|_| Error::param("crs", format!("`{src_crs}` has a NUL byte")))?;
    let mut grid = Grid::new(width, height, transform, -1i32, Some(-1));
    // SAFETY: `grid` is held exclusively here and outlives `dst`, which the warp writes into.
    let dst = unsafe { mem_over(grid.data.as_mut_ptr(), width, height, transform, Some(-1.0), crs)? };
    // SAFETY: both handles are live GDAL datasets owned by `src` and `dst` for the whole call, `wkt`
    // outlives it; a null destination WKT means "the dataset's own CRS", and a null progress
    // callback and warp options are allowed by GDALReprojectImage.
    let rv = unsafe {
        gdal_sys::GDALReprojectImage(
            src.c_dataset(),
            wkt.as_ptr(),
            dst.c_dataset(),
            std::ptr::null(),
            gdal_sys::GDALResampleAlg::GRA_NearestNeighbour,
            0.0,
            0.0,
            None,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    if rv != gdal_sys::CPLErr::CE_None {
        // SAFETY: CPLGetLastErrorMsg returns a NUL-terminated string owned by GDAL (never null),
        // copied at once.
        let msg = unsafe { std::ffi::CStr::from_ptr(gdal_sys::CPLGetLastErrorMsg()) }.to_string_lossy().into_owned();
        return Err(Error::input(path, format!("cannot resample into {crs}: {msg}")));
    }
    drop(dst);
    Ok(grid)
}

/// Band 1 of `src` read as it is when it already lies on the target grid — the same CRS, placement
/// and size, integer cells, validity given by a nodata value or none — with its nodata cells as
/// −1: what the nearest-neighbour warp of [`warp_nearest_i32`] returns there (every target centre
/// falls on the centre of the same source cell), without the warp (a second on the province's
/// land cover, 38 M cells). `None` when any of that does not hold.
fn read_if_same_grid_i32(src: &Dataset, path: &Path, src_crs: &str, crs: &str, transform: GeoTransform, width: usize, height: usize) -> Result<Option<Grid<i32>>> {
    use gdal::raster::GdalDataType as D;
    let same_place = src.geo_transform().ok().and_then(|gt| GeoTransform::from_gdal(&gt)) == Some(transform) && src.raster_size() == (width, height);
    if !same_place || spatial_ref(src_crs)? != spatial_ref(crs)? {
        return Ok(None);
    }
    let band = src.rasterband(1).map_err(|e| Error::gdal(path, e))?;
    if !matches!(band.band_type(), D::UInt8 | D::UInt16 | D::Int16 | D::Int32) {
        return Ok(None);
    }
    // SAFETY: `band` holds a live raster band handle for the call; the flags are a plain integer.
    let flags = unsafe { gdal_sys::GDALGetMaskFlags(band.c_rasterband()) };
    let nodata = band.no_data_value();
    // GDAL's GMF_NODATA (0x08) and GMF_ALL_VALID (0x01): no mask band, no alpha.
    let expected = if nodata.is_some() { 0x08 } else { 0x01 };
    if flags != expected {
        return Ok(None);
    }
    let buf = band
        .read_as::<i32>((0, 0), (width, height), (width, height), None)
        .map_err(|e| Error::input(path, format!("cannot read band 1: {e} (truncated or corrupt file?)")))?;
    let (_, mut data) = buf.into_shape_and_vec();
    if let Some(nd) = nodata {
        data.iter_mut().filter(|v| **v as f64 == nd).for_each(|v| *v = -1);
    }
    Ok(Some(Grid { width, height, transform, nodata: Some(-1), data }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_read_on_the_same_grid_equals_the_warp() {
        // A Byte class raster with nodata 0 already on the target grid: the direct read gives what
        // GDAL's nearest-neighbour warp gives, cell for cell (and −1 where the source has nodata).
        let dir = tempfile::tempdir().unwrap();
        let t = GeoTransform { x0: 309_030.0, y0: 2_441_880.0, dx: 30.0, dy: 30.0 };
        let (w, h) = (157, 93);
        let mut g = Grid::new(w, h, t, 10u8, Some(0));
        for (i, v) in g.data.iter_mut().enumerate() {
            *v = [0u8, 10, 20, 30, 40, 50, 60, 80, 90, 95, 100][(i * 7 + i / w) % 11];
        }
        let path = dir.path().join("classes.tif");
        write_cog(&g, &path, "EPSG:32648").unwrap();
        let direct = warp_nearest_i32(&path, "EPSG:32648", "EPSG:32648", t, w, h).unwrap();
        let src = open(&path).unwrap();
        assert!(read_if_same_grid_i32(&src, &path, "EPSG:32648", "EPSG:32648", t, w, h).unwrap().is_some(), "the direct path is taken");
        // The warp itself: the same grid but one the shortcut refuses (placement differs by nothing
        // that moves a centre off its source cell: a thousandth of a cell).
        let t2 = GeoTransform { x0: t.x0 + 0.03, ..t };
        assert!(read_if_same_grid_i32(&src, &path, "EPSG:32648", "EPSG:32648", t2, w, h).unwrap().is_none());
        let warped = warp_nearest_i32(&path, "EPSG:32648", "EPSG:32648", t2, w, h).unwrap();
        assert_eq!(direct.data, warped.data);
        assert_eq!(direct.data.iter().filter(|v| **v == -1).count(), g.data.iter().filter(|v| **v == 0).count());
    }

    #[test]
    fn cog_round_trip_keeps_values_and_placement() {
        let dir = tempfile::tempdir().unwrap();
        let t = GeoTransform { x0: 400_000.0, y0: 2_400_000.0, dx: 30.0, dy: 30.0 };
        let mut g = Grid::new(700, 600, t, 0.0f32, Some(-9999.0));
        for (i, v) in g.data.iter_mut().enumerate() {
            *v = (i % 997) as f32 * 0.5;
        }
        g.data[5] = -9999.0;
        let p = dir.path().join("x.tif");
        write_cog(&g, &p, "EPSG:32648").unwrap();
        let (r, crs) = read_raster_f32(&p, 1).unwrap();
        assert_eq!(crs.as_deref(), Some("EPSG:32648"));
        assert_eq!((r.width, r.height), (700, 600));
        assert_eq!(r.transform, t);
        assert_eq!(r.nodata, Some(-9999.0));
        assert_eq!(r.data, g.data);
        // gdalinfo (an independent reader) agrees that it is a COG with overviews.
        let out = std::process::Command::new("gdalinfo").arg(&p).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("LAYOUT=COG"), "{text}");
        assert!(text.contains("Overviews"), "{text}");
    }

    #[test]
    fn corrupt_file_is_a_clear_error() {
        let (_dir, p) = crate::scratch::scratch("bad.tif");
        std::fs::write(&p, b"II*\0garbage").unwrap();
        let e = read_raster_f32(&p, 1).unwrap_err().to_string();
        assert!(e.contains("bad.tif"), "{e}");
    }
}
