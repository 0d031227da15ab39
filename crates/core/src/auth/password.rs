//! The rules a new password must meet before it is hashed (hashing happens outside core).

use thiserror::Error;

use super::identity::Email;
use crate::form::char_len;

/// The rules a new password must meet, by length in characters (not bytes).
///
/// Passwords are checked exactly as typed: never trimmed or otherwise altered. The upper limit
/// keeps the cost of hashing bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// The fewest characters accepted (default 12).
    pub min_len: usize,
    /// The most characters accepted (default 1,024).
    pub max_len: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_len: 12,
            max_len: 1024,
        }
    }
}

/// Why a password was refused; the message suits the `password` form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PasswordError {
    #[error("Enter a password")]
    Empty,
    #[error("Password must be {} characters or more", grouped(*.min))]
    TooShort { min: usize },
    #[error("Password must be {} characters or fewer", grouped(*.max))]
    TooLong { max: usize },
    #[error("Password must include characters other than spaces")]
    OnlyWhitespace,
    #[error("Password must not be your email address")]
    SameAsEmail,
    #[error("Password must not be the part of your email address before the @")]
    SameAsEmailLocalPart,
}

impl PasswordPolicy {
    /// Checks `password` and reports the first rule it breaks: presence, length, not only
    /// whitespace, then (when the address is known) not the email address or its local part,
    /// compared ignoring case and surrounding whitespace.
    pub fn check(&self, password: &str, email: Option<&Email>) -> Result<(), PasswordError> {
        let len = char_len(password);
        if len == 0 {
            return Err(PasswordError::Empty);
        }
        if len < self.min_len {
            return Err(PasswordError::TooShort { min: self.min_len });
        }
        if len > self.max_len {
            return Err(PasswordError::TooLong { max: self.max_len });
        }
        if password.trim().is_empty() {
            return Err(PasswordError::OnlyWhitespace);
        }
        if let Some(email) = email {
            let folded = password.trim().to_lowercase();
            if folded == email.as_str() {
                return Err(PasswordError::SameAsEmail);
            }
            if folded == email.local_part() {
                return Err(PasswordError::SameAsEmailLocalPart);
            }
        }
        Ok(())
    }

    /// Checks only the upper length limit: what a login form may pass on to hashing.
    pub fn check_length_for_login(&self, password: &str) -> Result<(), PasswordError> {
        if char_len(password) > self.max_len {
            Err(PasswordError::TooLong { max: self.max_len })
        } else {
            Ok(())
        }
    }
}

/// `n` with thousands separated by commas, as GOV.UK writes numbers: 1024 → "1,024".
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn numbers_are_grouped_in_threes_with_commas() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(12), "12");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1024), "1,024");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
