//! Zonal statistics of any raster under any polygons (`covermap zonal`): the exact coverage
//! fractions of [`super::coverage`] and exactextract's definitions of [`super::zonal`], for files
//! instead of a flight. The zones are reprojected into the raster's CRS (fractions are computed in
//! the raster's own grid, as exactextract does); each zone reads only the raster window under it.
//! Zones are rayon tasks, each thread reading through its own GDAL dataset (datasets are not `Sync`)
//! into buffers it reuses from zone to zone.
//!
//! Statistics (exactextract's names where it has them): `count` (Σ coverage of valid pixels),
//! `sum` (Σ wx), `mean`, `stdev` (alias `std`; population form, by West's weighted incremental
//! algorithm like exactextract's `WestVariance`), `variance`, `min`, `max` (over pixels with
//! coverage > 0), `median` and `pNN` (weighted quantiles, NN in 0–100). Moments are accumulated
//! while the window is scanned, so a mean/count request keeps no values and sorts nothing; the
//! values are gathered (and sorted, once) only when a quantile is asked for.

use std::path::Path;
use std::sync::Mutex;

use geo::{Geometry, MultiPolygon};
use rayon::prelude::*;

use super::coverage::{coverage_fractions_reusing, Coverage};
use super::zonal::WeightedValues;
use crate::dataset::config::LayerSource;
use crate::dataset::vector_io::{read_layer, Expect, RawFeature};
use crate::error::{Error, Result};
use crate::grid::GeoTransform;
use crate::store::{FieldType, GeomKind, Layer, Value};

/// One requested statistic.
#[derive(Debug, Clone, PartialEq)]
pub enum Stat {
    Count,
    Sum,
    Mean,
    Stdev,
    Variance,
    Min,
    Max,
    /// Weighted quantile q ∈ [0, 1], with its column name (`median`, `p10`, …).
    Quantile(f64, String),
}

impl Stat {
    pub fn name(&self) -> String {
        match self {
            Stat::Count => "count".into(),
            Stat::Sum => "sum".into(),
            Stat::Mean => "mean".into(),
            Stat::Stdev => "stdev".into(),
            Stat::Variance => "variance".into(),
            Stat::Min => "min".into(),
            Stat::Max => "max".into(),
            Stat::Quantile(_, n) => n.clone(),
        }
    }
}

/// Parse a comma-separated list such as `mean,count,std,p10,p50,p90`.
pub fn parse_stats(list: &str) -> Result<Vec<Stat>> {
    let mut out: Vec<Stat> = Vec::new();
    for raw in list.split(',') {
        let s = raw.trim().to_ascii_lowercase();
        let stat = match s.as_str() {
            "count" => Stat::Count,
            "sum" => Stat::Sum,
            "mean" => Stat::Mean,
            "std" | "stdev" => Stat::Stdev,
            "variance" => Stat::Variance,
            "min" => Stat::Min,
            "max" => Stat::Max,
            "median" => Stat::Quantile(0.5, "median".into()),
            _ => match s.strip_prefix('p').and_then(|n| n.parse::<f64>().ok()) {
                Some(p) if (0.0..=100.0).contains(&p) => Stat::Quantile(p / 100.0, s.clone()),
                _ => {
                    return Err(Error::param(
                        "stats",
                        format!("unknown statistic `{}` (known: count, sum, mean, stdev/std, variance, min, max, median, p0–p100)", raw.trim()),
                    ))
                }
            },
        };
        if !out.contains(&stat) {
            out.push(stat);
        }
    }
    if out.is_empty() {
        return Err(Error::param("stats", "no statistic requested"));
    }
    Ok(out)
}

/// Running weighted moments (West 1979, "Updating mean and variance estimates", CACM 22(9)).
#[derive(Debug, Clone, Copy, Default)]
pub struct Moments {
    pub weight: f64,
    pub sum: f64,
    mean: f64,
    m2: f64,
    pub min: f32,
    pub max: f32,
}

