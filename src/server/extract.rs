//! The one path extractor of the handlers: `PathParams<T>` is axum's `Path<T>` whose rejection (a
//! segment that does not parse as `T`) is answered like every other request error, as a JSON 400
//! "invalid path" (`ApiError`'s `From<PathRejection>`), instead of axum's plain-text answer.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

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
