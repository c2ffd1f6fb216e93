//! `GET /api/planner[?k=N][&format=csv]`: the site planner's proposals of the last build (the store's
//! `proposed_sites` layer) in the planner's order (its `rank` field when present, else id); `k` keeps
//! the first k.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::error::ApiResult;
use super::http::{format_param, int_param, only_params, query_map};
use super::rows::{layer, ordered_by, respond};
use super::state::AppState;

pub async fn get_planner(State(st): State<AppState>, RawQuery(raw): RawQuery, headers: HeaderMap) -> ApiResult<Response> {
    let q = query_map(raw.as_deref());
    only_params(&q, &["k", "format", "f"])?;
    let csv = format_param(&q, &["json", "csv"], "json")? == "csv";
    let k = int_param(&q, "k", 1, 10_000)?;
    let cat = st.catalog();
    let src = layer(&cat, "proposed_sites")?;
    let mut idx = ordered_by(src, "rank", false);
    let available = idx.len();
    if let Some(k) = k {
        idx.truncate(k as usize);
    }
    respond(src, &idx, csv, json!({"available": available, "k": k}), &headers)
}
