#![expect(clippy::unwrap_used, reason = "tests")]

use proptest::prelude::*;

use super::*;
use crate::Severity;
use crate::metrics::cells::ScopeMask;
use crate::metrics::escape::escape_rates;
use crate::metrics::testkit::*;

fn trends(cells: &[CountCell], first: Quarter, last: Quarter) -> MechanismTrends {
    mechanism_trends(
        cells,
        &MetricDefinition::default(),
        &pipeline(),
        first,
        last,
    )
    .unwrap()
}

fn of(t: &QuarterTrend, m: Mechanism) -> &MechanismCount {
    &t.mechanisms[mechanism_index(m)]
}

#[test]
fn every_quarter_of_the_range_is_listed_across_the_year_boundary() {
    let (q3, q4, q1, q2) = (
        quarter(2025, 3),
        quarter(2025, 4),
        quarter(2026, 1),
        quarter(2026, 2),
    );
    let cells = [
        cell("production", 4)
            .classified(Mechanism::NoTest)
            .in_quarter(q4),
        cell("production", 6)
            .classified(Mechanism::NoTest)
            .in_quarter(q1),
        cell("production", 2)
            .classified(Mechanism::MissedReview)
            .in_quarter(q1),
    ];
    let t = trends(&cells, q3, q2);
    let labels: Vec<&str> = t.quarters.iter().map(|q| q.label.as_str()).collect();
    assert_eq!(labels, ["Q3 2025", "Q4 2025", "Q1 2026", "Q2 2026"]);
    assert!(
        of(&t.quarters[0], Mechanism::NoTest).change.is_none(),
        "first quarter"
    );
    let no_test_q4 = of(&t.quarters[1], Mechanism::NoTest);
    assert_eq!(
        no_test_q4.change,
        Some(Change {
            difference: 4,
            relative: None
        })
    );
    let no_test_q1 = of(&t.quarters[2], Mechanism::NoTest);
    assert_eq!(no_test_q1.primary, 6);
    assert_eq!(
        no_test_q1.change,
        Some(Change {
            difference: 2,
            relative: Some(0.5)
        })
    );
    assert_eq!(
        (no_test_q1.share.numerator, no_test_q1.share.denominator),
        (6, 8)
    );
    let no_test_q2 = of(&t.quarters[3], Mechanism::NoTest);
    assert_eq!(
        no_test_q2.change,
        Some(Change {
            difference: -6,
            relative: Some(-1.0)
        })
    );
    assert_eq!(t.quarters[3].escapes, 0);
}

#[test]
fn a_quarter_counts_classified_pending_and_unreviewed_escapes() {
    let q = quarter(2026, 3);
    let cells = [
        cell("production", 3)
            .classified(Mechanism::EnvironmentMismatch)
            .severity(Severity::Critical),
        cell("uat", 1)
            .classified(Mechanism::EnvironmentMismatch)
            .severity(Severity::Low),
        cell("beta", 2).pending(),
        cell("staging", 5),
        cell("unit_test", 9),
    ];
    let t = trends(&cells, q, q);
    let quarter = &t.quarters[0];
    assert_eq!(
        (
            quarter.escapes,
            quarter.classified,
            quarter.pending,
            quarter.unreviewed
        ),
        (11, 4, 2, 5)
    );
    let env = of(quarter, Mechanism::EnvironmentMismatch);
    assert_eq!((env.primary, env.weighted), (4, 3 * 8 + 1));
    assert_eq!(env.share.value, Some(1.0));
    assert_eq!(quarter.mechanisms.len(), 7);
    let order: Vec<Mechanism> = quarter.mechanisms.iter().map(|m| m.mechanism).collect();
    assert_eq!(order, Mechanism::ALL.to_vec());
}

#[test]
fn a_classified_defect_that_is_no_escape_under_the_current_definition_does_not_count() {
    let q = quarter(2026, 3);
    let cells = [
        // Classified when the boundary was earlier; now inside it.
        cell("staging", 3).classified(Mechanism::NoTest),
        cell("staging", 3).contributing(Mechanism::MissedReview),
        cell("production", 2)
            .classified(Mechanism::NoTest)
            .scope(ScopeMask::UNCONFIRMED),
        cell("production", 1).classified(Mechanism::NoTest),
    ];
    let def = def_after("staging");
    let t = mechanism_trends(&cells, &def, &pipeline(), q, q).unwrap();
    let quarter = &t.quarters[0];
    assert_eq!((quarter.escapes, quarter.classified), (1, 1));
    assert_eq!(of(quarter, Mechanism::MissedReview).contributing, 0);
}

