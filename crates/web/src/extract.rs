//! Extractors that turn malformed input into an [`AppError`] page instead of a bare
//! plain-text rejection.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::AppError;

/// An id from the path; anything that is not a UUID is simply not found.
#[derive(Debug, Clone, Copy)]
pub struct IdPath(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        Uuid::parse_str(&raw)
            .map(IdPath)
            .map_err(|_| AppError::NotFound)
    }
}

/// A query string deserialised into `T`; a malformed one is a 400 page naming the problem.
#[derive(Debug, Clone, Default)]
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| QueryParams(value))
            .map_err(|e| {
                AppError::BadRequest(format!("The address has a query the page cannot read: {e}"))
            })
    }
}

/// Two ids from the path, in the order the pattern names them; anything that is not a pair
/// of UUIDs is simply not found.
#[derive(Debug, Clone, Copy)]
pub struct IdPair(pub Uuid, pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPair {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((first, second)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        match (Uuid::parse_str(&first), Uuid::parse_str(&second)) {
            (Ok(first), Ok(second)) => Ok(IdPair(first, second)),
            _ => Err(AppError::NotFound),
        }
    }
}

/// A whole number from the path (a version); anything else is a 400 page, since no page
/// could ever live at that address.
#[derive(Debug, Clone, Copy)]
pub struct NumberPath(pub i32);

impl<S: Send + Sync> FromRequestParts<S> for NumberPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let not_a_number = || {
            AppError::BadRequest(
                "The address names no number where a whole number, such as 1 or 2, belongs."
                    .to_owned(),
            )
        };
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_a_number())?;
        raw.trim()
            .parse()
            .map(NumberPath)
            .map_err(|_| not_a_number())
    }
}
