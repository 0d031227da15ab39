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
