//! The improvement backlog: every action of the user's teams and the suggested items, by
//! priority score; an action's page, where its status, due date, owner team and tracker key
//! move outside its review's edit lock; accepting and dismissing suggestions; the exports and
//! pasting tracker keys back.

mod action;
mod export;
mod links;
mod list;
mod suggestions;
mod view;

pub(crate) use list::{BacklogQuery, to_filter};

use chrono::{NaiveDate, Utc};
use escapement_core::auth::Permission;
use escapement_core::metrics::definition::SeverityWeights;
use escapement_storage::backlog::{BacklogAction, action_detail};
use escapement_storage::metrics::current_definition;

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::routes::table::{AccessLevel, Route};
use crate::state::AppState;

/// The backlog's routes: the list for any signed-in user (limited to their teams), an
/// action's page at its owner team's read level, every change at its write level.
pub fn routes() -> Vec<Route> {
    use AccessLevel::{SignedIn, TeamRead, TeamWrite};
    vec![
        Route::get("/backlog", SignedIn, list::show_backlog),
        Route::get(
            "/backlog/actions/{action_id}",
            TeamRead,
            action::show_action,
        ),
        Route::post(
            "/backlog/actions/{action_id}",
            TeamWrite,
            action::change_action_status,
        ),
        Route::post(
            "/backlog/actions/{action_id}/escapes",
            TeamWrite,
            action::add_action_escapes,
        ),
        Route::get("/backlog/export", SignedIn, export::export_form),
        Route::get("/backlog/export/download", SignedIn, export::download),
        Route::get(
            "/backlog/export/jira-config.json",
            SignedIn,
            export::jira_config,
        ),
        Route::get("/backlog/links", SignedIn, links::show_links),
        Route::post("/backlog/links", TeamWrite, links::save_links),
        Route::post(
            "/backlog/suggestions/accept",
            TeamWrite,
            suggestions::accept,
        ),
        Route::post(
            "/backlog/suggestions/dismiss",
            TeamWrite,
            suggestions::dismiss,
        ),
    ]
}

/// Today, in UTC: scores, due dates and effects are computed as of this day.
pub(crate) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The severity weights of the current metric definition, and its version.
pub(crate) async fn weights(state: &AppState) -> AppResult<(SeverityWeights, i32)> {
    let d = current_definition(&state.db).await?;
    Ok((d.definition.weights, d.version))
}

/// The action, if the user may see its owner team (404 otherwise) and, with `permission`,
/// change it (403 otherwise).
pub(crate) async fn visible_action(
    state: &AppState,
    user: &CurrentUser,
    action_id: uuid::Uuid,
    permission: Option<Permission>,
) -> AppResult<BacklogAction> {
    let (w, _) = weights(state).await?;
    let action = action_detail(&state.db, action_id, &w, today()).await?;
    user.require(action.team_id, permission.unwrap_or(Permission::Read))?;
    Ok(action)
}

/// The teams whose actions the user may change, as choices of a select.
async fn writable_teams(ctx: &crate::page::Ctx) -> AppResult<Vec<crate::page::views::Opt>> {
    let mut teams = escapement_storage::catalog::list_teams(ctx.db()).await?;
    teams.retain(|t| ctx.user.require(t.id, Permission::WriteActions).is_ok());
    Ok(teams
        .iter()
        .map(|t| crate::page::views::Opt {
            value: t.id.to_string(),
            label: t.name.clone(),
        })
        .collect())
}
