//! Seed data for HTTP tests, written through the storage layer.

use chrono::{NaiveDate, Utc};
use escapement_core::{NewComponent, NewRelease, NewTeam};
use escapement_storage::catalog::{create_component, create_release, create_team};
use escapement_tests::TestApp;
use uuid::Uuid;

/// Ids of one seeded team with one component and one release.
pub struct Seeded {
    pub team: Uuid,
    pub component: Uuid,
    pub release: Uuid,
}

/// A team named `name` with a component "Coupons" and a release "`name` 1.0".
pub async fn team(app: &TestApp, name: &str) -> Seeded {
    let now = Utc::now();
    let team = create_team(
        app.db(),
        &NewTeam {
            name: name.to_owned(),
        },
        now,
    )
    .await
    .expect("seed team");
    let component = create_component(
        app.db(),
        &NewComponent {
            name: "Coupons".to_owned(),
            team_id: team.id,
            description: String::new(),
        },
        now,
    )
    .await
    .expect("seed component");
    let release = create_release(
        app.db(),
        &NewRelease {
            name: format!("{name} 1.0"),
            team_id: team.id,
            released_on: NaiveDate::from_ymd_opt(2026, 1, 15).expect("a valid date"),
        },
        now,
    )
    .await
    .expect("seed release");
    Seeded {
        team: team.id,
        component: component.id,
        release: release.id,
    }
}

/// A complete, valid defect form for `seeded`'s team, discovered at `stage`.
pub fn defect_form(
    seeded: &Seeded,
    title: &str,
    severity: &str,
    stage: &str,
) -> Vec<(String, String)> {
    [
        ("title", title),
        ("description", "Found while testing."),
        ("severity", severity),
        ("defect_type", "functional"),
        ("origin", "code"),
        ("discovery_stage", stage),
        ("expected_catch_stage", ""),
        ("detected_by", "customer"),
        ("team_id", &seeded.team.to_string()),
        ("component_id", &seeded.component.to_string()),
        ("release_id", &seeded.release.to_string()),
        ("introduced_at", "2026-02-01T09:00"),
        ("detected_at", "2026-02-10T10:30"),
        ("resolved_at", ""),
        ("reopened_count", "0"),
        ("confirmed", "on"),
        ("external_key", ""),
        ("incident_link", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Borrowed pairs for `TestApp::post_form`.
pub fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Sets one field of a form.
pub fn set(form: &mut [(String, String)], field: &str, value: &str) {
    if let Some(entry) = form.iter_mut().find(|(k, _)| k == field) {
        entry.1 = value.to_owned();
    }
}

/// Records a defect through the form and returns its id from the redirect.
pub async fn record(app: &TestApp, form: &[(String, String)]) -> Uuid {
    let response = app.post_form("/defects", &pairs(form)).await;
    assert_eq!(
        response.status, 303,
        "recording a defect redirects; body: {}",
        response.body
    );
    let id = response.location().trim_start_matches("/defects/");
    Uuid::parse_str(id).expect("the redirect names the new defect")
}

/// `text` as minijinja's HTML autoescape writes it (it also escapes `/`).
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}
