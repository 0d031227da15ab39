//! CSRF protection. A signed-in browser's token is bound to its session: it is derived from
//! the session cookie's secret ([`session_token`]), so a token from one session is refused
//! in another and a new one comes with every sign-in. A visitor without a session (the
//! sign-in and setup forms) gets a random token in an HttpOnly, SameSite=Strict cookie
//! (`Secure` when the public URL is https), checked by double submit. Every form carries the
//! token in a hidden field; [`CsrfForm`] refuses a form whose field does not match, and any
//! body that is not `application/x-www-form-urlencoded`.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::auth::SESSION_COOKIE;
use crate::error::AppError;
use crate::state::AppState;
use crate::templates::VISITOR_CSRF;

const COOKIE_NAME: &str = "escapement_csrf";
/// Name of the hidden form field.
pub const FIELD: &str = "csrf_token";

/// The visitor's CSRF token, for rendering into forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

fn cookie_token(headers: &axum::http::HeaderMap) -> Option<String> {
    crate::auth::cookie_value(headers, COOKIE_NAME)
        .filter(|value| is_token(value))
        .map(str::to_owned)
}

/// The CSRF token of the session whose cookie holds `secret`: a SHA-256 of the secret under
/// a label of its own (so it is neither the cookie nor the stored session id).
pub fn session_token(secret: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"escapement csrf token\0");
    hash.update(secret.as_bytes());
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The token a form of this request must carry: the session's, when it has a session
/// cookie; else the visitor's cookie token.
fn expected_token(headers: &axum::http::HeaderMap) -> Option<String> {
    match crate::auth::cookie_value(headers, SESSION_COOKIE) {
        Some(secret) => Some(session_token(secret)),
        None => cookie_token(headers),
    }
}

fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Middleware: makes sure every request has a token (its session's, or the visitor cookie's)
/// and every visitor the cookie, and makes the token known to page rendering (error pages).
pub async fn ensure_token(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let existing = cookie_token(request.headers());
    let visitor = existing.clone().unwrap_or_else(new_token);
    let token = match crate::auth::cookie_value(request.headers(), SESSION_COOKIE) {
        Some(secret) => session_token(secret),
        None => visitor.clone(),
    };
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = VISITOR_CSRF.scope(token, next.run(request)).await;
    if existing.is_none() {
        let secure = if state.secure_cookies { "; Secure" } else { "" };
        let cookie = format!("{COOKIE_NAME}={visitor}; Path=/; HttpOnly; SameSite=Strict{secure}");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("CSRF middleware is not installed")))
    }
}

/// Compares without an early exit, so timing does not reveal how much of a guess matched.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A URL-encoded form whose CSRF field matches the visitor's cookie, deserialised into `T`.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !is_form {
            return Err(AppError::UnsupportedForm);
        }
        let expected = expected_token(request.headers());
        let body = Bytes::from_request(request, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest(format!("The form could not be read: {e}"))
            }
        })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))?;
        let submitted = pairs
            .iter()
            .find(|(name, _)| name == FIELD)
            .map(|(_, v)| v.as_str());
        match (expected, submitted) {
            (Some(expected), Some(submitted)) if same(&expected, submitted) => {}
            _ => {
                return Err(AppError::Forbidden(
                    "This form has expired or did not come from Escapement. Go back, reload the page and submit it again.".to_owned(),
                ));
            }
        }
        crate::extract::check_urlencoded(&body)?;
        // serde_html_form reads repeated fields (checkbox groups) into lists.
        serde_html_form::from_bytes(&body)
            .map(CsrfForm)
            .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))
    }
}

/// A form that may carry a file (`multipart/form-data`, as a file input makes a browser
/// send it), checked like [`CsrfForm`]: its CSRF field must match, its text fields must be
/// text. A URL-encoded form is taken too, as a form whose file was left out.
#[derive(Debug, Default)]
pub struct CsrfUpload {
    /// The text fields by name (the last value of a repeated one).
    pub fields: std::collections::HashMap<String, String>,
    /// The file field's file name and bytes, when a file was chosen.
    pub file: Option<(String, Vec<u8>)>,
}

impl CsrfUpload {
    /// The text field `name`, or empty.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

fn refused() -> AppError {
    AppError::Forbidden(
        "This form has expired or did not come from Escapement. Go back, reload the page and submit it again.".to_owned(),
    )
}

fn checked_text(name: &str, value: &str) -> Result<(), AppError> {
    if escapement_core::form::has_control_character(value) {
        return Err(AppError::InvalidInput(format!(
            "{} must not contain control characters (such as NUL). Remove them and try again.",
            escapement_core::form::field_label(name)
        )));
    }
    Ok(())
}

impl<S: Send + Sync> FromRequest<S> for CsrfUpload {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if content_type == "application/x-www-form-urlencoded" {
            let CsrfForm(fields) =
                CsrfForm::<std::collections::HashMap<String, String>>::from_request(request, state)
                    .await?;
            return Ok(CsrfUpload { fields, file: None });
        }
        if content_type != "multipart/form-data" {
            return Err(AppError::UnsupportedForm);
        }
        let expected = expected_token(request.headers());
        let too_large = |e: &axum::extract::multipart::MultipartError| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::FileTooLarge
            } else {
                AppError::BadRequest(format!("The form could not be read: {e}"))
            }
        };
        let mut multipart = axum::extract::Multipart::from_request(request, state)
            .await
            .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))?;
        let mut upload = CsrfUpload::default();
        while let Some(field) = multipart.next_field().await.map_err(|e| too_large(&e))? {
            let name = field.name().unwrap_or_default().to_owned();
            if let Some(file_name) = field.file_name().map(str::to_owned) {
                let bytes = field.bytes().await.map_err(|e| too_large(&e))?;
                if !file_name.is_empty() || !bytes.is_empty() {
                    upload.file = Some((file_name, bytes.to_vec()));
                }
                continue;
            }
            let text = field.text().await.map_err(|e| too_large(&e))?;
            checked_text(&name, &text)?;
            upload.fields.insert(name, text);
        }
        match (expected, upload.fields.get(FIELD)) {
            (Some(expected), Some(submitted)) if same(&expected, submitted) => Ok(upload),
            _ => Err(refused()),
        }
    }
}
