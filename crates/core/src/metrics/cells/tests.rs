#![expect(clippy::unwrap_used, reason = "tests")]

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;

fn facts(classification: Classification) -> RollupFacts {
    let detected_at = Utc.with_ymd_and_hms(2026, 7, 14, 9, 0, 0).unwrap();
    RollupFacts {
        team: Uuid::from_u128(1),
        component: Some(Uuid::from_u128(2)),
        release: None,
        severity: Severity::High,
        defect_type: DefectType::Functional,
        discovery_stage: StageKey::parse("production").unwrap(),
        expected_stage: Some(StageKey::parse("integration_test").unwrap()),
        detected_by: DetectedBy::Customer,
        scope: ScopeFlags {
            confirmed: true,
            ..ScopeFlags::default()
        },
        reopened_count: 0,
        introduced_at: Some(detected_at - Duration::hours(30)),
        detected_at,
        resolved_at: None,
        classification,
    }
}

#[test]
fn an_unreviewed_defect_adds_one_count_row_and_two_duration_rows() {
    let c = contributions(&facts(Classification::Unreviewed));
    assert_eq!(c.counts.len(), 1);
    let key = &c.counts[0];
    assert_eq!(key.quarter.to_string(), "2026-Q3");
    assert_eq!(key.role, Role::Primary);
    assert_eq!(key.mechanism, MechanismSlot::Unreviewed);
    assert!(key.scope.has(ScopeMask::CUSTOMER_FOUND));
    assert!(!key.scope.has(ScopeMask::UNCONFIRMED));
    assert_eq!(c.durations.len(), 2);
    let (detect, seconds) = &c.durations[0];
    assert_eq!(detect.kind, DurationKind::Detect);
    assert_eq!(*seconds, 30 * 3600);
    let bucket = detect.bucket.unwrap();
    assert!(bucket.lower_seconds() <= 30 * 3600 && 30 * 3600 < bucket.upper_seconds());
    let (resolve, seconds) = &c.durations[1];
    assert_eq!(resolve.kind, DurationKind::Resolve);
    assert_eq!((resolve.bucket, *seconds), (None, 0), "open: unknown");
}

#[test]
fn a_classified_escape_adds_its_distinct_contributing_mechanisms_apart() {
    let c = contributions(&facts(Classification::Classified {
        primary: Mechanism::NoTest,
        contributing: vec![
            Mechanism::NoTest,
            Mechanism::EnvironmentMismatch,
            Mechanism::EnvironmentMismatch,
            Mechanism::MissedReview,
        ],
    }));
    let rows: Vec<(Role, &str)> = c
        .counts
        .iter()
        .map(|k| (k.role, k.mechanism.code()))
        .collect();
    assert_eq!(
        rows,
        [
            (Role::Primary, "no_test"),
            (Role::Contributing, "environment_mismatch"),
            (Role::Contributing, "missed_review"),
        ]
    );
}

#[test]
fn stored_codes_round_trip() {
    for slot in [MechanismSlot::Unreviewed, MechanismSlot::Pending]
        .into_iter()
        .chain(Mechanism::ALL.iter().map(|m| MechanismSlot::Is(*m)))
    {
        assert_eq!(MechanismSlot::from_code(slot.code()), Some(slot));
    }
    assert_eq!(MechanismSlot::from_code("nonsense"), None);
    for role in [Role::Primary, Role::Contributing] {
        assert_eq!(Role::from_code(role.code()), Some(role));
    }
    for kind in [DurationKind::Detect, DurationKind::Resolve] {
        assert_eq!(DurationKind::from_code(kind.code()), Some(kind));
    }
    assert_eq!(ScopeMask::from_bits(255).bits(), 255);
}

#[test]
fn reducing_keeps_reopened_and_whether_the_switches_admit_the_defect() {
    use crate::metrics::ScopeSwitches;
    let switches = ScopeSwitches::default();
    let unconfirmed_reopened =
        ScopeMask::from_bits(ScopeMask::UNCONFIRMED | ScopeMask::REOPENED | ScopeMask::COSMETIC);
    let reduced = switches.reduce(unconfirmed_reopened);
    assert_eq!(reduced.bits(), ScopeMask::REOPENED | ScopeMask::EXCLUDED);
    assert!(!switches.admits(reduced));
    let cosmetic = ScopeMask::from_bits(ScopeMask::COSMETIC | ScopeMask::CUSTOMER_FOUND);
    assert_eq!(switches.reduce(cosmetic).bits(), 0);
    for bits in 0..=127u8 {
        let mask = ScopeMask::from_bits(bits);
        assert_eq!(
            switches.admits(switches.reduce(mask)),
            switches.admits(mask),
            "{bits}"
        );
    }
}

#[test]
fn the_scope_mask_names_each_fact() {
    let all = ScopeFlags {
        confirmed: false,
        known_issue_accepted: true,
        cosmetic: true,
        test_environment: true,
        data_migration: true,
    };
    assert_eq!(
        ScopeMask::of(DetectedBy::Support, all, 2).bits(),
        ScopeMask::ALL
    );
    let none = ScopeFlags {
        confirmed: true,
        ..ScopeFlags::default()
    };
    assert_eq!(ScopeMask::of(DetectedBy::AutomatedTest, none, 0).bits(), 0);
}

#[test]
fn buckets_start_at_an_hour_and_grow_by_the_square_root_of_two() {
    assert_eq!(Bucket::of_seconds(-5).index(), 0);
    assert_eq!(Bucket::of_seconds(3599).index(), 0);
    assert_eq!(Bucket::of_seconds(3600).index(), 1);
    assert_eq!(Bucket::of_seconds(7200).index(), 3);
    assert_eq!(Bucket::of_seconds(i64::MAX).index(), Bucket::MAX);
    assert_eq!(Bucket(2).upper_seconds(), 7200);
}

proptest! {
    #[test]
    fn every_duration_lies_in_its_bucket(seconds in 0i64..10_000_000_000) {
        let b = Bucket::of_seconds(seconds);
        prop_assert!(b.lower_seconds() <= seconds);
        prop_assert!(seconds < b.upper_seconds());
        prop_assert_eq!(Bucket::from_index(b.index()), Some(b));
    }

    #[test]
    fn buckets_are_contiguous(k in 1u8..=Bucket::MAX) {
        prop_assert_eq!(Bucket(k).lower_seconds(), Bucket(k - 1).upper_seconds());
        prop_assert!(Bucket(k).lower_seconds() < Bucket(k).upper_seconds());
    }
}
