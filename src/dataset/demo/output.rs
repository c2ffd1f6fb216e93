//! Writers for the generated layers: GeoJSON (EPSG:4326, RFC 7946, coordinates rounded to 1e-7°
//! ≈ 1 cm) and CSV. Hand-rolled on serde_json so the bytes depend on nothing but the data: the same
//! seed gives identical files.

use std::path::Path;

use geo::{Geometry, MapCoords};
use serde_json::{json, Map, Value};

use crate::crs::Transformer;
use crate::error::{Error, Result};

fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// A feature collection being assembled.
pub struct GeoJsonWriter {
    name: String,
    features: Vec<Value>,
    to_wgs84: Transformer,
}

impl GeoJsonWriter {
    pub fn new(name: &str, from_crs: &str) -> Result<Self> {
        Ok(Self { name: name.into(), features: Vec::new(), to_wgs84: Transformer::new(from_crs, "EPSG:4326")? })
    }

    pub fn add(&mut self, geom: &Geometry<f64>, props: Map<String, Value>) -> Result<()> {
        let err = std::cell::RefCell::new(None);
        let g = geom.map_coords(|c| match self.to_wgs84.convert(c.x, c.y) {
            Ok((x, y)) => geo::Coord { x: round7(x), y: round7(y) },
            Err(e) => {
                err.borrow_mut().get_or_insert(e);
                c
            }
        });
        if let Some(e) = err.into_inner() {
            return Err(e);
        }
        let gj = geojson::Geometry::from(&g);
        let gv = serde_json::to_value(gj).map_err(|e| Error::Codec(e.to_string()))?;
        self.features.push(json!({"type": "Feature", "properties": props, "geometry": gv}));
        Ok(())
    }

    pub fn write(self, path: &Path) -> Result<()> {
        let mut s = String::new();
        s.push_str(&format!("{{\"type\":\"FeatureCollection\",\"name\":{},\"features\":[\n", json!(self.name)));
        for (i, f) in self.features.iter().enumerate() {
            if i > 0 {
                s.push_str(",\n");
            }
            s.push_str(&serde_json::to_string(f).map_err(|e| Error::Codec(e.to_string()))?);
        }
        s.push_str("\n]}\n");
        super::write_file(path, s.as_bytes())
    }
}

/// Properties from (key, value) pairs.
pub fn props(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Write rows as CSV (first row is the header).
pub fn write_csv(path: &Path, rows: &[Vec<String>]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).map_err(|e| Error::Codec(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Codec(e.to_string()))?;
    super::write_file(path, &bytes)
}
