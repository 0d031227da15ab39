//! The web layer's one error type: every handler returns `Result<_, AppError>` and each
//! variant renders as a page with the right status; internal details are logged once, here,
//! and never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use escapement_storage::StorageError;

use crate::render::error_page;

/// What a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The change clashes with the state of what it changes (a closed review, say).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A fully rendered page with its own status (form re-renders with 422 or 409).
    #[error("rendered page with status {0}")]
    Page(StatusCode, String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Result alias for handlers.
pub type AppResult<T> = Result<T, AppError>;

impl From<StorageError> for AppError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::NotFound => AppError::NotFound,
            StorageError::Blocked(blocked) => AppError::Conflict(blocked.to_string()),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<minijinja::Error> for AppError {
    fn from(err: minijinja::Error) -> Self {
        AppError::Internal(anyhow::Error::new(err))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound => error_page(
                StatusCode::NOT_FOUND,
                "Page not found",
                "If you typed the web address, check it is correct. If you followed a link, the item may have been removed.",
            ),
            AppError::BadRequest(message) => error_page(
                StatusCode::BAD_REQUEST,
                "There is a problem with the request",
                &message,
            ),
            AppError::Forbidden(message) => {
                error_page(StatusCode::FORBIDDEN, "You cannot do that", &message)
            }
            AppError::Conflict(message) => error_page(
                StatusCode::CONFLICT,
                "This change cannot be made now",
                &message,
            ),
            AppError::Page(status, html) => (status, axum::response::Html(html)).into_response(),
            AppError::Internal(err) => {
                tracing::error!(error = ?err, "request failed with an internal error");
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, there is a problem with the service",
                    "The error has been logged. Try again later; your last change may not have been saved.",
                )
            }
        }
    }
}
