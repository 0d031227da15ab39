//! The middleware around every route: finding the user behind a request (session cookie or
//! API token), and the guards the route table attaches: a signed-in user for every route
//! that is not public, an instance admin where the table says so.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, TimeDelta, Utc};
use escapement_core::auth::SessionPolicy;
use escapement_storage::accounts::{get_user, load_session, memberships_of, save_session};
use uuid::Uuid;

use super::current::{ClientAddr, CurrentUser, resolve_client_addr};
use super::secrets::{api_token_hash, session_id};
use super::sessions::{SESSION_COOKIE, cookie_value};
use crate::error::AppError;
use crate::state::AppState;
use crate::templates::{SIGNED_IN, SignedIn};

/// Sessions are written back at most this often, so reading pages stays read-only.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

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

async fn signed_in(
    state: &AppState,
    user_id: Uuid,
    client_addr: String,
) -> Result<Option<CurrentUser>, String> {
    let user = match get_user(&state.db, user_id).await {
        Ok(user) => user,
        Err(escapement_storage::StorageError::NotFound) => return Ok(None),
        Err(err) => return Err(err.to_string()),
    };
    // A deactivated account's sessions end when it is deactivated; this also refuses any
    // session or API token that reaches here afterwards.
    if !user.is_active() {
        return Ok(None);
    }
    let memberships = memberships_of(&state.db, user.id)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Some(CurrentUser {
        user,
        memberships,
        client_addr,
    }))
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| escapement_core::auth::looks_like_token(token))
}

/// The user behind an API token, or behind the session cookie; `Err` when the store
/// cannot be read.
async fn identify(
    state: &AppState,
    headers: &HeaderMap,
    addr: String,
    now: DateTime<Utc>,
) -> Result<Option<CurrentUser>, String> {
    if let Some(token) = bearer_token(headers) {
        let found = escapement_storage::accounts::use_token(&state.db, &api_token_hash(token), now)
            .await
            .map_err(|e| e.to_string())?;
        return match found {
            Some(token) => signed_in(state, token.user_id, addr).await,
            None => Ok(None),
        };
    }
    let Some(secret) = cookie_value(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(mut record) = load_session(&state.db, &session_id(secret), now)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    if now - record.last_seen_at >= TOUCH_EVERY {
        record.last_seen_at = now;
        record.expires_at = SessionPolicy::default().expires_at(record.created_at, now);
        if let Err(err) = save_session(&state.db, &record).await {
            tracing::warn!(error = %err, "cannot extend a session");
        }
    }
    match record.user_id {
        Some(user_id) => signed_in(state, user_id, addr).await,
        None => Ok(None),
    }
}

async fn attach_user(state: &AppState, mut request: Request) -> Request {
    let addr = resolve_client_addr(
        request.extensions(),
        request.headers(),
        &state.trusted_proxies,
    );
    request.extensions_mut().insert(ClientAddr(addr.clone()));
    match identify(state, request.headers(), addr, Utc::now()).await {
        Ok(Some(user)) => {
            request.extensions_mut().insert(user);
        }
        Ok(None) => {}
        Err(err) => {
            tracing::error!(error = %err, "cannot read a session or token");
            request.extensions_mut().insert(SessionUnavailable);
        }
    }
    request
}

/// Marks a request whose session could not be read (the database is unreachable), so it
/// gets an error page instead of a misleading trip to the login page.
#[derive(Debug, Clone, Copy)]
struct SessionUnavailable;

/// Middleware for every route the route table does not mark public (and for unknown paths):
/// sends a visitor without a session to the login page, remembering where they were going;
/// an API client gets 401.
pub async fn require_login(request: Request, next: Next) -> Response {
    if request.extensions().get::<CurrentUser>().is_some() {
        return next.run(request).await;
    }
    if request.extensions().get::<SessionUnavailable>().is_some() {
        return AppError::Internal(anyhow::anyhow!("the session store is unavailable"))
            .into_response();
    }
    if request.uri().path().starts_with("/api/") {
        let body = axum::Json(
            serde_json::json!({"error": "unauthorized", "message": "Send a valid API token as `Authorization: Bearer <token>`."}),
        );
        return (
            axum::http::StatusCode::UNAUTHORIZED,
            [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
            body,
        )
            .into_response();
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
