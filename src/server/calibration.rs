//! `GET /api/calibration[?operator=NAME][&format=csv]`: the drive-test calibration table from the
//! store's `calibration` layer (one row per operator × band: n, offset, σ, held-out error before and
//! after), ordered by operator then band.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::error::ApiResult;
use super::extract::QueryParams;
use super::http::{format_param, only_params};
use super::rows::{layer, respond};
use super::state::AppState;

pub async fn get_calibration(State(st): State<AppState>, QueryParams(q): QueryParams, headers: HeaderMap) -> ApiResult<Response> {
    only_params(&q, &["operator", "format", "f"])?;
    let csv = format_param(&q, &["json", "csv"], "json")? == "csv";
    let cat = st.catalog();
    let src = layer(&cat, "calibration")?;
    let field = |name: &str| src.fields.iter().position(|f| f.name == name);
    let (op_k, band_k) = (field("operator"), field("band"));
    let wanted = q.get("operator").map(|s| s.trim().to_lowercase());
    let mut idx: Vec<usize> = (0..src.len())
        .filter(|i| match (&wanted, op_k) {
            (Some(w), Some(k)) => src.values[*i][k].as_str().is_some_and(|v| v.eq_ignore_ascii_case(w)),
            _ => true,
        })
        .collect();
    let key = |i: &usize| {
        let op = op_k.and_then(|k| src.values[*i][k].as_str().map(str::to_string)).unwrap_or_default();
        let band = band_k.and_then(|k| src.values[*i][k].as_f64()).unwrap_or(0.0);
        (op, (band * 1000.0) as i64)
    };
    idx.sort_by_key(key);
    respond(src, &idx, csv, json!({"total": src.len()}), &headers)
}
