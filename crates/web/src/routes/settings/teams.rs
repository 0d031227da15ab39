//! Teams: list, add, rename.

use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::{TeamDraft, ValidationErrors};
use escapement_storage::catalog::{
    create_team as insert_team, get_team, list_teams, update_team as save_team,
};
use uuid::Uuid;

use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::extract::IdPath;
use crate::page::fields::{FieldForm, FieldKind, FieldView, ListPage, ListRow};
use crate::page::form::{FormPage, Refusal, respond};
use crate::page::views::form_version;
use crate::page::{Ctx, Done, Page, see_other_done};
use crate::routes::table::{AccessLevel, Route};

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

async fn list_teams_page(ctx: Ctx) -> AppResult<Response> {
    let mut teams = list_teams(ctx.db()).await?;
    teams.retain(|t| ctx.user.sees(t.id));
    let rows = teams
        .into_iter()
        .map(|t| ListRow {
            href: format!("/settings/teams/{}/members", t.id),
            cells: vec![t.name, t.created_at.format("%-d %b %Y").to_string()],
            link: None,
        })
        .collect();
    let list = ListPage {
        layout: ctx.layout("Teams", "settings", &TRAIL[..1]),
        new_href: "/settings/teams/new".to_owned(),
        new_label: "Add a team",
        columns: vec!["Name", "Added"],
        rows,
        empty_message: "No teams yet. Add the first team: components, releases and defects belong to a team.",
        link_column: None,
    };
    Ok(list.page().into_response())
}

/// The add form (no id) or the rename form of one team.
struct TeamForm<'a> {
    ctx: &'a Ctx,
    id: Option<Uuid>,
}

impl TeamForm<'_> {
    fn form(&self, draft: &TeamDraft) -> FieldForm {
        let name = FieldView::new("name", "Team name", FieldKind::Text, &draft.name)
            .hint("As people in your organisation call it, for example Checkout.");
        let (title, action, submit) = match self.id {
            None => ("Add a team", "/settings/teams".to_owned(), "Add team"),
            Some(id) => ("Edit team", format!("/settings/teams/{id}"), "Save team"),
        };
        let layout = self.ctx.layout(title, "settings", TRAIL);
        let cancel = "/settings/teams".to_owned();
        FieldForm::new(
            layout,
            action,
            submit,
            cancel,
            vec![name],
            draft.version.clone(),
        )
    }
}

impl FormPage for TeamForm<'_> {
    type Input = TeamDraft;

    async fn invalid(self, draft: TeamDraft, errors: ValidationErrors) -> AppResult<Page> {
        Ok(self.form(&draft).with_errors(&errors))
    }

    async fn stale(self, draft: TeamDraft) -> AppResult<Page> {
        let id = self.id.ok_or(crate::error::AppError::NotFound)?;
        let saved = get_team(self.ctx.db(), id).await?;
        Ok(self
            .form(&draft)
            .beside_saved(&[("name", saved.name)], saved.version))
    }
}

async fn new_team_form(ctx: Ctx) -> AppResult<Response> {
    ctx.user.require_admin()?;
    let form = TeamForm {
        ctx: &ctx,
        id: None,
    };
    Ok(form.form(&TeamDraft::default()).page().into_response())
}

async fn create_team(ctx: Ctx, CsrfForm(draft): CsrfForm<TeamDraft>) -> AppResult<Response> {
    ctx.user.require_admin()?;
    let outcome: Result<_, Refusal> =
        async { Ok(insert_team(ctx.db(), &draft.validate()?, Utc::now()).await?) }.await;
    let form = TeamForm {
        ctx: &ctx,
        id: None,
    };
    respond(form, draft, outcome, |_| {
        see_other_done("/settings/teams", Done::TeamSaved)
    })
    .await
}

async fn edit_team_form(ctx: Ctx, IdPath(id): IdPath) -> AppResult<Response> {
    ctx.user.require_admin()?;
    let team = get_team(ctx.db(), id).await?;
    let draft = TeamDraft {
        name: team.name,
        version: team.version.to_string(),
    };
    let form = TeamForm {
        ctx: &ctx,
        id: Some(id),
    };
    Ok(form.form(&draft).page().into_response())
}

async fn update_team(
    ctx: Ctx,
    IdPath(id): IdPath,
    CsrfForm(draft): CsrfForm<TeamDraft>,
) -> AppResult<Response> {
    ctx.user.require_admin()?;
    get_team(ctx.db(), id).await?;
    let outcome: Result<_, Refusal> = async {
        let new = draft.validate()?;
        Ok(save_team(ctx.db(), id, form_version(&draft.version), &new, Utc::now()).await?)
    }
    .await;
    let form = TeamForm {
        ctx: &ctx,
        id: Some(id),
    };
    respond(form, draft, outcome, |_| {
        see_other_done("/settings/teams", Done::TeamSaved)
    })
    .await
}