impl Moments {
    #[inline]
    pub fn push(&mut self, x: f32, w: f64) {
        if !(w > 0.0 && x.is_finite()) {
            return;
        }
        if self.weight == 0.0 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        let xf = x as f64;
        self.sum += xf * w;
        self.weight += w;
        let delta = xf - self.mean;
        let r = delta * w / self.weight;
        self.mean += r;
        self.m2 += (self.weight - w) * delta * r;
    }

    pub fn mean(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.sum / self.weight)
    }

    pub fn variance(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.m2 / self.weight)
    }
}

/// The statistics of one zone, in the order requested (`None`: no valid pixel under it).
#[derive(Debug, Clone)]
pub struct ZoneResult {
    pub fid: i64,
    pub attrs: Vec<(String, Value)>,
    pub geometry: MultiPolygon<f64>,
    pub values: Vec<Option<f64>>,
}

/// Everything `covermap zonal` computed.
#[derive(Debug, Clone)]
pub struct ZonalTable {
    pub stats: Vec<Stat>,
    /// Attribute names of the zones (the union over features, in first-seen order).
    pub attr_names: Vec<String>,
    pub zones: Vec<ZoneResult>,
    /// The raster's CRS (the zones were reprojected into it).
    pub crs: String,
    /// Pixels visited (coverage > 0) over all zones.
    pub pixels: u64,
}

/// Σw, Σwx and the number of pixels with w > 0 over the valid values of a window (finite and not
/// `nodata`; pass NaN for none, which equals nothing). Eight independent lanes, each summing its pixels
/// in order and added in a fixed order at the end, so the loop vectorises and the result is the same
/// on every run; an invalid pixel adds exact zeros. This is all a mean/count request needs.
#[inline]
fn weighted_sums(window: &[f32], frac: &[f64], nodata: f32) -> (f64, f64, u64) {
    const L: usize = 8;
    let (mut sw, mut swx, mut n) = ([0.0f64; L], [0.0f64; L], [0u64; L]);
    let (xs, ws) = (window.chunks_exact(L), frac.chunks_exact(L));
    let (xr, wr) = (xs.remainder(), ws.remainder());
    for (x, w) in xs.zip(ws) {
        // Fixed-size views (the conversion cannot fail on `chunks_exact(L)`): with them, and with
        // `&` rather than `&&` below, the lanes become SIMD selects — 1.3 against 2.7 ns per pixel
        // for the short-circuit form in a standalone measurement (`as_chunks` or a tuple select
        // measured 2.9–3.0 ns: the form matters).
        let x: &[f32; L] = x.try_into().expect("chunks_exact(L) yields L values");
        let w: &[f64; L] = w.try_into().expect("chunks_exact(L) yields L values");
        for l in 0..L {
            let ok = (w[l] > 0.0) & (x[l].abs() < f32::INFINITY) & (x[l] != nodata);
            let wv = if ok { w[l] } else { 0.0 };
            let xv = if ok { x[l] as f64 } else { 0.0 };
            sw[l] += wv;
            swx[l] += wv * xv;
            n[l] += ok as u64;
        }
    }
    for (l, (x, w)) in xr.iter().zip(wr).enumerate() {
        if *w > 0.0 && x.is_finite() && *x != nodata {
            sw[l] += w;
            swx[l] += w * *x as f64;
            n[l] += 1;
        }
    }
    (sw.iter().sum(), swx.iter().sum(), n.iter().sum())
}

