//! The catalog that defects refer to, one module per aggregate: teams, their components and
//! their releases. Each module holds its record and its queries; names are unique per team
//! (team names across the instance), and a taken name is a field error on `name`.

mod components;
mod releases;
mod teams;

pub use components::{
    Component, create_component, get_component, list_components, update_component,
};
pub use releases::{Release, create_release, get_release, list_releases, update_release};
pub use teams::{Team, create_team, get_team, list_teams, update_team};

use std::sync::Arc;

use sea_orm::ConnectionTrait;

/// Every team, component and release, each by name: what filter bars and forms offer, and
/// what names the ids in a stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    pub teams: Vec<Team>,
    pub components: Vec<Component>,
    pub releases: Vec<Release>,
}

/// The catalog, kept under every team's stamp (each catalog write renews its team's, and
/// a new team brings one): read once per change instead of three queries per page.
static CATALOG: crate::rollup::Kept<Arc<Catalog>> = crate::rollup::Kept::new(32);

/// The whole catalog as it is now.
pub async fn catalog(db: &impl ConnectionTrait) -> crate::Result<Arc<Catalog>> {
    CATALOG
        .get(db, None, "catalog", || async {
            Ok(Arc::new(Catalog {
                teams: list_teams(db).await?,
                components: list_components(db, None).await?,
                releases: list_releases(db, None).await?,
            }))
        })
        .await
}
