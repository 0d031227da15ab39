//! Property tests: sessions never outlive their absolute limit; throttling only ever tightens.
#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;

/// Instants within a few years of 2024, to the second.
fn instants() -> impl Strategy<Value = DateTime<Utc>> {
    (1_600_000_000_i64..1_900_000_000).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

/// Session policies with non-negative limits up to a year.
fn session_policies() -> impl Strategy<Value = SessionPolicy> {
    (0_i64..31_536_000, 0_i64..31_536_000).prop_map(|(idle, absolute)| SessionPolicy {
        idle: TimeDelta::seconds(idle),
        absolute: TimeDelta::seconds(absolute),
    })
}

/// Throttle policies with sane, non-negative durations.
fn throttle_policies() -> impl Strategy<Value = ThrottlePolicy> {
    (
        1_i64..86_400,
        0_u32..50,
        0_u32..200,
        0_i64..10_000,
        0_i64..100_000,
    )
        .prop_map(|(window, free, max, base_ms, max_ms)| ThrottlePolicy {
            window: TimeDelta::seconds(window),
            free_failures: free,
            max_failures: max,
            base_delay: TimeDelta::milliseconds(base_ms),
            max_delay: TimeDelta::milliseconds(max_ms),
        })
}

fn decisions() -> impl Strategy<Value = ThrottleDecision> {
    prop_oneof![
        Just(ThrottleDecision::Allow),
        (0_i64..100_000).prop_map(|ms| ThrottleDecision::Delay(TimeDelta::milliseconds(ms))),
        (0_i64..100_000).prop_map(|s| ThrottleDecision::Refuse {
            retry_after: TimeDelta::seconds(s)
        }),
    ]
}

proptest! {
    #[test]
    fn a_session_is_never_active_at_or_after_created_plus_absolute(
        policy in session_policies(),
        created in instants(),
        seen_after in 0_i64..63_072_000,
        now_after in 0_i64..63_072_000,
    ) {
        let last_seen = created + TimeDelta::seconds(seen_after);
        let now = created + TimeDelta::seconds(now_after);
        let limit = created + policy.absolute;
        match policy.state(created, last_seen, now) {
            SessionState::Active { expires_at } => {
                prop_assert!(now < limit);
                prop_assert!(now < expires_at);
                prop_assert!(expires_at <= limit);
                prop_assert!(expires_at <= last_seen + policy.idle);
            }
            SessionState::Expired => {
                prop_assert!(now >= limit || now >= last_seen + policy.idle);
            }
        }
    }

    #[test]
    fn touching_a_session_never_extends_it_beyond_created_plus_absolute(
        policy in session_policies(),
        created in instants(),
        touches in prop::collection::vec(0_i64..86_400, 0..50),
    ) {
        let limit = created + policy.absolute;
        let mut last_seen = created;
        for gap in touches {
            let now = last_seen + TimeDelta::seconds(gap);
            match policy.state(created, last_seen, now) {
                SessionState::Active { expires_at } => {
                    prop_assert!(expires_at <= limit);
                    // The request is served, so the session is touched: last_seen = now.
                    last_seen = now;
                    prop_assert!(policy.expires_at(created, last_seen) <= limit);
                }
                SessionState::Expired => break,
            }
        }
    }

    #[test]
    fn throttle_decisions_never_get_milder_as_failures_grow(
        policy in throttle_policies(),
        a in 0_u32..300,
        b in 0_u32..300,
    ) {
        let (fewer, more) = (a.min(b), a.max(b));
        prop_assert!(policy.decide(fewer) <= policy.decide(more));
    }

    #[test]
    fn a_throttle_delay_never_exceeds_the_maximum_nor_goes_below_zero(
        policy in throttle_policies(),
        failures in any::<u32>(),
    ) {
        if let ThrottleDecision::Delay(d) = policy.decide(failures) {
            prop_assert!(d <= policy.max_delay);
            prop_assert!(d >= TimeDelta::zero());
            prop_assert!(failures > policy.free_failures && failures < policy.max_failures);
        }
    }

    #[test]
    fn throttling_refuses_exactly_from_max_failures_on(
        policy in throttle_policies(),
        failures in 0_u32..300,
    ) {
        let refused = matches!(policy.decide(failures), ThrottleDecision::Refuse { .. });
        prop_assert_eq!(refused, failures >= policy.max_failures);
    }

    #[test]
    fn stricter_is_commutative_and_never_milder_than_either_side(
        a in decisions(),
        b in decisions(),
    ) {
        let s = a.stricter(b);
        prop_assert_eq!(s, b.stricter(a));
        prop_assert!(s >= a && s >= b);
        prop_assert!(s == a || s == b);
    }

    #[test]
    fn the_stricter_of_two_counts_is_the_decision_for_the_larger_count(
        policy in throttle_policies(),
        per_account in 0_u32..300,
        per_address in 0_u32..300,
    ) {
        let combined = policy.decide(per_account).stricter(policy.decide(per_address));
        prop_assert_eq!(combined, policy.decide(per_account.max(per_address)));
    }

    #[test]
    fn any_email_that_parses_is_normalised_and_parses_to_itself(text in "\\PC{0,40}") {
        if let Ok(email) = Email::parse(&text) {
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email.clone());
            prop_assert_eq!(email.as_str(), email.as_str().to_lowercase());
            prop_assert!(!email.local_part().is_empty());
            prop_assert!(email.domain().contains('.'));
        }
    }

    #[test]
    fn well_formed_addresses_always_parse(
        local in "[a-zA-Z0-9._%+-]{1,30}",
        labels in prop::collection::vec("[a-zA-Z0-9-]{1,10}", 2..4),
    ) {
        let text = format!("{local}@{}", labels.join("."));
        let email = Email::parse(&text).unwrap();
        prop_assert_eq!(email.as_str(), text.to_lowercase());
    }

    #[test]
    fn token_shapes_are_recognised_exactly(body in "[A-Za-z0-9_-]{40,46}") {
        prop_assert_eq!(
            looks_like_token(&format!("esc_{body}")),
            body.len() == TOKEN_BODY_LEN
        );
    }
}
