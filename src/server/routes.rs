//! The service's routes as one table (issue 14 item 3): each entry is a path, and per method its
//! handler and the OpenAPI operations it answers. Both the axum [`Router`] ([`build`]) and the
//! OpenAPI document's `paths` ([`paths`]) are generated from it, so a route cannot be served
//! undocumented or documented unserved. An operation documents one or more OpenAPI paths: a router
//! path whose last segment carries the format answers each format under its own documented path
//! (`/tiles/{layers}/{z}/{x}/{y}` serves `….mvt`, `….pbf`, `….png`).
//!
//! The web map's routes (`/assets/…`, `/fonts…`) are entries of the same type, listed by
//! [`crate::viewer::routes::routes`] and appended here.

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use serde_json::{json, Value as Json};

use super::state::AppState;
use super::{calibration, catalog, collections, gaps, health, indicators, items, jobs, landing, legend, metrics, openapi, planner, tilejson, tiles, uav, uav_upload};

/// One OpenAPI operation: the documented path and the operation object (`summary`, `parameters`,
/// `responses`, …).
pub struct Doc {
    pub path: &'static str,
    pub operation: Json,
}

/// One method of a route: its handler and what it documents.
pub struct Op<S> {
    pub method: Method,
    pub handler: MethodRouter<S>,
    pub docs: Vec<Doc>,
}

/// A router path (axum syntax) and its methods.
pub struct Route<S> {
    pub path: &'static str,
    pub ops: Vec<Op<S>>,
}

