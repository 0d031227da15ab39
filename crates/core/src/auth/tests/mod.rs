//! Auth rules: one test per rule, per message and per boundary.
#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;
use crate::taxonomy::tests::keys_after_checking;

mod drafts;
mod identity;
mod login;
mod roles;
mod session;
mod throttle;
mod tokens_and_audit;
