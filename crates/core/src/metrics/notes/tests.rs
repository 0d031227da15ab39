#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;
use crate::metrics::cells::{CountCell, DurationKind};
use crate::metrics::durations::Median;
use crate::metrics::escape::escape_rates;
use crate::metrics::testkit::*;

/// `escapes` production defects among `defects`.
fn rates(escapes: u64, defects: u64) -> EscapeRates {
    let cells: Vec<CountCell> = [
        cell("production", escapes),
        cell("unit_test", defects - escapes),
    ]
    .into_iter()
    .filter(|c| c.count > 0)
    .collect();
    escape_rates(&cells, &[], &MetricDefinition::default(), &pipeline()).unwrap()
}

#[test]
fn percentages_have_one_decimal_and_plurals_agree() {
    assert_eq!(percent(8.0 / 38.0), "21.1%");
    assert_eq!(percent(3.0 / 38.0), "7.9%");
    assert_eq!(percent(1.0), "100.0%");
    assert_eq!(plural(1, "escape", "escapes"), "1 escape");
    assert_eq!(plural(2, "escape", "escapes"), "2 escapes");
    assert_eq!(plural(0, "escape", "escapes"), "0 escapes");
}

#[test]
fn a_rate_note_gives_the_counts_and_the_interval() {
    assert_eq!(
        rate_note(&Rate::of(8, 38)),
        "21.1% (8 of 38 defects; 95% CI 11.1–36.3%)"
    );
    assert_eq!(
        rate_note(&Rate::of(3, 7)),
        "42.9% (3 of 7 defects; 95% CI 15.8–75.0%), too few defects to conclude from (fewer than 10)"
    );
    assert_eq!(
        rate_note(&Rate::of(1, 1)),
        "100.0% (1 of 1 defect; 95% CI 20.7–100.0%), too few defects to conclude from (fewer than 10)"
    );
    assert_eq!(rate_note(&Rate::of(0, 0)), "no defects in scope");
}

#[test]
fn a_window_with_too_few_defects_is_not_compared() {
    let note = comparison_note(
        "Q3 2026",
        &rates(7, 7),
        "Q2 2026",
        &rates(20, 90),
        "team Payments",
    );
    assert_eq!(
        note,
        "Q3 2026 has 7 defects for team Payments (7 escapes): too few to compare with Q2 2026."
    );
    let note = comparison_note("Q3 2026", &rates(20, 90), "Q2 2026", &rates(1, 1), "");
    assert_eq!(
        note,
        "Q2 2026 has 1 defect (1 escape): too few to compare with Q3 2026."
    );
    let note = comparison_note(
        "Q3 2026",
        &rates(2, 4),
        "Q2 2026",
        &rates(0, 9),
        "release 4.2",
    );
    assert_eq!(
        note,
        "Q3 2026 and Q2 2026 have 4 and 9 defects for release 4.2: too few to compare."
    );
}

#[test]
fn overlapping_intervals_say_the_change_may_be_noise() {
    let note = comparison_note("Q3 2026", &rates(120, 500), "Q2 2026", &rates(91, 500), "");
    assert_eq!(
        note,
        "Escape rate rose from 18.2% (95% CI 15.1–21.8%) in Q2 2026 to 24.0% (20.5–27.9%) in \
         Q3 2026; the intervals overlap, so the change may be noise."
    );
}

#[test]
fn separate_intervals_say_the_change_is_unlikely_to_be_noise() {
    let note = comparison_note(
        "Q3 2026",
        &rates(18, 100),
        "Q2 2026",
        &rates(50, 100),
        "team Payments",
    );
    assert_eq!(
        note,
        "Escape rate for team Payments fell from 50.0% (95% CI 40.4–59.6%) in Q2 2026 to 18.0% \
         (11.7–26.7%) in Q3 2026; the intervals do not overlap, so the change is unlikely to be \
         noise alone."
    );
}