/// Statistics of `window` (raster values; NaN and `nodata` are nodata) under `cov`, and the number of
/// valid pixels with coverage > 0. `count`, `sum` and `mean` come from one vectorised pass; the running
/// moments (for `stdev`/`variance`/`min`/`max`) and the gathered values (for quantiles) only when one
/// of those is asked for.
pub fn zone_stats(window: &[f32], cov: &Coverage, nodata: Option<f32>, stats: &[Stat]) -> (Vec<Option<f64>>, u64) {
    let nd = nodata.unwrap_or(f32::NAN);
    let (sw, swx, pixels) = weighted_sums(window, &cov.frac, nd);
    let want_moments = stats.iter().any(|s| matches!(s, Stat::Stdev | Stat::Variance | Stat::Min | Stat::Max));
    let want_values = stats.iter().any(|s| matches!(s, Stat::Quantile(..)));
    let mut m = Moments::default();
    let mut values = WeightedValues::new();
    if want_moments || want_values {
        for (x, w) in window.iter().zip(&cov.frac) {
            if *w > 0.0 && x.is_finite() && *x != nd {
                if want_moments {
                    m.push(*x, *w);
                }
                if want_values {
                    values.push(*x, *w);
                }
            }
        }
    }
    let out = stats
        .iter()
        .map(|s| match s {
            Stat::Count => Some(sw),
            Stat::Sum => Some(swx),
            Stat::Mean => (sw > 0.0).then(|| swx / sw),
            Stat::Stdev => m.variance().map(f64::sqrt),
            Stat::Variance => m.variance(),
            Stat::Min => (m.weight > 0.0).then_some(m.min as f64),
            Stat::Max => (m.weight > 0.0).then_some(m.max as f64),
            Stat::Quantile(q, _) => values.quantile(*q),
        })
        .collect();
    (out, pixels)
}

fn polygons(g: &Geometry<f64>) -> MultiPolygon<f64> {
    match g {
        Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
        Geometry::MultiPolygon(m) => m.clone(),
        _ => MultiPolygon(vec![]),
    }
}

/// Open the raster for window reads. An uncompressed GeoTIFF is read through a memory map of the file
/// (GDAL's `GTIFF_VIRTUAL_MEM_IO=IF_ENOUGH_RAM`, read when the dataset is opened, so it is set for this
/// thread only around the open) instead of copying every block into GDAL's block cache first: on the
/// 64 M px raster of `scripts/bench_reference.py` that cache's page faults were a third of the command's
/// CPU time. Other formats and compressed files are unaffected; a value the user set is kept.
fn open_for_windows(path: &Path) -> Result<gdal::Dataset> {
    const KEY: &str = "GTIFF_VIRTUAL_MEM_IO";
    let user_set = gdal::config::get_config_option(KEY, "").map(|v| !v.is_empty()).unwrap_or(true);
    if user_set {
        return crate::grid::io::open(path);
    }
    gdal::config::set_thread_local_config_option(KEY, "IF_ENOUGH_RAM").map_err(|e| Error::gdal(path, e))?;
    let ds = crate::grid::io::open(path);
    gdal::config::clear_thread_local_config_option(KEY).map_err(|e| Error::gdal(path, e))?;
    ds
}

/// What one rayon thread keeps between zones: its own handle on the raster (GDAL datasets may move
/// between threads but not be shared) and the window and fraction buffers of the previous zone.
struct Reader {
    ds: gdal::Dataset,
    window: Vec<f32>,
    frac: Vec<f64>,
}

/// At most one [`Reader`] per thread at a time: a zone takes one (or opens the raster again when all
/// are busy) and gives it back, so the raster is opened about as many times as there are threads.
struct ReaderPool<'a> {
    path: &'a Path,
    free: Mutex<Vec<Reader>>,
}

impl ReaderPool<'_> {
    fn take(&self) -> Result<Reader> {
        if let Some(r) = self.free.lock().map_err(|_| Error::Invariant("zonal reader pool poisoned".into()))?.pop() {
            return Ok(r);
        }
        Ok(Reader { ds: open_for_windows(self.path)?, window: Vec::new(), frac: Vec::new() })
    }

    fn give(&self, r: Reader) {
        if let Ok(mut free) = self.free.lock() {
            free.push(r);
        }
    }
}

