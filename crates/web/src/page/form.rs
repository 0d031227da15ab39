//! The one protocol of a form submission. A handler reads the input, tries the save into a
//! `Result<T, Refusal>`, and hands both to [`respond`] with the [`FormPage`] that can show
//! the form again: success answers 303; field errors show the form with the input kept and
//! a message beside each field (422); a save based on an old version shows the form beside
//! what is saved now, carrying the current version so a resubmit is deliberate (409).

use std::future::Future;

use axum::response::Response;
use escapement_core::ValidationErrors;
use escapement_storage::StorageError;

use super::Page;
use crate::error::{AppError, AppResult};

/// Why a submission was not saved. Kept apart from [`StorageError`]: validation in core
/// refuses with field messages, storage with a stale version or a rule only the database
/// can check, and any other failure passes through as the error it is.
#[derive(Debug)]
pub enum Refusal {
    /// The input breaks a rule; each message names its field.
    Invalid(ValidationErrors),
    /// The record changed since the form was read.
    Stale,
    /// A failure that is not about the input.
    Failed(AppError),
}

impl From<ValidationErrors> for Refusal {
    fn from(errors: ValidationErrors) -> Self {
        Refusal::Invalid(errors)
    }
}

impl From<StorageError> for Refusal {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Invalid(errors) => Refusal::Invalid(errors),
            StorageError::Stale { .. } => Refusal::Stale,
            other => Refusal::Failed(other.into()),
        }
    }
}

impl From<anyhow::Error> for Refusal {
    fn from(err: anyhow::Error) -> Self {
        Refusal::Failed(AppError::Internal(err))
    }
}

impl From<AppError> for Refusal {
    fn from(err: AppError) -> Self {
        Refusal::Failed(err)
    }
}

/// The field messages of one refusal, as a [`Refusal`].
pub fn invalid(field: &'static str, message: &str) -> Refusal {
    let mut errors = ValidationErrors::new();
    errors.push(field, message);
    Refusal::Invalid(errors)
}

/// A form page that can show itself again after a refused submission.
pub trait FormPage: Send {
    /// What the user submitted, kept on every re-render.
    type Input: Send;

    /// The form with the user's input and a message beside each field.
    fn invalid(
        self,
        input: Self::Input,
        errors: ValidationErrors,
    ) -> impl Future<Output = AppResult<Page>> + Send;

    /// The form beside what is saved now, carrying the current version.
    fn stale(self, input: Self::Input) -> impl Future<Output = AppResult<Page>> + Send;
}

/// The one answer to a submission: `done` on success, the form again with 422 or 409 on a
/// refusal, the error page otherwise.
pub async fn respond<F: FormPage, T>(
    form: F,
    input: F::Input,
    outcome: Result<T, Refusal>,
    done: impl FnOnce(T) -> Response,
) -> AppResult<Response> {
    match outcome {
        Ok(saved) => Ok(done(saved)),
        Err(Refusal::Invalid(errors)) => Err(AppError::Invalid(Box::new(
            form.invalid(input, errors).await?,
        ))),
        Err(Refusal::Stale) => Err(AppError::Conflict(Box::new(form.stale(input).await?))),
        Err(Refusal::Failed(err)) => Err(err),
    }
}
