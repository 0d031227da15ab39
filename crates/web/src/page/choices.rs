//! The catalog as choices of a form or a filter bar: teams, and components and releases
//! grouped by team, limited to the teams a predicate allows (the teams a user sees, or may
//! write to), read in three queries.

use escapement_storage::catalog::{list_components, list_releases, list_teams};
use escapement_storage::sea_orm::DatabaseConnection;
use serde::Serialize;
use uuid::Uuid;

use super::views::{Opt, OptGroup, component_groups, release_groups, team_options};
use crate::error::AppResult;

/// Teams, components and releases to choose from.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogChoices {
    pub teams: Vec<Opt>,
    pub components: Vec<OptGroup>,
    pub releases: Vec<OptGroup>,
}

/// The catalog of the teams `allowed` lets through.
pub async fn catalog_choices(
    db: &DatabaseConnection,
    allowed: impl Fn(Uuid) -> bool,
) -> AppResult<CatalogChoices> {
    let mut teams = list_teams(db).await?;
    teams.retain(|t| allowed(t.id));
    let mut components = list_components(db, None).await?;
    components.retain(|c| allowed(c.team_id));
    let mut releases = list_releases(db, None).await?;
    releases.retain(|r| allowed(r.team_id));
    Ok(CatalogChoices {
        teams: team_options(&teams),
        components: component_groups(&teams, &components),
        releases: release_groups(&teams, &releases),
    })
}
