#![expect(clippy::unwrap_used, reason = "tests")]

use std::collections::BTreeMap;

use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::DefectType;
use crate::Severity;
use crate::metrics::cells::{DurationKey, ScopeMask};
use crate::metrics::definition::ReopenedPolicy;
use crate::metrics::testkit::*;

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

fn key(kind: DurationKind, bucket: Option<Bucket>, scope: u8) -> DurationKey {
    DurationKey {
        team: Uuid::from_u128(1),
        component: None,
        release: None,
        quarter: quarter(2026, 3),
        severity: Severity::High,
        defect_type: Some(DefectType::Functional),
        scope: ScopeMask::from_bits(scope),
        kind,
        bucket,
    }
}

/// The roll-up rows of these durations, as storage would sum them.
fn rows(kind: DurationKind, scope: u8, seconds: &[i64]) -> Vec<DurationCell> {
    let mut by: BTreeMap<Bucket, (u64, i64)> = BTreeMap::new();
    for s in seconds {
        let e = by.entry(Bucket::of_seconds(*s)).or_default();
        e.0 += 1;
        e.1 += s;
    }
    by.into_iter()
        .map(|(b, (count, total_seconds))| DurationCell {
            key: key(kind, Some(b), scope),
            count,
            total_seconds,
        })
        .collect()
}

fn unknown(kind: DurationKind, count: u64) -> DurationCell {
    DurationCell {
        key: key(kind, None, 0),
        count,
        total_seconds: 0,
    }
}

fn detect(cells: &[DurationCell]) -> DurationStats {
    durations(cells, &MetricDefinition::default(), DurationKind::Detect)
}

#[test]
fn the_mean_is_exact_and_unknown_durations_are_counted_apart() {
    let mut cells = rows(DurationKind::Detect, 0, &[HOUR, 2 * HOUR, 30 * DAY]);
    cells.push(unknown(DurationKind::Detect, 4));
    let s = detect(&cells);
    assert_eq!((s.measured, s.unknown), (3, 4));
    assert_eq!(s.mean_seconds, Some((3 * HOUR + 30 * DAY) as f64 / 3.0));
    assert_eq!(s.kind, DurationKind::Detect);
}

#[test]
fn a_middle_duration_alone_in_its_bucket_is_the_exact_median() {
    let s = detect(&rows(DurationKind::Detect, 0, &[10, 5 * HOUR, 40 * DAY]));
    let m = s.median.unwrap();
    assert_eq!(m.estimate_seconds, (5 * HOUR) as f64);
    let b = Bucket::of_seconds(5 * HOUR);
    assert_eq!(
        (m.low_seconds, m.high_seconds),
        (b.lower_seconds(), b.upper_seconds())
    );
    assert!(m.low_seconds <= 5 * HOUR && 5 * HOUR < m.high_seconds);
}

#[test]
fn the_median_of_several_in_one_bucket_is_bounded_by_that_bucket() {
    // 1.5 days and its neighbours share the bucket [32 h, 45.25 h).
    let b = Bucket::of_seconds(36 * HOUR);
    assert_eq!((b.lower_seconds(), b.upper_seconds()), (32 * HOUR, 162_917));
    let s = detect(&rows(
        DurationKind::Detect,
        0,
        &[HOUR / 2, 33 * HOUR, 36 * HOUR, 40 * HOUR, 90 * DAY],
    ));
    let m = s.median.unwrap();
    assert_eq!((m.low_seconds, m.high_seconds), (32 * HOUR, 162_917));
    // The 2nd of 3 in the bucket: the geometric middle of its bounds.
    let middle = ((32 * HOUR) as f64 * 162_917.0).sqrt();
    assert!((m.estimate_seconds - middle).abs() < 1e-6, "{m:?}");
}

#[test]
fn an_even_count_spans_the_two_middle_buckets() {
    let s = detect(&rows(
        DurationKind::Detect,
        0,
        &[60, 2 * HOUR, 3 * DAY, 9 * DAY],
    ));
    let m = s.median.unwrap();
    assert_eq!(m.low_seconds, Bucket::of_seconds(2 * HOUR).lower_seconds());
    assert_eq!(m.high_seconds, Bucket::of_seconds(3 * DAY).upper_seconds());
    assert_eq!(m.estimate_seconds, (2 * HOUR + 3 * DAY) as f64 / 2.0);
}

#[test]
fn the_first_bucket_interpolates_evenly_from_zero() {
    let s = detect(&rows(DurationKind::Detect, 0, &[0, 600, 1200, 1800]));
    let m = s.median.unwrap();
    assert_eq!((m.low_seconds, m.high_seconds), (0, HOUR));
    // Ranks 2 and 3 of 4: 3/8 and 5/8 of an hour.
    assert!((m.estimate_seconds - 1800.0).abs() < 1e-9);
}

#[test]
fn nothing_measured_gives_no_mean_and_no_median() {
    let s = detect(&[unknown(DurationKind::Detect, 2)]);
    assert_eq!(
        (s.measured, s.unknown, s.mean_seconds, s.median),
        (0, 2, None, None)
    );
}

#[test]
fn only_the_asked_kind_counts() {
    let mut cells = rows(DurationKind::Resolve, 0, &[DAY, DAY]);
    cells.extend(rows(DurationKind::Detect, 0, &[HOUR]));
    cells.push(unknown(DurationKind::Resolve, 5));
    let s = durations(&cells, &MetricDefinition::default(), DurationKind::Resolve);
    assert_eq!(
        (s.measured, s.unknown, s.mean_seconds),
        (2, 5, Some(DAY as f64))
    );
    assert_eq!(detect(&cells).measured, 1);
}

#[test]
fn scope_and_the_separately_policy_leave_defects_out() {
    let mut cells = rows(DurationKind::Detect, 0, &[HOUR]);
    cells.extend(rows(
        DurationKind::Detect,
        ScopeMask::UNCONFIRMED,
        &[DAY, DAY],
    ));
    cells.extend(rows(DurationKind::Detect, ScopeMask::REOPENED, &[9 * DAY]));
    let s = detect(&cells);
    assert_eq!((s.measured, s.out_of_scope, s.separate), (2, 2, 0));
    let separately = MetricDefinition {
        reopened: ReopenedPolicy::Separately,
        ..MetricDefinition::default()
    };
    let s = durations(&cells, &separately, DurationKind::Detect);
    assert_eq!((s.measured, s.out_of_scope, s.separate), (1, 2, 1));
    assert_eq!(s.mean_seconds, Some(HOUR as f64));
}

proptest! {
    #[test]
    fn the_median_lies_within_its_bounds_and_the_mean_is_exact(
        seconds in prop::collection::vec(
            prop_oneof![0i64..4 * HOUR, 0i64..400 * DAY, Just(5 * DAY)], 1..60),
    ) {
        let s = detect(&rows(DurationKind::Detect, 0, &seconds));
        let mut sorted = seconds.clone();
        sorted.sort_unstable();
        let n = sorted.len();
        let true_median = if n % 2 == 1 {
            sorted[n / 2] as f64
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0
        };
        let m = s.median.unwrap();
        prop_assert!((m.low_seconds as f64) <= true_median && true_median < m.high_seconds as f64,
            "{true_median} outside {m:?}");
        prop_assert!((m.low_seconds as f64) <= m.estimate_seconds && m.estimate_seconds <= m.high_seconds as f64,
            "{m:?}");
        let mean = seconds.iter().sum::<i64>() as f64 / n as f64;
        prop_assert!((s.mean_seconds.unwrap() - mean).abs() < 1e-6);
        prop_assert_eq!(s.measured, n as u64);
    }
}
