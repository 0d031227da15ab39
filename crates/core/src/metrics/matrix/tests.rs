#![expect(clippy::unwrap_used, reason = "tests")]

use proptest::prelude::*;

use super::*;
use crate::metrics::cells::ScopeMask;
use crate::metrics::definition::ReopenedPolicy;
use crate::metrics::escape::escape_rates;
use crate::metrics::testkit::*;

fn row<'a>(m: &'a LayerMatrix, expected: Option<&str>) -> &'a MatrixRow {
    m.rows
        .iter()
        .find(|r| r.expected.as_ref().map(StageKey::as_str) == expected)
        .unwrap()
}

fn col(m: &LayerMatrix, key: &str) -> usize {
    m.columns
        .iter()
        .position(|c| c.key.as_str() == key)
        .unwrap()
}

#[test]
fn rows_and_columns_follow_the_pipeline_with_not_named_last() {
    let m = layer_matrix(&[], &MetricDefinition::default(), &pipeline());
    let p = pipeline();
    let keys: Vec<&StageKey> = m.columns.iter().map(|c| &c.key).collect();
    assert_eq!(keys, p.keys().collect::<Vec<_>>());
    assert_eq!(m.rows.len(), p.stages().len() + 1);
    assert_eq!(m.rows.last().unwrap().label, NOT_NAMED);
    assert_eq!(m.rows.last().unwrap().caught_in_time, None);
    assert_eq!(m.rows[0].label, "Requirements review");
    let escaped: Vec<&str> = m
        .columns
        .iter()
        .filter(|c| c.escaped)
        .map(|c| c.key.as_str())
        .collect();
    assert_eq!(escaped, ["staging", "uat", "beta", "production"]);
    assert!(
        m.rows
            .iter()
            .all(|r| r.counts.len() == m.columns.len() && r.total == 0)
    );
}

#[test]
fn each_defect_lands_in_its_expected_row_and_discovery_column() {
    let cells = [
        cell("unit_test", 5).expected("unit_test"),
        cell("code_review", 1).expected("unit_test"),
        cell("production", 3).expected("unit_test"),
        cell("uat", 2).expected("integration_test"),
        cell("production", 4),
    ];
    let m = layer_matrix(&cells, &MetricDefinition::default(), &pipeline());
    let unit = row(&m, Some("unit_test"));
    assert_eq!(unit.counts[col(&m, "unit_test")], 5);
    assert_eq!(unit.counts[col(&m, "code_review")], 1);
    assert_eq!(unit.counts[col(&m, "production")], 3);
    assert_eq!(unit.total, 9);
    let in_time = unit.caught_in_time.as_ref().unwrap();
    assert_eq!((in_time.numerator, in_time.denominator), (6, 9));
    let integration = row(&m, Some("integration_test"))
        .caught_in_time
        .clone()
        .unwrap();
    assert_eq!((integration.numerator, integration.denominator), (0, 2));
    assert_eq!(row(&m, None).counts[col(&m, "production")], 4);
    assert_eq!(m.column_totals[col(&m, "production")], 7);
    assert_eq!(m.total, 15);
    let empty = row(&m, Some("staging")).caught_in_time.clone().unwrap();
    assert_eq!((empty.denominator, empty.value), (0, None));
}

#[test]
fn unknown_stages_out_of_scope_and_separate_defects_are_reported_apart() {
    let cells = [
        cell("removed_stage", 2).expected("unit_test"),
        cell("production", 3).expected("removed_stage"),
        cell("production", 4).scope(ScopeMask::UNCONFIRMED),
        cell("production", 5).scope(ScopeMask::REOPENED),
        cell("production", 6).contributing(crate::Mechanism::NoTest),
    ];
    let separately = MetricDefinition {
        reopened: ReopenedPolicy::Separately,
        ..MetricDefinition::default()
    };
    let m = layer_matrix(&cells, &separately, &pipeline());
    assert_eq!(
        (m.total, m.unknown_stage, m.out_of_scope, m.separate),
        (0, 5, 4, 5)
    );
    let m = layer_matrix(&cells, &MetricDefinition::default(), &pipeline());
    assert_eq!((m.total, m.separate), (5, 0));
}

proptest! {
    #[test]
    fn the_matrix_total_is_the_in_scope_defect_count(cells in any_cells(), def in any_definition()) {
        let p = pipeline();
        let m = layer_matrix(&cells, &def, &p);
        let rates = escape_rates(&cells, &[], &def, &p).unwrap();
        prop_assert_eq!(m.total + m.unknown_stage, rates.plain.denominator + rates.unknown_stage);
        prop_assert_eq!((m.out_of_scope, m.separate), (rates.out_of_scope, rates.separate));
        prop_assert_eq!(m.rows.iter().map(|r| r.total).sum::<u64>(), m.total);
        prop_assert_eq!(m.column_totals.iter().sum::<u64>(), m.total);
        for r in &m.rows {
            prop_assert_eq!(r.counts.iter().sum::<u64>(), r.total);
            if let Some(rate) = &r.caught_in_time {
                prop_assert_eq!(rate.denominator, r.total);
                prop_assert!(rate.numerator <= rate.denominator);
            }
        }
    }
}
