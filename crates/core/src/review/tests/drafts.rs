use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;
use crate::stage::Pipeline;
use crate::taxonomy::{ActionStatus, Effort};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn review_draft() -> ReviewDraft {
    ReviewDraft {
        title: " Checkout outage ".to_owned(),
        team_id: "0195d3d6-7bd0-7b2a-9a6e-5c1d2f3a4b5c".to_owned(),
        incident_date: "2026-11-20".to_owned(),
        incident_link: "https://status.example.com/incidents/42".to_owned(),
        summary: "Coupons **doubled** the total.\n\n".to_owned(),
        participants: "Dana Reyes (facilitator)\n\nLee Park (QA)\nSam\n".to_owned(),
    }
}

#[test]
fn a_complete_review_draft_is_accepted_and_trimmed() {
    let r = review_draft().validate(today()).unwrap();
    assert_eq!(r.title, "Checkout outage");
    assert_eq!(
        r.incident_date,
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    );
    assert_eq!(r.summary, "Coupons **doubled** the total.");
    assert_eq!(
        r.participants
            .iter()
            .map(|p| (p.name.as_str(), p.role.as_str()))
            .collect::<Vec<_>>(),
        [
            ("Dana Reyes", "facilitator"),
            ("Sam", "participant"),
            ("Lee Park", "QA")
        ]
    );
}

#[test]
fn an_empty_review_draft_names_each_required_field() {
    let errors = ReviewDraft::default().validate(today()).unwrap_err();
    assert_eq!(
        errors.by_field().into_iter().collect::<Vec<_>>(),
        [
            ("incident_date", "Enter the incident date"),
            ("team_id", "Select a team"),
            ("title", "Enter a title"),
        ]
    );
}

#[test]
fn incident_dates_must_be_real_and_not_in_the_future() {
    for (text, message) in [
        (
            "2026-02-30",
            "Incident date must be a real date, like 2026-03-15",
        ),
        (
            "next week",
            "Incident date must be a real date, like 2026-03-15",
        ),
        ("2026-11-27", "Incident date must not be in the future"),
    ] {
        let mut d = review_draft();
        d.incident_date = text.to_owned();
        assert_eq!(
            d.validate(today()).unwrap_err().get("incident_date"),
            Some(message),
            "{text}"
        );
    }
    let mut d = review_draft();
    d.incident_date = "2026-11-26".to_owned();
    assert!(
        d.validate(today()).is_ok(),
        "tomorrow is allowed for time zones"
    );
}

#[test]
fn a_bad_incident_link_or_participant_line_is_reported() {
    let mut d = review_draft();
    d.incident_link = "javascript:alert(1)".to_owned();
    d.participants = "(QA)".to_owned();
    let e = d.validate(today()).unwrap_err();
    assert!(e.get("incident_link").unwrap().contains("http://"));
    assert_eq!(
        e.get("participants"),
        Some("Write a name before the role in “(QA)”")
    );
}

#[test]
fn participants_round_trip_through_their_text_form() {
    let list = parse_participants("Lee Park (QA)\nDana Reyes (facilitator)").unwrap();
    assert_eq!(parse_participants(&participants_text(&list)).unwrap(), list);
    let too_many = "x\n".repeat(PARTICIPANTS_MAX + 1);
    assert!(parse_participants(&too_many).is_err());
}

fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn the_checklist_form_keeps_answers_and_notes_and_allows_blanks() {
    let c = checklist_from_form(&form(&[
        ("answer_automated_coverage", "no"),
        ("note_automated_coverage", " only unit tests "),
        ("answer_unfamiliar_code", ""),
        ("note_production_differs", "same config"),
    ]))
    .unwrap();
    assert_eq!(c.answer(Question::AutomatedCoverage), Some(Answer::No));
    assert_eq!(c.note(Question::AutomatedCoverage), "only unit tests");
    assert_eq!(c.answer(Question::UnfamiliarCode), None);
    assert_eq!(c.note(Question::ProductionDiffers), "same config");
}

#[test]
fn an_unknown_answer_or_a_long_note_names_its_field() {
    let long = "x".repeat(NOTE_MAX_LEN + 1);
    let e = checklist_from_form(&form(&[
        ("answer_unclear_criteria", "maybe"),
        ("note_unfamiliar_code", &long),
    ]))
    .unwrap_err();
    assert_eq!(
        e.get("answer_unclear_criteria"),
        Some("Choose Yes, No or Unknown")
    );
    assert_eq!(
        e.get("note_unfamiliar_code"),
        Some("A note must be 2,000 characters or fewer")
    );
}

