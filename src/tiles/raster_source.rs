//! Raster layers served as PNG tiles. Choice: rasters are **not** loaded into memory; each tile is read
//! through GDAL as a window of the Cloud-Optimized GeoTIFF, at a decimated buffer size so GDAL picks the
//! right overview and averages (or, for class rasters, takes the nearest cell). This keeps a dozen
//! province-wide 30 m rasters and centimetre UAV mosaics servable in little memory, with GDAL's block
//! cache doing the caching. One GDAL handle per raster is shared by all threads (locked only while GDAL
//! reads a window, so its block cache serves every tile); PROJ transformers are per thread.
//!
//! Resampling into WebMercator is exact up to a linear interpolation of the projection over a 17×17
//! lattice of tile points (every 16 pixels; the error for UTM at these scales is far below a pixel,
//! the same approximation GDAL's warper makes with its default 0.125-pixel error threshold). Continuous
//! rasters are sampled bilinearly from the decimated window; class rasters by nearest neighbour.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use gdal::raster::ResampleAlg;
use gdal::Dataset;

use super::colormap::{ColorMap, ColorTable};
use super::thresholds::Thresholds;
use super::hillshade::{hillshade, zoom_z_factor, Sun};
use super::tile_id::{zoom_for_resolution, TileId, TILE_PIXELS};
use crate::crs::{mercator_to_lonlat, Transformer};
use crate::error::{Error, Result};
use crate::grid::{Bounds, GeoTransform};
use crate::store::RasterStyle;

static NEXT_UID: AtomicU64 = AtomicU64::new(1);

/// How a raster source turns values into pixels.
#[derive(Clone)]
pub enum Render {
    /// Through its colour map.
    Colour,
    /// Hillshade of the elevations (the source is a DEM), grey.
    Hillshade,
}

#[derive(Clone)]
pub struct RasterSource {
    /// Catalog id (URL-safe: the store name with `/` replaced by `_`).
    pub id: String,
    /// Name in the store (e.g. `uav/f1/ndvi`).
    pub name: String,
    pub path: PathBuf,
    pub crs_wkt: String,
    pub width: usize,
    pub height: usize,
    pub transform: GeoTransform,
    pub nodata: Option<f64>,
    /// Extent in EPSG:3857.
    pub bounds: Bounds,
    /// Ground size of a cell in metres (approximate for geographic rasters).
    pub resolution_m: f64,
    pub minzoom: u8,
    pub maxzoom: u8,
    pub colormap: ColorMap,
    /// The colour map tabulated for per-pixel lookups.
    colors: ColorTable,
    pub render: Render,
    /// Approximate min and max of the values.
    pub range: Option<(f64, f64)>,
    uid: u64,
    /// One GDAL handle per raster, shared by all threads and locked only while GDAL reads a window:
    /// GDAL caches decoded blocks per handle, so sharing it lets every tile reuse what neighbouring
    /// tiles decompressed.
    dataset: Arc<Mutex<Option<Dataset>>>,
}

thread_local! {
    /// PROJ objects cannot move between threads: each rendering thread keeps its own transformer from
    /// EPSG:3857 to each raster's CRS.
    static TRANSFORMERS: RefCell<HashMap<u64, Transformer>> = RefCell::new(HashMap::new());
}

/// Lattice points per tile side for the projection interpolation.
const LATTICE: usize = 17;

/// Floor without a libm call (the baseline x86-64 target has no rounding instruction).
#[inline]
fn ffloor(x: f64) -> i64 {
    let i = x as i64;
    if (i as f64) > x {
        i - 1
    } else {
        i
    }
}

