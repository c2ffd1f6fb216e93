//! `GET /api/indicators?level=province|district|commune[&format=csv]`: the rows of the store's
//! `<level>_indicators` layer (computed by the coverage build; served as stored).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::error::{ApiError, ApiResult};
use super::extract::QueryParams;
use super::http::{format_param, only_params};
use super::rows::{layer, respond};
use super::state::AppState;

pub const LEVELS: [&str; 3] = ["province", "district", "commune"];

pub async fn get_indicators(State(st): State<AppState>, QueryParams(q): QueryParams, headers: HeaderMap) -> ApiResult<Response> {
    only_params(&q, &["level", "format", "f"])?;
    let level = q.get("level").map(|s| s.as_str()).unwrap_or("province");
    if !LEVELS.contains(&level) {
        return Err(ApiError::param("level", format!("`{level}`: one of province, district, commune")));
    }
    let csv = format_param(&q, &["json", "csv"], "json")? == "csv";
    let cat = st.catalog();
    let src = layer(&cat, &format!("{level}_indicators"))?;
    let idx: Vec<usize> = (0..src.len()).collect();
    respond(src, &idx, csv, json!({"level": level}), &headers)
}
