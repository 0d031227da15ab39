#![expect(clippy::unwrap_used, reason = "tests")]

use proptest::prelude::*;

use super::*;
use crate::metrics::definition::SeverityWeights;
use crate::metrics::testkit::*;
use crate::{Boundary, Mechanism};

/// DOMAIN.md's example: 20 unit, 10 system, 5 UAT and 3 production defects.
fn domain_example() -> Vec<CountCell> {
    vec![
        cell("unit_test", 20),
        cell("system_test", 10),
        cell("uat", 5),
        cell("production", 3),
    ]
}

fn rates(cells: &[CountCell], def: &MetricDefinition) -> EscapeRates {
    escape_rates(cells, &[], def, &pipeline()).unwrap()
}

fn pct(r: &Rate) -> String {
    format!("{:.1}%", r.value.unwrap() * 100.0)
}

#[test]
fn eight_production_bugs_of_thirty_two_is_a_quarter() {
    let cells = [cell("unit_test", 24), cell("production", 8)];
    let r = rates(&cells, &MetricDefinition::default());
    assert_eq!((r.plain.numerator, r.plain.denominator), (8, 32));
    assert_eq!(r.plain.value, Some(0.25));
}

#[test]
fn the_domain_example_escapes_eight_of_38_past_system_test() {
    let r = rates(&domain_example(), &def_after("system_test"));
    assert_eq!((r.plain.numerator, r.plain.denominator), (8, 38));
    assert_eq!(pct(&r.plain), "21.1%");
}

#[test]
fn the_domain_example_escapes_three_of_38_when_only_production_is_past_the_boundary() {
    let r = rates(&domain_example(), &def_after("beta"));
    assert_eq!((r.plain.numerator, r.plain.denominator), (3, 38));
    assert_eq!(pct(&r.plain), "7.9%");
}

#[test]
fn severity_weights_count_each_defect_by_its_weight_and_every_severity_has_its_rate() {
    let cells = [
        cell("production", 1).severity(Severity::Critical),
        cell("unit_test", 3).severity(Severity::Critical),
        cell("production", 4).severity(Severity::Low),
        cell("unit_test", 4).severity(Severity::Low),
    ];
    let r = rates(&cells, &MetricDefinition::default());
    assert_eq!((r.plain.numerator, r.plain.denominator), (5, 12));
    // 8·1 + 1·4 escaped of 8·4 + 1·8.
    assert_eq!((r.weighted.numerator, r.weighted.denominator), (12, 40));
    assert_eq!(r.weighted.defects, 12);
    let by: Vec<(Severity, u64, u64)> = r
        .per_severity
        .iter()
        .map(|(s, r)| (*s, r.numerator, r.denominator))
        .collect();
    assert_eq!(
        by,
        [
            (Severity::Critical, 1, 4),
            (Severity::High, 0, 0),
            (Severity::Medium, 0, 0),
            (Severity::Low, 4, 8),
        ]
    );
    assert_eq!(r.per_severity[1].1.value, None);
}

#[test]
fn defects_a_scope_switch_excludes_are_reported_and_left_out() {
    let cells = [
        cell("production", 2).scope(ScopeMask::UNCONFIRMED),
        cell("production", 1),
        cell("unit_test", 3).scope(ScopeMask::TEST_ENVIRONMENT | ScopeMask::COSMETIC),
    ];
    let r = rates(&cells, &MetricDefinition::default());
    assert_eq!((r.plain.numerator, r.plain.denominator), (1, 1));
    assert_eq!(r.out_of_scope, 5);
}

#[test]
fn only_primary_rows_count_defects() {
    let cells = [
        cell("production", 2).classified(Mechanism::NoTest),
        cell("production", 2).contributing(Mechanism::MissedReview),
        cell("unit_test", 2),
    ];
    let r = rates(&cells, &MetricDefinition::default());
    assert_eq!((r.plain.numerator, r.plain.denominator), (2, 4));
}

#[test]
fn a_stage_the_pipeline_does_not_have_is_reported_not_counted() {
    let cells = [cell("production", 1), cell("removed_stage", 4)];
    let r = rates(&cells, &MetricDefinition::default());
    assert_eq!((r.plain.numerator, r.plain.denominator), (1, 1));
    assert_eq!(r.unknown_stage, 4);
}

