//! The web layer's one error type: every handler returns `Result<_, AppError>` and each
//! variant renders as a page with the right status; internal details are logged once, here,
//! and never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use escapement_storage::StorageError;

use crate::templates::{Page, error_page, error_page_with, internal_error_page};

/// What a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A rule refuses the change in the state its subject is in (a closed review, say);
    /// every reason in words.
    #[error("refused: {0}")]
    Refused(String),
    /// Input no form can take (a control character, text that is not UTF-8): a 422 page
    /// whose message names the field.
    #[error("unusable input: {0}")]
    InvalidInput(String),
    /// A form post whose body is not a URL-encoded form (415): `text/plain`, JSON, none.
    #[error("not a form")]
    UnsupportedForm,
    /// A request body larger than its route takes (413); nothing was read or changed.
    #[error("request body too large")]
    TooLarge,
    /// An uploaded file larger than the upload takes (413); nothing was kept.
    #[error("uploaded file too large")]
    FileTooLarge,
    /// The form again, with the user's input and a message beside each field (422).
    #[error("invalid input")]
    Invalid(Box<Page>),
    /// The form again, beside what someone else saved meanwhile (409).
    #[error("edit conflict")]
    Conflict(Box<Page>),
    /// Something has to exist before this works (a first team, a membership): a 409 page
    /// saying what, with the link to where it is made.
    #[error("first step missing: {message}")]
    FirstStep {
        message: String,
        link: Option<(&'static str, &'static str)>,
    },
    /// Every database connection is busy (503 with `Retry-After`); nothing was changed.
    #[error("every database connection is busy")]
    Overloaded,
    /// Too many password checks run already (503 with `Retry-After`); nothing was changed.
    #[error("too busy to check a password")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Result alias for handlers.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// `template` over `page` again with status 422: the input kept, the messages shown.
    pub fn invalid<T: serde::Serialize>(template: &'static str, page: &T) -> AppError {
        AppError::Invalid(Box::new(Page::new(template, page)))
    }

    /// `template` over `page` again with status 409, beside what is saved now.
    pub fn conflict<T: serde::Serialize>(template: &'static str, page: &T) -> AppError {
        AppError::Conflict(Box::new(Page::new(template, page)))
    }
}

impl From<StorageError> for AppError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::NotFound => AppError::NotFound,
            StorageError::Blocked(blocked) => AppError::Refused(blocked.to_string()),
            ref busy if escapement_storage::is_overloaded(busy) => AppError::Overloaded,
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
            AppError::Refused(message) => error_page(
                StatusCode::CONFLICT,
                "This change cannot be made now",
                &message,
            ),
            AppError::InvalidInput(message) => error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Check what you entered",
                &message,
            ),
            AppError::UnsupportedForm => error_page(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "This form was not sent as a form",
                "Escapement takes forms only as application/x-www-form-urlencoded, as a browser sends them. Nothing was saved: go back and submit the form from the page.",
            ),
            AppError::TooLarge => error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "What you sent is too large",
                "The form is larger than this page takes (a form takes up to 1 MiB of text). Nothing was saved: go back, shorten the longest text and submit it again.",
            ),
            AppError::FileTooLarge => error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The file is too large",
                "An import takes files of up to 50 MB. Nothing was kept: split the file into smaller ones (a tracker exports a date range at a time) and upload each.",
            ),
            AppError::FirstStep { message, link } => error_page_with(
                StatusCode::CONFLICT,
                "Something is needed first",
                &message,
                link,
            ),
            AppError::Invalid(page) => (*page)
                .with_status(StatusCode::UNPROCESSABLE_ENTITY)
                .into_response(),
            AppError::Conflict(page) => (*page).with_status(StatusCode::CONFLICT).into_response(),
            AppError::Overloaded => {
                let mut page = error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The service is busy",
                    "Escapement is answering many requests right now. Nothing was changed: wait a few seconds, then try again.",
                );
                page.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                page
            }
            AppError::Busy => {
                let mut page = error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The service is busy",
                    "Too many passwords are being checked right now. Nothing was changed: wait a few seconds, then try again.",
                );
                page.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
                page
            }
            AppError::Internal(err) => {
                tracing::error!(error = ?err, "request failed with an internal error");
                internal_error_page()
            }
        }
    }
}