#[test]
fn field_names_are_built_from_question_keys() {
    for &q in Question::ALL {
        assert_eq!(answer_field(q), format!("answer_{}", q.key()));
        assert_eq!(note_field(q), format!("note_{}", q.key()));
    }
}

#[test]
fn the_analysis_accepts_a_pipeline_stage_or_nothing() {
    let pipeline = Pipeline::default();
    let a = AnalysisDraft {
        expected_catch_stage: "integration_test".to_owned(),
        evidence: " a contract test ".to_owned(),
        evidence_gap: String::new(),
    }
    .validate(&pipeline)
    .unwrap();
    assert_eq!(a.expected_catch_stage.unwrap().as_str(), "integration_test");
    assert_eq!(a.evidence, "a contract test");
    assert!(
        AnalysisDraft::default()
            .validate(&pipeline)
            .unwrap()
            .expected_catch_stage
            .is_none()
    );
    let e = AnalysisDraft {
        expected_catch_stage: "nowhere".to_owned(),
        ..AnalysisDraft::default()
    }
    .validate(&pipeline)
    .unwrap_err();
    assert_eq!(
        e.get("expected_catch_stage"),
        Some("Select a stage from the pipeline")
    );
}

#[test]
fn a_classification_needs_a_primary_that_is_not_also_contributing() {
    let e = ClassificationDraft::default().validate().unwrap_err();
    assert_eq!(e.get("primary"), Some("Select the primary mechanism"));
    let e = ClassificationDraft {
        primary: "no_test".to_owned(),
        contributing: vec!["no_test".to_owned()],
    }
    .validate()
    .unwrap_err();
    assert_eq!(
        e.get("contributing"),
        Some("A contributing mechanism cannot also be the primary one")
    );
    let c = ClassificationDraft {
        primary: "no_test".to_owned(),
        contributing: vec!["missed_review".to_owned(), String::new()],
    }
    .validate()
    .unwrap();
    assert_eq!(c.primary(), Some(Mechanism::NoTest));
    assert_eq!(c.contributing().len(), 1);
    let e = ClassificationDraft {
        primary: "bad_luck".to_owned(),
        contributing: vec!["gremlins".to_owned()],
    }
    .validate()
    .unwrap_err();
    assert_eq!(e.len(), 2);
}

fn action() -> ActionDraft {
    ActionDraft {
        title: "Add a contract test for coupon totals".to_owned(),
        mechanism: "no_test".to_owned(),
        component_id: String::new(),
        target_layer: "integration_test".to_owned(),
        effort: "s".to_owned(),
        owner_team_id: "0195d3d6-7bd0-7b2a-9a6e-5c1d2f3a4b5c".to_owned(),
        due_date: "2026-12-15".to_owned(),
        status: String::new(),
    }
}

#[test]
fn an_action_defaults_to_proposed() {
    let a = action().validate(&Pipeline::default()).unwrap();
    assert_eq!(a.status, ActionStatus::Proposed);
    assert_eq!(a.effort, Effort::S);
    assert_eq!(a.component_id, None);
    assert_eq!(a.due_date, NaiveDate::from_ymd_opt(2026, 12, 15));
}

#[test]
fn an_empty_action_names_every_required_field() {
    let e = ActionDraft::default()
        .validate(&Pipeline::default())
        .unwrap_err();
    let fields: Vec<&str> = e.iter().map(|f| f.field).collect();
    assert_eq!(
        fields,
        [
            "title",
            "mechanism",
            "target_layer",
            "effort",
            "owner_team_id"
        ]
    );
}

#[test]
fn an_action_with_bad_values_names_each_one() {
    let mut d = action();
    d.component_id = "not-an-id".to_owned();
    d.target_layer = "moon".to_owned();
    d.due_date = "soon".to_owned();
    d.status = "maybe".to_owned();
    let e = d.validate(&Pipeline::default()).unwrap_err();
    let fields: Vec<&str> = e.iter().map(|f| f.field).collect();
    assert_eq!(
        fields,
        ["component_id", "target_layer", "due_date", "status"]
    );
}

#[test]
fn a_no_action_reason_must_be_written() {
    assert_eq!(
        no_action_reason("  ").unwrap_err().get("no_action_reason"),
        Some("Write why no action is needed")
    );
    assert_eq!(
        no_action_reason(" removed feature ").unwrap(),
        "removed feature"
    );
}
