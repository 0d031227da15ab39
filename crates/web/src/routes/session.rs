//! Signing in and out, and the first-run setup that creates the first instance admin.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::ValidationErrors;
use escapement_core::auth::{AuditEvent, LoginDraft, UserDraft};

use escapement_storage::accounts::{active_admin_count, create_user, record_event};
use serde::{Deserialize, Serialize};

use crate::auth::{
    ClientAddr, CurrentUser, SessionCookie, SignIn, clear_session_cookie, client_addr, end_session,
    hash_off_thread, safe_next, session_cookie, sign_in, start_session, with_cookie,
};
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::extract::QueryParams;
use crate::page::form::{FormPage, Refusal, respond};
use crate::page::views::FormErrors;
use crate::page::{Layout, Page, render, see_other};
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

impl LoginForm {
    /// The credentials as the sign-in checks them.
    fn draft(&self) -> LoginDraft {
        LoginDraft {
            email: self.email.clone(),
            password: self.password.clone(),
        }
    }
}

/// What the login page says when signing in did not succeed.
struct NotSignedIn {
    status: StatusCode,
    errors: ValidationErrors,
    notice: Option<String>,
    /// The `Retry-After` header, in seconds.
    retry_after: Option<u64>,
}

/// The notice when too many password checks run already.
const BUSY: &str =
    "Too many people are signing in right now. Wait a few seconds, then sign in again.";

impl NotSignedIn {
    /// The answer to an outcome other than [`SignIn::Done`]; `busy_for` is how long a turn
    /// to check a password was waited for.
    fn new(outcome: SignIn, busy_for: std::time::Duration) -> NotSignedIn {
        let (status, errors, notice, retry_after) = match outcome {
            SignIn::Rejected(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None, None),
            // `login` redirects on success and never asks; a bare form is the safe answer.
            SignIn::Done(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ValidationErrors::new(),
                None,
                None,
            ),
            SignIn::Refused {
                message,
                retry_after,
            } => (
                StatusCode::TOO_MANY_REQUESTS,
                ValidationErrors::new(),
                Some(message),
                Some(retry_after),
            ),
            SignIn::Busy => {
                let seconds = busy_for.as_secs().max(1);
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ValidationErrors::new(),
                    Some(BUSY.to_owned()),
                    Some(seconds),
                )
            }
        };
        NotSignedIn {
            status,
            errors,
            notice,
            retry_after,
        }
    }

    /// The login page with this answer's status, messages and `Retry-After`.
    fn respond(self, layout: Layout, email: String, next: String) -> Response {
        let page = LoginPage {
            layout,
            email,
            next,
            errors: (&self.errors).into(),
            notice: self.notice,
        };
        let mut response = Page::new("login.html", &page)
            .with_status(self.status)
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

async fn login(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    ClientAddr(addr): ClientAddr,
    SessionCookie(previous): SessionCookie,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<Response> {
    let next = safe_next(&form.next).to_owned();
    let (throttle, hashing) = (&state.throttle, &state.hashing);
    let previous = previous.as_deref();
    let outcome = sign_in(&state.db, throttle, hashing, &form.draft(), &addr, previous).await?;
    if let SignIn::Done(secret) = &outcome {
        let cookie = session_cookie(secret, state.secure_cookies);
        return Ok(with_cookie(Redirect::to(&next).into_response(), &cookie));
    }
    let layout = Layout::new("Sign in", "", &csrf, &[]);
    Ok(NotSignedIn::new(outcome, hashing.wait).respond(layout, form.email, next))
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
    if !same || active_admin_count(&state.db).await? > 0 {
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

impl FormPage for SetupPage {
    type Input = ();

    async fn invalid(mut self, (): (), errors: ValidationErrors) -> AppResult<Page> {
        self.errors = (&errors).into();
        Ok(Page::new("setup.html", &self))
    }

    async fn stale(self, (): ()) -> AppResult<Page> {
        Ok(Page::new("setup.html", &self))
    }
}

async fn setup(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    extensions: axum::http::Extensions,
    CsrfForm(form): CsrfForm<SetupForm>,
) -> AppResult<Response> {
    check_setup(&state, &form.token).await?;
    let addr = client_addr(&extensions);
    let outcome = create_first_admin(&state, &form, &addr).await;
    let page = SetupPage {
        layout: Layout::new("Create the first administrator", "", &csrf, &[]),
        token: form.token.clone(),
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        errors: FormErrors::default(),
    };
    let secure = state.secure_cookies;
    respond(page, (), outcome, |secret| {
        with_cookie(
            see_other("/settings/teams"),
            &session_cookie(&secret, secure),
        )
    })
    .await
}

/// Creates the first instance admin from the setup form and starts their session; the
/// session's secret, or what is wrong with the form.
async fn create_first_admin(
    state: &AppState,
    form: &SetupForm,
    addr: &str,
) -> Result<String, Refusal> {
    let now = Utc::now();
    let draft = UserDraft {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        password: form.password.clone(),
        password_confirmation: form.password_confirmation.clone(),
    };
    let new = draft.validate()?;
    let hash = hash_off_thread(&state.hashing, form.password.clone()).await?;
    let user = create_user(&state.db, &new, &hash, true, now).await?;
    let event = AuditEvent::SetupCompleted;
    record_event(
        &state.db,
        event,
        Some(user.id),
        &user.email,
        Some(addr),
        now,
    )
    .await?;
    Ok(start_session(&state.db, user.id, now).await?)
}
