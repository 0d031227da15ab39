//! Releases: list, add, edit. A release's team is fixed once created.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::ReleaseDraft;
use escapement_storage::StorageError;
use escapement_storage::catalog::{
    create_release as insert_release, get_release, list_releases, list_teams,
    update_release as save_release,
};
use serde::Deserialize;

use super::{FieldKind, FieldView, FormPage, ListPage, ListRow, render_list};
use super::{manageable, manageable_or_refused};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::AppResult;
use crate::extract::{IdPath, QueryParams};
use crate::render::Layout;
use crate::routes::table::{AccessLevel, Route};
use crate::routes::views::{Opt, form_version, team_options};
use escapement_core::auth::Permission;

pub fn routes() -> Vec<Route> {
    use AccessLevel::{SignedIn, TeamAdmin};
    vec![
        Route::get("/settings/releases", SignedIn, list_releases_page),
        Route::post("/settings/releases", TeamAdmin, create_release),
        Route::get("/settings/releases/new", TeamAdmin, new_release_form),
        Route::post("/settings/releases/{release_id}", TeamAdmin, update_release),
        Route::get(
            "/settings/releases/{release_id}/edit",
            TeamAdmin,
            edit_release_form,
        ),
    ]
}

const TRAIL: &[(&str, &str)] = &[
    ("Settings", "/settings"),
    ("Releases", "/settings/releases"),
];

async fn list_releases_page(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let teams = list_teams(&state.db).await?;
    let components = list_releases(&state.db, None).await?;
    let components: Vec<_> = components
        .into_iter()
        .filter(|x| user.sees(x.team_id))
        .collect();
    let team_name = |id| {
        teams
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    render_list(&ListPage {
        layout: Layout::new("Releases", "settings", &csrf, &TRAIL[..1]),
        new_href: "/settings/releases/new".to_owned(),
        new_label: "Add a release",
        columns: vec!["Name", "Team", "Released"],
        rows: components
            .into_iter()
            .map(|c| ListRow {
                href: format!("/settings/releases/{}/edit", c.id),
                cells: vec![
                    c.name,
                    team_name(c.team_id),
                    c.released_on.format("%-d %b %Y").to_string(),
                ],
            })
            .collect(),
        empty_message: "No releases yet. Add releases so defects can be traced to the release they shipped in.",
    })
}

/// Fields of the component form; `teams` is empty when editing (the team is fixed).
fn form(
    csrf: &str,
    title: &'static str,
    action: String,
    draft: &ReleaseDraft,
    teams: Vec<Opt>,
) -> FormPage {
    let mut fields = vec![FieldView::new(
        "name",
        "Release name",
        FieldKind::Text,
        &draft.name,
    )];
    if !teams.is_empty() {
        let mut team = FieldView::new("team_id", "Team", FieldKind::Select, &draft.team_id);
        team.options = teams;
        fields.push(team);
    }
    let mut released_on = FieldView::new(
        "released_on",
        "Release date",
        FieldKind::Date,
        &draft.released_on,
    );
    released_on.hint = Some("The day it reached production.");
    fields.push(released_on);
    let submit = if draft.version.is_empty() {
        "Add release"
    } else {
        "Save release"
    };
    FormPage::new(
        Layout::new(title, "settings", csrf, TRAIL),
        action,
        submit,
        "/settings/releases".to_owned(),
        fields,
        draft.version.clone(),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    team: String,
}

async fn new_release_form(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    QueryParams(query): QueryParams<NewQuery>,
) -> AppResult<Response> {
    let teams = list_teams(&state.db).await?;
    let draft = ReleaseDraft {
        team_id: query.team,
        ..ReleaseDraft::default()
    };
    form(
        &csrf,
        "Add a release",
        "/settings/releases".to_owned(),
        &draft,
        team_options(&manageable_or_refused(&user, teams)?),
    )
    .show()
}

async fn create_release(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(draft): CsrfForm<ReleaseDraft>,
) -> AppResult<Response> {
    user.require_named(&draft.team_id, Permission::ManageCatalog)?;
    let teams = list_teams(&state.db).await?;
    let page = form(
        &csrf,
        "Add a release",
        "/settings/releases".to_owned(),
        &draft,
        team_options(&manageable(&user, teams)),
    );
    let new = match draft.validate() {
        Ok(new) => new,
        Err(errors) => return Err(page.invalid(&errors)),
    };
    match insert_release(&state.db, &new, Utc::now()).await {
        Ok(_) => Ok(Redirect::to("/settings/releases").into_response()),
        Err(StorageError::Invalid(errors)) => Err(page.invalid(&errors)),
        Err(other) => Err(other.into()),
    }
}

async fn edit_release_form(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let c = get_release(&state.db, id).await?;
    user.require(c.team_id, Permission::ManageCatalog)?;
    let draft = ReleaseDraft {
        name: c.name,
        team_id: c.team_id.to_string(),
        released_on: c.released_on.to_string(),
        version: c.version.to_string(),
    };
    form(
        &csrf,
        "Edit release",
        format!("/settings/releases/{id}"),
        &draft,
        Vec::new(),
    )
    .show()
}

async fn update_release(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
    CsrfForm(mut draft): CsrfForm<ReleaseDraft>,
) -> AppResult<Response> {
    let existing = get_release(&state.db, id).await?;
    user.require(existing.team_id, Permission::ManageCatalog)?;
    draft.team_id = existing.team_id.to_string();
    let page = form(
        &csrf,
        "Edit release",
        format!("/settings/releases/{id}"),
        &draft,
        Vec::new(),
    );
    let new = match draft.validate() {
        Ok(new) => new,
        Err(errors) => return Err(page.invalid(&errors)),
    };
    match save_release(
        &state.db,
        id,
        form_version(&draft.version),
        &new,
        Utc::now(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/settings/releases").into_response()),
        Err(StorageError::Invalid(errors)) => Err(page.invalid(&errors)),
        Err(StorageError::Stale { current_version }) => {
            let saved = get_release(&state.db, id).await?;
            Err(page.stale(
                &[
                    ("name", saved.name),
                    ("released_on", saved.released_on.to_string()),
                ],
                current_version,
            ))
        }
        Err(other) => Err(other.into()),
    }
}
