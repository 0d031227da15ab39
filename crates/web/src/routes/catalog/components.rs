//! Components: list, add, edit. A component's team is fixed once created.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::ComponentDraft;
use escapement_storage::StorageError;
use escapement_storage::catalog::{
    create_component as insert_component, get_component, list_components, list_teams,
    update_component as save_component,
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
        Route::get("/settings/components", SignedIn, list_components_page),
        Route::post("/settings/components", TeamAdmin, create_component),
        Route::get("/settings/components/new", TeamAdmin, new_component_form),
        Route::post(
            "/settings/components/{component_id}",
            TeamAdmin,
            update_component,
        ),
        Route::get(
            "/settings/components/{component_id}/edit",
            TeamAdmin,
            edit_component_form,
        ),
    ]
}

const TRAIL: &[(&str, &str)] = &[
    ("Settings", "/settings"),
    ("Components", "/settings/components"),
];

async fn list_components_page(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let teams = list_teams(&state.db).await?;
    let components = list_components(&state.db, None).await?;
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
        layout: Layout::new("Components", "settings", &csrf, &TRAIL[..1]),
        new_href: "/settings/components/new".to_owned(),
        new_label: "Add a component",
        columns: vec!["Name", "Team", "Description"],
        rows: components
            .into_iter()
            .map(|c| ListRow {
                href: format!("/settings/components/{}/edit", c.id),
                cells: vec![c.name, team_name(c.team_id), c.description],
            })
            .collect(),
        empty_message: "No components yet. Add the parts of your product that defects are found in.",
    })
}

/// Fields of the component form; `teams` is empty when editing (the team is fixed).
fn form(
    csrf: &str,
    title: &'static str,
    action: String,
    draft: &ComponentDraft,
    teams: Vec<Opt>,
) -> FormPage {
    let mut fields = vec![FieldView::new(
        "name",
        "Component name",
        FieldKind::Text,
        &draft.name,
    )];
    if !teams.is_empty() {
        let mut team = FieldView::new("team_id", "Team", FieldKind::Select, &draft.team_id);
        team.options = teams;
        fields.push(team);
    }
    let mut description = FieldView::new(
        "description",
        "Description",
        FieldKind::Textarea,
        &draft.description,
    );
    description.optional = true;
    fields.push(description);
    let submit = if draft.version.is_empty() {
        "Add component"
    } else {
        "Save component"
    };
    FormPage::new(
        Layout::new(title, "settings", csrf, TRAIL),
        action,
        submit,
        "/settings/components".to_owned(),
        fields,
        draft.version.clone(),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    team: String,
}

async fn new_component_form(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    QueryParams(query): QueryParams<NewQuery>,
) -> AppResult<Response> {
    let teams = list_teams(&state.db).await?;
    let draft = ComponentDraft {
        team_id: query.team,
        ..ComponentDraft::default()
    };
    form(
        &csrf,
        "Add a component",
        "/settings/components".to_owned(),
        &draft,
        team_options(&manageable_or_refused(&user, teams)?),
    )
    .show()
}

async fn create_component(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(draft): CsrfForm<ComponentDraft>,
) -> AppResult<Response> {
    user.require_named(&draft.team_id, Permission::ManageCatalog)?;
    let teams = list_teams(&state.db).await?;
    let page = form(
        &csrf,
        "Add a component",
        "/settings/components".to_owned(),
        &draft,
        team_options(&manageable(&user, teams)),
    );
    let new = match draft.validate() {
        Ok(new) => new,
        Err(errors) => return Err(page.invalid(&errors)),
    };
    match insert_component(&state.db, &new, Utc::now()).await {
        Ok(_) => Ok(Redirect::to("/settings/components").into_response()),
        Err(StorageError::Invalid(errors)) => Err(page.invalid(&errors)),
        Err(other) => Err(other.into()),
    }
}

async fn edit_component_form(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let c = get_component(&state.db, id).await?;
    user.require(c.team_id, Permission::ManageCatalog)?;
    let draft = ComponentDraft {
        name: c.name,
        team_id: c.team_id.to_string(),
        description: c.description,
        version: c.version.to_string(),
    };
    form(
        &csrf,
        "Edit component",
        format!("/settings/components/{id}"),
        &draft,
        Vec::new(),
    )
    .show()
}

async fn update_component(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
    CsrfForm(mut draft): CsrfForm<ComponentDraft>,
) -> AppResult<Response> {
    let existing = get_component(&state.db, id).await?;
    user.require(existing.team_id, Permission::ManageCatalog)?;
    draft.team_id = existing.team_id.to_string();
    let page = form(
        &csrf,
        "Edit component",
        format!("/settings/components/{id}"),
        &draft,
        Vec::new(),
    );
    let new = match draft.validate() {
        Ok(new) => new,
        Err(errors) => return Err(page.invalid(&errors)),
    };
    match save_component(
        &state.db,
        id,
        form_version(&draft.version),
        &new,
        Utc::now(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/settings/components").into_response()),
        Err(StorageError::Invalid(errors)) => Err(page.invalid(&errors)),
        Err(StorageError::Stale { current_version }) => {
            let saved = get_component(&state.db, id).await?;
            Err(page.stale(
                &[("name", saved.name), ("description", saved.description)],
                current_version,
            ))
        }
        Err(other) => Err(other.into()),
    }
}
