//! `/settings/password`: any signed-in user changes their own password, proving the current
//! one first. Every session of the user ends and the browser that made the change gets a
//! fresh one, so a stolen session does not survive the change.

use std::fmt;

use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::ValidationErrors;
use escapement_core::auth::{Email, PasswordDraft, PasswordPolicy};
use escapement_storage::accounts::{change_own_password, find_login};
use serde::Deserialize;

use crate::auth::{hash_off_thread, session_cookie, start_session, verify_off_thread, with_cookie};
use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::page::fields::{FieldForm, FieldKind, FieldView};
use crate::page::form::{Refusal, respond};
use crate::page::{Ctx, see_other};
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

fn form_page(ctx: &Ctx) -> FieldForm {
    let password = FieldView::new("password", "New password", FieldKind::Password, "").hint(
        "At least 12 characters. You stay signed in here; every other session of yours ends.",
    );
    let current = FieldView::new(
        "current_password",
        "Current password",
        FieldKind::Password,
        "",
    );
    let confirmation = FieldView::new(
        "password_confirmation",
        "Confirm the new password",
        FieldKind::Password,
        "",
    );
    FieldForm::new(
        ctx.layout(
            "Change your password",
            "settings",
            &[("Settings", "/settings")],
        ),
        "/settings/password".to_owned(),
        "Change password",
        "/settings".to_owned(),
        vec![current, password, confirmation],
        String::new(),
    )
}

async fn change_password_form(ctx: Ctx) -> AppResult<Response> {
    Ok(form_page(&ctx).page().into_response())
}

/// True when `current` is the user's password; the hash is checked off the async threads.
async fn is_current_password(ctx: &Ctx, email: Option<&Email>, current: &str) -> AppResult<bool> {
    let policy = PasswordPolicy::default();
    let (Some(email), Ok(())) = (email, policy.check_length_for_login(current)) else {
        return Ok(false);
    };
    let Some((_, hash)) = find_login(ctx.db(), email).await? else {
        return Ok(false);
    };
    verify_off_thread(&ctx.state.hashing, current.to_owned(), hash).await
}

/// Every problem with the form: the current password first, then the new one.
async fn password_errors(ctx: &Ctx, form: &ChangePasswordForm) -> AppResult<ValidationErrors> {
    let email = Email::parse(&ctx.user.user.email).ok();
    let mut errors = ValidationErrors::new();
    if form.current_password.is_empty() {
        errors.push("current_password", "Enter your current password");
    } else if !is_current_password(ctx, email.as_ref(), &form.current_password).await? {
        errors.push("current_password", "Your current password is not correct");
    }
    let draft = PasswordDraft {
        password: form.password.clone(),
        password_confirmation: form.password_confirmation.clone(),
    };
    if let Err(problems) = draft.validate_with(&PasswordPolicy::default(), email.as_ref()) {
        errors.extend(problems);
    }
    Ok(errors)
}

async fn change_password(
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ChangePasswordForm>,
) -> AppResult<Response> {
    let user_id = ctx.user.user.id;
    let outcome: Result<String, Refusal> = async {
        let errors = password_errors(&ctx, &form).await?;
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let hash = hash_off_thread(&ctx.state.hashing, form.password.clone()).await?;
        let now = Utc::now();
        change_own_password(ctx.db(), user_id, &hash, ctx.user.actor(), now).await?;
        // Every session ended with the old password; this browser continues in a new one.
        Ok(start_session(ctx.db(), user_id, now).await?)
    }
    .await;
    let secure = ctx.state.secure_cookies;
    respond(form_page(&ctx), (), outcome, |secret| {
        tracing::info!(user.id = %user_id, "a user changed their password");
        with_cookie(see_other("/settings"), &session_cookie(&secret, secure))
    })
    .await
}
