//! Extractors that turn malformed input into an [`AppError`] page instead of a bare
//! plain-text rejection.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use escapement_core::form::{field_label, has_control_character};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::AppError;

/// An id from the path; anything that is not a UUID is simply not found.
#[derive(Debug, Clone, Copy)]
pub struct IdPath(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        Uuid::parse_str(&raw)
            .map(IdPath)
            .map_err(|_| AppError::NotFound)
    }
}

/// One `name=value` part of a URL-encoded form or query, decoded to bytes (`+` is a space,
/// `%XX` a byte; a `%` not followed by two hex digits stays as it is, as browsers send it).
fn decode_component(raw: &[u8]) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let high = raw.get(i + 1).copied().and_then(hex);
                let low = raw.get(i + 2).copied().and_then(hex);
                if let (Some(high), Some(low)) = (high, low) {
                    out.push(high * 16 + low);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Checks every name and value of a URL-encoded form body or query string before any form
/// reads it: text that is not UTF-8, or holds NUL or another control character, is refused
/// with a 422 naming the field, the same on both databases (PostgreSQL cannot store NUL, and
/// decoding would otherwise replace invalid bytes silently). This is the one place every
/// form ([`crate::csrf::CsrfForm`]) and query ([`QueryParams`]) passes.
pub fn check_urlencoded(raw: &[u8]) -> Result<(), AppError> {
    for part in raw.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match part.iter().position(|b| *b == b'=') {
            Some(at) => (&part[..at], &part[at + 1..]),
            None => (part, &[][..]),
        };
        let Ok(name) = String::from_utf8(decode_component(name)) else {
            return Err(AppError::InvalidInput(
                "A field name is not valid text (UTF-8). Submit the form again from the page."
                    .to_owned(),
            ));
        };
        let label = field_label(&name);
        if has_control_character(&name) {
            return Err(AppError::InvalidInput(
                "A field name must not contain control characters. Submit the form again from the page.".to_owned(),
            ));
        }
        match String::from_utf8(decode_component(value)) {
            Err(_) => {
                return Err(AppError::InvalidInput(format!(
                    "{label} is not valid text (UTF-8). Retype it and try again."
                )));
            }
            Ok(text) if has_control_character(&text) => {
                return Err(AppError::InvalidInput(format!(
                    "{label} must not contain control characters (such as NUL). Remove them and try again."
                )));
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// A query string deserialised into `T`; a malformed one is a 400 page naming the problem,
/// and one with a control character or invalid UTF-8 a 422 naming the parameter
/// ([`check_urlencoded`]).
#[derive(Debug, Clone, Default)]
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        check_urlencoded(parts.uri.query().unwrap_or_default().as_bytes())?;
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| QueryParams(value))
            .map_err(|e| {
                AppError::BadRequest(format!("The address has a query the page cannot read: {e}"))
            })
    }
}

/// Two ids from the path, in the order the pattern names them; anything that is not a pair
/// of UUIDs is simply not found.
#[derive(Debug, Clone, Copy)]
pub struct IdPair(pub Uuid, pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPair {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((first, second)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        match (Uuid::parse_str(&first), Uuid::parse_str(&second)) {
            (Ok(first), Ok(second)) => Ok(IdPair(first, second)),
            _ => Err(AppError::NotFound),
        }
    }
}

/// A whole number from the path (a version); anything else is a 400 page, since no page
/// could ever live at that address.
#[derive(Debug, Clone, Copy)]
pub struct NumberPath(pub i32);

impl<S: Send + Sync> FromRequestParts<S> for NumberPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let not_a_number = || {
            AppError::BadRequest(
                "The address names no number where a whole number, such as 1 or 2, belongs."
                    .to_owned(),
            )
        };
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_a_number())?;
        raw.trim()
            .parse()
            .map(NumberPath)
            .map_err(|_| not_a_number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str) -> Option<String> {
        match check_urlencoded(raw.as_bytes()) {
            Ok(()) => None,
            Err(AppError::InvalidInput(message)) => Some(message),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn ordinary_forms_pass() {
        assert_eq!(
            refused("title=Login+fails&summary=two%0D%0Alines&x=100%"),
            None
        );
        assert_eq!(refused("q=%C3%BC&&flag"), None);
    }

    #[test]
    fn nul_and_invalid_utf8_name_the_field() {
        let nul = refused("team_id=1&incident_date=a%00b").expect("refused");
        assert!(
            nul.starts_with("Incident date must not contain control characters"),
            "{nul}"
        );
        let bad = refused("q=%FF").expect("refused");
        assert!(bad.starts_with("Search text is not valid text"), "{bad}");
        assert!(refused("a%00=1").is_some());
    }
}
