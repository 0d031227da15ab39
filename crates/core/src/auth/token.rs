//! API token shapes: the name a user gives a token, and what a presented token must look like.
//! Generating secrets and hashing them happen outside core.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::identity::{TextProblem, bounded_text};

/// Every API token starts with this, so leaked tokens are easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "esc_";
/// The characters after the prefix: 32 random bytes in unpadded URL-safe base64.
pub const TOKEN_BODY_LEN: usize = 43;
/// The longest token name accepted, in characters, after trimming.
pub const TOKEN_NAME_MAX_LEN: usize = 80;

/// The prefix every API token starts with: `"esc_"`.
#[must_use]
pub const fn token_prefix() -> &'static str {
    TOKEN_PREFIX
}

/// True when `s` has the exact shape of an API token: `esc_` followed by exactly 43 characters
/// of `A-Z`, `a-z`, `0-9`, `_` or `-`. No trimming; says nothing about whether the token exists.
#[must_use]
pub fn looks_like_token(s: &str) -> bool {
    s.strip_prefix(TOKEN_PREFIX).is_some_and(|body| {
        body.len() == TOKEN_BODY_LEN
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

/// The name a user gives an API token, to tell their tokens apart.
///
/// Guarantees: trimmed, 1..=80 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TokenName(String);

/// Why some text is not a token name; the message suits the `name` form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TokenNameError {
    #[error("Enter a token name")]
    Empty,
    #[error("Token name must be 80 characters or fewer")]
    TooLong,
    #[error("Token name must not include tabs, line breaks or other control characters")]
    ControlCharacter,
}

impl TokenName {
    /// Trims and checks `text` (see the type's guarantees).
    pub fn parse(text: &str) -> Result<TokenName, TokenNameError> {
        match bounded_text(text, TOKEN_NAME_MAX_LEN) {
            Ok(text) => Ok(TokenName(text.to_owned())),
            Err(TextProblem::Empty) => Err(TokenNameError::Empty),
            Err(TextProblem::TooLong) => Err(TokenNameError::TooLong),
            Err(TextProblem::ControlCharacter) => Err(TokenNameError::ControlCharacter),
        }
    }

    /// The name, trimmed.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TokenName {
    type Error = TokenNameError;
    fn try_from(text: String) -> Result<TokenName, TokenNameError> {
        TokenName::parse(&text)
    }
}

impl From<TokenName> for String {
    fn from(name: TokenName) -> String {
        name.0
    }
}

impl AsRef<str> for TokenName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
