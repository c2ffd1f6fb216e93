//! `GET /api/planner[?k=N][&format=csv]`: the site planner's proposals of the last build (the store's
//! `proposed_sites` layer) in the planner's order (its `rank` field when present, else id); `k` keeps
//! the first k.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::error::ApiResult;
use super::extract::QueryParams;
use super::rows::{ranked, Ranked};
use super::state::AppState;

pub async fn get_planner(State(st): State<AppState>, QueryParams(q): QueryParams, headers: HeaderMap) -> ApiResult<Response> {
    let r = Ranked { layer: "proposed_sites", order: "rank", desc: false, count: "k", max: 10_000 };
    ranked(&st.catalog(), &q, &headers, r, |available, k| json!({"available": available, "k": k}))
}
