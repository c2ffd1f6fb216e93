//! `GET /api/uav/flights` (the flights, from the store's `uav_flights` layer when present and from the
//! index rasters `uav/<flight>/<index>`, each with its tile URLs) and `GET /api/uav/parcels/{id}` (an
//! orchard's attributes and its `orchard_health` rows across flights).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value as Json};

use super::error::{ApiError, ApiResult};
use super::extract::PathParams;
use super::geojson::row;
use super::http::base_url;
use super::rows::ordered_by;
use super::state::AppState;
use crate::store::Value;
use crate::tiles::Source;

fn key_of(v: &Value) -> Option<String> {
    match v {
        Value::Text(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

pub async fn get_flights(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let cat = st.catalog();
    let base = base_url(&headers, st.config());
    let mut flights: BTreeMap<String, Json> = BTreeMap::new();
    if let Some(src) = cat.vector("uav_flights") {
        let key_field = ["flight_id", "name"].iter().find_map(|n| src.fields.iter().position(|f| f.name == *n));
        for i in 0..src.len() {
            let key = key_field.and_then(|k| key_of(&src.values[i][k])).unwrap_or_else(|| src.ids[i].to_string());
            let mut r = row(src, i);
            r["flight_id"] = json!(key);
            r["rasters"] = json!([]);
            flights.insert(key, r);
        }
    }
    for s in cat.sources.values() {
        let Source::Raster(r) = s else { continue };
        let parts: Vec<&str> = r.name.split('/').collect();
        let [prefix, flight, index] = parts.as_slice() else { continue };
        if *prefix != "uav" {
            continue;
        }
        let entry = flights
            .entry(flight.to_string())
            .or_insert_with(|| json!({"flight_id": flight, "rasters": []}));
        if let Some(list) = entry.get_mut("rasters").and_then(|v| v.as_array_mut()) {
            list.push(json!({
                "index": index,
                "layer": r.id,
                "tilejson": format!("{base}/tiles/{}.json", r.id),
                "tiles": format!("{base}/tiles/{}/{{z}}/{{x}}/{{y}}.png", r.id),
                "legend": format!("{base}/tiles/{}/legend.json", r.id),
                "bounds": r.lonlat_bounds(),
                "minzoom": r.minzoom,
                "maxzoom": r.maxzoom,
            }));
        }
    }
    let list: Vec<Json> = flights.into_values().collect();
    Ok(super::http::json_response(&headers, &json!({"count": list.len(), "flights": list}), "application/json"))
}

pub async fn get_parcel(
    State(st): State<AppState>,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let n: i64 = id.parse().map_err(|_| ApiError::param("id", format!("`{id}` is not an orchard id (an integer)")))?;
    let cat = st.catalog();
    let orchard = cat.vector("orchards").and_then(|o| o.index_of(n).map(|i| row(o, i)));
    let mut history = Vec::new();
    if let Some(h) = cat.vector("orchard_health") {
        if let Some(k) = h.fields.iter().position(|f| f.name == "orchard_id") {
            let order = if h.fields.iter().any(|f| f.name == "date") { "date" } else { "flight_id" };
            for i in ordered_by(h, order, false) {
                if h.values[i][k].as_i64() == Some(n) {
                    history.push(row(h, i));
                }
            }
        }
    }
    if orchard.is_none() && history.is_empty() {
        return Err(ApiError::not_found("unknown orchard", format!("no orchard {n} in `orchards` or `orchard_health`")));
    }
    let v = json!({"orchard_id": n, "orchard": orchard, "flights": history.len(), "history": history});
    Ok(super::http::json_response(&headers, &v, "application/json"))
}