/// Statistics of one zone: its exact coverage, the raster window under it read into the reader's
/// buffer, and the sums over that window.
#[allow(clippy::too_many_arguments)]
fn one_zone(pool: &ReaderPool, poly: &MultiPolygon<f64>, t: &GeoTransform, (width, height): (usize, usize), band: usize, nodata: Option<f32>, stats: &[Stat]) -> Result<(Vec<Option<f64>>, u64)> {
    let mut r = pool.take()?;
    let Some(cov) = coverage_fractions_reusing(poly, t, width, height, std::mem::take(&mut r.frac)) else {
        pool.give(r);
        return Ok((vec![None; stats.len()], 0));
    };
    r.window.clear();
    r.window.resize(cov.w * cov.h, 0.0);
    let rb = r.ds.rasterband(band).map_err(|e| Error::gdal(pool.path, e))?;
    rb.read_into_slice::<f32>((cov.col0 as isize, cov.row0 as isize), (cov.w, cov.h), (cov.w, cov.h), &mut r.window, None)
        .map_err(|e| Error::input(pool.path, format!("cannot read pixels {}–{} × {}–{}: {e}", cov.col0, cov.col0 + cov.w, cov.row0, cov.row0 + cov.h)))?;
    let out = zone_stats(&r.window, &cov, nodata, stats);
    r.frac = cov.frac;
    pool.give(r);
    Ok(out)
}

/// Zonal statistics of band `band` (1-based) of `raster` under the polygons of `zones` (first
/// layer; any CRS, reprojected into the raster's).
pub fn zonal_stats_files(raster: &Path, band: usize, zones: &Path, stats: &[Stat]) -> Result<ZonalTable> {
    let ds = open_for_windows(raster)?;
    let crs = crate::grid::io::crs_of(&ds).ok_or_else(|| Error::input(raster, "the raster has no CRS; assign one first (gdal_edit.py -a_srs EPSG:…)"))?;
    let gt = ds.geo_transform().map_err(|e| Error::input(raster, format!("no georeferencing ({e})")))?;
    let t = GeoTransform::from_gdal(&gt).ok_or_else(|| Error::input(raster, "raster is rotated or not north-up; warp it first (gdalwarp)"))?;
    if band == 0 || band > ds.raster_count() {
        return Err(Error::input(raster, format!("band {band} requested, the file has {}", ds.raster_count())));
    }
    let rb = ds.rasterband(band).map_err(|e| Error::gdal(raster, e))?;
    let (width, height) = rb.size();
    let nodata = rb.no_data_value();
    // The dataset opened for the metadata becomes the first thread's reader.
    let first = Reader { ds, window: Vec::new(), frac: Vec::new() };

    let dir = zones.parent().unwrap_or(Path::new("."));
    let src = LayerSource {
        file: zones.file_name().map(Into::into).unwrap_or_else(|| zones.to_path_buf()),
        layer: None,
        crs: None,
        fields: Default::default(),
        open_options: Vec::new(),
    };
    let layer_name = zones.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "zones".into());
    let raw = read_layer(dir, &layer_name, &src, Expect::Polygon, &[], &crs)?;
    let mut attr_names: Vec<String> = Vec::new();
    for f in &raw.features {
        for k in f.attrs.keys() {
            if !attr_names.contains(k) {
                attr_names.push(k.clone());
            }
        }
    }
    // One task per zone, in parallel: coverage, window read (each thread through its own dataset) and
    // sums; the results come back in the zones' order.
    let nodata = nodata.map(|v| v as f32);
    let pool = ReaderPool { path: raster, free: Mutex::new(vec![first]) };
    let per_zone: Vec<(Vec<Option<f64>>, u64)> = raw
        .features
        .par_iter()
        .map(|f| match &f.geometry {
            None => Ok((vec![None; stats.len()], 0)),
            Some(g) => one_zone(&pool, &polygons(g), &t, (width, height), band, nodata, stats),
        })
        .collect::<Result<_>>()?;
    let mut zones_out = Vec::with_capacity(raw.features.len());
    let mut pixels = 0u64;
    for (f, (values, p)) in raw.features.iter().zip(per_zone) {
        let RawFeature { fid, geometry, attrs } = f;
        pixels += p;
        let attrs = attr_names.iter().map(|k| (k.clone(), attrs.get(k).cloned().unwrap_or(Value::Null))).collect();
        zones_out.push(ZoneResult { fid: *fid, attrs, geometry: geometry.as_ref().map(polygons).unwrap_or(MultiPolygon(vec![])), values });
    }
    Ok(ZonalTable { stats: stats.to_vec(), attr_names, zones: zones_out, crs, pixels })
}

