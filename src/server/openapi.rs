//! `GET /api`: the OpenAPI 3.0 definition of the whole service — OGC API – Features (oas30
//! conformance), tiles, the application APIs and the web map's files — with the collection ids of the
//! current catalog. Its `paths` are generated from the route table the router is built from
//! ([`super::routes`]); this file holds the shared parameters and schemas they refer to.

use std::sync::LazyLock;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value as Json};

use super::error::ApiResult;
use super::extract::QueryParams;
use super::http::{base_url, json_response, only_params};
use super::items::{DEFAULT_LIMIT, MAX_LIMIT};
use super::state::AppState;
use crate::tiles::tile_id::MAX_ZOOM;

pub const MEDIA_TYPE: &str = "application/vnd.oai.openapi+json;version=3.0";

/// The document's `paths`, generated from the route table (the same for every request).
static PATHS: LazyLock<Json> = LazyLock::new(|| super::routes::paths(&super::routes::table(usize::MAX)));

/// The document.
pub fn definition(base: &str, collections: Vec<String>, layers: Vec<String>) -> Json {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "covermap",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Coverage, risk and UAV results of a province as OGC API – Features, vector/raster tiles and JSON/CSV APIs. Reads are open; writes need a bearer token.",
        },
        "servers": [{"url": base}],
        "paths": PATHS.clone(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "parameters": {
                "collectionId": {"name": "collectionId", "in": "path", "required": true, "schema": {"type": "string", "enum": collections}},
                "featureId": {"name": "featureId", "in": "path", "required": true, "schema": {"type": "integer"}},
                "bbox": {"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
                    "description": "minLon,minLat,maxLon,maxLat in CRS84",
                    "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
                "limit": {"name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
                "offset": {"name": "offset", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "default": 0}},
                "f": {"name": "f", "in": "query", "required": false, "schema": {"type": "string", "enum": ["json", "geojson", "csv", "html"]}},
                "format": {"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["json", "csv"]}},
                "crs": {"name": "crs", "in": "query", "required": false, "schema": {"type": "string", "enum": [super::collections::CRS84]}},
                "bbox-crs": {"name": "bbox-crs", "in": "query", "required": false, "schema": {"type": "string", "enum": [super::collections::CRS84]}},
                "datetime": {"name": "datetime", "in": "query", "required": false, "description": "accepted and ignored: layers have no time", "schema": {"type": "string"}},
                "layers": {"name": "layers", "in": "path", "required": true, "description": "a layer id or a comma-separated list of vector layer ids",
                    "schema": {"type": "string"}, "examples": {"first": {"value": layers.first().cloned().unwrap_or_default()}}},
                "z": {"name": "z", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM}},
                "x": {"name": "x", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}},
                "y": {"name": "y", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}},
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error", "detail"], "properties": {"error": {"type": "string"}, "detail": {"type": "string"}}},
                "FeatureCollection": {"type": "object", "required": ["type", "features"], "properties": {
                    "type": {"type": "string", "enum": ["FeatureCollection"]},
                    "features": {"type": "array", "items": {"type": "object"}},
                    "numberMatched": {"type": "integer", "minimum": 0},
                    "numberReturned": {"type": "integer", "minimum": 0},
                    "timeStamp": {"type": "string", "format": "date-time"},
                    "links": {"type": "array", "items": {"type": "object"}}}},
            },
        },
    })
}

pub async fn get_api(State(st): State<AppState>, QueryParams(q): QueryParams, headers: HeaderMap) -> ApiResult<Response> {
    only_params(&q, &["f"])?;
    super::http::format_param(&q, &["json"], "json")?;
    let cat = st.full_catalog().await;
    let collections: Vec<String> = cat.vectors().map(|v| v.id.clone()).collect();
    let layers: Vec<String> = cat.sources.iter().filter(|(_, s)| s.format().is_some()).map(|(k, _)| k.clone()).collect();
    let base = base_url(&headers, st.config());
    Ok(json_response(&headers, &definition(&base, collections, layers), MEDIA_TYPE))
}
