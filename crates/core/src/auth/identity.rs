//! Who a user is: a normalised email address and a display name, each valid once it exists.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::form::char_len;

/// The longest email address accepted, in characters, after trimming.
pub const EMAIL_MAX_LEN: usize = 254;
/// The longest display name accepted, in characters, after trimming.
pub const DISPLAY_NAME_MAX_LEN: usize = 100;

/// An email address as accounts are keyed by: trimmed and lowercased.
///
/// Guarantees: at most 254 characters; no whitespace or control characters; exactly one `@`
/// with a non-empty local part before it and, after it, a domain of at least two non-empty
/// dot-separated labels. Two addresses that differ only in case or surrounding spaces parse to
/// equal values.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why some text is not an email address; the message suits the `email` form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum EmailError {
    #[error("Enter an email address")]
    Empty,
    #[error("Email address must be 254 characters or fewer")]
    TooLong,
    #[error("Enter an email address in the correct format, like name@example.com")]
    Format,
}

impl Email {
    /// Trims, lowercases and checks `text` (see the type's guarantees).
    pub fn parse(text: &str) -> Result<Email, EmailError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(EmailError::Empty);
        }
        if char_len(text) > EMAIL_MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let lower = text.to_lowercase();
        // Lowercasing can change the length of a few non-ASCII letters; the limit holds after.
        if char_len(&lower) > EMAIL_MAX_LEN {
            return Err(EmailError::TooLong);
        }
        if lower.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::Format);
        }
        let Some((local, domain)) = lower.split_once('@') else {
            return Err(EmailError::Format);
        };
        let domain_ok = domain.contains('.') && domain.split('.').all(|label| !label.is_empty());
        if local.is_empty() || domain.contains('@') || !domain_ok {
            return Err(EmailError::Format);
        }
        Ok(Email(lower))
    }

    /// The whole address, lowercased.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`, never empty.
    #[must_use]
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or("", |(local, _)| local)
    }

    /// The part after the `@`, never empty.
    #[must_use]
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(text: String) -> Result<Email, EmailError> {
        Email::parse(&text)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name shown beside a user's edits.
///
/// Guarantees: trimmed, 1..=100 characters, no control characters (tabs, line breaks, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

/// Why some text is not a display name; the message suits the `display_name` form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DisplayNameError {
    #[error("Enter a display name")]
    Empty,
    #[error("Display name must be 100 characters or fewer")]
    TooLong,
    #[error("Display name must not include tabs, line breaks or other control characters")]
    ControlCharacter,
}

impl DisplayName {
    /// Trims and checks `text` (see the type's guarantees).
    pub fn parse(text: &str) -> Result<DisplayName, DisplayNameError> {
        match bounded_text(text, DISPLAY_NAME_MAX_LEN) {
            Ok(text) => Ok(DisplayName(text.to_owned())),
            Err(TextProblem::Empty) => Err(DisplayNameError::Empty),
            Err(TextProblem::TooLong) => Err(DisplayNameError::TooLong),
            Err(TextProblem::ControlCharacter) => Err(DisplayNameError::ControlCharacter),
        }
    }

    /// The name, trimmed.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = DisplayNameError;
    fn try_from(text: String) -> Result<DisplayName, DisplayNameError> {
        DisplayName::parse(&text)
    }
}

impl From<DisplayName> for String {
    fn from(name: DisplayName) -> String {
        name.0
    }
}

impl AsRef<str> for DisplayName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What is wrong with a short, single-line name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextProblem {
    Empty,
    TooLong,
    ControlCharacter,
}

/// `text` trimmed, when it is 1..=`max` characters with no control characters.
pub(super) fn bounded_text(text: &str, max: usize) -> Result<&str, TextProblem> {
    let text = text.trim();
    if text.is_empty() {
        Err(TextProblem::Empty)
    } else if char_len(text) > max {
        Err(TextProblem::TooLong)
    } else if text.chars().any(char::is_control) {
        Err(TextProblem::ControlCharacter)
    } else {
        Ok(text)
    }
}