#[test]
fn an_unchanged_rate_says_so() {
    let note = comparison_note("Q3 2026", &rates(20, 100), "Q2 2026", &rates(40, 200), "");
    assert!(
        note.starts_with("Escape rate stayed at 20.0% in Q2 2026 (95% CI "),
        "{note}"
    );
}

#[test]
fn different_definition_versions_are_flagged() {
    assert_eq!(
        version_note("Q2", 3, "Q3", 4).unwrap(),
        "Q2 was computed under definition version 3 and Q3 under version 4: the numbers are not \
         strictly comparable."
    );
    assert_eq!(version_note("Q2", 4, "Q3", 4), None);
}

#[test]
fn the_definition_note_names_the_boundary_scope_weights_and_policy() {
    let note = definition_note(&MetricDefinition::default(), &pipeline());
    assert_eq!(
        note,
        "Escapes are defects found after System test (QA). Counted: customer-found issues \
         (customer reports and support tickets); cosmetic defects; data-migration issues. Left \
         out: unconfirmed support tickets; known issues accepted for a release; \
         test-environment problems. Severity weights: critical 8, high 4, medium 2, low 1. \
         Reopened defects: as recurring: counted by where it was found, and shown as recurring."
    );
}

#[test]
fn durations_read_in_the_unit_that_fits() {
    assert_eq!(duration_words(45.0 * 60.0), "45 minutes");
    assert_eq!(duration_words(60.0), "1 minute");
    assert_eq!(duration_words(3600.0), "1 hour");
    assert_eq!(duration_words(5400.0), "1.5 hours");
    assert_eq!(duration_words(1.4 * 86_400.0), "33.6 hours");
    assert_eq!(duration_words(2.0 * 86_400.0), "2 days");
    assert_eq!(duration_words(10.25 * 86_400.0), "10.2 days");
    assert_eq!(duration_words(3.0 * 365.25 * 86_400.0), "3 years");
}

#[test]
fn a_duration_note_gives_the_median_range_the_estimate_the_mean_and_what_is_left_out() {
    let stats = DurationStats {
        kind: DurationKind::Detect,
        measured: 41,
        unknown: 5,
        out_of_scope: 0,
        separate: 0,
        mean_seconds: Some(2.25 * 86_400.0),
        median: Some(Median {
            low_seconds: 2 * 86_400,
            high_seconds: 230_400 + 86_400,
            estimate_seconds: 3.0 * 86_400.0,
        }),
    };
    assert_eq!(
        duration_note(&stats),
        "Median time to detect: between 2 days and 3.7 days (about 3 days); mean 2.2 days, over \
         41 defects. 5 defects without an introduction date are left out."
    );
    let open = DurationStats {
        kind: DurationKind::Resolve,
        measured: 0,
        unknown: 1,
        mean_seconds: None,
        median: None,
        ..stats
    };
    assert_eq!(
        duration_note(&open),
        "No defect has a known time to resolve. 1 defect still open is left out."
    );
}

#[test]
fn every_output_serializes_for_the_json_api_and_templates() {
    use crate::metrics::{durations, layer_matrix, mechanism_trends};
    let cells = [
        cell("production", 3).classified(crate::Mechanism::NoTest),
        cell("unit_test", 9),
    ];
    let def = MetricDefinition::default();
    let json = serde_json::to_value(rates(3, 12)).unwrap();
    assert_eq!(json["plain"]["numerator"], 3);
    assert_eq!(json["per_severity"][0][0], "critical");
    let matrix = serde_json::to_value(layer_matrix(&cells, &def, &pipeline())).unwrap();
    assert_eq!(matrix["rows"][10]["label"], "Not named");
    let q = quarter(2026, 3);
    let trends =
        serde_json::to_value(mechanism_trends(&cells, &def, &pipeline(), q, q).unwrap()).unwrap();
    assert_eq!(trends["quarters"][0]["quarter"], "2026-Q3");
    assert_eq!(
        trends["quarters"][0]["mechanisms"][0]["mechanism"],
        "no_test"
    );
    let stats = serde_json::to_value(durations(&[], &def, DurationKind::Detect)).unwrap();
    assert_eq!(stats["median"], serde_json::Value::Null);
}

