//! The web viewer's static files (issue 5), embedded into the binary at build time from `web/dist`
//! when that directory exists (in debug builds rust-embed reads them from disk instead). `/` serves
//! `index.html` to browsers; any other path that is not an API route is looked up here, and answers a
//! JSON 404 when it is not a file either.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use super::error::ApiError;

#[derive(RustEmbed)]
#[folder = "web/dist"]
#[allow_missing = true]
struct Assets;

/// Whether a viewer is embedded.
pub fn present() -> bool {
    Assets::get("index.html").is_some()
}

/// Serve an embedded file (`path` without the leading slash), with its media type and an ETag.
pub fn asset(path: &str, headers: &HeaderMap) -> Option<Response> {
    let file = Assets::get(path)?;
    let tag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..8]));
    if super::http::not_modified(headers, &tag) {
        return Some((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
    }
    let mime = file.metadata.mimetype().to_string();
    let mut res = (StatusCode::OK, file.data.into_owned()).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    // Hashed bundle names never change content; index.html and the rest revalidate.
    let immutable = path.starts_with("assets/");
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable { "public, max-age=31536000, immutable" } else { "no-cache" }),
    );
    Some(res)
}

/// The fallback for paths no route matches: a viewer file, or a JSON 404.
pub async fn fallback(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    if !path.is_empty() && !path.contains("..") {
        if let Some(r) = asset(path, &headers) {
            return r;
        }
    }
    ApiError::not_found("not found", format!("no resource at `{}`", uri.path())).into_response()
}
