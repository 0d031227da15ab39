//! `/settings/*`: the settings index and, one module each, teams and their members,
//! components, releases, the pipeline, the metric definition, users, API tokens, the own
//! password and the audit log.

mod audit;
mod catalog;
mod components;
mod members;
mod metrics;
mod password;
mod pipeline;
mod releases;
mod tallies;
mod teams;
mod tokens;
mod users;

use axum::response::Response;
use escapement_core::auth::Permission;
use escapement_storage::catalog::Team;
use serde::Serialize;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::page::{Ctx, Layout, render};
use crate::routes::table::{AccessLevel, Route};

/// Every settings route, in table order.
pub fn routes() -> Vec<Route> {
    let mut all = vec![Route::get(
        "/settings",
        AccessLevel::SignedIn,
        settings_index,
    )];
    for module in [
        teams::routes(),
        catalog::routes::<components::Components>(),
        catalog::routes::<releases::Releases>(),
        tallies::routes(),
        members::routes(),
        pipeline::routes(),
        metrics::routes(),
        users::routes(),
        tokens::routes(),
        password::routes(),
        audit::routes(),
    ] {
        all.extend(module);
    }
    all
}

#[derive(Serialize)]
struct SettingsIndexPage {
    layout: Layout,
}

async fn settings_index(ctx: Ctx) -> AppResult<Response> {
    render(
        "settings/index.html",
        &SettingsIndexPage {
            layout: ctx.layout("Settings", "settings", &[]),
        },
    )
}

/// The teams whose components and releases `user` may manage.
fn manageable(user: &CurrentUser, teams: Vec<Team>) -> Vec<Team> {
    teams
        .into_iter()
        .filter(|t| user.access(t.id).can(Permission::ManageCatalog))
        .collect()
}

/// The teams `user` may manage, or 403 when there is none: the form would offer nothing.
fn manageable_or_refused(user: &CurrentUser, teams: Vec<Team>) -> AppResult<Vec<Team>> {
    let teams = manageable(user, teams);
    if teams.is_empty() {
        return Err(AppError::Forbidden(
            "Only a team admin can add to a team's catalog. A team admin can change your role."
                .to_owned(),
        ));
    }
    Ok(teams)
}
