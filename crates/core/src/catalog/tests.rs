//! Team, component and release form rules, one test per message.
#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;

const TEAM: &str = "0190a4e2-7c1b-7d3e-9f00-0123456789ab";

fn team(name: &str) -> TeamDraft {
    TeamDraft {
        name: name.into(),
        ..TeamDraft::default()
    }
}

fn component(name: &str, team_id: &str, description: &str) -> ComponentDraft {
    ComponentDraft {
        name: name.into(),
        team_id: team_id.into(),
        description: description.into(),
        version: "3".into(),
    }
}

fn release(name: &str, team_id: &str, released_on: &str) -> ReleaseDraft {
    ReleaseDraft {
        name: name.into(),
        team_id: team_id.into(),
        released_on: released_on.into(),
        version: String::new(),
    }
}

#[test]
fn team_name_is_stored_trimmed() {
    assert_eq!(
        team("  Payments ").validate().unwrap(),
        NewTeam {
            name: "Payments".into()
        }
    );
}

#[test]
fn blank_team_name_is_rejected() {
    let errors = team("   ").validate().unwrap_err();
    assert_eq!(errors.get("name"), Some("Enter a team name"));
    assert_eq!(errors.len(), 1);
}

#[test]
fn team_name_longer_than_80_characters_is_rejected_and_80_is_accepted() {
    assert!(team(&"é".repeat(80)).validate().is_ok());
    let errors = team(&"é".repeat(81)).validate().unwrap_err();
    assert_eq!(
        errors.get("name"),
        Some("Team name must be 80 characters or fewer")
    );
}

#[test]
fn team_draft_round_trips_through_from_team() {
    let new = team("Payments").validate().unwrap();
    assert_eq!(TeamDraft::from_team(&new).validate().unwrap(), new);
}

#[test]
fn valid_component_is_accepted_with_trimmed_fields() {
    let new = component(" Checkout ", TEAM, " Basket and payment \n")
        .validate()
        .unwrap();
    assert_eq!(
        new,
        NewComponent {
            name: "Checkout".into(),
            team_id: TEAM.parse().unwrap(),
            description: "Basket and payment".into()
        }
    );
    assert_eq!(
        ComponentDraft::from_component(&new).validate().unwrap(),
        new
    );
}

#[test]
fn component_description_may_be_empty() {
    assert_eq!(
        component("Checkout", TEAM, "")
            .validate()
            .unwrap()
            .description,
        ""
    );
}

#[test]
fn component_reports_every_problem_in_form_order() {
    let errors = component("", "not-a-uuid", &"x".repeat(2001))
        .validate()
        .unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["name", "team_id", "description"]);
    assert_eq!(errors.get("name"), Some("Enter a component name"));
    assert_eq!(errors.get("team_id"), Some("Select a team"));
    assert_eq!(
        errors.get("description"),
        Some("Description must be 2,000 characters or fewer")
    );
}

#[test]
fn component_without_a_team_is_rejected() {
    let errors = component("Checkout", "", "").validate().unwrap_err();
    assert_eq!(errors.get("team_id"), Some("Select a team"));
}

#[test]
fn component_name_longer_than_80_characters_is_rejected() {
    let errors = component(&"c".repeat(81), TEAM, "").validate().unwrap_err();
    assert_eq!(
        errors.get("name"),
        Some("Component name must be 80 characters or fewer")
    );
}

#[test]
fn component_description_of_2000_characters_is_accepted() {
    assert!(
        component("Checkout", TEAM, &"é".repeat(2000))
            .validate()
            .is_ok()
    );
}

#[test]
fn valid_release_is_accepted() {
    let new = release(" 2024.3 ", TEAM, "2024-03-15").validate().unwrap();
    assert_eq!(
        new,
        NewRelease {
            name: "2024.3".into(),
            team_id: TEAM.parse().unwrap(),
            released_on: NaiveDate::from_ymd_opt(2024, 3, 15).unwrap()
        }
    );
    assert_eq!(ReleaseDraft::from_release(&new).validate().unwrap(), new);
}

#[test]
fn release_without_a_date_is_rejected() {
    let errors = release("2024.3", TEAM, " ").validate().unwrap_err();
    assert_eq!(errors.get("released_on"), Some("Enter the release date"));
}

#[test]
fn release_with_an_impossible_or_timed_date_is_rejected() {
    for bad in ["2024-02-30", "15/03/2024", "2024-03-15T10:00"] {
        let errors = release("2024.3", TEAM, bad).validate().unwrap_err();
        assert_eq!(
            errors.get("released_on"),
            Some("Release date must be a real date, like 2024-03-15"),
            "{bad}"
        );
    }
}

#[test]
fn release_reports_every_problem_in_form_order() {
    let errors = release(&"r".repeat(81), "x", "").validate().unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["name", "team_id", "released_on"]);
    assert_eq!(
        errors.get("name"),
        Some("Release name must be 80 characters or fewer")
    );
    let blank = release("", TEAM, "2024-01-01").validate().unwrap_err();
    assert_eq!(blank.get("name"), Some("Enter a release name"));
}

#[test]
fn drafts_deserialize_with_missing_fields_as_empty() {
    let draft: ComponentDraft = serde_json::from_str(r#"{"name":"Checkout"}"#).unwrap();
    assert_eq!(
        draft,
        ComponentDraft {
            name: "Checkout".into(),
            ..ComponentDraft::default()
        }
    );
    let draft: ReleaseDraft = serde_json::from_str("{}").unwrap();
    assert_eq!(draft, ReleaseDraft::default());
    let draft: TeamDraft = serde_json::from_str(r#"{"version":"2"}"#).unwrap();
    assert_eq!(draft.version, "2");
}
