//! `GET /api/gaps[?limit=N][&format=csv]`: uncovered hamlets / gap areas from the store's
//! `coverage_gaps` layer, most people first (by its `population` field when it has one).

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::error::ApiResult;
use super::http::{format_param, int_param, only_params, query_map};
use super::rows::{layer, ordered_by, respond};
use super::state::AppState;

pub async fn get_gaps(State(st): State<AppState>, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiResult<Response> {
    let q = query_map(raw.as_deref());
    only_params(&q, &["limit", "format", "f"])?;
    let csv = format_param(&q, &["json", "csv"], "json")? == "csv";
    let limit = int_param(&q, "limit", 1, 1_000_000)?;
    let cat = st.catalog();
    let src = layer(&cat, "coverage_gaps")?;
    let mut idx = ordered_by(src, "population", true);
    let total = idx.len();
    if let Some(l) = limit {
        idx.truncate(l as usize);
    }
    respond(src, &idx, csv, json!({"total": total}), &headers)
}
