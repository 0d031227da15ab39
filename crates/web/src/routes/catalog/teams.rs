//! Teams: list, add, rename.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::TeamDraft;
use escapement_storage::StorageError;
use escapement_storage::catalog::{
    create_team as insert_team, get_team, list_teams, update_team as save_team,
};

use super::{FieldKind, FieldView, FormPage, ListPage, ListRow, render_list};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::AppResult;
use crate::extract::IdPath;
use crate::render::Layout;
use crate::routes::table::{AccessLevel, Route};
use crate::routes::views::form_version;

pub fn routes() -> Vec<Route> {
    use AccessLevel::{InstanceAdmin, SignedIn};
    vec![
        Route::get("/settings/teams", SignedIn, list_teams_page),
        Route::post("/settings/teams", InstanceAdmin, create_team),
        Route::get("/settings/teams/new", InstanceAdmin, new_team_form),
        Route::post("/settings/teams/{team_id}", InstanceAdmin, update_team),
        Route::get(
            "/settings/teams/{team_id}/edit",
            InstanceAdmin,
            edit_team_form,
        ),
    ]
}

const TRAIL: &[(&str, &str)] = &[("Settings", "/settings"), ("Teams", "/settings/teams")];

async fn list_teams_page(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let mut teams = list_teams(&state.db).await?;
    teams.retain(|t| user.sees(t.id));
    render_list(&ListPage {
        layout: Layout::new("Teams", "settings", &csrf, &TRAIL[..1]),
        new_href: "/settings/teams/new".to_owned(),
        new_label: "Add a team",
        columns: vec!["Name", "Added"],
        rows: teams
            .into_iter()
            .map(|t| ListRow {
                href: format!("/settings/teams/{}/members", t.id),
                cells: vec![t.name, t.created_at.format("%-d %b %Y").to_string()],
            })
            .collect(),
        empty_message: "No teams yet. Add the first team: components, releases and defects belong to a team.",
    })
}

fn form(csrf: &str, title: &'static str, action: String, draft: &TeamDraft) -> FormPage {
    let mut name = FieldView::new("name", "Team name", FieldKind::Text, &draft.name);
    name.hint = Some("As people in your organisation call it, for example Checkout.");
    let submit = if draft.version.is_empty() {
        "Add team"
    } else {
        "Save team"
    };
    FormPage::new(
        Layout::new(title, "settings", csrf, TRAIL),
        action,
        submit,
        "/settings/teams".to_owned(),
        vec![name],
        draft.version.clone(),
    )
}

async fn new_team_form(user: CurrentUser, CsrfToken(csrf): CsrfToken) -> AppResult<Response> {
    user.require_admin()?;
    form(
        &csrf,
        "Add a team",
        "/settings/teams".to_owned(),
        &TeamDraft::default(),
    )
    .show()
}

async fn create_team(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(draft): CsrfForm<TeamDraft>,
) -> AppResult<Response> {
    user.require_admin()?;
    let page = form(&csrf, "Add a team", "/settings/teams".to_owned(), &draft);
    let new = match draft.validate() {
        Ok(new) => new,
        Err(errors) => return Err(page.invalid(&errors)),
    };
    match insert_team(&state.db, &new, Utc::now()).await {
        Ok(_) => Ok(Redirect::to("/settings/teams").into_response()),
        Err(StorageError::Invalid(errors)) => Err(page.invalid(&errors)),
        Err(other) => Err(other.into()),
    }
}

async fn edit_team_form(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    user.require_admin()?;
    let team = get_team(&state.db, id).await?;
    let draft = TeamDraft {
        name: team.name,
        version: team.version.to_string(),
    };
    form(&csrf, "Edit team", format!("/settings/teams/{id}"), &draft).show()
}

async fn update_team(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
    CsrfForm(draft): CsrfForm<TeamDraft>,
) -> AppResult<Response> {
    user.require_admin()?;
    get_team(&state.db, id).await?;
    let page = form(&csrf, "Edit team", format!("/settings/teams/{id}"), &draft);
    let new = match draft.validate() {
        Ok(new) => new,
        Err(errors) => return Err(page.invalid(&errors)),
    };
    match save_team(
        &state.db,
        id,
        form_version(&draft.version),
        &new,
        Utc::now(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/settings/teams").into_response()),
        Err(StorageError::Invalid(errors)) => Err(page.invalid(&errors)),
        Err(StorageError::Stale { current_version }) => {
            let saved = get_team(&state.db, id).await?;
            Err(page.stale(&[("name", saved.name)], current_version))
        }
        Err(other) => Err(other.into()),
    }
}
