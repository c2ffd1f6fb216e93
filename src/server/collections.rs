//! OGC API – Features: `GET /collections` and `GET /collections/{id}` — every vector layer (and
//! attribute table) of the store as a feature collection, with its spatial extent in CRS84 and links to
//! its items (GeoJSON and CSV) and tiles.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value as Json};

use super::error::{ApiError, ApiResult};
use super::extract::{PathParams, QueryParams};
use super::http::{base_url, format_param, json_response, only_params};
use super::state::AppState;
use crate::tiles::vector_source::VectorSource;

pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// The collection document of a layer.
pub fn collection_json(v: &VectorSource, base: &str) -> Json {
    let id = &v.id;
    let mut links = vec![
        json!({"href": format!("{base}/collections/{id}"), "rel": "self", "type": "application/json", "title": "this collection"}),
        json!({"href": format!("{base}/collections/{id}/items"), "rel": "items", "type": "application/geo+json", "title": "features (GeoJSON)"}),
        json!({"href": format!("{base}/collections/{id}/items?f=csv"), "rel": "items", "type": "text/csv", "title": "attribute table (CSV)"}),
    ];
    if v.has_geometry() {
        links.push(json!({"href": format!("{base}/tiles/{id}.json"), "rel": "tiles", "type": "application/json", "title": "vector tiles (TileJSON)"}));
    }
    let mut c = json!({
        "id": id,
        "title": id,
        "description": format!("{} {} features", v.len(), v.geometry_type_name()),
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "links": links,
    });
    if let Some(b) = v.lonlat_bounds() {
        let r = |x: f64| (x * 1e6).round() / 1e6;
        c["extent"] = json!({"spatial": {"bbox": [[r(b[0]), r(b[1]), r(b[2]), r(b[3])]], "crs": CRS84}});
    }
    c
}

pub async fn get_collections(State(st): State<AppState>, QueryParams(q): QueryParams, headers: HeaderMap) -> ApiResult<Response> {
    only_params(&q, &["f"])?;
    format_param(&q, &["json"], "json")?;
    let base = base_url(&headers, st.config());
    let cat = st.full_catalog().await;
    let collections: Vec<Json> = cat.vectors().map(|v| collection_json(v, &base)).collect();
    let v = json!({
        "links": [
            {"href": format!("{base}/collections"), "rel": "self", "type": "application/json", "title": "this document"},
        ],
        "collections": collections,
    });
    Ok(json_response(&headers, &v, "application/json"))
}

pub async fn get_collection(
    State(st): State<AppState>,
    PathParams(id): PathParams<String>,
    QueryParams(q): QueryParams,
    headers: HeaderMap,
) -> ApiResult<Response> {
    only_params(&q, &["f"])?;
    format_param(&q, &["json"], "json")?;
    let cat = st.full_catalog().await;
    let v = cat.vector(&id).ok_or_else(|| unknown_collection(&id))?;
    let base = base_url(&headers, st.config());
    Ok(json_response(&headers, &collection_json(v, &base), "application/json"))
}

pub fn unknown_collection(id: &str) -> ApiError {
    ApiError::not_found("unknown collection", format!("no collection `{id}` (see /collections)"))
}
