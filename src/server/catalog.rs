//! `GET /catalog`: every servable layer with its kind, format, bounds, zooms, fields and URLs
//! (Martin's catalog shape, `{"tiles": {id: {...}}}`, with more per layer).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::state::AppState;
use crate::tiles::tilejson::info;

pub async fn get_catalog(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let cat = st.full_catalog().await;
    let base = super::http::base_url(&headers, st.config());
    let mut tiles = Map::new();
    let mut tables = Map::new();
    for (id, s) in &cat.sources {
        let i = info(id, s);
        let mut entry = json!({
            "kind": i.kind,
            "description": i.description,
            "bounds": i.bounds,
            "minzoom": i.minzoom,
            "maxzoom": i.maxzoom,
        });
        if let (Some(e), Value::Object(extra)) = (entry.as_object_mut(), &i.extra) {
            for (k, v) in extra {
                e.insert(k.clone(), v.clone());
            }
        }
        if matches!(s, crate::tiles::Source::Vector(_)) {
            entry["items"] = json!(format!("{base}/collections/{id}/items"));
        }
        match i.format {
            Some(f) => {
                entry["content_type"] = json!(f.content_type());
                entry["tilejson"] = json!(format!("{base}/tiles/{id}.json"));
                entry["tiles"] = json!(format!("{base}/tiles/{id}/{{z}}/{{x}}/{{y}}.{}", f.ext()));
                if i.kind == "raster" {
                    entry["legend"] = json!(format!("{base}/tiles/{id}/legend.json"));
                }
                tiles.insert(id.clone(), entry);
            }
            None => {
                tables.insert(id.clone(), entry);
            }
        }
    }
    let v = json!({"tiles": tiles, "tables": tables, "thresholds": cat.thresholds.to_json(), "problems": cat.problems});
    super::http::json_response(&headers, &v, "application/json")
}
