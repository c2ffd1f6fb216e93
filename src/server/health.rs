//! `GET /health`: the server is up and what it serves (layer counts, problems, store build time).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::state::AppState;

pub async fn get_health(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let cat = st.catalog();
    let (mut vector, mut raster, mut archive) = (0, 0, 0);
    for s in cat.sources.values() {
        match s {
            crate::tiles::Source::Vector(_) => vector += 1,
            crate::tiles::Source::Raster(_) => raster += 1,
            crate::tiles::Source::Archive(_) => archive += 1,
        }
    }
    let v = json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "layers": {"vector": vector, "raster": raster, "archive": archive},
        "problems": cat.problems,
        // Heavy layers still being read at the start (served in a few seconds).
        "loading": st.loading(),
        // The store's name only: an unauthenticated client has no business knowing server paths.
        "store": cat.store_dir.as_ref().and_then(|d| d.file_name()).map(|n| n.to_string_lossy().to_string()),
        "built_at_unix": cat.manifest.as_ref().and_then(|m| m.get("built_at_unix")).cloned(),
    });
    let mut res = super::http::json_response(&headers, &v, "application/json");
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    res
}