fn stats(measured: u64, low: i64, high: i64, estimate: f64) -> DurationStats {
    DurationStats {
        kind: DurationKind::Detect,
        measured,
        unknown: 0,
        out_of_scope: 0,
        separate: 0,
        mean_seconds: Some(estimate),
        median: Some(Median {
            low_seconds: low,
            high_seconds: high,
            estimate_seconds: estimate,
        }),
    }
}

#[test]
fn a_shift_note_compares_rates_by_their_intervals() {
    let note = shift_note(
        "DDP",
        "Q3 2026",
        Estimate::from(&Rate::of(35, 38)),
        "Q2 2026",
        Estimate::from(&Rate::of(9, 10)),
    );
    assert_eq!(
        note,
        "DDP rose from 90.0% (95% CI 59.6–98.2%) in Q2 2026 to 92.1% (79.2–97.3%) in Q3 2026; \
         the intervals overlap, so the change may be noise."
    );
    let few = shift_note(
        "DDP",
        "Q3 2026",
        Estimate::from(&Rate::of(35, 38)),
        "Q2 2026",
        Estimate::from(&Rate::of(0, 0)),
    );
    assert_eq!(
        few,
        "DDP: Q2 2026 has 0 defects, too few to compare with Q3 2026."
    );
}

#[test]
fn a_weighted_shift_counts_defects_not_weights_for_the_sample_size() {
    let weighted = rates(3, 9).weighted;
    let note = shift_note(
        "Severity-weighted escape rate",
        "Q3 2026",
        Estimate::from(&weighted),
        "Q2 2026",
        Estimate::from(&rates(20, 90).weighted),
    );
    assert_eq!(
        note,
        "Severity-weighted escape rate: Q3 2026 has 9 defects, too few to compare with Q2 2026."
    );
}

#[test]
fn medians_in_the_same_class_stayed_and_others_moved() {
    let day = 86_400;
    let same = duration_shift_note(
        "Median time to detect",
        "Q3 2026",
        &stats(20, 7 * day, 10 * day, 8.0 * 86_400.0),
        "Q2 2026",
        &stats(30, 7 * day, 10 * day, 9.0 * 86_400.0),
    );
    assert_eq!(
        same,
        "Median time to detect stayed in the same class, between 7 days and 10 days, in Q2 2026 \
         and Q3 2026."
    );
    let moved = duration_shift_note(
        "Median time to detect",
        "Q3 2026",
        &stats(20, 3 * day, 5 * day, 4.0 * 86_400.0),
        "Q2 2026",
        &stats(30, 7 * day, 10 * day, 9.0 * 86_400.0),
    );
    assert_eq!(
        moved,
        "Median time to detect fell from about 9 days (between 7 days and 10 days) in Q2 2026 to \
         about 4 days (between 3 days and 5 days) in Q3 2026."
    );
    let few = duration_shift_note(
        "Median time to detect",
        "Q3 2026",
        &stats(9, 3 * day, 5 * day, 4.0 * 86_400.0),
        "Q2 2026",
        &stats(30, 7 * day, 10 * day, 9.0 * 86_400.0),
    );
    assert_eq!(
        few,
        "Median time to detect: Q3 2026 has 9 defects measured, too few to compare with Q2 2026."
    );
}

#[test]
fn confidence_notes_name_each_caveat_that_applies() {
    assert_eq!(
        confidence_notes(&rates(1, 4)),
        vec!["Only 4 defects in scope: too few to conclude from.".to_owned()]
    );
    assert!(confidence_notes(&rates(20, 90)).is_empty());
}
