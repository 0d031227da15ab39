//! The session cookie and its server-side record: starting a session, ending the one a
//! request names, and the `Set-Cookie` values with their flags.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use chrono::{DateTime, Utc};
use escapement_core::auth::SessionPolicy;
use escapement_storage::accounts::{SessionRecord, save_session};
use escapement_storage::sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::secrets::{random_hex, session_id};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "escapement_session";

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

/// A new session for `user_id` starting at `now`: the cookie value to hand out and the record
/// to store under its hash.
pub fn new_session(user_id: Uuid, now: DateTime<Utc>) -> (String, SessionRecord) {
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
    (secret, record)
}

/// Starts a new session for `user_id` and returns the cookie value to hand out.
pub async fn start_session(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    let (secret, record) = new_session(user_id, now);
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

/// Where to go after signing in: only a path on this site, never another origin; anything
/// else is `/`. A path starts with one `/`, holds no `//` and no backslash (browsers read
/// both as the start of another host), and only visible ASCII: browsers drop tabs and
/// newlines from a URL (so `/\t/evil.example` would lead off site) and a `Location` header
/// cannot carry them. The paths the login redirect itself sends are percent-encoded.
pub fn safe_next(next: &str) -> &str {
    let same_site = next.starts_with('/')
        && !next.contains("//")
        && !next.contains('\\')
        && next.bytes().all(|b| b.is_ascii_graphic());
    if same_site { next } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn a_path_on_this_site_is_kept() {
        for next in ["/", "/defects?team=a%20b&page=2", "/settings/teams#members"] {
            assert_eq!(safe_next(next), next);
        }
    }

    #[test]
    fn anything_that_could_lead_off_site_or_break_the_header_becomes_the_home_page() {
        for next in [
            "",
            "defects",
            "https://evil.example.com/",
            "//evil.example.com/",
            "/\\evil.example.com",
            "/\t/evil.example.com",
            "/\n/evil.example.com",
            "/\r\nSet-Cookie: x=y",
            "/a//b",
            "/caf\u{e9}",
            "/with space",
            "/\u{7f}",
        ] {
            assert_eq!(safe_next(next), "/", "{next:?}");
        }
    }
}
