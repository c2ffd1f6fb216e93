//! `GET /api/jobs/{id}`: a background job's state and progress from the registry
//! ([`super::job_registry`]). The catalog is swapped only when a job has finished writing the store,
//! so what is served never sees half a flight.

use axum::extract::State;
use axum::response::Response;

use super::error::{ApiError, ApiResult};
use super::extract::PathParams;
use super::state::AppState;

/// `GET /api/jobs/{id}`.
pub async fn get_job(
    State(st): State<AppState>,
    PathParams(id): PathParams<String>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    let n: u64 = id.parse().map_err(|_| ApiError::param("id", format!("`{id}` is not a job number")))?;
    let job = st.jobs().get(n).ok_or_else(|| ApiError::not_found("unknown job", format!("no job {n}")))?;
    let v = serde_json::to_value(job).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(super::http::json_response(&headers, &v, "application/json"))
}
