//! Reading one vector layer of a dataset through OGR (GeoJSON, Shapefile, GeoPackage, CSV with
//! coordinates, …): the layer's CRS honoured (or overridden), every geometry checked and reprojected
//! into the working CRS, attributes renamed to ours. Every problem is an error naming the file, the
//! layer and the feature.

use std::collections::BTreeMap;
use std::path::Path;

use gdal::vector::{FieldValue, LayerAccess};
use geo::Geometry;

use super::config::LayerSource;
use crate::crs::Transformer;
use crate::error::{Error, Result};
use crate::store::Value;

/// The geometry a layer must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Point,
    Line,
    Polygon,
    /// An attribute table: geometry ignored.
    Table,
}

impl Expect {
    fn name(&self) -> &'static str {
        match self {
            Expect::Point => "points",
            Expect::Line => "lines",
            Expect::Polygon => "polygons",
            Expect::Table => "a table",
        }
    }
    fn accepts(&self, g: &Geometry<f64>) -> bool {
        match self {
            Expect::Point => matches!(g, Geometry::Point(_) | Geometry::MultiPoint(_)),
            Expect::Line => matches!(g, Geometry::LineString(_) | Geometry::MultiLineString(_)),
            Expect::Polygon => matches!(g, Geometry::Polygon(_) | Geometry::MultiPolygon(_)),
            Expect::Table => true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RawFeature {
    /// The source's feature id (for messages): OGR FID, or the 1-based row.
    pub fid: i64,
    pub geometry: Option<Geometry<f64>>,
    /// Attributes under our names (mapped through `fields`), plus every other source attribute as is.
    pub attrs: BTreeMap<String, Value>,
}

impl RawFeature {
    pub fn text(&self, key: &str) -> Option<String> {
        match self.attrs.get(key)? {
            Value::Null => None,
            Value::Text(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Real(r) => Some(if r.fract() == 0.0 { format!("{}", *r as i64) } else { r.to_string() }),
        }
    }
    pub fn number(&self, key: &str) -> Option<f64> {
        match self.attrs.get(key)? {
            Value::Int(i) => Some(*i as f64),
            Value::Real(r) => Some(*r),
            Value::Text(s) => s.trim().parse().ok(),
            Value::Null => None,
        }
    }
}

/// A layer read and validated: features, and the file for messages.
pub struct RawLayer {
    pub name: String,
    pub file: std::path::PathBuf,
    pub features: Vec<RawFeature>,
}

impl RawLayer {
    pub fn err(&self, fid: i64, problem: impl Into<String>) -> Error {
        Error::feature(&self.file, &self.name, fid, problem)
    }

    /// A required text attribute of feature `f`.
    pub fn req_text(&self, f: &RawFeature, key: &str) -> Result<String> {
        f.text(key).filter(|s| !s.trim().is_empty()).ok_or_else(|| self.err(f.fid, format!("attribute `{key}` is missing or empty")))
    }

    /// A required numeric attribute of feature `f`.
    pub fn req_number(&self, f: &RawFeature, key: &str) -> Result<f64> {
        match f.attrs.get(key) {
            None | Some(Value::Null) => Err(self.err(f.fid, format!("attribute `{key}` is missing or empty"))),
            Some(v) => f
                .number(key)
                .filter(|x| x.is_finite())
                .ok_or_else(|| self.err(f.fid, format!("attribute `{key}` is not a number ({})", v.to_json()))),
        }
    }
}

/// Read layer `name` as described by `src` (paths relative to `dir`), requiring `required` attributes
/// (our names) and geometries of kind `expect`, reprojected into `working_crs`.
pub fn read_layer(dir: &Path, name: &str, src: &LayerSource, expect: Expect, required: &[&str], working_crs: &str) -> Result<RawLayer> {
    let path = dir.join(&src.file);
    if !path.exists() {
        return Err(Error::layer(&path, name, "file not found"));
    }
    let oo: Vec<&str> = src.open_options.iter().map(|s| s.as_str()).collect();
    let ds = gdal::Dataset::open_ex(
        &path,
        gdal::DatasetOptions {
            open_flags: gdal::GdalOpenFlags::GDAL_OF_VECTOR | gdal::GdalOpenFlags::GDAL_OF_READONLY,
            open_options: if oo.is_empty() { None } else { Some(&oo) },
            ..Default::default()
        },
    )
    .map_err(|e| Error::layer(&path, name, format!("not a readable vector file ({e})")))?;
    let mut lyr = match &src.layer {
        Some(l) => ds.layer_by_name(l).map_err(|_| {
            let have: Vec<String> = ds.layers().map(|x| x.name()).collect();
            Error::layer(&path, name, format!("no layer `{l}` in the file (it has: {})", have.join(", ")))
        })?,
        None => ds.layer(0).map_err(|_| Error::layer(&path, name, "the file has no layers"))?,
    };
    let src_fields: Vec<String> = lyr.defn().fields().map(|f| f.name()).collect();
    // our name → source name
    let mapping: BTreeMap<&str, &str> = required
        .iter()
        .map(|k| (*k, src.fields.get(*k).map(|s| s.as_str()).unwrap_or(*k)))
        .chain(src.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .collect();
    for k in required {
        let s = mapping[k];
        if !src_fields.iter().any(|f| f == s) {
            return Err(Error::layer(
                &path,
                name,
                format!("missing attribute `{s}`{} (it has: {})", if s != *k { format!(" (for `{k}`)") } else { String::new() }, src_fields.join(", ")),
            ));
        }
    }
    let transformer = if expect == Expect::Table {
        None
    } else {
        let crs = match &src.crs {
            Some(c) => c.clone(),
            None => lyr
                .spatial_ref()
                .and_then(|s| crate::grid::io::crs_definition(&s))
                .ok_or_else(|| Error::layer(&path, name, "the layer has no CRS; give one with `crs = \"EPSG:…\"` in dataset.toml"))?,
        };
        Some(Transformer::new(&crs, working_crs).map_err(|e| Error::layer(&path, name, e.to_string()))?)
    };
    let reverse: BTreeMap<&str, &str> = mapping.iter().map(|(ours, theirs)| (*theirs, *ours)).collect();
    let mut features = Vec::new();
    for (row, ft) in lyr.features().enumerate() {
        let fid = ft.fid().map(|v| v as i64).unwrap_or(row as i64 + 1);
        let mut attrs = BTreeMap::new();
        for (i, fname) in src_fields.iter().enumerate() {
            // OGR distinguishes an unset field (a GeoJSON feature without the property, an empty CSV
            // cell of a typed column) from a null one; gdal's `field` reports only null as None and
            // reads an unset number as 0. Both are "no value" here.
            // SAFETY: `ft` is a live feature and `i` an index of its definition's fields.
            let set = unsafe { gdal_sys::OGR_F_IsFieldSetAndNotNull(ft.c_feature(), i as i32) } != 0;
            let v = match if set { ft.field(i) } else { Ok(None) } {
                Ok(None) => Value::Null,
                Ok(Some(FieldValue::IntegerValue(x))) => Value::Int(x as i64),
                Ok(Some(FieldValue::Integer64Value(x))) => Value::Int(x),
                Ok(Some(FieldValue::RealValue(x))) => Value::Real(x),
                Ok(Some(FieldValue::StringValue(s))) => Value::Text(s),
                Ok(Some(other)) => Value::Text(format!("{other:?}")),
                Err(e) => return Err(Error::feature(&path, name, fid, format!("unreadable attribute `{fname}`: {e}"))),
            };
            let key = reverse.get(fname.as_str()).copied().unwrap_or(fname.as_str());
            attrs.insert(key.to_string(), v);
        }
        let geometry = match (&transformer, ft.geometry()) {
            (None, _) => None,
            (Some(_), None) => return Err(Error::feature(&path, name, fid, format!("has no geometry (expected {})", expect.name()))),
            (Some(t), Some(g)) => {
                let mut gg = g
                    .to_geo()
                    .map_err(|e| Error::feature(&path, name, fid, format!("unsupported geometry: {e}")))?;
                if !expect.accepts(&gg) {
                    return Err(Error::feature(&path, name, fid, format!("wrong geometry type {} (expected {})", geom_name(&gg), expect.name())));
                }
                if let Some(problem) = invalid(&gg) {
                    return Err(Error::feature(&path, name, fid, format!("invalid geometry: {problem}")));
                }
                crate::crs::transform_geometry(&mut gg, t).map_err(|e| Error::feature(&path, name, fid, e.to_string()))?;
                Some(gg)
            }
        };
        features.push(RawFeature { fid, geometry, attrs });
    }
    Ok(RawLayer { name: name.to_string(), file: path, features })
}

fn geom_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::LineString(_) => "LineString",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Line(_) => "Line",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}

/// Why a geometry is invalid (OGC simple-features rules, as geo checks them), or None.
fn invalid(g: &Geometry<f64>) -> Option<String> {
    use geo::coords_iter::CoordsIter;
    use geo::Validation;
    if g.coords_iter().any(|c| !c.x.is_finite() || !c.y.is_finite()) {
        return Some("non-finite coordinate".into());
    }
    g.check_validation().err().map(|e| e.to_string())
}
