//! When a stored session stops being valid: after an idle gap or at an absolute age.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

/// How long a session lives: `idle` after it was last seen, and never beyond `absolute` after
/// it was created. Default: 8 hours idle, 14 days absolute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// How long a session survives without a request.
    pub idle: TimeDelta,
    /// How long a session survives at most, however busy.
    pub absolute: TimeDelta,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: TimeDelta::hours(8),
            absolute: TimeDelta::days(14),
        }
    }
}

/// Whether a session may still be used at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum SessionState {
    /// Usable until (not including) `expires_at`.
    Active { expires_at: DateTime<Utc> },
    /// No longer usable; the caller deletes it and asks the user to log in again.
    Expired,
}

impl SessionState {
    /// True for [`SessionState::Active`].
    #[must_use]
    pub const fn is_active(self) -> bool {
        matches!(self, SessionState::Active { .. })
    }
}

impl SessionPolicy {
    /// The instant a session expires: the earlier of `last_seen_at + idle` and
    /// `created_at + absolute`. Never later than `created_at + absolute`, so touching a session
    /// cannot extend its life past the absolute limit. Saturates instead of overflowing.
    #[must_use]
    pub fn expires_at(
        &self,
        created_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
    ) -> DateTime<Utc> {
        let idle_end = saturating_add(last_seen_at, self.idle);
        let absolute_end = saturating_add(created_at, self.absolute);
        idle_end.min(absolute_end)
    }

    /// The session's state at `now`: `Active` strictly before [`SessionPolicy::expires_at`],
    /// `Expired` from that instant on.
    #[must_use]
    pub fn state(
        &self,
        created_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> SessionState {
        let expires_at = self.expires_at(created_at, last_seen_at);
        if now < expires_at {
            SessionState::Active { expires_at }
        } else {
            SessionState::Expired
        }
    }
}

/// `at + delta`, clamped to the representable range instead of overflowing.
fn saturating_add(at: DateTime<Utc>, delta: TimeDelta) -> DateTime<Utc> {
    at.checked_add_signed(delta)
        .unwrap_or(if delta < TimeDelta::zero() {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
}
