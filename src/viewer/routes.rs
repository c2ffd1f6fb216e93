//! HTTP routes of the web map: its bundled files (`/assets/…`, precompressed, content-hashed and
//! cached for good) and the label glyphs (`/fonts/{fontstack}/{start}-{end}.pbf`, with `/fonts`
//! listing the fonts). Stateless, so the router merges into the service's whatever its state type.
//! The page itself ([`index`]) is answered by the service's `/`, which also serves the OGC API
//! landing page to clients that ask for JSON.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::assets;
use super::glyphs::{self, GlyphCache, StackError};
use crate::server::http::{cached_response, Encoding};
use crate::server::routes::{ok, op, Doc, Route};

static GLYPHS: LazyLock<GlyphCache> = LazyLock::new(GlyphCache::default);

/// The viewer's routes with their OpenAPI operations, entries of the service's route table
/// ([`crate::server::routes`]).
pub fn routes<S: Clone + Send + Sync + 'static>() -> Vec<Route<S>> {
    let binary = |desc: &str, ty: &str| json!({"200": {"description": desc, "content": {ty: {"schema": {"type": "string", "format": "binary"}}}}, "304": {"description": "not modified"}});
    let string_path = |name: &str, desc: &str| json!({"name": name, "in": "path", "required": true, "description": desc, "schema": {"type": "string"}});
    vec![
        Route::get(
            "/assets/{*path}",
            asset,
            vec![Doc {
                path: "/assets/{path}",
                operation: op(
                    "a file of the web map (content-hashed, cached for good; precompressed twins by Accept-Encoding)",
                    json!([string_path("path", "the file's path under assets/, slashes included")]),
                    binary("the file", "application/octet-stream"),
                ),
            }],
        ),
        Route::get_doc("/fonts", font_list, op("the label fonts and the glyph URL template", json!([]), json!({"200": ok("fonts", "application/json")}))),
        Route::get(
            "/fonts/{fontstack}/{range}",
            glyph_range,
            vec![Doc {
                path: "/fonts/{fontstack}/{range}.pbf",
                operation: op(
                    "label glyphs of a comma-separated font stack (MapLibre glyph PBF)",
                    json!([string_path("fontstack", "font names, comma-separated"), string_path("range", "code points `start-end`, 256 of them")]),
                    binary("glyphs", "application/x-protobuf"),
                ),
            }],
        ),
    ]
}

/// The viewer's routes alone (its own tests; the service builds them from its table).
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    crate::server::routes::build(routes())
}

/// `{"error": …, "detail": …}` with a status, as every error of the service.
pub fn json_error(status: StatusCode, error: &str, detail: impl Into<String>) -> Response {
    (status, Json(json!({ "error": error, "detail": detail.into() }))).into_response()
}

/// An embedded file (`path` without the leading slash) in the best coding the client accepts, with
/// its ETag (304 when it matches) and caching rules; `None` when there is no such file.
pub fn send(headers: &HeaderMap, path: &str) -> Option<Response> {
    let ae = headers.get(ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let a = assets::get(path, ae)?;
    let cache = if a.immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
    let enc = match a.encoding {
        Some("br") => Encoding::Brotli,
        Some("gzip") => Encoding::Gzip,
        Some("zstd") => Encoding::Zstd,
        _ => Encoding::Identity,
    };
    Some(cached_response(headers, Bytes::from_static(a.bytes), a.content_type, a.etag, cache, enc, true))
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
    cached_response(&headers, Bytes::from(bytes), "application/x-protobuf", &etag, "public, max-age=86400", Encoding::Identity, false)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::header::{CONTENT_ENCODING, ETAG};
    use axum::http::Request;
    use http_body_util::BodyExt;
    use pbf_font_tools::prost::Message;
    use tower::ServiceExt;

    use super::*;

    async fn get(uri: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut req = Request::builder().uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = router::<()>().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let (parts, body) = res.into_parts();
        (parts.status, parts.headers, body.collect().await.unwrap().to_bytes().to_vec())
    }

    /// The glyph protocol as MapLibre uses it (style spec `glyphs`: "{fontstack}/{range}.pbf",
    /// the fontstack URL-encoded): a Vietnamese range decodes to the protobuf with its letters.
    #[tokio::test]
    async fn glyph_ranges_are_served() {
        let (s, h, body) = get("/fonts/Noto%20Sans%20Regular,Arial%20Unicode%20MS%20Regular/7680-7935.pbf", &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(h[CONTENT_TYPE], "application/x-protobuf");
        let g = pbf_font_tools::Glyphs::decode(body.as_slice()).unwrap();
        assert_eq!(g.stacks[0].range, "7680-7935");
        for c in ['ố', 'ộ', 'ờ', 'ự'] {
            assert!(g.stacks[0].glyphs.iter().any(|x| x.id == c as u32), "{c}");
        }
        let etag = h[ETAG].to_str().unwrap().to_string();
        let (s, _, _) = get("/fonts/Noto%20Sans%20Regular,Arial%20Unicode%20MS%20Regular/7680-7935.pbf", &[("if-none-match", &etag)]).await;
        assert_eq!(s, StatusCode::NOT_MODIFIED);
    }

    #[tokio::test]
    async fn glyph_errors_are_json() {
        let (s, _, body) = get("/fonts/Noto%20Sans%20Regular/1-256.pbf", &[]).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let j: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(j["detail"].as_str().unwrap().contains("1-256"));
        let (s, _, body) = get("/fonts/Comic%20Sans/0-255.pbf", &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let j: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(j["detail"].as_str().unwrap().contains("Comic Sans"));
        let (s, _, _) = get("/fonts/Noto%20Sans%20Regular/0-255.png", &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _, body) = get("/fonts", &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert!(String::from_utf8(body).unwrap().contains("Noto Sans Bold"));
    }

    /// The page and its script: negotiated coding (RFC 9110 §12.5.3), validators, caching; or,
    /// in a build without the bundle, a 503 page that says why.
    #[tokio::test]
    async fn page_and_assets() {
        let page = index(&HeaderMap::new());
        if let Some(why) = assets::not_bundled() {
            assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
            let body = page.into_body().collect().await.unwrap().to_bytes();
            assert!(String::from_utf8_lossy(&body).contains(&html_escape(why)));
            return;
        }
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()[CACHE_CONTROL], "no-cache");
        let html = String::from_utf8(page.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        let script = html.split("type=\"module\" src=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_string();
        assert!(script.starts_with("assets/app-"), "{script}");
        let (s, h, br) = get(&format!("/{script}"), &[("accept-encoding", "gzip, br")]).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(h[CONTENT_ENCODING], "br");
        assert!(h[CACHE_CONTROL].to_str().unwrap().contains("immutable"));
        let (_, h2, plain) = get(&format!("/{script}"), &[]).await;
        assert!(h2.get(CONTENT_ENCODING).is_none());
        assert!(plain.len() > br.len());
        assert!(String::from_utf8_lossy(&plain).contains("maplibre"));
        let (s, _, _) = get(&format!("/{script}"), &[("accept-encoding", "br"), ("if-none-match", h[ETAG].to_str().unwrap())]).await;
        assert_eq!(s, StatusCode::NOT_MODIFIED);
        let (s, _, _) = get(&format!("/{script}.br"), &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _, _) = get("/assets/nothing.js", &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}
