#![expect(clippy::unwrap_used, reason = "tests")]

use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::Severity;
use crate::metrics::testkit::*;

#[test]
fn groups_keep_every_row_once_under_its_key() {
    let cells = [
        cell("production", 1).team(1),
        cell("unit_test", 2).team(2),
        cell("uat", 3).team(1),
    ];
    let groups = group(&cells, |k| k.team);
    assert_eq!(groups.len(), 2);
    assert_eq!(
        groups[&Uuid::from_u128(1)],
        vec![cells[0].clone(), cells[2].clone()]
    );
    assert_eq!(groups[&Uuid::from_u128(2)], vec![cells[1].clone()]);
}

#[test]
fn a_series_per_team_splits_cells_and_tallies_alike() {
    let cells = [
        cell("production", 2).team(1),
        cell("unit_test", 2).team(1),
        cell("production", 1).team(2),
    ];
    let mut other_team = tally("unit_test", Severity::Low, 9);
    other_team.team = Uuid::from_u128(3);
    let tallies = [tally("unit_test", Severity::Low, 6), other_team];
    let series = escape_rates_by(
        &cells,
        &tallies,
        &MetricDefinition::default(),
        &pipeline(),
        |k| k.team,
        |t| Some(t.team),
    )
    .unwrap();
    let pairs: Vec<(u64, u64)> = series
        .values()
        .map(|r| (r.plain.numerator, r.plain.denominator))
        .collect();
    assert_eq!(pairs, [(2, 10), (1, 1), (0, 9)]);
}

#[test]
fn a_series_by_component_can_leave_tallies_out() {
    let cells = [cell("production", 2)];
    let tallies = [tally("unit_test", Severity::Low, 6)];
    let series = escape_rates_by(
        &cells,
        &tallies,
        &MetricDefinition::default(),
        &pipeline(),
        |k| k.component,
        |_| None,
    )
    .unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!(series[&None].plain.denominator, 2);
    assert_eq!(series[&None].tallied, 0);
}

proptest! {
    #[test]
    fn a_series_adds_up_to_the_whole(cells in any_cells(), tallies in any_tallies(), def in any_definition()) {
        let p = pipeline();
        let whole = escape_rates(&cells, &tallies, &def, &p).unwrap();
        let series = escape_rates_by(&cells, &tallies, &def, &p, |k| k.severity, |t| Some(t.severity)).unwrap();
        let k: u64 = series.values().map(|r| r.plain.numerator).sum();
        let n: u64 = series.values().map(|r| r.plain.denominator).sum();
        prop_assert_eq!((k, n), (whole.plain.numerator, whole.plain.denominator));
        let by_quarter = escape_rates_by(&cells, &[], &def, &p, |k| k.quarter, |_| None).unwrap();
        let k: u64 = by_quarter.values().map(|r| r.plain.numerator).sum();
        prop_assert_eq!(k, whole.plain.numerator);
    }
}

#[test]
fn duration_statistics_come_per_group() {
    use crate::DefectType;
    use crate::metrics::cells::{Bucket, ScopeMask};
    let row = |release: u128, seconds: i64| DurationCell {
        key: DurationKey {
            team: Uuid::from_u128(1),
            component: None,
            release: Some(Uuid::from_u128(release)),
            quarter: quarter(2026, 3),
            severity: Severity::High,
            defect_type: Some(DefectType::Functional),
            scope: ScopeMask::default(),
            kind: DurationKind::Resolve,
            bucket: Some(Bucket::of_seconds(seconds)),
        },
        count: 1,
        total_seconds: seconds,
    };
    let cells = [row(1, 100), row(2, 7200), row(1, 300)];
    let by = durations_by(
        &cells,
        &MetricDefinition::default(),
        DurationKind::Resolve,
        |k| k.release,
    );
    let means: Vec<Option<f64>> = by.values().map(|s| s.mean_seconds).collect();
    assert_eq!(means, [Some(200.0), Some(7200.0)]);
    assert_eq!(
        group_tallies(&[tally("unit_test", Severity::Low, 1)], |t| t.stage.clone()).len(),
        1
    );
}
