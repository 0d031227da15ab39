//! Authentication in the web layer: argon2id password hashes, the session cookie and its
//! server-side record, API tokens and the user behind a request. The middleware that finds
//! that user and guards routes lives in [`middleware`].

mod middleware;

pub use middleware::{load_user, require_instance_admin, require_login};

use std::net::SocketAddr;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, request::Parts};
use axum::response::Response;
use chrono::{DateTime, Utc};
use escapement_core::auth::{Access, Permission, Role, SessionPolicy};
use escapement_storage::accounts::{SessionRecord, User, save_session};
use escapement_storage::sea_orm::ConnectionTrait;
use rand::Rng;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::AppError;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "escapement_session";

/// An argon2id hash (PHC string with its own random salt) of `password`.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash a password: {e}"))
}

/// True when `password` matches the stored `hash`; any malformed hash is simply no match.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

fn random_hex() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh first-run setup token (256 random bits, hex).
pub fn new_setup_token() -> String {
    random_hex()
}

/// The stored id of a session: a SHA-256 of the cookie value, so a copy of the sessions
/// table cannot be replayed as cookies.
pub fn session_id(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The value of cookie `name` in the request headers, if present and non-empty.
pub(crate) fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, v)| *n == name && !v.is_empty())
        .map(|(_, v)| v)
}

/// Starts a new session for `user_id` and returns the cookie value to hand out.
pub async fn start_session(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    let secret = random_hex();
    let policy = SessionPolicy::default();
    let record = SessionRecord {
        id: session_id(&secret),
        user_id: Some(user_id),
        data: "{}".to_owned(),
        created_at: now,
        last_seen_at: now,
        expires_at: policy.expires_at(now, now),
    };
    save_session(db, &record).await?;
    Ok(secret)
}

/// Ends the session named by the request's cookie, if any.
pub async fn end_session(db: &impl ConnectionTrait, headers: &HeaderMap) -> anyhow::Result<()> {
    if let Some(secret) = cookie_value(headers, SESSION_COOKIE) {
        escapement_storage::accounts::delete_session(db, &session_id(secret)).await?;
    }
    Ok(())
}

/// `Set-Cookie` for a session: HttpOnly, SameSite=Lax, `Secure` when served over https.
pub fn session_cookie(secret: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
}

/// Adds a `Set-Cookie` header to a response.
pub fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// The signed-in user of a request and the teams they belong to.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub memberships: Vec<(Uuid, Role)>,
}

impl CurrentUser {
    /// The user's standing toward one team.
    pub fn access(&self, team_id: Uuid) -> Access {
        let role = self
            .memberships
            .iter()
            .find(|(t, _)| *t == team_id)
            .map(|(_, r)| *r);
        Access::for_user(self.user.is_admin, role)
    }

    /// The teams whose data the user may see; `None` for an instance admin (all of them).
    pub fn visible_teams(&self) -> Option<Vec<Uuid>> {
        (!self.user.is_admin).then(|| self.memberships.iter().map(|(t, _)| *t).collect())
    }

    /// True when the user may see `team_id` at all.
    pub fn sees(&self, team_id: Uuid) -> bool {
        self.access(team_id).can_see()
    }

    /// Answers 404 for a team the user may not see and 403 for one they see but may not
    /// change in this way.
    pub fn require(&self, team_id: Uuid, permission: Permission) -> Result<(), AppError> {
        let access = self.access(team_id);
        if !access.can_see() {
            return Err(AppError::NotFound);
        }
        if !access.can(permission) {
            return Err(AppError::Forbidden("Your role in this team does not allow this change. A team admin can change your role.".to_owned()));
        }
        Ok(())
    }

    /// Like [`CurrentUser::require`] for the team a form names, checked before the rest of
    /// the form is judged so that nothing about other teams' forms is revealed. An id that
    /// does not parse is left to the form's validation.
    pub fn require_named(&self, raw_team_id: &str, permission: Permission) -> Result<(), AppError> {
        match Uuid::parse_str(raw_team_id.trim()) {
            Ok(team_id) => self.require(team_id, permission),
            Err(_) => Ok(()),
        }
    }

    /// Answers 403 unless the user is an instance admin.
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.user.is_admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Only an instance administrator can do this.".to_owned(),
            ))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(AppError::NotFound)
    }
}

/// The client's address, for throttling and the audit log ("unknown" without one).
pub fn client_addr(parts: &axum::http::Extensions) -> String {
    parts.get::<ConnectInfo<SocketAddr>>().map_or_else(
        || "unknown".to_owned(),
        |ConnectInfo(addr)| addr.ip().to_string(),
    )
}

/// Where to go after signing in: only a path on this site, never another origin.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

/// A new API token: `esc_` and 43 URL-safe characters (256 random bits).
pub fn new_api_token() -> String {
    use base64::Engine as _;
    let bytes: [u8; 32] = rand::rng().random();
    format!(
        "{}{}",
        escapement_core::auth::token_prefix(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// How an API token is stored: its SHA-256, so the table never holds a usable token.
pub fn api_token_hash(token: &str) -> String {
    session_id(token)
}

/// [`hash_password`] on a blocking thread, so a hash never stalls the async workers.
pub async fn hash_off_thread(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)
}