impl RasterSource {
    /// Open a raster for serving, drawn in `style`: reads its georeferencing and (when its colour map
    /// needs it) its range.
    pub fn open(name: &str, path: &Path, style: RasterStyle, th: &Thresholds) -> Result<Self> {
        let ds = Dataset::open(path).map_err(|e| Error::gdal(path, e))?;
        let (width, height) = ds.raster_size();
        if ds.raster_count() < 1 {
            return Err(Error::input(path, "raster has no band"));
        }
        let gt = ds.geo_transform().map_err(|e| Error::gdal(path, e))?;
        let transform = GeoTransform::from_gdal(&gt)
            .ok_or_else(|| Error::input(path, "raster is not north-up (rotated geotransform)"))?;
        let crs_wkt = ds.projection();
        if crs_wkt.trim().is_empty() {
            return Err(Error::input(path, "raster has no CRS"));
        }
        let band = ds.rasterband(1).map_err(|e| Error::gdal(path, e))?;
        let nodata = band.no_data_value();
        let range = if style.needs_range() {
            band.compute_raster_min_max(true).ok().map(|m| (m.min, m.max)).filter(|(a, b)| a.is_finite() && b.is_finite())
        } else {
            None
        };
        let colormap = ColorMap::for_style(style, range, th);

        // Outline densified (32 segments per edge) into EPSG:3857.
        let to_merc = Transformer::new(&crs_wkt, "EPSG:3857").map_err(|e| Error::input(path, e.to_string()))?;
        let gb = Bounds {
            min_x: transform.x0,
            max_x: transform.x0 + width as f64 * transform.dx,
            max_y: transform.y0,
            min_y: transform.y0 - height as f64 * transform.dy,
        };
        let mut b: Option<Bounds> = None;
        for k in 0..=32 {
            let t = k as f64 / 32.0;
            let xs = gb.min_x + t * gb.width();
            let ys = gb.min_y + t * gb.height();
            for (x, y) in [(xs, gb.min_y), (xs, gb.max_y), (gb.min_x, ys), (gb.max_x, ys)] {
                if let Ok((mx, my)) = to_merc.convert(x, y) {
                    b = Some(match b {
                        None => Bounds { min_x: mx, min_y: my, max_x: mx, max_y: my },
                        Some(b) => Bounds {
                            min_x: b.min_x.min(mx),
                            min_y: b.min_y.min(my),
                            max_x: b.max_x.max(mx),
                            max_y: b.max_y.max(my),
                        },
                    });
                }
            }
        }
        let bounds = b.ok_or_else(|| Error::input(path, "raster extent has no image in EPSG:3857"))?;
        let (_, lat) = mercator_to_lonlat((bounds.min_x + bounds.max_x) / 2.0, (bounds.min_y + bounds.max_y) / 2.0);
        // Ground resolution: the EPSG:3857 size of a cell scaled by the Mercator factor cos(lat).
        let resolution_m = (bounds.width() / width as f64).min(bounds.height() / height as f64) * lat.to_radians().cos();
        let maxzoom = zoom_for_resolution(resolution_m, lat);
        Ok(Self {
            id: name.replace('/', "_"),
            name: name.to_string(),
            path: path.to_path_buf(),
            crs_wkt,
            width,
            height,
            transform,
            nodata,
            bounds,
            resolution_m,
            minzoom: maxzoom.saturating_sub(8),
            maxzoom,
            colors: ColorTable::new(&colormap),
            colormap,
            render: Render::Colour,
            range,
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            dataset: Arc::new(Mutex::new(Some(ds))),
        })
    }

    /// The hillshade basemap computed from this DEM, as a source named `id`.
    pub fn hillshade_of(&self, id: &str) -> Self {
        let mut s = self.clone();
        s.id = id.to_string();
        s.name = id.to_string();
        s.colormap = ColorMap::hillshade();
        s.colors = ColorTable::new(&s.colormap);
        s.render = Render::Hillshade;
        s.minzoom = 0;
        s
    }

    fn with_transformer<R>(&self, f: impl FnOnce(&Transformer) -> R) -> Result<R> {
        TRANSFORMERS.with(|cell| {
            let mut map = cell.borrow_mut();
            if !map.contains_key(&self.uid) {
                // Bounded: a thread keeps at most 64 transformers (a store has a few dozen rasters).
                if map.len() >= 64 {
                    map.clear();
                }
                let t = Transformer::new("EPSG:3857", &self.crs_wkt).map_err(|e| Error::input(&self.path, e.to_string()))?;
                map.insert(self.uid, t);
            }
            match map.get(&self.uid) {
                Some(t) => Ok(f(t)),
                None => Err(Error::input(&self.path, "transformer unavailable")),
            }
        })
    }

    /// Read a window into a `bw`×`bh` buffer through the shared handle.
    fn read_window(&self, off: (isize, isize), size: (usize, usize), buf: (usize, usize), alg: ResampleAlg) -> Result<Vec<f32>> {
        let mut guard = self.dataset.lock().map_err(|_| Error::input(&self.path, "raster handle lock poisoned"))?;
        if guard.is_none() {
            *guard = Some(Dataset::open(&self.path).map_err(|e| Error::gdal(&self.path, e))?);
        }
        let ds = guard.as_ref().ok_or_else(|| Error::input(&self.path, "raster handle unavailable"))?;
        let band = ds.rasterband(1).map_err(|e| Error::gdal(&self.path, e))?;
        let b = band.read_as::<f32>(off, size, buf, Some(alg)).map_err(|e| Error::gdal(&self.path, e))?;
        Ok(b.into_shape_and_vec().1)
    }

