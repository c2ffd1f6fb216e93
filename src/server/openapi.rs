//! `GET /api`: the OpenAPI 3.0 definition of the whole service — OGC API – Features (oas30
//! conformance), tiles, and the application APIs — with the collection ids of the current catalog.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value as Json};

use super::error::ApiResult;
use super::http::{base_url, json_response, only_params, query_map};
use super::items::{DEFAULT_LIMIT, MAX_LIMIT};
use super::state::AppState;
use crate::tiles::tile_id::MAX_ZOOM;

pub const MEDIA_TYPE: &str = "application/vnd.oai.openapi+json;version=3.0";

fn ok(desc: &str, ty: &str) -> Json {
    json!({"description": desc, "content": {ty: {"schema": {"type": if ty.contains("json") { "object" } else { "string" }}}}})
}

fn errors() -> Json {
    json!({"description": "a JSON error naming the problem", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn op(summary: &str, params: Json, responses: Json) -> Json {
    let mut r = responses;
    if let Some(m) = r.as_object_mut() {
        m.entry("400").or_insert_with(errors);
        m.entry("404").or_insert_with(errors);
    }
    json!({"summary": summary, "parameters": params, "responses": r})
}

/// The document.
pub fn definition(base: &str, collections: Vec<String>, layers: Vec<String>) -> Json {
    let p = |n: &str| json!({"$ref": format!("#/components/parameters/{n}")});
    let tile_params = json!([p("layers"), p("z"), p("x"), p("y")]);
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "covermap",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Coverage, risk and UAV results of a province as OGC API – Features, vector/raster tiles and JSON/CSV APIs. Reads are open; writes need a bearer token.",
        },
        "servers": [{"url": base}],
        "paths": {
            "/": {"get": op("landing page (or the web viewer for browsers)", json!([p("f")]), json!({"200": ok("landing page", "application/json")}))},
            "/conformance": {"get": op("conformance classes", json!([]), json!({"200": ok("conformance declaration", "application/json")}))},
            "/api": {"get": op("this API definition", json!([]), json!({"200": ok("OpenAPI 3.0 document", MEDIA_TYPE)}))},
            "/collections": {"get": op("feature collections", json!([]), json!({"200": ok("collections", "application/json")}))},
            "/collections/{collectionId}": {"get": op("a feature collection", json!([p("collectionId")]), json!({"200": ok("collection", "application/json")}))},
            "/collections/{collectionId}/items": {"get": op(
                "features of a collection (GeoJSON in CRS84; f=csv for the attribute table)",
                json!([p("collectionId"), p("bbox"), p("limit"), p("offset"), p("f"), p("crs"), p("bbox-crs"), p("datetime")]),
                json!({"200": {"description": "features", "content": {
                    "application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}},
                    "text/csv": {"schema": {"type": "string"}}}}}),
            )},
            "/collections/{collectionId}/items/{featureId}": {"get": op(
                "one feature", json!([p("collectionId"), p("featureId")]),
                json!({"200": {"description": "feature", "content": {"application/geo+json": {"schema": {"type": "object"}}}}}),
            )},
            "/health": {"get": op("liveness and what is served", json!([]), json!({"200": ok("status", "application/json")}))},
            "/metrics": {"get": op("Prometheus metrics", json!([]), json!({"200": ok("metrics", "text/plain")}))},
            "/catalog": {"get": op("every tile layer and table", json!([]), json!({"200": ok("catalog", "application/json")}))},
            "/tiles/{layers}.json": {"get": op("TileJSON 3.0.0 of a layer or a comma-separated composite", json!([p("layers")]), json!({"200": ok("TileJSON", "application/json")}))},
            "/tiles/{layers}/legend.json": {"get": op("legend of a layer", json!([p("layers")]), json!({"200": ok("legend", "application/json")}))},
            "/tiles/{layers}/{z}/{x}/{y}.mvt": {"get": op("vector tile (MVT 2.1); composites as a,b", tile_params.clone(),
                json!({"200": {"description": "tile", "content": {"application/vnd.mapbox-vector-tile": {"schema": {"type": "string", "format": "binary"}}}}, "204": {"description": "empty tile"}, "304": {"description": "not modified"}}))},
            "/tiles/{layers}/{z}/{x}/{y}.pbf": {"get": op("vector tile (alias of .mvt)", tile_params.clone(),
                json!({"200": {"description": "tile", "content": {"application/vnd.mapbox-vector-tile": {"schema": {"type": "string", "format": "binary"}}}}, "204": {"description": "empty tile"}}))},
            "/tiles/{layers}/{z}/{x}/{y}.png": {"get": op("raster tile (PNG, 256 px)", tile_params,
                json!({"200": {"description": "tile", "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}}, "204": {"description": "empty tile"}}))},
            "/api/indicators": {"get": op("indicators by level (rows of the <level>_indicators layer)",
                json!([{"name": "level", "in": "query", "schema": {"type": "string", "enum": ["province", "district", "commune"], "default": "province"}}, p("format")]),
                json!({"200": {"description": "rows", "content": {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}}}))},
            "/api/gaps": {"get": op("uncovered areas ranked by population (coverage_gaps)", json!([p("format"), p("limit")]), json!({"200": ok("rows", "application/json")}))},
            "/api/calibration": {"get": op("drive-test calibration per operator × band (calibration): offset, σ, held-out error before/after",
                json!([{"name": "operator", "in": "query", "schema": {"type": "string"}}, p("format")]), json!({"200": ok("rows", "application/json")}))},
            "/api/planner": {"get": op("proposed new sites (proposed_sites), best first",
                json!([{"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1}}, p("format")]), json!({"200": ok("rows", "application/json")}))},
            "/api/uav/flights": {
                "get": op("UAV flights and their index rasters", json!([]), json!({"200": ok("flights", "application/json")})),
                "post": {
                    "summary": "upload a UAV flight (multispectral GeoTIFF, raw body or multipart) for background processing",
                    "security": [{"bearer": []}],
                    "parameters": [
                        {"name": "date", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}},
                        {"name": "camera", "in": "query", "schema": {"type": "string", "enum": ["p4m", "rededge", "altum", "generic"], "default": "generic"}},
                        {"name": "bands", "in": "query", "schema": {"type": "string"}},
                    ],
                    "requestBody": {"content": {"image/tiff": {"schema": {"type": "string", "format": "binary"}}, "multipart/form-data": {"schema": {"type": "object"}}}},
                    "responses": {"202": ok("job accepted; status at the Location header", "application/json"), "400": errors(), "401": errors(), "403": errors()},
                },
            },
            "/api/uav/parcels/{id}": {"get": op("an orchard's statistics across flights", json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}]), json!({"200": ok("history", "application/json")}))},
            "/api/jobs/{id}": {"get": op("a background job's state and progress", json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}]), json!({"200": ok("job", "application/json")}))},
        },
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

pub async fn get_api(State(st): State<AppState>, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiResult<Response> {
    let q = query_map(raw.as_deref());
    only_params(&q, &["f"])?;
    super::http::format_param(&q, &["json"], "json")?;
    let cat = st.full_catalog().await;
    let collections: Vec<String> = cat.vectors().map(|v| v.id.clone()).collect();
    let layers: Vec<String> = cat.sources.iter().filter(|(_, s)| s.format().is_some()).map(|(k, _)| k.clone()).collect();
    let base = base_url(&headers, st.config());
    Ok(json_response(&headers, &definition(&base, collections, layers), MEDIA_TYPE))
}
