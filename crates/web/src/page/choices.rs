//! The catalog as choices of a form or a filter bar: teams, and components and releases
//! grouped by team, limited to the teams a predicate allows (the teams a user sees, or may
//! write to), from the catalog kept under the teams' stamps.

use escapement_storage::catalog::catalog;
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
    let all = catalog(db).await?;
    let teams = of_allowed(&all.teams, |t| t.id, &allowed);
    Ok(CatalogChoices {
        teams: team_options(&teams),
        components: component_groups(
            &teams,
            &of_allowed(&all.components, |c| c.team_id, &allowed),
        ),
        releases: release_groups(&teams, &of_allowed(&all.releases, |r| r.team_id, &allowed)),
    })
}

/// The teams `allowed` lets through, as the choices of a team filter.
pub async fn team_choices(
    db: &DatabaseConnection,
    allowed: impl Fn(Uuid) -> bool,
) -> AppResult<Vec<Opt>> {
    let all = catalog(db).await?;
    Ok(team_options(&of_allowed(&all.teams, |t| t.id, &allowed)))
}

/// The `items` whose team (`team_of`) `allowed` lets through, in their order.
fn of_allowed<T: Clone>(
    items: &[T],
    team_of: impl Fn(&T) -> Uuid,
    allowed: &impl Fn(Uuid) -> bool,
) -> Vec<T> {
    items
        .iter()
        .filter(|item| allowed(team_of(item)))
        .cloned()
        .collect()
}