    /// The raster's values at the centres of an m×m grid of tile pixels, m = n + 2·pad (the tile's n×n
    /// pixels with a margin of `pad`), row-major from the north-west, NaN where there is no data.
    /// `None` when the tile misses the raster.
    pub fn sample(&self, tile: TileId, n: usize, pad: usize, nearest: bool) -> Result<Option<Vec<f32>>> {
        let tb = tile.bounds();
        let px = tile.size_m() / n as f64;
        let (x0, y0) = (tb.min_x - pad as f64 * px, tb.max_y + pad as f64 * px);
        let m = n + 2 * pad;
        let span = m as f64 * px;
        if x0 > self.bounds.max_x || x0 + span < self.bounds.min_x || y0 < self.bounds.min_y || y0 - span > self.bounds.max_y {
            return Ok(None);
        }
        {
            let t = &self.transform;
            // Source pixel coordinates of the lattice points.
            let mut lattice: Vec<(f64, f64)> = Vec::with_capacity(LATTICE * LATTICE);
            for j in 0..LATTICE {
                for i in 0..LATTICE {
                    let u = i as f64 * m as f64 / (LATTICE - 1) as f64;
                    let v = j as f64 * m as f64 / (LATTICE - 1) as f64;
                    lattice.push((x0 + u * px, y0 - v * px));
                }
            }
            let lattice: Vec<Option<(f64, f64)>> = self.with_transformer(|tr| {
                lattice
                    .iter()
                    .map(|(x, y)| tr.convert(*x, *y).ok().map(|(sx, sy)| ((sx - t.x0) / t.dx, (t.y0 - sy) / t.dy)))
                    .collect()
            })?;
            let valid: Vec<(f64, f64)> = lattice.iter().flatten().copied().collect();
            if valid.is_empty() {
                return Ok(None);
            }
            let (mut c0, mut c1, mut r0, mut r1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
            for (c, r) in &valid {
                c0 = c0.min(*c);
                c1 = c1.max(*c);
                r0 = r0.min(*r);
                r1 = r1.max(*r);
            }
            let wx0 = (c0.floor() as i64 - 1).clamp(0, self.width as i64);
            let wx1 = (c1.ceil() as i64 + 1).clamp(0, self.width as i64);
            let wy0 = (r0.floor() as i64 - 1).clamp(0, self.height as i64);
            let wy1 = (r1.ceil() as i64 + 1).clamp(0, self.height as i64);
            if wx1 <= wx0 || wy1 <= wy0 {
                return Ok(None);
            }
            let (ww, wh) = ((wx1 - wx0) as usize, (wy1 - wy0) as usize);
            // Decimate to about one buffer cell per output pixel; GDAL reads the matching overview.
            let fx = ((c1 - c0) / m as f64).max(1.0);
            let fy = ((r1 - r0) / m as f64).max(1.0);
            let bw = ((ww as f64 / fx).ceil() as usize).clamp(1, ww);
            let bh = ((wh as f64 / fy).ceil() as usize).clamp(1, wh);
            let alg = if nearest || (bw == ww && bh == wh) { ResampleAlg::NearestNeighbour } else { ResampleAlg::Average };
            let raw = self.read_window((wx0 as isize, wy0 as isize), (ww, wh), (bw, bh), alg)?;
            // Nodata as NaN once, so the per-pixel loop tests one thing.
            let nd = self.nodata.map(|v| v as f32);
            let data: Vec<f32> = raw.into_iter().map(|v| if Some(v) == nd { f32::NAN } else { v }).collect();
            let (bwi, bhi) = (bw as i64, bh as i64);
            let at = |x: i64, y: i64| data[(y.clamp(0, bhi - 1) * bwi + x.clamp(0, bwi - 1)) as usize];
            let sx = bw as f64 / ww as f64;
            let sy = bh as f64 / wh as f64;
            let (wf, hf) = (self.width as f64, self.height as f64);
            let mut out = vec![f32::NAN; m * m];
            let mut any = false;
            let cells = (LATTICE - 1) as f64;
            // The lattice interpolated to the current pixel row, then along it.
            let mut rowpts: Vec<Option<(f64, f64)>> = vec![None; LATTICE];
            for j in 0..m {
                let gv = (j as f64 + 0.5) * cells / m as f64;
                let lj = (gv as usize).min(LATTICE - 2);
                let tv = gv - lj as f64;
                for (k, rp) in rowpts.iter_mut().enumerate() {
                    *rp = match (lattice[lj * LATTICE + k], lattice[(lj + 1) * LATTICE + k]) {
                        (Some(a), Some(b)) => Some((a.0 + (b.0 - a.0) * tv, a.1 + (b.1 - a.1) * tv)),
                        _ => None,
                    };
                }
                let orow = &mut out[j * m..(j + 1) * m];
                for (i, o) in orow.iter_mut().enumerate() {
                    let gu = (i as f64 + 0.5) * cells / m as f64;
                    let li = (gu as usize).min(LATTICE - 2);
                    let tu = gu - li as f64;
                    let (Some(a), Some(b)) = (rowpts[li], rowpts[li + 1]) else { continue };
                    let col = a.0 + (b.0 - a.0) * tu;
                    let row = a.1 + (b.1 - a.1) * tu;
                    if col < 0.0 || row < 0.0 || col >= wf || row >= hf {
                        continue;
                    }
                    let bx = (col - wx0 as f64) * sx;
                    let by = (row - wy0 as f64) * sy;
                    let v = if nearest {
                        at(ffloor(bx), ffloor(by))
                    } else {
                        // Bilinear between buffer cell centres; next to nodata, the nearest cell.
                        let (fx, fy) = (bx - 0.5, by - 0.5);
                        let (ix, iy) = (ffloor(fx), ffloor(fy));
                        let (tx, ty) = ((fx - ix as f64) as f32, (fy - iy as f64) as f32);
                        let (p, q, r, t) = (at(ix, iy), at(ix + 1, iy), at(ix, iy + 1), at(ix + 1, iy + 1));
                        if p.is_nan() || q.is_nan() || r.is_nan() || t.is_nan() {
                            at(ffloor(bx), ffloor(by))
                        } else {
                            let top = p + (q - p) * tx;
                            let bot = r + (t - r) * tx;
                            top + (bot - top) * ty
                        }
                    };
                    any |= !v.is_nan();
                    *o = v;
                }
            }
            Ok(any.then_some(out))
        }
    }

    /// RGBA pixels of the tile (`TILE_PIXELS` square), `None` when it has no visible pixel.
    pub fn render_rgba(&self, tile: TileId) -> Result<Option<Vec<u8>>> {
        let n = TILE_PIXELS;
        let mut rgba = vec![0u8; n * n * 4];
        match self.render {
            Render::Colour => {
                let Some(vals) = self.sample(tile, n, 0, self.colormap.categorical())? else { return Ok(None) };
                for (px, v) in rgba.chunks_exact_mut(4).zip(&vals) {
                    px.copy_from_slice(&self.colors.color(*v as f64));
                }
            }
            Render::Hillshade => {
                let Some(elev) = self.sample(tile, n, 1, false)? else { return Ok(None) };
                let b = tile.bounds();
                let (_, lat) = mercator_to_lonlat(0.0, (b.min_y + b.max_y) / 2.0);
                let ground = tile.size_m() / n as f64 * lat.to_radians().cos();
                let sun = Sun { z_factor: zoom_z_factor(tile.z), ..Sun::default() };
                let shade = hillshade(&elev, n, n, ground, ground, &sun);
                for (k, s) in shade.iter().enumerate() {
                    if *s != 0 {
                        rgba[k * 4..k * 4 + 4].copy_from_slice(&[*s, *s, *s, 255]);
                    }
                }
            }
        }
        if rgba.chunks_exact(4).all(|p| p[3] == 0) {
            return Ok(None);
        }
        Ok(Some(rgba))
    }

    /// The PNG tile, `None` when fully transparent.
    pub fn render_png(&self, tile: TileId) -> Result<Option<Vec<u8>>> {
        match self.render_rgba(tile)? {
            None => Ok(None),
            Some(rgba) => encode_png(&rgba, TILE_PIXELS, TILE_PIXELS).map(Some),
        }
    }

    pub fn lonlat_bounds(&self) -> [f64; 4] {
        super::tile_id::mercator_to_lonlat_bounds(&self.bounds)
    }
}

/// Encode RGBA pixels as PNG (fast deflate: tiles are cached, and PNG sizes differ little).
pub fn encode_png(rgba: &[u8], w: usize, h: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w as u32, h as u32);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut wr = enc.write_header().map_err(|e| Error::Codec(format!("PNG: {e}")))?;
        wr.write_image_data(rgba).map_err(|e| Error::Codec(format!("PNG: {e}")))?;
    }
    Ok(out)
}

/// Shared handle to a raster source.
pub type SharedRaster = Arc<RasterSource>;
