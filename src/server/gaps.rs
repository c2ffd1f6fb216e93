//! `GET /api/gaps[?limit=N][&format=csv]`: uncovered hamlets / gap areas from the store's
//! `coverage_gaps` layer, most people first (by its `population` field when it has one).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::error::ApiResult;
use super::extract::QueryParams;
use super::rows::{ranked, Ranked};
use super::state::AppState;

pub async fn get_gaps(State(st): State<AppState>, QueryParams(q): QueryParams, headers: HeaderMap) -> ApiResult<Response> {
    let r = Ranked { layer: "coverage_gaps", order: "population", desc: true, count: "limit", max: 1_000_000 };
    ranked(&st.catalog(), &q, &headers, r, |total, _| json!({"total": total}))
}
