//! Signing in and out, and the first-run setup that creates the first instance admin.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::ValidationErrors;
use escapement_core::auth::{AuditEvent, LoginDraft, ThrottleDecision, UserDraft};
use escapement_storage::StorageError;
use escapement_storage::accounts::{
    clear_login_failures, count_login_failures, create_user, find_login, record_event,
    record_login_failure, user_count,
};
use serde::{Deserialize, Serialize};

use crate::auth::{
    CurrentUser, clear_session_cookie, client_addr, end_session, hash_password, safe_next,
    session_cookie, start_session, verify_password, with_cookie,
};
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::extract::QueryParams;
use crate::page::views::FormErrors;
use crate::page::{Layout, Page, render};
use crate::routes::table::{AccessLevel, Route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    use AccessLevel::{Public, SignedIn};
    vec![
        Route::get("/login", Public, login_form),
        Route::post("/login", Public, login),
        Route::post("/logout", SignedIn, logout),
        Route::get("/setup", Public, setup_form),
        Route::post("/setup", Public, setup),
    ]
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NextQuery {
    next: String,
}

#[derive(Serialize)]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    errors: FormErrors,
    notice: Option<String>,
}

async fn login_form(
    CsrfToken(csrf): CsrfToken,
    QueryParams(query): QueryParams<NextQuery>,
) -> AppResult<Response> {
    render(
        "login.html",
        &LoginPage {
            layout: Layout::new("Sign in", "", &csrf, &[]),
            email: String::new(),
            next: safe_next(&query.next).to_owned(),
            errors: FormErrors::default(),
            notice: None,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginForm {
    email: String,
    password: String,
    next: String,
}

/// The longest a delayed login waits, kept well under the request timeout.
const MAX_WAIT: Duration = Duration::from_secs(10);

async fn login(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<Response> {
    let now = Utc::now();
    let addr = client_addr(&extensions);
    let next = safe_next(&form.next).to_owned();
    let page = |errors: &ValidationErrors, notice: Option<String>| LoginPage {
        layout: Layout::new("Sign in", "", &csrf, &[]),
        email: form.email.clone(),
        next: next.clone(),
        errors: errors.into(),
        notice,
    };
    let draft = LoginDraft {
        email: form.email.clone(),
        password: form.password.clone(),
    };
    let email = match draft.validate() {
        Ok(email) => email,
        Err(errors) => {
            return Err(AppError::invalid("login.html", &page(&errors, None)));
        }
    };
    let since = now - state.throttle.window;
    let (by_account, by_client) =
        count_login_failures(&state.db, email.as_str(), &addr, since).await?;
    let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    let decision = state
        .throttle
        .decide(count(by_account))
        .stricter(state.throttle.decide(count(by_client)));
    match decision {
        ThrottleDecision::Refuse { .. } => {
            record_event(
                &state.db,
                AuditEvent::LoginRefused,
                None,
                email.as_str(),
                Some(&addr),
                now,
            )
            .await?;
            let message = decision.refusal_message().unwrap_or_default();
            let page = page(&ValidationErrors::new(), Some(message));
            let page = Page::new("login.html", &page).with_status(StatusCode::TOO_MANY_REQUESTS);
            return Ok(page.into_response());
        }
        ThrottleDecision::Delay(delay) => {
            tokio::time::sleep(delay.to_std().unwrap_or(MAX_WAIT).min(MAX_WAIT)).await;
        }
        ThrottleDecision::Allow => {}
    }
    let found = find_login(&state.db, &email).await?;
    let password = form.password.clone();
    let verified = match found {
        Some((user, hash)) => {
            let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            // A deactivated account gets the same answer as a wrong password, so the form
            // does not tell a guesser which accounts exist or which passwords are right.
            (ok && user.is_active()).then_some(user)
        }
        None => {
            // Spend the same time as a real check, so timing does not reveal accounts.
            let _ = tokio::task::spawn_blocking(move || hash_password(&password)).await;
            None
        }
    };
    let Some(user) = verified else {
        record_login_failure(&state.db, email.as_str(), &addr, now).await?;
        record_event(
            &state.db,
            AuditEvent::LoginFailed,
            None,
            email.as_str(),
            Some(&addr),
            now,
        )
        .await?;
        let mut errors = ValidationErrors::new();
        errors.push("email", "Enter a correct email address and password");
        return Err(AppError::invalid("login.html", &page(&errors, None)));
    };
    // A new session id at every sign-in: a session planted before login is worthless.
    end_session(&state.db, &headers).await?;
    let secret = start_session(&state.db, user.id, now).await?;
    clear_login_failures(&state.db, email.as_str(), since).await?;
    record_event(
        &state.db,
        AuditEvent::LoginSucceeded,
        Some(user.id),
        email.as_str(),
        Some(&addr),
        now,
    )
    .await?;
    Ok(with_cookie(
        Redirect::to(&next).into_response(),
        &session_cookie(&secret, state.secure_cookies),
    ))
}

#[derive(Debug, Default, Deserialize)]
struct Empty {}

async fn logout(
    State(state): State<AppState>,
    CurrentUser { user, .. }: CurrentUser,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let now = Utc::now();
    end_session(&state.db, &headers).await?;
    record_event(
        &state.db,
        AuditEvent::Logout,
        Some(user.id),
        &user.email,
        Some(&client_addr(&extensions)),
        now,
    )
    .await?;
    Ok(with_cookie(
        Redirect::to("/login").into_response(),
        &clear_session_cookie(),
    ))
}

#[derive(Serialize)]
struct SetupPage {
    layout: Layout,
    token: String,
    email: String,
    display_name: String,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SetupQuery {
    token: String,
}

/// The setup token is valid only while it matches the one printed at start and no user exists.
async fn check_setup(state: &AppState, token: &str) -> AppResult<()> {
    let expected = state.setup_token.as_deref().ok_or(AppError::NotFound)?;
    let same = expected.len() == token.len()
        && expected
            .bytes()
            .zip(token.bytes())
            .fold(0_u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same || user_count(&state.db).await? > 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

async fn setup_form(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    QueryParams(query): QueryParams<SetupQuery>,
) -> AppResult<Response> {
    check_setup(&state, &query.token).await?;
    render(
        "setup.html",
        &SetupPage {
            layout: Layout::new("Create the first administrator", "", &csrf, &[]),
            token: query.token,
            email: String::new(),
            display_name: String::new(),
            errors: FormErrors::default(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SetupForm {
    token: String,
    email: String,
    display_name: String,
    password: String,
    password_confirmation: String,
}

async fn setup(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    extensions: axum::http::Extensions,
    CsrfForm(form): CsrfForm<SetupForm>,
) -> AppResult<Response> {
    check_setup(&state, &form.token).await?;
    let now = Utc::now();
    let page = |errors: &ValidationErrors| SetupPage {
        layout: Layout::new("Create the first administrator", "", &csrf, &[]),
        token: form.token.clone(),
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        errors: errors.into(),
    };
    let draft = UserDraft {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        password: form.password.clone(),
        password_confirmation: form.password_confirmation.clone(),
    };
    let new = match draft.validate() {
        Ok(new) => new,
        Err(errors) => {
            return Err(AppError::invalid("setup.html", &page(&errors)));
        }
    };
    let password = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let user = match create_user(&state.db, &new, &hash, true, now).await {
        Ok(user) => user,
        Err(StorageError::Invalid(errors)) => {
            return Err(AppError::invalid("setup.html", &page(&errors)));
        }
        Err(other) => return Err(other.into()),
    };
    let addr = client_addr(&extensions);
    record_event(
        &state.db,
        AuditEvent::SetupCompleted,
        Some(user.id),
        &user.email,
        Some(&addr),
        now,
    )
    .await?;
    let secret = start_session(&state.db, user.id, now).await?;
    Ok(with_cookie(
        Redirect::to("/settings/teams").into_response(),
        &session_cookie(&secret, state.secure_cookies),
    ))
}
