//! Defect form rules: a valid draft, then one test per rule and per message.
#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;
use crate::stage::{Pipeline, Stage};
use chrono::TimeZone;

mod dates_and_links;
mod draft_round_trip;
mod stages_ids_and_scope;
mod text_and_choices;

const TEAM: &str = "0190a4e2-7c1b-7d3e-9f00-0123456789ab";
const COMPONENT: &str = "0190a4e2-7c1b-7d3e-9f00-00000000000c";
const RELEASE: &str = "0190a4e2-7c1b-7d3e-9f00-00000000000e";

/// The clock every test validates against: 2024-06-01 12:00 UTC.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).unwrap()
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// A draft that passes every rule, with only the required fields filled.
fn minimal() -> DefectDraft {
    DefectDraft {
        title: "Checkout total ignores discount".into(),
        severity: "high".into(),
        defect_type: "functional".into(),
        discovery_stage: "production".into(),
        detected_by: "customer".into(),
        team_id: TEAM.into(),
        detected_at: "2024-05-20".into(),
        ..DefectDraft::default()
    }
}

/// A draft that passes every rule with every field filled.
fn full() -> DefectDraft {
    DefectDraft {
        description: "Steps:\n1. add a coupon\n".into(),
        origin: "code".into(),
        expected_catch_stage: "unit_test".into(),
        component_id: COMPONENT.into(),
        release_id: RELEASE.into(),
        introduced_at: "2024-05-01T09:15".into(),
        detected_at: "2024-05-20T10:30".into(),
        resolved_at: "2024-05-21T16:45".into(),
        reopened_count: "2".into(),
        confirmed: Some("on".into()),
        cosmetic: Some("true".into()),
        data_migration: Some("1".into()),
        external_key: "SHOP-123".into(),
        incident_link: "https://status.example.com/incidents/42".into(),
        version: "7".into(),
        ..minimal()
    }
}

fn validate(draft: &DefectDraft) -> Result<NewDefect, ValidationErrors> {
    draft.validate(&Pipeline::default(), now())
}

/// The only error the draft has, as (field, message).
fn only_error(draft: &DefectDraft) -> (&'static str, String) {
    let errors = validate(draft).unwrap_err();
    let all: Vec<&FieldError> = errors.iter().collect();
    assert_eq!(all.len(), 1, "expected exactly one error, got {all:?}");
    (all[0].field, all[0].message.clone())
}

fn key(s: &str) -> StageKey {
    StageKey::parse(s).unwrap()
}

#[test]
fn minimal_draft_is_accepted_with_defaults_for_optional_fields() {
    let d = validate(&minimal()).unwrap();
    assert_eq!(d.title, "Checkout total ignores discount");
    assert_eq!(d.description, "");
    assert_eq!(d.severity, Severity::High);
    assert_eq!(d.defect_type, DefectType::Functional);
    assert_eq!(d.origin, Origin::Unknown);
    assert_eq!(d.discovery_stage, key("production"));
    assert_eq!(d.expected_catch_stage, None);
    assert_eq!(d.detected_by, DetectedBy::Customer);
    assert_eq!(d.team_id, TEAM.parse::<Uuid>().unwrap());
    assert_eq!((d.component_id, d.release_id), (None, None));
    assert_eq!(d.introduced_at, None);
    assert_eq!(d.detected_at, at(2024, 5, 20, 0, 0));
    assert_eq!(d.resolved_at, None);
    assert_eq!(d.reopened_count, 0);
    assert_eq!(d.scope, ScopeFlags::default());
    assert_eq!((d.external_key, d.incident_link), (None, None));
}

#[test]
fn full_draft_is_accepted_with_every_field_parsed() {
    let d = validate(&full()).unwrap();
    assert_eq!(d.description, "Steps:\n1. add a coupon");
    assert_eq!(d.origin, Origin::Code);
    assert_eq!(d.expected_catch_stage, Some(key("unit_test")));
    assert_eq!(d.component_id, Some(COMPONENT.parse().unwrap()));
    assert_eq!(d.release_id, Some(RELEASE.parse().unwrap()));
    assert_eq!(d.introduced_at, Some(at(2024, 5, 1, 9, 15)));
    assert_eq!(d.detected_at, at(2024, 5, 20, 10, 30));
    assert_eq!(d.resolved_at, Some(at(2024, 5, 21, 16, 45)));
    assert_eq!(d.reopened_count, 2);
    let scope = ScopeFlags {
        confirmed: true,
        known_issue_accepted: false,
        cosmetic: true,
        test_environment: false,
        data_migration: true,
    };
    assert_eq!(d.scope, scope);
    assert_eq!(d.external_key.as_deref(), Some("SHOP-123"));
    assert_eq!(
        d.incident_link.as_deref(),
        Some("https://status.example.com/incidents/42")
    );
}

#[test]
fn empty_draft_reports_every_required_field_once_in_form_order() {
    let errors = validate(&DefectDraft::default()).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "title",
            "severity",
            "defect_type",
            "discovery_stage",
            "detected_by",
            "team_id",
            "detected_at"
        ]
    );
    assert_eq!(errors.get("title"), Some("Enter a title"));
    assert_eq!(errors.get("severity"), Some("Select a severity"));
    assert_eq!(errors.get("defect_type"), Some("Select a defect type"));
    assert_eq!(
        errors.get("discovery_stage"),
        Some("Select the stage where the defect was discovered")
    );
    assert_eq!(
        errors.get("detected_by"),
        Some("Select who or what detected the defect")
    );
    assert_eq!(errors.get("team_id"), Some("Select a team"));
    assert_eq!(
        errors.get("detected_at"),
        Some("Enter the date the defect was detected")
    );
}

#[test]
fn every_field_wrong_at_once_gives_one_error_per_field_in_form_order() {
    let draft = DefectDraft {
        title: "t".repeat(201),
        description: "d".repeat(20_001),
        severity: "blocker".into(),
        defect_type: "cosmic".into(),
        origin: "moon".into(),
        discovery_stage: "orbit".into(),
        expected_catch_stage: "nowhere".into(),
        detected_by: "oracle".into(),
        team_id: "team".into(),
        component_id: "comp".into(),
        release_id: "rel".into(),
        introduced_at: "soon".into(),
        detected_at: "later".into(),
        resolved_at: "never".into(),
        reopened_count: "many".into(),
        external_key: "A B".into(),
        incident_link: "ftp://x".into(),
        ..DefectDraft::default()
    };
    let errors = validate(&draft).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "title",
            "description",
            "severity",
            "defect_type",
            "origin",
            "discovery_stage",
            "expected_catch_stage",
            "detected_by",
            "team_id",
            "component_id",
            "release_id",
            "introduced_at",
            "detected_at",
            "resolved_at",
            "reopened_count",
            "external_key",
            "incident_link"
        ]
    );
}

#[test]
fn version_is_carried_but_never_validated() {
    let draft = DefectDraft {
        version: "not a number".into(),
        ..minimal()
    };
    assert!(validate(&draft).is_ok());
}

#[test]
fn draft_deserializes_with_missing_fields_as_empty_and_absent_checkboxes_as_none() {
    let draft: DefectDraft = serde_json::from_str(r#"{"title":"x","cosmetic":"on"}"#).unwrap();
    assert_eq!(draft.title, "x");
    assert_eq!(draft.cosmetic.as_deref(), Some("on"));
    assert_eq!(draft.confirmed, None);
    assert_eq!(draft.severity, "");
}
