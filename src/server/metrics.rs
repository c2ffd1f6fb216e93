//! `GET /metrics` in the Prometheus text exposition format (version 0.0.4): request counts by route,
//! method and status; a latency histogram by route; tile cache hits, misses, bytes and entries. Routes
//! are labelled by their pattern (`/tiles/{layers}/{z}/{x}/{y}`), never the raw path, so the number of
//! series stays bounded whatever clients request.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::request_metrics::route_label;
use super::state::AppState;

/// Middleware: time the request, bound it by the configured timeout (uploads get their own, longer
/// one), and record it.
pub async fn track(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let t0 = Instant::now();
    let route = route_label(req.uri().path());
    let method = req.method().to_string();
    let upload = req.method() == axum::http::Method::POST;
    let limit = if upload { st.config().upload_timeout } else { st.config().request_timeout };
    let res = match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!("the request took longer than {} s", limit.as_secs_f64()),
        )
        .into_response(),
    };
    st.metrics().record(route, &method, res.status().as_u16(), t0.elapsed().as_secs_f64());
    res
}

/// `GET /metrics`.
pub async fn get_metrics(State(st): State<AppState>) -> Response {
    let body = st.metrics().render(st.cache(), &st.catalog());
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
