//! The demo's catalog: three teams, each with four components and quarterly releases over
//! the last two years, written through the catalog repository.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use escapement_core::{NewComponent, NewRelease, NewTeam};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::Result;
use crate::catalog::{create_component, create_release, create_team};

struct TeamPlan {
    name: &'static str,
    prefix: &'static str,
    components: [&'static str; 4],
}

const TEAMS: [TeamPlan; 3] = [
    TeamPlan {
        name: "Checkout",
        prefix: "CHK",
        components: ["Cart", "Payments", "Coupons", "Order history"],
    },
    TeamPlan {
        name: "Platform",
        prefix: "PLAT",
        components: [
            "Authentication",
            "Search API",
            "Notifications",
            "Data pipeline",
        ],
    },
    TeamPlan {
        name: "Mobile",
        prefix: "MOB",
        components: ["iOS app", "Android app", "Offline sync", "Push messaging"],
    },
];

/// One written team with what its defects refer to.
pub(super) struct Catalog {
    pub(super) team_id: Uuid,
    pub(super) prefix: &'static str,
    pub(super) components: Vec<(Uuid, &'static str)>,
    pub(super) releases: Vec<(Uuid, NaiveDate)>,
}

/// Writes the demo teams with their components and releases.
pub(super) async fn create_catalog(
    txn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<Catalog>> {
    let mut catalogs = Vec::new();
    for plan in &TEAMS {
        let team = create_team(
            txn,
            &NewTeam {
                name: plan.name.to_owned(),
            },
            now,
        )
        .await?;
        let mut components = Vec::new();
        for name in plan.components {
            let new = NewComponent {
                name: name.to_owned(),
                team_id: team.id,
                description: format!("{name}, owned by the {} team.", plan.name),
            };
            components.push((create_component(txn, &new, now).await?.id, name));
        }
        let mut releases = Vec::new();
        for quarter in 0..8_i64 {
            let released_on = (now - Duration::days(730 - quarter * 91 - 10)).date_naive();
            let new = NewRelease {
                name: format!("{} 3.{quarter}", plan.name),
                team_id: team.id,
                released_on,
            };
            releases.push((create_release(txn, &new, now).await?.id, released_on));
        }
        catalogs.push(Catalog {
            team_id: team.id,
            prefix: plan.prefix,
            components,
            releases,
        });
    }
    Ok(catalogs)
}
