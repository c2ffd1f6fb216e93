//! Zonal statistics of any raster under any polygons (`covermap zonal`): the exact coverage
//! fractions of [`super::coverage`] and exactextract's definitions of [`super::zonal`], for files
//! instead of a flight. The zones are reprojected into the raster's CRS (fractions are computed in
//! the raster's own grid, as exactextract does); each zone reads only the raster window under it.
//!
//! Statistics (exactextract's names where it has them): `count` (Σ coverage of valid pixels),
//! `sum` (Σ wx), `mean`, `stdev` (alias `std`; population form, by West's weighted incremental
//! algorithm like exactextract's `WestVariance`), `variance`, `min`, `max` (over pixels with
//! coverage > 0), `median` and `pNN` (weighted quantiles, NN in 0–100). Moments are accumulated
//! while the window is scanned, so a mean/count request keeps no values and sorts nothing; the
//! values are gathered (and sorted, once) only when a quantile is asked for.

use std::path::Path;

use gdal::raster::RasterBand;
use geo::{Geometry, MultiPolygon};
use rayon::prelude::*;

use super::coverage::{coverage_fractions, Coverage};
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

/// Statistics of `window` (raster values, NaN = nodata) under `cov`.
pub fn zone_stats(window: &[f32], cov: &Coverage, stats: &[Stat]) -> (Vec<Option<f64>>, u64) {
    let want_values = stats.iter().any(|s| matches!(s, Stat::Quantile(..)));
    let mut m = Moments::default();
    let mut values = WeightedValues::new();
    let mut pixels = 0u64;
    for (x, w) in window.iter().zip(&cov.frac) {
        if *w > 0.0 && x.is_finite() {
            pixels += 1;
            m.push(*x, *w);
            if want_values {
                values.push(*x, *w);
            }
        }
    }
    let out = stats
        .iter()
        .map(|s| match s {
            Stat::Count => Some(m.weight),
            Stat::Sum => Some(m.sum),
            Stat::Mean => m.mean(),
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

fn read_window(band: &RasterBand, path: &Path, cov: &Coverage, nodata: Option<f64>) -> Result<Vec<f32>> {
    let buf = band
        .read_as::<f32>((cov.col0 as isize, cov.row0 as isize), (cov.w, cov.h), (cov.w, cov.h), None)
        .map_err(|e| Error::input(path, format!("cannot read pixels {}–{} × {}–{}: {e}", cov.col0, cov.col0 + cov.w, cov.row0, cov.row0 + cov.h)))?;
    let (_, mut data) = buf.into_shape_and_vec();
    if let Some(nd) = nodata {
        let nd = nd as f32;
        for v in data.iter_mut() {
            if *v == nd {
                *v = f32::NAN;
            }
        }
    }
    Ok(data)
}

/// Zonal statistics of band `band` (1-based) of `raster` under the polygons of `zones` (first
/// layer; any CRS, reprojected into the raster's).
pub fn zonal_stats_files(raster: &Path, band: usize, zones: &Path, stats: &[Stat]) -> Result<ZonalTable> {
    let ds = crate::grid::io::open(raster)?;
    let crs = crate::grid::io::crs_of(&ds).ok_or_else(|| Error::input(raster, "the raster has no CRS; assign one first (gdal_edit.py -a_srs EPSG:…)"))?;
    let gt = ds.geo_transform().map_err(|e| Error::input(raster, format!("no georeferencing ({e})")))?;
    let t = GeoTransform::from_gdal(&gt).ok_or_else(|| Error::input(raster, "raster is rotated or not north-up; warp it first (gdalwarp)"))?;
    if band == 0 || band > ds.raster_count() {
        return Err(Error::input(raster, format!("band {band} requested, the file has {}", ds.raster_count())));
    }
    let rb = ds.rasterband(band).map_err(|e| Error::gdal(raster, e))?;
    let (width, height) = rb.size();
    let nodata = rb.no_data_value();

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
    // Coverage fractions in parallel; the reads (one GDAL band) in order; statistics per window.
    let covs: Vec<Option<Coverage>> = raw
        .features
        .par_iter()
        .map(|f| f.geometry.as_ref().and_then(|g| coverage_fractions(&polygons(g), &t, width, height)))
        .collect();
    let mut zones_out = Vec::with_capacity(raw.features.len());
    let mut pixels = 0u64;
    for (f, cov) in raw.features.iter().zip(&covs) {
        let RawFeature { fid, geometry, attrs } = f;
        let values = match cov {
            None => vec![None; stats.len()],
            Some(cov) => {
                let window = read_window(&rb, raster, cov, nodata)?;
                let (v, p) = zone_stats(&window, cov, stats);
                pixels += p;
                v
            }
        };
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
        let (v, px) = zone_stats(&vals, &cov, &stats);
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
    fn stat_names_are_checked() {
        assert_eq!(parse_stats("mean, count,mean").unwrap(), vec![Stat::Mean, Stat::Count]);
        assert_eq!(parse_stats("p25").unwrap(), vec![Stat::Quantile(0.25, "p25".into())]);
        let e = parse_stats("mean,avg").unwrap_err().to_string();
        assert!(e.contains("`avg`"), "{e}");
        assert!(parse_stats("p120").is_err());
    }
}
