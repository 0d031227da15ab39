//! The account and login forms: raw input whose passwords never appear in `Debug` output.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::identity::{DisplayName, Email};
use super::password::PasswordPolicy;
use crate::errors::ValidationErrors;

/// What `Debug` prints in place of a password.
const REDACTED: &str = "<redacted>";

/// Raw new-account form input, every field exactly as typed.
///
/// `Debug` prints `<redacted>` for both passwords, and the type is deliberately not
/// `Serialize`, so a password cannot reach a log line or a re-rendered form by accident.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct UserDraft {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub password_confirmation: String,
}

/// A validated new account: the password has passed the policy and is hashed by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewUser {
    pub email: Email,
    pub display_name: DisplayName,
}

impl UserDraft {
    /// Checks the form against the default [`PasswordPolicy`]; see [`UserDraft::validate_with`].
    pub fn validate(&self) -> Result<NewUser, ValidationErrors> {
        self.validate_with(&PasswordPolicy::default())
    }

    /// Checks every field in form order (`email`, `display_name`, `password`,
    /// `password_confirmation`), reporting every problem, at most one per field.
    ///
    /// The confirmation must equal the password exactly; a missing confirmation is reported
    /// only when a password was entered.
    pub fn validate_with(&self, policy: &PasswordPolicy) -> Result<NewUser, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let email = Email::parse(&self.email)
            .map_err(|err| e.push("email", err.to_string()))
            .ok();
        let display_name = DisplayName::parse(&self.display_name)
            .map_err(|err| e.push("display_name", err.to_string()))
            .ok();
        if let Err(err) = policy.check(&self.password, email.as_ref()) {
            e.push("password", err.to_string());
        }
        if self.password_confirmation.is_empty() {
            if !self.password.is_empty() {
                e.push("password_confirmation", "Confirm your password");
            }
        } else if self.password_confirmation != self.password {
            e.push("password_confirmation", "Passwords do not match");
        }
        match (email, display_name) {
            (Some(email), Some(display_name)) if e.is_empty() => Ok(NewUser {
                email,
                display_name,
            }),
            _ => Err(e),
        }
    }
}

impl fmt::Debug for UserDraft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserDraft")
            .field("email", &self.email)
            .field("display_name", &self.display_name)
            .field("password", &REDACTED)
            .field("password_confirmation", &REDACTED)
            .finish()
    }
}

/// A new password as typed twice (an administrator's reset or a user's own change).
/// `Debug` prints `<redacted>` for both, and the type is deliberately not `Serialize`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PasswordDraft {
    pub password: String,
    pub password_confirmation: String,
}

impl PasswordDraft {
    /// Checks the password against `policy` (and the account's `email`) and that the
    /// confirmation equals it exactly; at most one message per field.
    pub fn validate_with(
        &self,
        policy: &PasswordPolicy,
        email: Option<&Email>,
    ) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if let Err(err) = policy.check(&self.password, email) {
            e.push("password", err.to_string());
        }
        if self.password_confirmation.is_empty() {
            if !self.password.is_empty() {
                e.push("password_confirmation", "Confirm the new password");
            }
        } else if self.password_confirmation != self.password {
            e.push("password_confirmation", "Passwords do not match");
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

impl fmt::Debug for PasswordDraft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordDraft")
            .field("password", &REDACTED)
            .field("password_confirmation", &REDACTED)
            .finish()
    }
}

/// Raw login form input, exactly as typed. `Debug` prints `<redacted>` for the password, and
/// the type is deliberately not `Serialize`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct LoginDraft {
    pub email: String,
    pub password: String,
}

impl LoginDraft {
    /// Checks the form with the default [`PasswordPolicy`]; see [`LoginDraft::validate_with`].
    pub fn validate(&self) -> Result<Email, ValidationErrors> {
        self.validate_with(&PasswordPolicy::default())
    }

    /// The account to look up, when the email parses and a password of at most the policy's
    /// maximum length was entered (so an over-long password never reaches hashing).
    ///
    /// Says nothing about whether the account exists or the password is right: the caller
    /// verifies the password against the stored hash.
    pub fn validate_with(&self, policy: &PasswordPolicy) -> Result<Email, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let email = Email::parse(&self.email)
            .map_err(|err| e.push("email", err.to_string()))
            .ok();
        if self.password.is_empty() {
            e.push("password", "Enter your password");
        } else if let Err(err) = policy.check_length_for_login(&self.password) {
            e.push("password", err.to_string());
        }
        match email {
            Some(email) if e.is_empty() => Ok(email),
            _ => Err(e),
        }
    }
}

impl fmt::Debug for LoginDraft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginDraft")
            .field("email", &self.email)
            .field("password", &REDACTED)
            .finish()
    }
}
