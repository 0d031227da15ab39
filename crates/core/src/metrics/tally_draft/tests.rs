//! The tally form's parsing, change detection and totals.

use super::*;

fn stages() -> Vec<Stage> {
    ["unit_test", "system_test"]
        .iter()
        .zip(["Unit tests", "System test"])
        .map(|(key, label)| Stage {
            key: StageKey::parse(key).expect("a key"),
            label: label.to_owned(),
        })
        .collect()
}

fn pipeline() -> Pipeline {
    let mut all = stages();
    all.push(Stage {
        key: StageKey::parse("production").expect("a key"),
        label: "Production".to_owned(),
    });
    Pipeline::new(all).expect("a pipeline")
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

fn key(k: &str) -> StageKey {
    StageKey::parse(k).expect("a key")
}

#[test]
fn the_grid_has_the_stages_up_to_the_boundary_and_every_severity() {
    let boundary = Boundary::after_stage(key("system_test"));
    let p = pipeline();
    let rows = tally_stages(&p, &boundary);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        first_escape_stage(&p, &boundary).map(|s| s.label.as_str()),
        Some("Production")
    );
    let draft = TallyDraft::stored(rows, |_, _| 0);
    assert_eq!(draft.cells.len(), 2 * Severity::ALL.len());
    assert_eq!(draft.cells[0].field(), "n-unit_test-critical");
    assert_eq!(draft.cells[0].seen_field(), "seen-unit_test-critical");
}

#[test]
fn a_boundary_on_an_unknown_stage_leaves_no_rows() {
    let boundary = Boundary::after_stage(key("canary"));
    assert!(tally_stages(&pipeline(), &boundary).is_empty());
    assert!(first_escape_stage(&pipeline(), &boundary).is_none());
}

#[test]
fn blank_cells_are_zero_and_unchanged_cells_are_not_written() {
    let submitted = TallyDraft::submitted(
        &stages(),
        &form(&[
            ("n-unit_test-high", " 41 "),
            ("seen-unit_test-high", "3"),
            ("n-unit_test-low", ""),
            ("seen-unit_test-low", "0"),
            ("n-system_test-low", "5"),
            ("seen-system_test-low", "5"),
        ]),
    );
    let changes = submitted.validate().expect("valid");
    let high = changes
        .iter()
        .find(|c| c.severity == Severity::High && c.stage == key("unit_test"))
        .expect("the changed cell");
    assert_eq!((high.seen, high.count), (Some(3), 41));
    assert!(
        !changes
            .iter()
            .any(|c| c.severity == Severity::Low && c.count == 5)
    );
    assert!(
        !changes
            .iter()
            .any(|c| c.severity == Severity::Low && c.stage == key("unit_test"))
    );
}

#[test]
fn a_missing_seen_value_is_a_change_that_can_never_match() {
    let submitted = TallyDraft::submitted(&stages(), &form(&[("n-unit_test-high", "0")]));
    let changes = submitted.validate().expect("valid");
    assert_eq!(changes.len(), 2 * Severity::ALL.len());
    assert!(changes.iter().all(|c| c.seen.is_none() && c.count == 0));
}

#[test]
fn a_bad_cell_is_named_in_words() {
    for bad in [
        "-1",
        "1.5",
        "1e3",
        "1000001",
        "abc",
        "+4",
        "99999999999999999999999",
    ] {
        let submitted = TallyDraft::submitted(&stages(), &form(&[("n-unit_test-high", bad)]));
        let errors = submitted.validate().expect_err(bad);
        assert_eq!(errors.len(), 1, "{bad}");
        assert_eq!(errors[0].field, "n-unit_test-high");
        assert_eq!(
            errors[0].message,
            "Unit tests, High: enter a whole number from 0 to 1,000,000"
        );
    }
}

#[test]
fn every_bad_cell_is_reported_in_form_order() {
    let submitted = TallyDraft::submitted(
        &stages(),
        &form(&[("n-system_test-low", "x"), ("n-unit_test-critical", "y")]),
    );
    let errors = submitted.validate().expect_err("two bad cells");
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["n-unit_test-critical", "n-system_test-low"]);
}

#[test]
fn the_limits_are_taken() {
    for (text, n) in [("0", 0), ("1000000", TALLY_MAX), ("0007", 7), ("", 0)] {
        assert_eq!(parse_count(text), Some(n), "{text}");
    }
}

#[test]
fn totals_add_the_valid_cells_by_row_and_by_severity() {
    let submitted = TallyDraft::submitted(
        &stages(),
        &form(&[
            ("n-unit_test-critical", "2"),
            ("n-unit_test-low", "3"),
            ("n-system_test-low", "4"),
            ("n-system_test-high", "bad"),
        ]),
    );
    assert_eq!(submitted.row_totals(), [5, 4]);
    assert_eq!(submitted.column_totals(), [2, 0, 0, 7]);
}

#[test]
fn stored_counts_show_blank_for_zero_and_remember_what_was_shown() {
    let draft = TallyDraft::stored(&stages(), |stage, severity| {
        u64::from(stage.as_str() == "unit_test" && severity == Severity::Medium) * 9
    });
    let medium = &draft.cells[2];
    assert_eq!((medium.value.as_str(), medium.seen.as_str()), ("9", "9"));
    assert_eq!(
        (draft.cells[0].value.as_str(), draft.cells[0].seen.as_str()),
        ("", "0")
    );
    assert_eq!(draft.validate(), Ok(Vec::new()));
}
