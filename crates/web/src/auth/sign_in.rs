//! Signing in as one use case: the form checked, failures throttled (slowed, then refused),
//! the password verified off the async threads and only as many at once as the
//! [`HashingLimit`] allows, and the outcome written by storage's audited
//! sign-in functions: a refusal or a failure logged, or a fresh session started in place of
//! the one the request came with.

use std::time::Duration;

use chrono::Utc;
use escapement_core::ValidationErrors;
use escapement_core::auth::{Email, LoginDraft, ThrottleDecision, ThrottlePolicy};
use escapement_storage::accounts::{
    SignInAttempt, User, complete_sign_in, fail_sign_in, find_login, refuse_sign_in, start_sign_in,
    withdraw_sign_in,
};
use escapement_storage::sea_orm::DatabaseConnection;
use tokio::sync::OwnedSemaphorePermit;
use uuid::Uuid;

use super::secrets::{hash_password, session_id, verify_password};
use super::sessions::new_session;
use crate::error::{AppError, AppResult};
use crate::state::HashingLimit;

/// The longest a delayed sign-in waits, kept well under the request timeout.
const MAX_WAIT: Duration = Duration::from_secs(10);

/// The one answer to wrong credentials, so the form never tells which part was wrong.
const WRONG_CREDENTIALS: &str = "Enter a correct email address and password";

/// How a sign-in ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// Signed in: the new session's cookie value.
    Done(String),
    /// An incomplete form or wrong credentials: the field messages (the form answers 422).
    Rejected(ValidationErrors),
    /// Too many recent failures: the message to show and the seconds to wait (429 with
    /// `Retry-After`); the password was not checked.
    Refused { message: String, retry_after: u64 },
    /// Too many password checks running already: try again shortly (503); the password was
    /// not checked and the attempt counts as no failure.
    Busy,
}

/// Signs in with `draft` from `client_addr`, throttled by `throttle`, the password checked
/// when `hashing` gives a turn. `previous` is the session cookie the request
/// came with, ended on success. A deactivated account is answered like a wrong password, and
/// an unknown one takes as long as a real check, so the form reveals no accounts.
pub async fn sign_in(
    db: &DatabaseConnection,
    throttle: &ThrottlePolicy,
    hashing: &HashingLimit,
    draft: &LoginDraft,
    client_addr: &str,
    previous: Option<&str>,
) -> AppResult<SignIn> {
    let now = Utc::now();
    let email = match draft.validate() {
        Ok(email) => email,
        Err(errors) => return Ok(SignIn::Rejected(errors)),
    };
    let attempt = SignInAttempt {
        id: Uuid::now_v7(),
        account: email.as_str(),
        client_addr,
        at: now,
        window_start: now - throttle.window,
    };
    // Recorded before it is judged, so that parallel guesses count each other.
    let (by_account, by_client) = start_sign_in(db, &attempt).await?;
    let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    let decision = throttle
        .decide(count(by_account))
        .stricter(throttle.decide(count(by_client)));
    match decision {
        ThrottleDecision::Refuse { .. } => {
            refuse_sign_in(db, &attempt).await?;
            let message = decision.refusal_message().unwrap_or_default();
            let seconds = decision.retry_after_seconds().unwrap_or(1);
            let retry_after = u64::try_from(seconds).unwrap_or(1).max(1);
            return Ok(SignIn::Refused {
                message,
                retry_after,
            });
        }
        ThrottleDecision::Delay(delay) => {
            tokio::time::sleep(delay.to_std().unwrap_or(MAX_WAIT).min(MAX_WAIT)).await;
        }
        ThrottleDecision::Allow => {}
    }
    let Some(turn) = hashing.turn().await else {
        withdraw_sign_in(db, &attempt).await?;
        return Ok(SignIn::Busy);
    };
    let Some(user) = verified_user(db, &email, &draft.password, turn).await? else {
        fail_sign_in(db, &attempt).await?;
        let mut errors = ValidationErrors::new();
        errors.push("email", WRONG_CREDENTIALS);
        return Ok(SignIn::Rejected(errors));
    };
    let (secret, session) = new_session(user.id, now);
    let replaced = previous.map(session_id);
    complete_sign_in(db, &attempt, user.id, replaced.as_deref(), &session).await?;
    Ok(SignIn::Done(secret))
}

/// The active user with this email address whose password is `password`, checked on a
/// blocking thread; for an unknown address a password is hashed instead, to take as long.
/// The `turn` is held by the blocking thread, so it is given back only once the hash is
/// done, even when the request is dropped meanwhile.
async fn verified_user(
    db: &DatabaseConnection,
    email: &Email,
    password: &str,
    turn: OwnedSemaphorePermit,
) -> AppResult<Option<User>> {
    let password = password.to_owned();
    match find_login(db, email).await? {
        Some((user, hash)) => {
            let ok = tokio::task::spawn_blocking(move || {
                let _turn = turn;
                verify_password(&password, &hash)
            })
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
            Ok((ok && user.is_active()).then_some(user))
        }
        None => {
            let _ = tokio::task::spawn_blocking(move || {
                let _turn = turn;
                hash_password(&password)
            })
            .await;
            Ok(None)
        }
    }
}