impl<S: Clone + Send + Sync + 'static> Route<S> {
    /// A route answering GET (and HEAD) with `handler`, documented by `docs`.
    pub fn get<H, T>(path: &'static str, handler: H, docs: Vec<Doc>) -> Self
    where
        H: axum::handler::Handler<T, S>,
        T: 'static,
    {
        Route { path, ops: vec![Op { method: Method::GET, handler: get(handler), docs }] }
    }
    /// A GET route documented under its own path.
    pub fn get_doc<H, T>(path: &'static str, handler: H, operation: Json) -> Self
    where
        H: axum::handler::Handler<T, S>,
        T: 'static,
    {
        Self::get(path, handler, vec![Doc { path, operation }])
    }
}

/// An operation object: `summary`, `parameters`, `responses`, and the JSON errors 400 and 404 every
/// resource may answer.
pub fn op(summary: &str, params: Json, responses: Json) -> Json {
    let mut r = responses;
    if let Some(m) = r.as_object_mut() {
        m.entry("400").or_insert_with(errors);
        m.entry("404").or_insert_with(errors);
    }
    json!({"summary": summary, "parameters": params, "responses": r})
}

/// A 200 response of media type `ty` (an object schema for JSON, a string otherwise).
pub fn ok(desc: &str, ty: &str) -> Json {
    json!({"description": desc, "content": {ty: {"schema": {"type": if ty.contains("json") { "object" } else { "string" }}}}})
}

/// The JSON error every failure answers.
pub fn errors() -> Json {
    json!({"description": "a JSON error naming the problem", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// A reference to a shared parameter of the document's `components`.
pub fn p(name: &str) -> Json {
    json!({"$ref": format!("#/components/parameters/{name}")})
}

/// An integer path parameter.
fn int_path(name: &str) -> Json {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "integer"}})
}

/// A binary tile response of media type `ty`.
fn tile(ty: &str, extra: Json) -> Json {
    let mut r = json!({"200": {"description": "tile", "content": {ty: {"schema": {"type": "string", "format": "binary"}}}}, "204": {"description": "empty tile"}});
    if let (Some(m), Some(e)) = (r.as_object_mut(), extra.as_object()) {
        m.extend(e.clone());
    }
    r
}

/// Every route of the service, the web map's included; `upload_limit` bounds a UAV upload's body.
pub fn table(upload_limit: usize) -> Vec<Route<AppState>> {
    let json_ok = |desc: &str| json!({"200": ok(desc, "application/json")});
    let tile_params = || json!([p("layers"), p("z"), p("x"), p("y")]);
    let mut t = vec![
        Route::get_doc("/", landing::get_landing, op("landing page (or the web viewer for browsers)", json!([p("f")]), json_ok("landing page"))),
        Route::get_doc("/conformance", landing::get_conformance, op("conformance classes", json!([]), json_ok("conformance declaration"))),
        Route::get_doc("/api", openapi::get_api, op("this API definition", json!([]), json!({"200": ok("OpenAPI 3.0 document", openapi::MEDIA_TYPE)}))),
        Route::get_doc("/collections", collections::get_collections, op("feature collections", json!([]), json_ok("collections"))),
        Route::get_doc("/collections/{collectionId}", collections::get_collection, op("a feature collection", json!([p("collectionId")]), json_ok("collection"))),
        Route::get_doc(
            "/collections/{collectionId}/items",
            items::get_items,
            op(
                "features of a collection (GeoJSON in CRS84; f=csv for the attribute table)",
                json!([p("collectionId"), p("bbox"), p("limit"), p("offset"), p("f"), p("crs"), p("bbox-crs"), p("datetime")]),
                json!({"200": {"description": "features", "content": {
                    "application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}},
                    "text/csv": {"schema": {"type": "string"}}}}}),
            ),
        ),
        Route::get_doc(
            "/collections/{collectionId}/items/{featureId}",
            items::get_item,
            op(
                "one feature",
                json!([p("collectionId"), p("featureId")]),
                json!({"200": {"description": "feature", "content": {"application/geo+json": {"schema": {"type": "object"}}}}}),
            ),
        ),
        Route::get_doc("/health", health::get_health, op("liveness and what is served", json!([]), json_ok("status"))),
        Route::get_doc("/metrics", metrics::get_metrics, op("Prometheus metrics", json!([]), json!({"200": ok("metrics", "text/plain")}))),
        Route::get_doc("/catalog", catalog::get_catalog, op("every tile layer and table", json!([]), json_ok("catalog"))),
        Route::get(
            "/tiles/{layers}",
            tilejson::get_tilejson,
            vec![Doc { path: "/tiles/{layers}.json", operation: op("TileJSON 3.0.0 of a layer or a comma-separated composite", json!([p("layers")]), json_ok("TileJSON")) }],
        ),
        Route::get(
            "/tiles/{layers}/{file}",
            legend::get_legend,
            vec![Doc { path: "/tiles/{layers}/legend.json", operation: op("legend of a layer", json!([p("layers")]), json_ok("legend")) }],
        ),
        Route::get(
            "/tiles/{layers}/{z}/{x}/{y}",
            tiles::get_tile,
            vec![
                Doc {
                    path: "/tiles/{layers}/{z}/{x}/{y}.mvt",
                    operation: op(
                        "vector tile (MVT 2.1); composites as a,b",
                        tile_params(),
                        tile("application/vnd.mapbox-vector-tile", json!({"304": {"description": "not modified"}})),
                    ),
                },
                Doc { path: "/tiles/{layers}/{z}/{x}/{y}.pbf", operation: op("vector tile (alias of .mvt)", tile_params(), tile("application/vnd.mapbox-vector-tile", json!({}))) },
                Doc { path: "/tiles/{layers}/{z}/{x}/{y}.png", operation: op("raster tile (PNG, 256 px)", tile_params(), tile("image/png", json!({}))) },
            ],
        ),
        Route::get_doc(
            "/api/indicators",
            indicators::get_indicators,
            op(
                "indicators by level (rows of the <level>_indicators layer)",
                json!([{"name": "level", "in": "query", "schema": {"type": "string", "enum": ["province", "district", "commune"], "default": "province"}}, p("format")]),
                json!({"200": {"description": "rows", "content": {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}}}),
            ),
        ),
        Route::get_doc("/api/gaps", gaps::get_gaps, op("uncovered areas ranked by population (coverage_gaps)", json!([p("format"), p("limit")]), json_ok("rows"))),
        Route::get_doc(
            "/api/calibration",
            calibration::get_calibration,
            op(
                "drive-test calibration per operator × band (calibration): offset, σ, held-out error before/after",
                json!([{"name": "operator", "in": "query", "schema": {"type": "string"}}, p("format")]),
                json_ok("rows"),
            ),
        ),
        Route::get_doc(
            "/api/planner",
            planner::get_planner,
            op("proposed new sites (proposed_sites), best first", json!([{"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1}}, p("format")]), json_ok("rows")),
        ),
        Route {
            path: "/api/uav/flights",
            ops: vec![
                Op {
                    method: Method::GET,
                    handler: get(uav::get_flights),
                    docs: vec![Doc { path: "/api/uav/flights", operation: op("UAV flights and their index rasters", json!([]), json_ok("flights")) }],
                },
                Op {
                    method: Method::POST,
                    handler: post(uav_upload::post_flight).layer(DefaultBodyLimit::max(upload_limit)),
                    docs: vec![Doc {
                        path: "/api/uav/flights",
                        operation: json!({
                            "summary": "upload a UAV flight (multispectral GeoTIFF, raw body or multipart) for background processing",
                            "security": [{"bearer": []}],
                            "parameters": [
                                {"name": "date", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}},
                                {"name": "camera", "in": "query", "schema": {"type": "string", "enum": ["p4m", "rededge", "altum", "generic"], "default": "generic"}},
                                {"name": "bands", "in": "query", "schema": {"type": "string"}},
                            ],
                            "requestBody": {"content": {"image/tiff": {"schema": {"type": "string", "format": "binary"}}, "multipart/form-data": {"schema": {"type": "object"}}}},
                            "responses": {"202": ok("job accepted; status at the Location header", "application/json"), "400": errors(), "401": errors(), "403": errors()},
                        }),
                    }],
                },
            ],
        },
        Route::get_doc("/api/uav/parcels/{id}", uav::get_parcel, op("an orchard's statistics across flights", json!([int_path("id")]), json_ok("history"))),
        Route::get_doc("/api/jobs/{id}", jobs::get_job, op("a background job's state and progress", json!([int_path("id")]), json_ok("job"))),
    ];
    t.extend(crate::viewer::routes::routes());
    t
}

/// The router of a table (without the service's fallbacks and layers).
pub fn build<S: Clone + Send + Sync + 'static>(table: Vec<Route<S>>) -> Router<S> {
    table.into_iter().fold(Router::new(), |router, route| {
        let methods = route.ops.into_iter().fold(MethodRouter::new(), |m, op| m.merge(op.handler));
        router.route(route.path, methods)
    })
}

/// The OpenAPI `paths` object of a table: each documented path with its operations by method.
pub fn paths<S>(table: &[Route<S>]) -> Json {
    let mut paths = serde_json::Map::new();
    for route in table {
        for op in &route.ops {
            for doc in &op.docs {
                let entry = paths.entry(doc.path).or_insert_with(|| json!({}));
                if let Some(m) = entry.as_object_mut() {
                    m.insert(op.method.as_str().to_ascii_lowercase(), doc.operation.clone());
                }
            }
        }
    }
    Json::Object(paths)
}

/// Whether the documented path `doc` is a request the router path `route` matches: the same
/// segments, a router parameter (`{x}`) standing for a documented segment that is a parameter,
/// possibly with a format suffix (`{y}.png`), or a fixed file name (`legend.json`), and a catch-all
/// (`{*path}`) for the rest.
pub fn serves(route: &str, doc: &str) -> bool {
    let (r, d): (Vec<&str>, Vec<&str>) = (route.split('/').collect(), doc.split('/').collect());
    for (i, rs) in r.iter().enumerate() {
        if rs.starts_with("{*") {
            return d.len() > i;
        }
        let Some(ds) = d.get(i) else { return false };
        let param = rs.starts_with('{') && rs.ends_with('}');
        if !(rs == ds || (param && !ds.is_empty())) {
            return false;
        }
    }
    r.len() == d.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_documented_under_a_path_it_serves() {
        let t = table(1 << 20);
        assert!(t.len() > 20);
        for route in &t {
            assert!(!route.ops.is_empty(), "{} has no method", route.path);
            for op in &route.ops {
                assert!(!op.docs.is_empty(), "{} {} is served but not documented", op.method, route.path);
                for d in &op.docs {
                    assert!(serves(route.path, d.path), "{} is documented as {}, which it does not serve", route.path, d.path);
                    let r = &d.operation["responses"];
                    assert!(d.operation["summary"].is_string() && (r["200"].is_object() || r["202"].is_object()), "{}", d.path);
                }
            }
        }
        let mut seen: Vec<&str> = t.iter().map(|r| r.path).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), t.len(), "a path is listed twice");
    }

    #[test]
    fn documented_paths_match_their_router_paths() {
        assert!(serves("/tiles/{layers}/{z}/{x}/{y}", "/tiles/{layers}/{z}/{x}/{y}.png"));
        assert!(serves("/tiles/{layers}/{file}", "/tiles/{layers}/legend.json"));
        assert!(serves("/assets/{*path}", "/assets/{path}"));
        assert!(!serves("/tiles/{layers}/{file}", "/tiles/{layers}/{z}/{x}/{y}.png"));
        assert!(!serves("/api/gaps", "/api/gap"));
        assert!(!serves("/collections/{collectionId}", "/collections"));
    }
}
