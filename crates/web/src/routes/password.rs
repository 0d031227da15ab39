//! `/settings/password`: any signed-in user changes their own password, proving the current
//! one first. Every session of the user ends and the browser that made the change gets a
//! fresh one, so a stolen session does not survive the change.

use std::fmt;

use axum::extract::State;
use axum::http::Extensions;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::ValidationErrors;
use escapement_core::auth::{Email, PasswordDraft, PasswordPolicy};
use escapement_storage::accounts::{change_own_password, find_login};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{
    CurrentUser, actor, client_addr, hash_password, session_cookie, start_session, verify_password,
    with_cookie,
};
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::render::Layout;
use crate::routes::catalog::{FieldKind, FieldView, FormPage};
use crate::routes::table::{AccessLevel, Route};

pub fn routes() -> Vec<Route> {
    use AccessLevel::SignedIn;
    vec![
        Route::get("/settings/password", SignedIn, change_password_form),
        Route::post("/settings/password", SignedIn, change_password),
    ]
}

/// The form as typed; `Debug` never shows the passwords.
#[derive(Default, Deserialize)]
#[serde(default)]
struct ChangePasswordForm {
    current_password: String,
    password: String,
    password_confirmation: String,
}

impl fmt::Debug for ChangePasswordForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChangePasswordForm").finish_non_exhaustive()
    }
}

fn form_page(csrf: &str) -> FormPage {
    let mut password = FieldView::new("password", "New password", FieldKind::Password, "");
    password.hint =
        Some("At least 12 characters. You stay signed in here; every other session of yours ends.");
    FormPage::new(
        Layout::new(
            "Change your password",
            "settings",
            csrf,
            &[("Settings", "/settings")],
        ),
        "/settings/password".to_owned(),
        "Change password",
        "/settings".to_owned(),
        vec![
            FieldView::new(
                "current_password",
                "Current password",
                FieldKind::Password,
                "",
            ),
            password,
            FieldView::new(
                "password_confirmation",
                "Confirm the new password",
                FieldKind::Password,
                "",
            ),
        ],
        String::new(),
    )
}

async fn change_password_form(CsrfToken(csrf): CsrfToken) -> AppResult<Response> {
    form_page(&csrf).show()
}

async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    extensions: Extensions,
    CsrfForm(form): CsrfForm<ChangePasswordForm>,
) -> AppResult<Response> {
    let email = Email::parse(&user.user.email).ok();
    let policy = PasswordPolicy::default();
    let draft = PasswordDraft {
        password: form.password.clone(),
        password_confirmation: form.password_confirmation.clone(),
    };
    let mut errors = ValidationErrors::new();
    let current_ok = match (
        &email,
        policy.check_length_for_login(&form.current_password),
    ) {
        (Some(email), Ok(())) if !form.current_password.is_empty() => {
            let stored = find_login(&state.db, email).await?;
            let current = form.current_password.clone();
            match stored {
                Some((_, hash)) => {
                    tokio::task::spawn_blocking(move || verify_password(&current, &hash))
                        .await
                        .map_err(|e| AppError::Internal(e.into()))?
                }
                None => false,
            }
        }
        _ => false,
    };
    if form.current_password.is_empty() {
        errors.push("current_password", "Enter your current password");
    } else if !current_ok {
        errors.push("current_password", "Your current password is not correct");
    }
    if let Err(problems) = draft.validate_with(&policy, email.as_ref()) {
        errors.extend(problems);
    }
    if !errors.is_empty() {
        return Err(form_page(&csrf).invalid(&errors));
    }
    let password = form.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let addr = client_addr(&extensions);
    let now = Utc::now();
    change_own_password(&state.db, user.user.id, &hash, actor(&user, &addr), now).await?;
    // Every session ended with the old password; this browser continues in a new one.
    let secret = start_session(&state.db, user.user.id, now).await?;
    tracing::info!(user.id = %user.user.id, "a user changed their password");
    Ok(with_cookie(
        Redirect::to("/settings").into_response(),
        &session_cookie(&secret, state.secure_cookies),
    ))
}