impl ZonalTable {
    /// CSV: `fid`, the zones' attributes, then one column per statistic (empty when undefined).
    pub fn to_csv(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["fid".to_string()];
        header.extend(self.attr_names.iter().cloned());
        header.extend(self.stats.iter().map(Stat::name));
        w.write_record(&header).map_err(|e| Error::Codec(e.to_string()))?;
        for z in &self.zones {
            let mut rec = vec![z.fid.to_string()];
            rec.extend(z.attrs.iter().map(|(_, v)| match v {
                Value::Null => String::new(),
                Value::Int(i) => i.to_string(),
                Value::Real(r) => r.to_string(),
                Value::Text(s) => s.clone(),
            }));
            rec.extend(z.values.iter().map(|v| v.map(|x| x.to_string()).unwrap_or_default()));
            w.write_record(&rec).map_err(|e| Error::Codec(e.to_string()))?;
        }
        let bytes = w.into_inner().map_err(|e| Error::Codec(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| Error::Codec(e.to_string()))
    }

    /// The zones with their statistics as a layer `name` (geometries in the raster's CRS).
    pub fn to_layer(&self, name: &str) -> Layer {
        let ty = |k: &str| {
            let mut t = None;
            for z in &self.zones {
                match z.attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v) {
                    Some(Value::Int(_)) if t.is_none() => t = Some(FieldType::Integer),
                    Some(Value::Real(_)) if t != Some(FieldType::Text) => t = Some(FieldType::Real),
                    Some(Value::Text(_)) => t = Some(FieldType::Text),
                    _ => {}
                }
            }
            t.unwrap_or(FieldType::Text)
        };
        let mut fields: Vec<(String, FieldType)> = self.attr_names.iter().map(|k| (k.clone(), ty(k))).collect();
        fields.extend(self.stats.iter().map(|s| (s.name(), FieldType::Real)));
        let refs: Vec<(&str, FieldType)> = fields.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        let mut layer = Layer::new(name, GeomKind::MultiPolygon, &self.crs, &refs);
        for z in &self.zones {
            let mut vals: Vec<Value> = z
                .attrs
                .iter()
                .zip(&fields)
                .map(|((_, v), (_, t))| match (v, t) {
                    (Value::Int(i), FieldType::Real) => Value::Real(*i as f64),
                    (Value::Int(i), FieldType::Text) => Value::Text(i.to_string()),
                    (Value::Real(r), FieldType::Text) => Value::Text(r.to_string()),
                    _ => v.clone(),
                })
                .collect();
            vals.extend(z.values.iter().map(|v| v.map_or(Value::Null, Value::Real)));
            layer.push(z.fid, Some(Geometry::MultiPolygon(z.geometry.clone())), vals);
        }
        layer
    }
}

#[cfg(test)]
mod tests {
    use super::super::zonal::ZonalStats;
    use super::*;