#[test]
fn a_boundary_the_pipeline_does_not_have_is_an_error() {
    let def = def_after("removed_stage");
    let err = escape_rates(&domain_example(), &[], &def, &pipeline()).unwrap_err();
    assert_eq!(err, PipelineError::UnknownStage("removed_stage".into()));
    assert!(ddp(&domain_example(), &[], &def, &pipeline()).is_err());
}

fn reopened_example(policy: ReopenedPolicy) -> (EscapeRates, Rate) {
    let cells = [
        cell("unit_test", 6),
        cell("unit_test", 2).scope(ScopeMask::REOPENED),
        cell("production", 1).scope(ScopeMask::REOPENED),
        cell("production", 1),
    ];
    let def = MetricDefinition {
        reopened: policy,
        ..MetricDefinition::default()
    };
    let r = escape_rates(&cells, &[], &def, &pipeline()).unwrap();
    let d = ddp(&cells, &[], &def, &pipeline()).unwrap();
    (r, d)
}

#[test]
fn reopened_as_escaped_counts_every_reopened_defect_as_an_escape() {
    let (r, d) = reopened_example(ReopenedPolicy::AsEscaped);
    assert_eq!((r.plain.numerator, r.plain.denominator), (4, 10));
    assert_eq!((r.reopened_as_escaped, r.recurring, r.separate), (3, 0, 0));
    assert_eq!((d.numerator, d.denominator), (6, 10));
}

#[test]
fn reopened_as_recurring_counts_by_stage_and_reports_them() {
    let (r, d) = reopened_example(ReopenedPolicy::AsRecurring);
    assert_eq!((r.plain.numerator, r.plain.denominator), (2, 10));
    assert_eq!((r.reopened_as_escaped, r.recurring, r.separate), (0, 3, 0));
    assert_eq!((d.numerator, d.denominator), (8, 10));
}

#[test]
fn reopened_separately_leaves_them_out_of_both_sides() {
    let (r, d) = reopened_example(ReopenedPolicy::Separately);
    assert_eq!((r.plain.numerator, r.plain.denominator), (1, 7));
    assert_eq!((r.reopened_as_escaped, r.recurring, r.separate), (0, 0, 3));
    assert_eq!((d.numerator, d.denominator), (6, 7));
}

#[test]
fn tallies_join_the_denominators_and_tallies_past_the_boundary_are_ignored() {
    let tallies = [
        tally("unit_test", Severity::Critical, 10),
        tally("code_review", Severity::Medium, 5),
        tally("uat", Severity::Medium, 7),
        tally("removed_stage", Severity::Low, 2),
    ];
    let r = escape_rates(
        &domain_example(),
        &tallies,
        &def_after("system_test"),
        &pipeline(),
    )
    .unwrap();
    assert_eq!((r.plain.numerator, r.plain.denominator), (8, 53));
    assert_eq!((r.tallied, r.ignored_tallies), (15, 9));
    assert_eq!(r.per_severity[0].1.denominator, 10);
    assert_eq!(r.per_severity[2].1.denominator, 43);
    assert_eq!(r.weighted.denominator, 8 * 10 + 2 * 43);
    assert_eq!(r.weighted.defects, 53);
}

#[test]
fn ddp_is_the_share_found_before_the_last_stage() {
    let d = ddp(
        &domain_example(),
        &[],
        &MetricDefinition::default(),
        &pipeline(),
    )
    .unwrap();
    assert_eq!((d.numerator, d.denominator), (35, 38));
    // Independent of the boundary.
    let later = ddp(&domain_example(), &[], &def_after("beta"), &pipeline()).unwrap();
    assert_eq!(later, d);
    let tallies = [tally("unit_test", Severity::Low, 12)];
    let d = ddp(
        &domain_example(),
        &tallies,
        &MetricDefinition::default(),
        &pipeline(),
    )
    .unwrap();
    assert_eq!((d.numerator, d.denominator), (47, 50));
}

fn all_rates(r: &EscapeRates) -> Vec<Rate> {
    let mut v = vec![r.plain.clone()];
    v.extend(r.per_severity.iter().map(|(_, r)| r.clone()));
    v
}

