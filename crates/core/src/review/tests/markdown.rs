use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::taxonomy::{ActionStatus, Effort, ReviewState};

fn document() -> ReviewDocument {
    let mut checklist = answers(&[
        (Question::UnfamiliarCode, Answer::Yes),
        (Question::UnclearCriteria, Answer::No),
        (Question::AutomatedCoverage, Answer::No),
        (Question::ObservableInTest, Answer::Yes),
        (Question::UntestedConditions, Answer::Unknown),
        (Question::ProductionDiffers, Answer::No),
    ]);
    checklist.set(
        Question::AutomatedCoverage,
        Some(Answer::No),
        "Only unit tests | no API suite\nfor coupons",
    );
    ReviewDocument {
        title: "Checkout outage on Black Friday".to_owned(),
        team: "Checkout".to_owned(),
        state: ReviewState::Classified,
        incident_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        incident_link: Some("https://status.example.com/incidents/42".to_owned()),
        summary: "Coupons **doubled** the order total for 40 minutes.".to_owned(),
        participants: parse_participants("Dana Reyes (facilitator)\nLee Park (QA)").unwrap(),
        escapes: vec![
            EscapeDocument {
                title: "Coupon total wrong".to_owned(),
                external_key: Some("SHOP-1432".to_owned()),
                severity: "Critical".to_owned(),
                discovered_at_stage: "Production".to_owned(),
                expected_catch_stage: Some("Integration / API test".to_owned()),
                component: Some("Payments".to_owned()),
                release: Some("2026.11".to_owned()),
                detected_at: Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap(),
                checklist,
                evidence: "A contract test on the coupon total".to_owned(),
                evidence_gap: "The coupon service had no contract suite".to_owned(),
                primary: Some(Mechanism::NoTest),
                contributing: vec![Mechanism::UnrepresentativeData],
                actions: vec![ActionDocument {
                    title: "Add coupon contract tests".to_owned(),
                    mechanism: Mechanism::NoTest,
                    component: Some("Payments".to_owned()),
                    target_layer: "Integration / API test".to_owned(),
                    effort: Effort::M,
                    owner_team: "Checkout".to_owned(),
                    due_date: NaiveDate::from_ymd_opt(2026, 12, 15),
                    status: ActionStatus::Accepted,
                    external_key: Some("SHOP-1500".to_owned()),
                }],
                no_action_reason: None,
            },
            EscapeDocument {
                title: "Banner typo".to_owned(),
                external_key: None,
                severity: "Low".to_owned(),
                discovered_at_stage: "Production".to_owned(),
                expected_catch_stage: None,
                component: None,
                release: None,
                detected_at: Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap(),
                checklist: Checklist::new(),
                evidence: String::new(),
                evidence_gap: String::new(),
                primary: None,
                contributing: vec![],
                actions: vec![],
                no_action_reason: Some("The banner was removed".to_owned()),
            },
        ],
        exported_at: Utc.with_ymd_and_hms(2026, 11, 25, 14, 5, 0).unwrap(),
    }
}

#[test]
fn a_review_exports_as_markdown() {
    insta::assert_snapshot!(review_markdown(&document()));
}

#[test]
fn an_empty_review_says_what_is_missing_instead_of_leaving_gaps() {
    let mut d = document();
    d.summary = String::new();
    d.participants = vec![];
    d.escapes.truncate(0);
    let md = review_markdown(&d);
    assert!(md.contains("_No summary yet._"));
    assert!(md.contains("_None listed._"));
    assert!(md.contains("| Escapes covered | 0 |"));
    assert!(md.ends_with("_None listed._\n"));
}

#[test]
fn table_cells_cannot_break_the_table() {
    let md = review_markdown(&document());
    assert!(md.contains("Only unit tests \\| no API suite for coupons"));
}
