//! Who may do what: roles and access, account and login forms, sessions, throttling, audit events
//! and API token shapes. Pure: hashing, token generation, clocks and storage live outside core.
//!
//! Users exist for access and for attributing edits; nothing here ranks or counts people.

mod audit;
mod drafts;
mod identity;
mod password;
mod role;
mod session;
mod throttle;
mod token;

pub use audit::AuditEvent;
pub use drafts::{LoginDraft, NewUser, PasswordDraft, UserDraft};
pub use identity::{
    DISPLAY_NAME_MAX_LEN, DisplayName, DisplayNameError, EMAIL_MAX_LEN, Email, EmailError,
};
pub use password::{PasswordError, PasswordPolicy};
pub use role::{Access, Permission, Role};
pub use session::{SessionPolicy, SessionState};
pub use throttle::{ThrottleDecision, ThrottlePolicy};
pub use token::{
    TOKEN_BODY_LEN, TOKEN_NAME_MAX_LEN, TOKEN_PREFIX, TokenName, TokenNameError, looks_like_token,
    token_prefix,
};

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