proptest! {
    #[test]
    fn every_rate_lies_in_the_unit_interval_and_inside_its_interval(
        cells in any_cells(), tallies in any_tallies(), def in any_definition(),
    ) {
        let r = escape_rates(&cells, &tallies, &def, &pipeline()).unwrap();
        let mut rates = all_rates(&r);
        rates.push(ddp(&cells, &tallies, &def, &pipeline()).unwrap());
        for rate in rates {
            prop_assert!(rate.numerator <= rate.denominator);
            if let Some(v) = rate.value {
                prop_assert!((0.0..=1.0).contains(&v));
                prop_assert!(rate.interval.unwrap().contains(v));
            }
        }
        if let Some(v) = r.weighted.value {
            prop_assert!((0.0..=1.0).contains(&v) && r.weighted.interval.unwrap().contains(v));
        }
    }

    #[test]
    fn every_primary_defect_lands_in_exactly_one_place(
        cells in any_cells(), tallies in any_tallies(), def in any_definition(),
    ) {
        let r = escape_rates(&cells, &tallies, &def, &pipeline()).unwrap();
        let primary: u64 = cells.iter().filter(|c| c.key.role == Role::Primary).map(|c| c.count).sum();
        let placed = r.plain.denominator - r.tallied + r.out_of_scope + r.separate + r.unknown_stage;
        prop_assert_eq!(placed, primary);
        let tallied: u64 = tallies.iter().map(|t| t.count).sum();
        prop_assert_eq!(r.tallied + r.ignored_tallies, tallied);
    }

    #[test]
    fn per_severity_rates_sum_to_the_plain_rate(
        cells in any_cells(), tallies in any_tallies(), def in any_definition(),
    ) {
        let r = escape_rates(&cells, &tallies, &def, &pipeline()).unwrap();
        let k: u64 = r.per_severity.iter().map(|(_, r)| r.numerator).sum();
        let n: u64 = r.per_severity.iter().map(|(_, r)| r.denominator).sum();
        prop_assert_eq!((k, n), (r.plain.numerator, r.plain.denominator));
        let order: Vec<Severity> = r.per_severity.iter().map(|(s, _)| *s).collect();
        prop_assert_eq!(order, Severity::ALL.to_vec());
        prop_assert_eq!(r.weighted.defects, r.plain.denominator);
    }

    #[test]
    fn changing_weights_changes_the_weighted_rate_and_nothing_else(
        cells in any_cells(), tallies in any_tallies(), def in any_definition(),
        weights in any_weights(),
    ) {
        let before = escape_rates(&cells, &tallies, &def, &pipeline()).unwrap();
        let reweighted = MetricDefinition { weights, ..def.clone() };
        let after = escape_rates(&cells, &tallies, &reweighted, &pipeline()).unwrap();
        prop_assert_eq!(
            EscapeRates { weighted: before.weighted.clone(), ..after.clone() },
            before.clone()
        );
        prop_assert_eq!(after.weighted.defects, before.weighted.defects);
        prop_assert_eq!(
            ddp(&cells, &tallies, &reweighted, &pipeline()).unwrap(),
            ddp(&cells, &tallies, &def, &pipeline()).unwrap()
        );
    }

    #[test]
    fn weights_are_what_the_weighted_sums_multiply(
        cells in any_cells(), def in any_definition(),
    ) {
        let r = escape_rates(&cells, &[], &def, &pipeline()).unwrap();
        let expected: u64 = r
            .per_severity
            .iter()
            .map(|(s, rate)| u64::from(def.weights.of(*s)) * rate.numerator)
            .sum();
        prop_assert_eq!(r.weighted.numerator, expected);
    }

    #[test]
    fn moving_the_boundary_later_never_raises_the_escape_count(
        cells in any_cells(), tallies in any_tallies(), def in any_definition(),
        a in 0usize..9, b in 0usize..9,
    ) {
        let p = pipeline();
        let at = |i: usize| MetricDefinition {
            boundary: Boundary::after_stage(p.stages()[i].key.clone()),
            ..def.clone()
        };
        let (early, late) = (at(a.min(b)), at(a.max(b)));
        let e = escape_rates(&cells, &tallies, &early, &p).unwrap();
        let l = escape_rates(&cells, &tallies, &late, &p).unwrap();
        prop_assert!(l.plain.numerator <= e.plain.numerator);
        prop_assert!(l.weighted.numerator <= e.weighted.numerator);
        prop_assert!(l.plain.denominator >= e.plain.denominator, "more tallies fit before a later boundary");
    }

    #[test]
    fn switching_a_scope_switch_off_only_removes_defects(
        cells in any_cells(), tallies in any_tallies(), def in any_definition(), which in 0usize..6,
    ) {
        let mut on = def.clone();
        let mut off = def.clone();
        for (d, value) in [(&mut on, true), (&mut off, false)] {
            let s = &mut d.scope;
            *[&mut s.customer_found, &mut s.unconfirmed, &mut s.known_issues, &mut s.cosmetic,
              &mut s.test_environment, &mut s.data_migration][which] = value;
        }
        let p = pipeline();
        let r_on = escape_rates(&cells, &tallies, &on, &p).unwrap();
        let r_off = escape_rates(&cells, &tallies, &off, &p).unwrap();
        prop_assert!(r_off.plain.denominator <= r_on.plain.denominator);
        prop_assert!(r_off.plain.numerator <= r_on.plain.numerator);
        let removed = r_on.plain.denominator - r_off.plain.denominator;
        prop_assert!(r_off.out_of_scope >= r_on.out_of_scope + removed);
        for ((_, a), (_, b)) in r_on.per_severity.iter().zip(&r_off.per_severity) {
            prop_assert!(b.denominator <= a.denominator && b.numerator <= a.numerator);
        }
        let (d_on, d_off) = (ddp(&cells, &tallies, &on, &p).unwrap(), ddp(&cells, &tallies, &off, &p).unwrap());
        prop_assert!(d_off.denominator <= d_on.denominator && d_off.numerator <= d_on.numerator);
    }

    #[test]
    fn tallies_never_change_escape_numerators(
        cells in any_cells(), tallies in any_tallies(), def in any_definition(),
    ) {
        let p = pipeline();
        let without = escape_rates(&cells, &[], &def, &p).unwrap();
        let with = escape_rates(&cells, &tallies, &def, &p).unwrap();
        prop_assert_eq!(with.plain.numerator, without.plain.numerator);
        prop_assert_eq!(with.weighted.numerator, without.weighted.numerator);
        for ((_, a), (_, b)) in with.per_severity.iter().zip(&without.per_severity) {
            prop_assert_eq!(a.numerator, b.numerator);
        }
        prop_assert_eq!(with.plain.denominator, without.plain.denominator + with.tallied);
        // DDP: a counted tally was found before release, so it joins both sides.
        let (d0, d1) = (ddp(&cells, &[], &def, &p).unwrap(), ddp(&cells, &tallies, &def, &p).unwrap());
        prop_assert_eq!(d1.denominator - d0.denominator, with.tallied);
        prop_assert_eq!(d1.numerator - d0.numerator, with.tallied);
    }

    #[test]
    fn ddp_and_the_escape_rate_before_production_are_complements(
        cells in any_cells(), def in any_definition(),
    ) {
        let p = pipeline();
        let before_production = MetricDefinition { boundary: Boundary::after_stage(stage("beta")), ..def };
        let r = escape_rates(&cells, &[], &before_production, &p).unwrap();
        let d = ddp(&cells, &[], &before_production, &p).unwrap();
        prop_assert_eq!(d.denominator, r.plain.denominator);
        prop_assert_eq!(d.numerator + r.plain.numerator, d.denominator);
    }
}

#[test]
fn weights_of_zero_leave_the_weighted_rate_without_a_value() {
    let def = MetricDefinition {
        weights: SeverityWeights {
            critical: 0,
            high: 0,
            medium: 0,
            low: 0,
        },
        ..MetricDefinition::default()
    };
    let r = rates(&domain_example(), &def);
    assert_eq!(r.weighted.value, None);
    assert_eq!(r.plain.value, Some(8.0 / 38.0));
}
