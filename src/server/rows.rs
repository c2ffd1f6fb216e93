//! Rows of a stored layer as JSON or CSV — what the application APIs (indicators, gaps, planner, UAV)
//! answer with. They are generic: whatever fields the analyses wrote are served as they are.

use std::collections::BTreeMap;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value as Json};

use super::error::{ApiError, ApiResult};
use super::geojson::{row, rows_csv};
use super::http::{format_param, int_param, only_params};
use crate::tiles::vector_source::VectorSource;
use crate::tiles::Catalog;

/// The layer `name`, or a 404 saying the store lacks it.
pub fn layer<'a>(cat: &'a Catalog, name: &str) -> ApiResult<&'a VectorSource> {
    cat.vector(name).map(|v| v.as_ref()).ok_or_else(|| {
        ApiError::not_found(
            "layer not in the store",
            format!("the results store has no layer `{name}` (built by `covermap build` when its analysis runs)"),
        )
    })
}

/// Indices of the features ordered by `field` (descending when `desc`): numbers numerically, text
/// lexicographically, nulls last, ties by id. Without such a field: by id.
pub fn ordered_by(src: &VectorSource, field: &str, desc: bool) -> Vec<usize> {
    use crate::store::Value;
    use std::cmp::Ordering;
    let mut idx: Vec<usize> = (0..src.len()).collect();
    if let Some(k) = src.fields.iter().position(|f| f.name == field) {
        let cmp = |a: &Value, b: &Value| -> Option<Ordering> {
            match (a, b) {
                (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
                _ => Some(a.as_f64()?.total_cmp(&b.as_f64()?)),
            }
        };
        idx.sort_by(|&a, &b| {
            let (va, vb) = (&src.values[a][k], &src.values[b][k]);
            let null = |v: &Value| matches!(v, Value::Null) || matches!(v, Value::Real(r) if !r.is_finite());
            let ord = match (null(va), null(vb)) {
                (false, true) => Ordering::Less,
                (true, false) => Ordering::Greater,
                (true, true) => Ordering::Equal,
                (false, false) => match cmp(va, vb) {
                    Some(o) if desc => o.reverse(),
                    Some(o) => o,
                    None => Ordering::Equal,
                },
            };
            ord.then(src.ids[a].cmp(&src.ids[b]))
        });
    }
    idx
}

/// A ranked list of a layer's rows (`/api/gaps`, `/api/planner`): the rows of `layer` ordered by
/// `order` (descending when `desc`), the first N kept when the query names `count` (1…`max`).
pub struct Ranked {
    pub layer: &'static str,
    pub order: &'static str,
    pub desc: bool,
    pub count: &'static str,
    pub max: i64,
}

/// Answer a [`Ranked`] list for the query `q` (only `count`, `format` json|csv and `f`); `meta`
/// gives the JSON's extra members from the number of rows before the cut and the count asked.
pub fn ranked(cat: &Catalog, q: &BTreeMap<String, String>, headers: &HeaderMap, r: Ranked, meta: impl Fn(usize, Option<i64>) -> Json) -> ApiResult<Response> {
    only_params(q, &[r.count, "format", "f"])?;
    let csv = format_param(q, &["json", "csv"], "json")? == "csv";
    let n = int_param(q, r.count, 1, r.max)?;
    let src = layer(cat, r.layer)?;
    let mut idx = ordered_by(src, r.order, r.desc);
    let all = idx.len();
    if let Some(n) = n {
        idx.truncate(n as usize);
    }
    respond(src, &idx, csv, meta(all, n), headers)
}

/// Answer rows `idx` of `src` as CSV (`format=csv`) or JSON `{ ...meta, "count", "rows" }`.
pub fn respond(src: &VectorSource, idx: &[usize], csv: bool, meta: Json, headers: &HeaderMap) -> ApiResult<Response> {
    if csv {
        let body = rows_csv(src, idx).map_err(ApiError::internal)?;
        let mut res = (StatusCode::OK, body).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.csv\"", src.id)) {
            res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        return Ok(res);
    }
    let rows: Vec<Json> = idx.iter().map(|i| row(src, *i)).collect();
    let mut v = if meta.is_object() { meta } else { json!({}) };
    v["layer"] = json!(src.id);
    v["count"] = json!(rows.len());
    v["rows"] = Json::Array(rows);
    Ok(super::http::json_response(headers, &v, "application/json"))
}
