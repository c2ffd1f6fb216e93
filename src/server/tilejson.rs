//! `GET /tiles/{layers}.json`: TileJSON 3.0.0 of one layer or a composite, with absolute tile URLs
//! from the request's host.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::error::{ApiError, ApiResult};
use super::extract::PathParams;
use super::state::AppState;
use super::tiles::lookup_error;
use crate::tiles::tilejson::{info, tilejson};

pub async fn get_tilejson(
    State(st): State<AppState>,
    PathParams(name): PathParams<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let ids = name
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::not_found("not found", format!("`/tiles/{name}`: TileJSON is at /tiles/{{layers}}.json")))?;
    let cat = st.full_catalog().await;
    // Validates the list (unknown layers, mixing rasters with vectors) as a tile request would.
    cat.resolve(ids).map_err(lookup_error)?;
    let infos: Vec<_> = ids.split(',').filter_map(|id| cat.get(id.trim()).map(|s| info(id.trim(), s))).collect();
    let base = super::http::base_url(&headers, st.config());
    Ok(super::http::json_response(&headers, &tilejson(ids, &infos, &base), "application/json"))
}
