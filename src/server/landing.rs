//! `GET /`: the viewer for browsers (when embedded and HTML is preferred), else the OGC API landing
//! page (JSON) with links to the API definition, conformance, collections, and the tile catalog.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use serde_json::json;

use super::error::{ApiError, ApiResult};
use super::extract::QueryParams;
use super::http::{base_url, json_response, only_params};
use super::state::AppState;

/// Whether the client asks for HTML first (browsers do; QGIS and scripts ask for JSON).
fn prefers_html(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let html = accept.find("text/html");
    let json = accept.find("json");
    match (html, json) {
        (Some(h), Some(j)) => h < j,
        (Some(_), None) => true,
        _ => false,
    }
}

pub async fn get_landing(State(st): State<AppState>, QueryParams(q): QueryParams, headers: HeaderMap) -> ApiResult<Response> {
    // `lang` is the web map's (`/?lang=en`, web/src/i18n.js): the page reads it, the server checks it.
    only_params(&q, &["f", "lang"])?;
    if let Some(l) = q.get("lang") {
        if !matches!(l.as_str(), "vi" | "en") {
            return Err(ApiError::param("lang", format!("unknown language `{l}` (vi or en)")));
        }
    }
    let f = q.get("f").map(|s| s.to_ascii_lowercase());
    let html = match f.as_deref() {
        Some("json") => false,
        Some("html") => true,
        Some(other) => return Err(ApiError::param("f", format!("unknown format `{other}` (json or html)"))),
        None => prefers_html(&headers),
    };
    if html {
        if let Some(r) = super::viewer::asset("index.html", &headers) {
            return Ok(r);
        }
        if f.is_some() {
            return Err(ApiError::not_found("no viewer", "this build has no embedded web viewer (web/dist)"));
        }
    }
    let base = base_url(&headers, st.config());
    let v = json!({
        "title": "covermap",
        "description": "4G/fiber coverage, disaster risk and UAV orchard monitoring for the province: vector and raster tiles, OGC API – Features",
        "links": [
            {"href": format!("{base}/?f=json"), "rel": "self", "type": "application/json", "title": "this document"},
            {"href": format!("{base}/api"), "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0", "title": "the API definition (OpenAPI 3.0)"},
            {"href": format!("{base}/conformance"), "rel": "conformance", "type": "application/json", "title": "conformance classes"},
            {"href": format!("{base}/collections"), "rel": "data", "type": "application/json", "title": "feature collections"},
            {"href": format!("{base}/catalog"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "type": "application/json", "title": "tile catalog"},
        ],
    });
    Ok(json_response(&headers, &v, "application/json"))
}

pub async fn get_conformance(QueryParams(q): QueryParams, headers: HeaderMap) -> ApiResult<Response> {
    only_params(&q, &["f"])?;
    super::http::format_param(&q, &["json"], "json")?;
    let v = json!({
        "conformsTo": [
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        ]
    });
    Ok(json_response(&headers, &v, "application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn html_preference() {
        let mut h = HeaderMap::new();
        assert!(!prefers_html(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("text/html,application/xhtml+xml,*/*;q=0.8"));
        assert!(prefers_html(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json, text/html"));
        assert!(!prefers_html(&h));
    }
}
