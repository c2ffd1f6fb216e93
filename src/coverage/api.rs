//! Pure functions turning the stored coverage layers into the API's JSON and CSV — what
//! `GET /api/indicators`, `/api/gaps` and `/api/planner` return. They read only stored layers (a
//! request never recomputes coverage).

use serde_json::{json, Map, Value as Json};

use crate::error::{Error, Result};
use crate::store::Layer;

/// The store layer holding a level's indicators.
pub fn indicators_layer_name(level: &str) -> Result<&'static str> {
    match level {
        "province" => Ok("province_indicators"),
        "district" => Ok("district_indicators"),
        "commune" => Ok("commune_indicators"),
        other => Err(Error::param("level", format!("`{other}`: expected province, district or commune"))),
    }
}

/// The attribute rows of a layer as JSON objects (geometry left out).
pub fn rows_json(layer: &Layer) -> Vec<Json> {
    layer
        .features
        .iter()
        .map(|f| {
            let mut m = Map::new();
            for (field, v) in layer.fields.iter().zip(&f.values) {
                m.insert(field.name.clone(), v.to_json());
            }
            Json::Object(m)
        })
        .collect()
}

/// `{"level": …, "rows": [...]}` (plus the province's `summary` line at province level).
pub fn indicators_json(level: &str, layer: &Layer) -> Json {
    let rows = rows_json(layer);
    let summary = rows.first().filter(|_| level == "province").and_then(|r| r.get("summary").cloned());
    let mut out = json!({"level": level, "count": rows.len(), "rows": rows});
    if let Some(s) = summary {
        out["summary"] = s;
    }
    out
}

/// The layer's attribute table as CSV (header of field names; empty cells for nulls).
pub fn layer_csv(layer: &Layer) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Other(format!("CSV of layer {}: {e}", layer.name));
    w.write_record(layer.fields.iter().map(|f| f.name.as_str())).map_err(err)?;
    for f in &layer.features {
        w.write_record(f.values.iter().map(|v| match v.to_json() {
            Json::Null => String::new(),
            Json::String(s) => s,
            other => other.to_string(),
        }))
        .map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Other(format!("CSV of layer {}: {e}", layer.name)))?;
    String::from_utf8(bytes).map_err(|e| Error::Other(e.to_string()))
}

/// The first `k` proposals (by `rank`) of the `proposed_sites` layer, with the province's indicators
/// after them (the k-th proposal's `after_*` fields).
pub fn planner_json(layer: &Layer, k: Option<usize>) -> Json {
    let mut rows = rows_json(layer);
    rows.sort_by_key(|r| r.get("rank").and_then(|v| v.as_i64()).unwrap_or(i64::MAX));
    let available = rows.len();
    if let Some(k) = k {
        rows.truncate(k);
    }
    let after = rows.last().map(|r| {
        let mut m = Map::new();
        if let Json::Object(o) = r {
            for (key, v) in o {
                if key.starts_with("after_") {
                    m.insert(key.clone(), v.clone());
                }
            }
        }
        Json::Object(m)
    });
    json!({"available": available, "k": rows.len(), "proposals": rows, "after": after})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FieldType, GeomKind, Value};

    fn layer() -> Layer {
        let mut l = Layer::new(
            "proposed_sites",
            GeomKind::None,
            "EPSG:32648",
            &[("rank", FieldType::Integer), ("name", FieldType::Text), ("after_share_population_4g", FieldType::Real)],
        );
        l.push(2, None, vec![Value::Int(2), "b, c".into(), Value::Real(91.5)]);
        l.push(1, None, vec![Value::Int(1), Value::Null, Value::Real(90.0)]);
        l
    }

    #[test]
    fn planner_keeps_the_first_k_by_rank() {
        let j = planner_json(&layer(), Some(1));
        assert_eq!(j["available"], 2);
        assert_eq!(j["proposals"][0]["rank"], 1);
        assert_eq!(j["after"]["after_share_population_4g"], 90.0);
        let j = planner_json(&layer(), None);
        assert_eq!(j["after"]["after_share_population_4g"], 91.5);
    }

    #[test]
    fn csv_quotes_and_nulls() {
        let s = layer_csv(&layer()).unwrap();
        assert_eq!(s, "rank,name,after_share_population_4g\n2,\"b, c\",91.5\n1,,90.0\n");
        assert!(indicators_layer_name("village").is_err());
        assert_eq!(indicators_layer_name("district").unwrap(), "district_indicators");
    }
}
