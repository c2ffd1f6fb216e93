//! HTTP routes of the web map: its bundled files (`/assets/…`, precompressed, content-hashed and
//! cached for good) and the label glyphs (`/fonts/{fontstack}/{start}-{end}.pbf`, with `/fonts`
//! listing the fonts). Stateless, so the router merges into the service's whatever its state type.
//! The page itself ([`index`]) is answered by the service's `/`, which also serves the OGC API
//! landing page to clients that ask for JSON.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::assets;
use super::glyphs::{self, GlyphCache, StackError};

static GLYPHS: LazyLock<GlyphCache> = LazyLock::new(GlyphCache::default);

/// The viewer's routes, to merge into the service's router.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/assets/{*path}", get(asset))
        .route("/fonts", get(font_list))
        .route("/fonts/{fontstack}/{range}", get(glyph_range))
}

/// `{"error": …, "detail": …}` with a status, as every error of the service.
pub fn json_error(status: StatusCode, error: &str, detail: impl Into<String>) -> Response {
    (status, Json(json!({ "error": error, "detail": detail.into() }))).into_response()
}

fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == etag
        })
}

/// An embedded file (`path` without the leading slash) in the best coding the client accepts, with
/// its ETag (304 when it matches) and caching rules; `None` when there is no such file.
pub fn send(headers: &HeaderMap, path: &str) -> Option<Response> {
    let ae = headers.get(ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let a = assets::get(path, ae)?;
    let cache = if a.immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mut h = HeaderMap::new();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(a.content_type));
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(a.etag) {
        h.insert(ETAG, v);
    }
    if let Some(enc) = a.encoding {
        h.insert(CONTENT_ENCODING, HeaderValue::from_static(enc));
    }
    if if_none_match(headers, a.etag) {
        return Some((StatusCode::NOT_MODIFIED, h).into_response());
    }
    Some((h, a.bytes).into_response())
}

/// The page; 503 with the reason when this binary was built without the web bundle.
pub fn index(headers: &HeaderMap) -> Response {
    if let Some(why) = assets::not_bundled() {
        let body = format!(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>covermap: web map not built</title>\
             <body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\">\
             <h1>The web map is not in this build</h1><p>{}</p>\
             <p>Install Node.js 20 or later, run <code>npm ci</code> in <code>web/</code> (or <code>make run</code>, \
             which does), then rebuild with <code>cargo build --release</code>.</p>\
             <p>The map service itself works: <a href=\"catalog\">catalog</a>, <a href=\"collections\">collections</a>.</p>",
            html_escape(why)
        );
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(CONTENT_TYPE, "text/html; charset=utf-8"), (CACHE_CONTROL, "no-store")],
            body,
        )
            .into_response();
    }
    send(headers, "index.html").unwrap_or_else(|| json_error(StatusCode::NOT_FOUND, "not found", "index.html"))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let full = format!("assets/{path}");
    if path.ends_with(".br") || path.ends_with(".gz") {
        // The compressed twins are reached by negotiation, never by name.
        return json_error(StatusCode::NOT_FOUND, "not found", format!("no asset `{full}`"));
    }
    send(&headers, &full).unwrap_or_else(|| json_error(StatusCode::NOT_FOUND, "not found", format!("no asset `{full}`")))
}

async fn font_list() -> Response {
    let ranges = format!("0-{}", glyphs::RANGE_LEN - 1);
    Json(json!({
        "fonts": glyphs::font_names(),
        "glyphs": "fonts/{fontstack}/{range}.pbf",
        "example": format!("fonts/{}/{ranges}.pbf", glyphs::FONTS[0].name),
    }))
    .into_response()
}

async fn glyph_range(Path((fontstack, range)): Path<(String, String)>, headers: HeaderMap) -> Response {
    if !range.ends_with(".pbf") {
        return json_error(StatusCode::NOT_FOUND, "not found", format!("glyph ranges end in .pbf, not `{range}`"));
    }
    let start = match glyphs::parse_range(&range) {
        Ok(s) => s,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, "bad glyph range", e.to_string()),
    };
    // Rendering a range takes milliseconds of CPU: off the async workers.
    let stack = fontstack.clone();
    let r = tokio::task::spawn_blocking(move || GLYPHS.stack_pbf(&stack, start)).await;
    let bytes = match r {
        Ok(Ok(Ok(b))) => b,
        Ok(Ok(Err(StackError::UnknownFonts(d)))) => return json_error(StatusCode::NOT_FOUND, "unknown font", d),
        Ok(Err(e)) => return json_error(StatusCode::INTERNAL_SERVER_ERROR, "glyph rendering failed", e.to_string()),
        Err(e) => return json_error(StatusCode::INTERNAL_SERVER_ERROR, "glyph rendering failed", e.to_string()),
    };
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..12]));
    let mut h = HeaderMap::new();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/x-protobuf"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(ETAG, v);
    }
    if if_none_match(&headers, &etag) {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    (h, bytes).into_response()
}
