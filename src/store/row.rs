//! Reading a stored layer back into an analysis' records: one feature's fields by name, typed, with
//! errors that name the store file, the layer, the feature and the field — the one read-back helper
//! of every stage that rereads its layers (the UAV flights, health rows and orchards; the drive-test
//! measurements and calibration `measurements add` and the next build carry over).

use std::path::Path;

use geo::{Geometry, Polygon};

use super::layer::{Layer, Value};
use crate::error::{Error, Result};

/// Feature `i` of `layer` (read from `src`, named in errors).
pub struct Row<'a> {
    pub layer: &'a Layer,
    pub src: &'a Path,
    pub i: usize,
}

impl<'a> Row<'a> {
    /// Every feature of `layer`, in order.
    pub fn all(layer: &'a Layer, src: &'a Path) -> impl Iterator<Item = Row<'a>> {
        (0..layer.features.len()).map(move |i| Row { layer, src, i })
    }
    /// The value of field `f`; an error when the layer has no such field.
    pub fn get(&self, f: &str) -> Result<&Value> {
        self.layer
            .value(self.i, f)
            .ok_or_else(|| Error::layer(self.src, &self.layer.name, format!("missing field `{f}`")))
    }
    /// Text (an integer reads as its decimal text).
    pub fn text(&self, f: &str) -> Result<String> {
        match self.get(f)? {
            Value::Text(s) => Ok(s.clone()),
            Value::Int(i) => Ok(i.to_string()),
            v => Err(self.bad(f, v)),
        }
    }
    /// Text, `None` when null or when the layer has no such field.
    pub fn opt_text(&self, f: &str) -> Result<Option<String>> {
        match self.layer.value(self.i, f) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.text(f).map(Some),
        }
    }
    /// A number, NaN when null or absent.
    pub fn real(&self, f: &str) -> Result<f64> {
        Ok(self.opt_real(f)?.unwrap_or(f64::NAN))
    }
    pub fn opt_real(&self, f: &str) -> Result<Option<f64>> {
        match self.layer.value(self.i, f) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| self.bad(f, v)),
        }
    }
    /// An integer, `None` when null or absent.
    pub fn opt_int(&self, f: &str) -> Result<Option<i64>> {
        match self.layer.value(self.i, f) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| self.bad(f, v)),
        }
    }
    pub fn int(&self, f: &str) -> Result<i64> {
        let v = self.get(f)?;
        v.as_i64().ok_or_else(|| self.bad(f, v))
    }
    /// Text parsed by `parse` (`what` names the expected values in the error); `None` when null.
    pub fn parsed<T>(&self, f: &str, what: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>> {
        match self.opt_text(f)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or_else(|| self.error(format!("unknown {what} `{s}`"))),
        }
    }
    /// The geometry as one polygon (a multipolygon of one part counts).
    pub fn polygon(&self) -> Result<Polygon<f64>> {
        match &self.layer.features[self.i].geometry {
            Some(Geometry::Polygon(p)) => Ok(p.clone()),
            Some(Geometry::MultiPolygon(m)) if m.0.len() == 1 => Ok(m.0[0].clone()),
            _ => Err(self.error("geometry is not a polygon")),
        }
    }
    /// The feature's id.
    pub fn fid(&self) -> i64 {
        self.layer.features[self.i].id
    }
    /// An error about this feature.
    pub fn error(&self, problem: impl Into<String>) -> Error {
        Error::feature(self.src, &self.layer.name, self.fid(), problem)
    }
    fn bad(&self, f: &str, v: &Value) -> Error {
        self.error(format!("field `{f}` has an unexpected value {v:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FieldType, GeomKind};

    #[test]
    fn typed_fields_and_errors_naming_the_feature() {
        let mut l = Layer::new("t", GeomKind::None, "EPSG:32648", &[("a", FieldType::Text), ("n", FieldType::Real)]);
        l.push(7, None, vec![Value::Int(3), Value::Text("x".into())]);
        let src = Path::new("results.gpkg");
        let r = Row::all(&l, src).next().unwrap();
        assert_eq!(r.text("a").unwrap(), "3");
        assert_eq!(r.opt_text("zz").unwrap(), None);
        assert_eq!(r.get("zz").unwrap_err().to_string(), "results.gpkg, layer `t`: missing field `zz`");
        let e = r.opt_real("n").unwrap_err().to_string();
        assert!(e.starts_with("results.gpkg, layer `t`, feature 7: field `n`"), "{e}");
        assert_eq!(r.parsed("a", "digit", |s| s.parse::<u8>().ok()).unwrap(), Some(3));
        assert!(r.parsed("a", "letter", |s| s.chars().next().filter(char::is_ascii_alphabetic)).is_err());
        assert!(r.polygon().is_err());
    }
}