#[test]
fn contributing_mechanisms_are_shown_apart_from_primary_counts() {
    let q = quarter(2026, 3);
    let cells = [
        cell("production", 2).classified(Mechanism::NoTest),
        cell("production", 2).contributing(Mechanism::UnrepresentativeData),
    ];
    let t = trends(&cells, q, q);
    let data = of(&t.quarters[0], Mechanism::UnrepresentativeData);
    assert_eq!((data.primary, data.contributing, data.weighted), (0, 2, 0));
    assert_eq!(t.quarters[0].classified, 2);
}

#[test]
fn rows_outside_the_range_and_unknown_stages_are_left_out() {
    let q = quarter(2026, 3);
    let cells = [
        cell("production", 2)
            .classified(Mechanism::NoTest)
            .in_quarter(quarter(2026, 2)),
        cell("removed_stage", 3).classified(Mechanism::NoTest),
    ];
    let t = trends(&cells, q, q);
    assert_eq!(t.quarters[0].escapes, 0);
    assert_eq!(t.unknown_stage, 3);
    assert!(trends(&cells, q, quarter(2026, 2)).quarters.is_empty());
    assert!(mechanism_trends(&cells, &def_after("removed_stage"), &pipeline(), q, q).is_err());
}

proptest! {
    #[test]
    fn primary_counts_sum_to_the_classified_escapes_of_each_quarter(
        cells in any_cells(), def in any_definition(),
    ) {
        let (first, last) = (quarter(2025, 3), quarter(2026, 2));
        let p = pipeline();
        let t = mechanism_trends(&cells, &def, &p, first, last).unwrap();
        prop_assert_eq!(t.quarters.len(), 4);
        for q in &t.quarters {
            prop_assert_eq!(q.mechanisms.iter().map(|m| m.primary).sum::<u64>(), q.classified);
            prop_assert_eq!(q.classified + q.pending + q.unreviewed, q.escapes);
            for m in &q.mechanisms {
                prop_assert_eq!(m.share.denominator, q.classified);
                let weights = Severity::ALL.iter().map(|s| u64::from(def.weights.of(*s)));
                let (lightest, heaviest) = (weights.clone().min().unwrap(), weights.max().unwrap());
                prop_assert!(lightest * m.primary <= m.weighted && m.weighted <= heaviest * m.primary);
            }
        }
        let escapes: u64 = t.quarters.iter().map(|q| q.escapes).sum();
        let rates = escape_rates(&cells, &[], &def, &p).unwrap();
        prop_assert_eq!(escapes, rates.plain.numerator);
        for pair in t.quarters.windows(2) {
            for (a, b) in pair[0].mechanisms.iter().zip(&pair[1].mechanisms) {
                let c = b.change.clone().unwrap();
                prop_assert_eq!(c.difference, b.primary as i64 - a.primary as i64);
                prop_assert_eq!(c.relative.is_none(), a.primary == 0);
            }
        }
    }

    #[test]
    fn contributing_rows_never_change_primary_numbers(cells in any_cells(), def in any_definition()) {
        let (first, last) = (quarter(2025, 3), quarter(2026, 2));
        let p = pipeline();
        let primary_only: Vec<CountCell> =
            cells.iter().filter(|c| c.key.role == Role::Primary).cloned().collect();
        let with = mechanism_trends(&cells, &def, &p, first, last).unwrap();
        let without = mechanism_trends(&primary_only, &def, &p, first, last).unwrap();
        for (a, b) in with.quarters.iter().zip(&without.quarters) {
            prop_assert_eq!(a.escapes, b.escapes);
            for (x, y) in a.mechanisms.iter().zip(&b.mechanisms) {
                prop_assert_eq!((x.primary, x.weighted, &x.share), (y.primary, y.weighted, &y.share));
                prop_assert_eq!(y.contributing, 0);
            }
        }
    }
}
