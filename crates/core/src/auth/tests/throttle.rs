//! Login throttling: the default ladder, its boundaries, combining decisions, and messages.

use super::*;
use chrono::TimeDelta;

fn secs(s: i64) -> TimeDelta {
    TimeDelta::seconds(s)
}

#[test]
fn the_default_policy_matches_the_issue() {
    let p = ThrottlePolicy::default();
    assert_eq!(p.window, TimeDelta::minutes(15));
    assert_eq!(p.free_failures, 5);
    assert_eq!(p.max_failures, 20);
    assert_eq!(p.base_delay, secs(1));
    assert_eq!(p.max_delay, secs(30));
}

#[test]
fn the_first_five_failures_cost_nothing() {
    let p = ThrottlePolicy::default();
    for failures in 0..=5 {
        assert_eq!(p.decide(failures), ThrottleDecision::Allow, "{failures}");
    }
}

#[test]
fn delays_double_from_one_second_and_stop_at_thirty() {
    let p = ThrottlePolicy::default();
    let delays: Vec<ThrottleDecision> = (6..=19).map(|n| p.decide(n)).collect();
    let expected: Vec<ThrottleDecision> = [1, 2, 4, 8, 16, 30, 30, 30, 30, 30, 30, 30, 30, 30]
        .into_iter()
        .map(|s| ThrottleDecision::Delay(secs(s)))
        .collect();
    assert_eq!(delays, expected);
}

#[test]
fn twenty_failures_or_more_are_refused_for_the_window() {
    let p = ThrottlePolicy::default();
    let refused = ThrottleDecision::Refuse {
        retry_after: TimeDelta::minutes(15),
    };
    assert_eq!(p.decide(19), ThrottleDecision::Delay(secs(30)));
    assert_eq!(p.decide(20), refused);
    assert_eq!(p.decide(21), refused);
    assert_eq!(p.decide(u32::MAX), refused);
}

#[test]
fn a_long_ladder_saturates_at_the_maximum_delay_without_overflow() {
    let p = ThrottlePolicy {
        max_failures: u32::MAX,
        max_delay: TimeDelta::days(1),
        ..ThrottlePolicy::default()
    };
    for failures in [36, 37, 38, 100, u32::MAX - 1] {
        assert_eq!(
            p.decide(failures),
            ThrottleDecision::Delay(TimeDelta::days(1)),
            "{failures}"
        );
    }
}

#[test]
fn refusal_wins_when_max_failures_is_not_above_the_free_ones() {
    let p = ThrottlePolicy {
        free_failures: 5,
        max_failures: 3,
        ..ThrottlePolicy::default()
    };
    assert_eq!(p.decide(2), ThrottleDecision::Allow);
    assert!(matches!(p.decide(3), ThrottleDecision::Refuse { .. }));
}

#[test]
fn the_stricter_decision_wins_whichever_side_it_is_on() {
    let allow = ThrottleDecision::Allow;
    let short = ThrottleDecision::Delay(secs(2));
    let long = ThrottleDecision::Delay(secs(8));
    let refuse = ThrottleDecision::Refuse {
        retry_after: secs(60),
    };
    assert_eq!(allow.stricter(allow), allow);
    assert_eq!(allow.stricter(short), short);
    assert_eq!(long.stricter(short), long);
    assert_eq!(short.stricter(long), long);
    assert_eq!(refuse.stricter(long), refuse);
    assert_eq!(allow.stricter(refuse), refuse);
}

#[test]
fn a_longer_refusal_is_stricter_than_a_shorter_one() {
    let a = ThrottleDecision::Refuse {
        retry_after: secs(60),
    };
    let b = ThrottleDecision::Refuse {
        retry_after: secs(900),
    };
    assert_eq!(a.stricter(b), b);
    assert_eq!(b.stricter(a), b);
}

#[test]
fn only_a_refusal_has_a_retry_after_and_a_message() {
    for decision in [ThrottleDecision::Allow, ThrottleDecision::Delay(secs(4))] {
        assert_eq!(decision.retry_after_seconds(), None);
        assert_eq!(decision.refusal_message(), None);
    }
    let refused = ThrottlePolicy::default().decide(20);
    assert_eq!(refused.retry_after_seconds(), Some(900));
    assert_eq!(
        refused.refusal_message().unwrap(),
        "Too many failed login attempts. Try again in 15 minutes."
    );
}

#[test]
fn refusal_waits_are_rounded_up_and_worded_in_plain_units() {
    let message = |retry_after: TimeDelta| {
        ThrottleDecision::Refuse { retry_after }
            .refusal_message()
            .unwrap()
    };
    let wait = |m: &str| {
        m.trim_start_matches("Too many failed login attempts. Try again in ")
            .to_owned()
    };
    assert_eq!(wait(&message(secs(0))), "1 second.");
    assert_eq!(wait(&message(TimeDelta::milliseconds(1))), "1 second.");
    assert_eq!(wait(&message(TimeDelta::milliseconds(1500))), "2 seconds.");
    assert_eq!(wait(&message(secs(60))), "60 seconds.");
    assert_eq!(wait(&message(secs(61))), "2 minutes.");
    assert_eq!(wait(&message(secs(120))), "2 minutes.");
    assert_eq!(wait(&message(secs(-5))), "1 second.");
    let r = ThrottleDecision::Refuse {
        retry_after: TimeDelta::milliseconds(1500),
    };
    assert_eq!(r.retry_after_seconds(), Some(2));
}
