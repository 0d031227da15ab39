//! Session expiry: idle and absolute limits, and their edges.

use super::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};

/// Login time in every test: 2024-06-01 09:00 UTC.
fn created() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 9, 0, 0).unwrap()
}

fn hours(h: i64) -> TimeDelta {
    TimeDelta::hours(h)
}

#[test]
fn the_default_policy_is_8_hours_idle_and_14_days_absolute() {
    let policy = SessionPolicy::default();
    assert_eq!(policy.idle, hours(8));
    assert_eq!(policy.absolute, TimeDelta::days(14));
}

#[test]
fn a_fresh_session_expires_after_the_idle_time() {
    let policy = SessionPolicy::default();
    let c = created();
    assert_eq!(
        policy.state(c, c, c),
        SessionState::Active {
            expires_at: c + hours(8)
        }
    );
}

#[test]
fn a_session_is_active_until_the_last_instant_before_the_idle_limit() {
    let policy = SessionPolicy::default();
    let c = created();
    let last_moment = c + hours(8) - TimeDelta::nanoseconds(1);
    assert!(policy.state(c, c, last_moment).is_active());
    assert_eq!(policy.state(c, c, c + hours(8)), SessionState::Expired);
    assert!(!policy.state(c, c, c + hours(9)).is_active());
}

#[test]
fn being_seen_moves_the_idle_limit_forward() {
    let policy = SessionPolicy::default();
    let c = created();
    let seen = c + hours(7);
    assert_eq!(
        policy.state(c, seen, c + hours(10)),
        SessionState::Active {
            expires_at: seen + hours(8)
        }
    );
}

#[test]
fn a_busy_session_still_ends_at_the_absolute_limit() {
    let policy = SessionPolicy::default();
    let c = created();
    let end = c + TimeDelta::days(14);
    let seen = end - hours(1);
    assert_eq!(
        policy.state(c, seen, seen),
        SessionState::Active { expires_at: end }
    );
    assert_eq!(policy.state(c, end, end), SessionState::Expired);
    assert_eq!(policy.expires_at(c, end + hours(3)), end);
}

#[test]
fn huge_policies_saturate_instead_of_overflowing() {
    let policy = SessionPolicy {
        idle: TimeDelta::MAX,
        absolute: TimeDelta::MAX,
    };
    let c = created();
    assert_eq!(
        policy.state(c, c, c + TimeDelta::days(365 * 1000)),
        SessionState::Active {
            expires_at: DateTime::<Utc>::MAX_UTC
        }
    );
    let negative = SessionPolicy {
        idle: TimeDelta::MIN,
        absolute: TimeDelta::MIN,
    };
    assert_eq!(negative.state(c, c, c), SessionState::Expired);
}

#[test]
fn session_states_serialize_with_a_state_tag() {
    let c = created();
    let json = serde_json::to_string(&SessionState::Active { expires_at: c }).unwrap();
    assert_eq!(
        json,
        r#"{"state":"active","expires_at":"2024-06-01T09:00:00Z"}"#
    );
    assert_eq!(
        serde_json::to_string(&SessionState::Expired).unwrap(),
        r#"{"state":"expired"}"#
    );
}
