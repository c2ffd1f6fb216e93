//! The JSON error every endpoint answers with: `{"error": "...", "detail": "..."}` and a proper status.
//! Library errors map to statuses here: a bad parameter is the client's (400), anything else the
//! server's (500, with the message but never a backtrace).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::Error;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: String,
    pub detail: String,
    /// Extra response headers (e.g. `WWW-Authenticate`).
    pub headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(status: StatusCode, error: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { status, error: error.into(), detail: detail.into(), headers: Vec::new() }
    }
    pub fn bad_request(error: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, detail)
    }
    pub fn not_found(error: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, error, detail)
    }
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error", detail)
    }
    /// A query or path parameter that is malformed or out of range.
    pub fn param(name: &str, detail: impl Into<String>) -> Self {
        Self::bad_request(format!("invalid parameter `{name}`"), detail)
    }
    pub fn with_header(mut self, name: header::HeaderName, value: &'static str) -> Self {
        self.headers.push((name, HeaderValue::from_static(value)));
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.error, self.detail)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match &e {
            Error::Param { name, .. } => ApiError::param(name, e.to_string()),
            Error::Limit { name, .. } if name.contains("disk") => {
                ApiError::new(StatusCode::INSUFFICIENT_STORAGE, "not enough disk space", e.to_string())
            }
            Error::Limit { .. } => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too large", e.to_string()),
            Error::Busy { .. } => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "store busy", e.to_string()),
            _ => {
                tracing::error!("{e}");
                ApiError::internal(e.to_string())
            }
        }
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(r: axum::extract::rejection::PathRejection) -> Self {
        ApiError::bad_request("invalid path", r.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.error, "detail": self.detail}).to_string();
        let mut res = (self.status, body).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        for (k, v) in self.headers {
            res.headers_mut().insert(k, v);
        }
        res
    }
}

pub type ApiResult<T> = std::result::Result<T, ApiError>;
