//! A vector layer as analyses produce it and the store writes and reads it: typed fields, features
//! with a stable integer id, geometries in the dataset's working CRS. One shape for every result so
//! the GeoPackage writer, the OGC API and the tile builder handle all layers alike.

use geo::Geometry;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Integer,
    Real,
    Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl Value {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Real(r) => Some(*r),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Real(r) if r.fract() == 0.0 => Some(*r as i64),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Int(i) => (*i).into(),
            Value::Real(r) if r.is_finite() => (*r).into(),
            Value::Real(_) => serde_json::Value::Null,
            Value::Text(s) => s.clone().into(),
        }
    }
}

/// Integer-like values (flags as 0/1) are stored as integers.
macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::Int(v as i64)
            }
        }
    )*};
}
int_value!(i64, i32, u32, usize, bool);
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        if v.is_finite() {
            Value::Real(v)
        } else {
            Value::Null
        }
    }
}
impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::from(v as f64)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// A layer's fixed fields (its schema table) followed by generated ones (one per operator, per speed
/// tier, …), for [`Layer::new`].
pub fn fields_then(fixed: &[(&str, FieldType)], more: impl IntoIterator<Item = (String, FieldType)>) -> Vec<(String, FieldType)> {
    fixed.iter().map(|(n, t)| (n.to_string(), *t)).chain(more).collect()
}

/// The geometry kind of a layer (one per layer, as GeoPackage and MVT want).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GeomKind {
    Point,
    LineString,
    Polygon,
    MultiPoint,
    MultiLineString,
    MultiPolygon,
    /// An attribute table without geometry.
    None,
}

#[derive(Debug, Clone)]
pub struct Feature {
    pub id: i64,
    pub geometry: Option<Geometry<f64>>,
    /// One value per field of the layer, in field order.
    pub values: Vec<Value>,
}

#[derive(Debug, Clone)]
pub struct Layer {
    pub name: String,
    pub kind: GeomKind,
    /// CRS of the geometries, as PROJ accepts it.
    pub crs: String,
    pub fields: Vec<Field>,
    pub features: Vec<Feature>,
}

impl Layer {
    /// An empty layer with these fields (names borrowed from a layer's schema table or built, as
    /// [`fields_then`] does).
    pub fn new<N: AsRef<str>>(name: &str, kind: GeomKind, crs: &str, fields: &[(N, FieldType)]) -> Self {
        Self {
            name: name.to_string(),
            kind,
            crs: crs.to_string(),
            fields: fields.iter().map(|(n, t)| Field { name: n.as_ref().to_string(), ty: *t }).collect(),
            features: Vec::new(),
        }
    }

    /// Append a feature. Panics in debug builds when the value count differs from the field count
    /// (a programming error in the analysis, not bad input).
    pub fn push(&mut self, id: i64, geometry: Option<Geometry<f64>>, values: Vec<Value>) {
        debug_assert_eq!(values.len(), self.fields.len(), "layer {}", self.name);
        self.features.push(Feature { id, geometry, values });
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The value of `field` in feature `i`.
    pub fn value(&self, i: usize, field: &str) -> Option<&Value> {
        self.field_index(field).and_then(|k| self.features.get(i).map(|f| &f.values[k]))
    }
}
