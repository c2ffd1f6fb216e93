//! The handlers' extractors of what a request names: `PathParams<T>` is axum's `Path<T>` whose
//! rejection (a segment that does not parse as `T`) is answered like every other request error, as a
//! JSON 400 "invalid path" (`ApiError`'s `From<PathRejection>`), instead of axum's plain-text answer;
//! `QueryParams` is the decoded query string (`http::query_map`), checked by each handler against
//! the names it accepts (`http::only_params`).

use std::collections::BTreeMap;
use std::convert::Infallible;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::http::query_map;

/// The route's path parameters, deserialized as `T` (a `String`, or a tuple of them).
pub struct PathParams<T>(pub T);

impl<T, S> FromRequestParts<S> for PathParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(v) = Path::<T>::from_request_parts(parts, state).await?;
        Ok(PathParams(v))
    }
}

/// The request's query parameters by name (percent-decoded; a repeated name keeps its last value).
pub struct QueryParams(pub BTreeMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(QueryParams(query_map(parts.uri.query())))
    }
}
