//! Single-field rules of the defect form, each recording at most one message.

use chrono::{DateTime, Utc};

use super::{EXTERNAL_KEY_MAX_LEN, INCIDENT_LINK_MAX_LEN, REOPENED_MAX, ValidationErrors};
use crate::form::{char_len, parse_datetime};
use crate::taxonomy::Keyed;

/// A keyed value: `empty` when blank, `unknown` when no value has that key.
pub(crate) fn keyed<T: Keyed>(
    e: &mut ValidationErrors,
    field: &'static str,
    text: &str,
    empty: &str,
    unknown: &str,
) -> Option<T> {
    let text = text.trim();
    if text.is_empty() {
        e.push(field, empty);
        return None;
    }
    let value = T::from_key(text);
    if value.is_none() {
        e.push(field, unknown);
    }
    value
}

/// An optional date: blank is `None`; anything unreadable records an error naming `what`.
pub(super) fn optional_date(
    e: &mut ValidationErrors,
    field: &'static str,
    text: &str,
    what: &str,
) -> Option<DateTime<Utc>> {
    if text.trim().is_empty() {
        return None;
    }
    let parsed = parse_datetime(text);
    if parsed.is_none() {
        e.push(
            field,
            format!("{what} must be a real date, like 2024-03-15 or 2024-03-15T14:30"),
        );
    }
    parsed
}

/// The reopened count: blank is 0; otherwise a whole number 0..=1000.
pub(super) fn reopened(e: &mut ValidationErrors, text: &str) -> u32 {
    let text = text.trim();
    if text.is_empty() {
        return 0;
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        e.push(
            "reopened_count",
            "Reopened count must be a whole number, like 0 or 2",
        );
        return 0;
    }
    match text.parse::<u32>() {
        Ok(n) if n <= REOPENED_MAX => n,
        _ => {
            e.push(
                "reopened_count",
                "Reopened count must be between 0 and 1,000",
            );
            0
        }
    }
}

/// An optional ticket key: trimmed, at most 64 characters, no whitespace.
pub(super) fn external_key(e: &mut ValidationErrors, text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        None
    } else if char_len(text) > EXTERNAL_KEY_MAX_LEN {
        e.push(
            "external_key",
            "External key must be 64 characters or fewer",
        );
        None
    } else if text.chars().any(char::is_whitespace) {
        e.push("external_key", "External key must not contain spaces");
        None
    } else {
        Some(text.to_owned())
    }
}

/// An optional link: trimmed, at most 2000 characters, `http(s)://` and more, no whitespace.
pub(crate) fn incident_link(e: &mut ValidationErrors, text: &str) -> Option<String> {
    let text = text.trim();
    let after_scheme = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    if text.is_empty() {
        None
    } else if char_len(text) > INCIDENT_LINK_MAX_LEN {
        e.push(
            "incident_link",
            "Incident link must be 2,000 characters or fewer",
        );
        None
    } else if after_scheme.is_none_or(str::is_empty) {
        e.push(
            "incident_link",
            "Incident link must be a web address starting with http:// or https://",
        );
        None
    } else if text.chars().any(char::is_whitespace) {
        e.push("incident_link", "Incident link must not contain spaces");
        None
    } else {
        Some(text.to_owned())
    }
}
