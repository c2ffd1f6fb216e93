//! The web viewer's hook into the server (issue 5): the page and its files come from
//! [`crate::viewer`] (bundled from `web/` into the binary at compile time, precompressed), the
//! glyph and asset routes are merged from [`crate::viewer::router`]. `/` serves the page to
//! browsers (see `landing.rs`); any other path no route matches is looked up among the embedded
//! files, and answers a JSON 404 when it is not one either.

use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// Whether a viewer is embedded.
pub fn present() -> bool {
    crate::viewer::assets::not_bundled().is_none()
}

/// Serve an embedded file (`path` without the leading slash) with its media type, coding, ETag and
/// caching rules. `index.html` in a build without the viewer is a 503 page saying why and how to
/// build it, so a browser opening `/` learns what is missing.
pub fn asset(path: &str, headers: &HeaderMap) -> Option<Response> {
    if path == "index.html" {
        return Some(crate::viewer::routes::index(headers));
    }
    crate::viewer::routes::send(headers, path)
}

/// The fallback for paths no route matches: a viewer file, or a JSON 404.
pub async fn fallback(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    if !path.is_empty() && !path.contains("..") && !path.ends_with(".br") && !path.ends_with(".gz") {
        if let Some(r) = asset(path, &headers) {
            return r;
        }
    }
    ApiError::not_found("not found", format!("no resource at `{}`", uri.path())).into_response()
}
