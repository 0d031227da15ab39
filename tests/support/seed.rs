//! Seed data written through the storage layer: a team with one component and one release,
//! and a valid defect form for it.

use chrono::{NaiveDate, Utc};
use escapement_core::{NewComponent, NewRelease, NewTeam};
use escapement_storage::catalog::{create_component, create_release, create_team};
use escapement_storage::sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::TestApp;

/// Ids of one seeded team with one component and one release.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub team: Uuid,
    pub component: Uuid,
    pub release: Uuid,
}

/// Seeds a team named `name` with a component "Coupons" and a release "`name` 1.0".
pub async fn seed_team(app: &TestApp, name: &str) -> Seeded {
    seed_team_in(app.db(), name).await
}

/// [`seed_team`] on any connection (a benchmark's database as well as a test's).
pub async fn seed_team_in(db: &DatabaseConnection, name: &str) -> Seeded {
    let now = Utc::now();
    let team = create_team(
        db,
        &NewTeam {
            name: name.to_owned(),
        },
        now,
    )
    .await
    .expect("seed team");
    let component = create_component(
        db,
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
        db,
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
