//! Edit forms: a validated defect shown as a draft validates back to itself.

use super::*;

#[test]
fn from_defect_writes_keys_ids_minute_dates_and_checkbox_values() {
    let d = validate(&full()).unwrap();
    let draft = DefectDraft::from_defect(&d);
    assert_eq!(draft.severity, "high");
    assert_eq!(draft.origin, "code");
    assert_eq!(draft.discovery_stage, "production");
    assert_eq!(draft.expected_catch_stage, "unit_test");
    assert_eq!(draft.team_id, TEAM);
    assert_eq!(draft.component_id, COMPONENT);
    assert_eq!(draft.introduced_at, "2024-05-01T09:15");
    assert_eq!(draft.detected_at, "2024-05-20T10:30");
    assert_eq!(draft.resolved_at, "2024-05-21T16:45");
    assert_eq!(draft.reopened_count, "2");
    assert_eq!(draft.confirmed.as_deref(), Some("on"));
    assert_eq!(draft.known_issue_accepted, None);
    assert_eq!(draft.external_key, "SHOP-123");
    assert_eq!(draft.version, "");
}

#[test]
fn from_defect_leaves_absent_optional_fields_empty() {
    let draft = DefectDraft::from_defect(&validate(&minimal()).unwrap());
    assert_eq!(draft.expected_catch_stage, "");
    assert_eq!(
        (draft.component_id.as_str(), draft.release_id.as_str()),
        ("", "")
    );
    assert_eq!(
        (draft.introduced_at.as_str(), draft.resolved_at.as_str()),
        ("", "")
    );
    assert_eq!(draft.reopened_count, "0");
    assert_eq!(draft.origin, "unknown");
    assert_eq!(
        (draft.external_key.as_str(), draft.incident_link.as_str()),
        ("", "")
    );
}

#[test]
fn a_defect_shown_in_its_edit_form_validates_back_to_itself() {
    for draft in [minimal(), full()] {
        let d = validate(&draft).unwrap();
        assert_eq!(validate(&DefectDraft::from_defect(&d)).unwrap(), d);
    }
}

#[test]
fn from_stored_carries_the_version_for_optimistic_locking() {
    let data = validate(&full()).unwrap();
    let stored = Defect {
        id: Uuid::nil(),
        data,
        version: 4,
        created_at: now(),
        updated_at: now(),
    };
    let draft = DefectDraft::from_stored(&stored);
    assert_eq!(draft.version, "4");
    assert_eq!(validate(&draft).unwrap(), stored.data);
}