    #[test]
    fn streaming_moments_equal_the_stored_values() {
        // The 4×4 case of `zonal`'s tests (hand-checked: Σw = 4, mean 9, std √8.5).
        let (vals, cov) = super::super::zonal::tests::setup(None);
        let stats = parse_stats("count,mean,std,min,max,sum,p10,median,p90").unwrap();
        let (v, px) = zone_stats(&vals, &cov, None, &stats);
        assert_eq!(px, 9);
        let mut wv = WeightedValues::from_window(&vals, &cov);
        let z = ZonalStats::compute(&mut wv, 1.0, 4.0).unwrap();
        assert_eq!(v[0], Some(z.count));
        assert_eq!(v[1], Some(z.mean));
        assert!((v[2].unwrap() - z.std).abs() < 1e-12);
        assert_eq!((v[3], v[4], v[5]), (Some(4.0), Some(14.0), Some(36.0)));
        assert_eq!((v[6], v[7], v[8]), (Some(z.p10), Some(z.p50), Some(z.p90)));
    }

    #[test]
    fn lane_sums_equal_a_plain_loop() {
        // Lengths around the 8-lane chunks, with NaN, ±∞, the nodata value and zero weights mixed in:
        // Σw, Σwx and the pixel count of the vectorised pass equal a plain scalar loop (the sums to
        // rounding: they are added in another order).
        let mut rng = crate::dataset::demo::rng::Rng::new(11);
        for len in [0usize, 1, 7, 8, 9, 16, 17, 100, 1001] {
            let x: Vec<f32> = (0..len)
                .map(|i| match i % 11 {
                    3 => f32::NAN,
                    5 => -9999.0,
                    7 => f32::INFINITY,
                    _ => rng.range(-50.0, 50.0) as f32,
                })
                .collect();
            let w: Vec<f64> = (0..len).map(|i| if i % 5 == 1 { 0.0 } else { rng.range(0.0, 1.0) }).collect();
            let (sw, swx, n) = weighted_sums(&x, &w, -9999.0);
            let (mut sw0, mut swx0, mut n0) = (0.0, 0.0, 0u64);
            for (x, w) in x.iter().zip(&w) {
                if *w > 0.0 && x.is_finite() && *x != -9999.0 {
                    sw0 += w;
                    swx0 += w * *x as f64;
                    n0 += 1;
                }
            }
            assert_eq!(n, n0, "len {len}");
            assert!((sw - sw0).abs() <= 1e-12 * sw0.abs().max(1.0) && (swx - swx0).abs() <= 1e-12 * swx0.abs().max(1.0), "len {len}: {sw} {swx} vs {sw0} {swx0}");
        }
    }

    #[test]
    fn a_nodata_value_is_the_same_as_nan() {
        // Pixel (2, 3) as the raster's nodata value (−1) or as NaN: the same statistics, 8 pixels
        // (the `nodata_pixel_reduces_coverage` case of `zonal`).
        let (nan, cov) = super::super::zonal::tests::setup(Some((2, 3)));
        let marked: Vec<f32> = nan.iter().map(|v| if v.is_nan() { -1.0 } else { *v }).collect();
        let stats = parse_stats("count,mean,std,min,max,p50").unwrap();
        let (a, pa) = zone_stats(&nan, &cov, None, &stats);
        let (b, pb) = zone_stats(&marked, &cov, Some(-1.0), &stats);
        assert_eq!((a.clone(), pa), (b, pb));
        assert_eq!(pa, 8);
        assert!((a[1].unwrap() - 32.5 / 3.75).abs() < 1e-12, "{a:?}");
    }

    #[test]
    fn stat_names_are_checked() {
        assert_eq!(parse_stats("mean, count,mean").unwrap(), vec![Stat::Mean, Stat::Count]);
        assert_eq!(parse_stats("p25").unwrap(), vec![Stat::Quantile(0.25, "p25".into())]);
        let e = parse_stats("mean,avg").unwrap_err().to_string();
        assert!(e.contains("`avg`"), "{e}");
        assert!(parse_stats("p120").is_err());
    }
}
