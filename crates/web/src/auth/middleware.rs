//! The middleware around every route: finding the user behind a request (session cookie, or
//! API token under [`API_PREFIX`] only), and the guards the route table attaches: a signed-in user for every route
//! that is not public, an instance admin where the table says so.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, TimeDelta, Utc};
use escapement_core::auth::SessionPolicy;
use escapement_storage::accounts::{
    SignedInUser, session_user, touch_session, use_token, user_with_memberships,
};

use super::current::{ClientAddr, CurrentUser, resolve_client_addr};
use super::secrets::{api_token_hash, session_id};
use super::sessions::{SESSION_COOKIE, cookie_value};
use crate::error::AppError;
use crate::state::AppState;
use crate::templates::{SIGNED_IN, SignedIn};

/// A session is marked seen at most this often, so reading pages stays read-only; its idle
/// expiry is therefore counted from a request at most this long before the last one.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

/// The one part of the URL tree where an API token is a credential. Anywhere else a token is
/// ignored, so it can never act as a browser session: it cannot post a form, create tokens
/// or change an account (all of which live outside the API).
pub const API_PREFIX: &str = "/api/v1/";

/// True when `path` is under [`API_PREFIX`].
pub fn is_api_path(path: &str) -> bool {
    path.starts_with(API_PREFIX)
}

/// Middleware: resolves the client's address (behind trusted proxies) and the session
/// cookie to a [`CurrentUser`], keeps the session alive, and makes the user known to page
/// rendering.
pub async fn load_user(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let request = attach_user(&state, request).await;
    let signed_in =
        request
            .extensions()
            .get::<CurrentUser>()
            .map(|CurrentUser { user: u, .. }| SignedIn {
                display_name: u.display_name.clone(),
                email: u.email.clone(),
                is_admin: u.is_admin,
            });
    SIGNED_IN.scope(signed_in, next.run(request)).await
}

fn current_user(found: Option<SignedInUser>, client_addr: String) -> Option<CurrentUser> {
    found.map(|SignedInUser { user, memberships }| CurrentUser {
        user,
        memberships,
        client_addr,
    })
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| escapement_core::auth::looks_like_token(token))
}

/// The user behind an API token (on an API path only), or behind the session cookie; `Err`
/// when the store cannot be read (with whether only because the pool is busy). A session costs one read (the session with its active user and their
/// memberships), and a write only when it was last seen [`TOUCH_EVERY`] ago or more. A
/// deactivated account's sessions end when it is deactivated; the read also refuses any
/// session or API token of one that reaches here afterwards.
async fn identify(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    addr: String,
    now: DateTime<Utc>,
) -> Result<Option<CurrentUser>, StoreError> {
    if let Some(token) = bearer_token(headers).filter(|_| is_api_path(path)) {
        let found = use_token(&state.db, &api_token_hash(token), now)
            .await
            .map_err(StoreError::from)?;
        let Some(token) = found else {
            return Ok(None);
        };
        let user = user_with_memberships(&state.db, token.user_id)
            .await
            .map_err(StoreError::from)?;
        return Ok(current_user(user, addr));
    }
    let Some(secret) = cookie_value(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = session_user(&state.db, &session_id(secret), now)
        .await
        .map_err(StoreError::from)?
    else {
        return Ok(None);
    };
    if now - session.last_seen_at >= TOUCH_EVERY {
        let expires_at = SessionPolicy::default().expires_at(session.created_at, now);
        let touched = touch_session(&state.db, &session.id, now, expires_at, now - TOUCH_EVERY);
        if let Err(err) = touched.await {
            tracing::warn!(error = %err, "cannot extend a session");
        }
    }
    Ok(current_user(Some(session.signed_in), addr))
}

async fn attach_user(state: &AppState, mut request: Request) -> Request {
    let addr = resolve_client_addr(
        request.extensions(),
        request.headers(),
        &state.trusted_proxies,
    );
    request.extensions_mut().insert(ClientAddr(addr.clone()));
    let path = request.uri().path().to_owned();
    match identify(state, request.headers(), &path, addr, Utc::now()).await {
        Ok(Some(user)) => {
            request.extensions_mut().insert(user);
        }
        Ok(None) => {}
        Err(StoreError { message, busy }) => {
            if busy {
                tracing::warn!(error = %message, "every database connection is busy");
            } else {
                tracing::error!(error = %message, "cannot read a session or token");
            }
            request.extensions_mut().insert(SessionUnavailable { busy });
        }
    }
    request
}

/// Why the session store could not be read.
#[derive(Debug)]
struct StoreError {
    message: String,
    /// Only because every pooled connection is busy: a 503 to retry, not a 500.
    busy: bool,
}

impl From<escapement_storage::StorageError> for StoreError {
    fn from(err: escapement_storage::StorageError) -> Self {
        StoreError {
            busy: escapement_storage::is_overloaded(&err),
            message: err.to_string(),
        }
    }
}

/// Marks a request whose session could not be read (the database is unreachable, or every
/// connection is busy), so it gets an error page instead of a misleading trip to the login
/// page.
#[derive(Debug, Clone, Copy)]
struct SessionUnavailable {
    busy: bool,
}

/// Middleware for every route the route table does not mark public (and for unknown paths):
/// sends a visitor without a session to the login page, remembering where they were going;
/// an API client gets 401.
pub async fn require_login(request: Request, next: Next) -> Response {
    if request.extensions().get::<CurrentUser>().is_some() {
        return next.run(request).await;
    }
    if let Some(SessionUnavailable { busy }) = request.extensions().get::<SessionUnavailable>() {
        if *busy {
            return AppError::Overloaded.into_response();
        }
        return AppError::Internal(anyhow::anyhow!("the session store is unavailable"))
            .into_response();
    }
    if request.uri().path().starts_with("/api/") {
        return crate::routes::api_unauthorized();
    }
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let query = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
    Redirect::to(&format!("/login?{query}")).into_response()
}

/// Middleware for routes the route table reserves for instance admins: 403 for anyone else.
/// Runs after [`require_login`], so a user is always present.
pub async fn require_instance_admin(request: Request, next: Next) -> Response {
    let allowed = request
        .extensions()
        .get::<CurrentUser>()
        .map(CurrentUser::require_admin);
    match allowed {
        Some(Ok(())) => next.run(request).await,
        Some(Err(refused)) => refused.into_response(),
        None => AppError::NotFound.into_response(),
    }
}
