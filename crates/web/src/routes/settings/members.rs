//! A team's members: everyone in the team sees who belongs to it; its team admins (and
//! instance admins) add people by email address, change roles and remove members. Every
//! change is written with its audit log entry.

use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::ValidationErrors;
use escapement_core::auth::{Email, Permission, Role};
use escapement_storage::accounts::User;
use escapement_storage::accounts::{
    change_role, find_user, grant_role, remove_member as end_membership, team_members,
};
use escapement_storage::catalog::Team;
use escapement_storage::catalog::get_team;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::extract::{IdPair, IdPath};
use crate::page::form::{FormPage, Refusal, respond};
use crate::page::views::{FormErrors, Opt, keyed_options};
use crate::page::{Ctx, Layout, Page, see_other};
use crate::routes::table::{AccessLevel, Route};

pub fn routes() -> Vec<Route> {
    use AccessLevel::{TeamAdmin, TeamRead};
    vec![
        Route::get("/settings/teams/{team_id}/members", TeamRead, list_members),
        Route::post("/settings/teams/{team_id}/members", TeamAdmin, add_member),
        Route::post(
            "/settings/teams/{team_id}/members/{user_id}",
            TeamAdmin,
            change_member_role,
        ),
        Route::post(
            "/settings/teams/{team_id}/members/{user_id}/remove",
            TeamAdmin,
            remove_member,
        ),
    ]
}

/// Every role, for a `<select>`.
pub fn role_options() -> Vec<Opt> {
    keyed_options::<Role>()
}

/// The role a form names, or a field error on `field`.
pub fn parse_role(raw: &str, field: &'static str) -> Result<Role, ValidationErrors> {
    Role::from_key(raw.trim()).ok_or_else(|| {
        let mut errors = ValidationErrors::new();
        errors.push(field, "Select a role: viewer, editor or team admin");
        errors
    })
}

#[derive(Serialize)]
struct MemberRow {
    user_id: Uuid,
    display_name: String,
    email: String,
    role: &'static str,
    role_label: &'static str,
}

#[derive(Serialize)]
struct MembersPage {
    layout: Layout,
    team_id: Uuid,
    can_manage: bool,
    can_rename: bool,
    members: Vec<MemberRow>,
    roles: Vec<Opt>,
    email: String,
    role: String,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MemberForm {
    email: String,
    role: String,
    /// `user` when the form was sent from the user's own page, which is where to go back.
    from: String,
}

/// The members page of one team, with the add form.
struct MembersForm<'a> {
    ctx: &'a Ctx,
    team: Team,
}

impl MembersForm<'_> {
    async fn page(&self, form: &MemberForm, errors: &ValidationErrors) -> AppResult<Page> {
        let (team, user) = (&self.team, &self.ctx.user);
        let members = team_members(self.ctx.db(), team.id)
            .await?
            .into_iter()
            .map(|m| MemberRow {
                user_id: m.user.id,
                display_name: m.user.display_name,
                email: m.user.email,
                role: m.role.key(),
                role_label: m.role.label(),
            })
            .collect();
        let trail = [("Settings", "/settings"), ("Teams", "/settings/teams")];
        let role = match form.role.as_str() {
            "" => Role::Viewer.key().to_owned(),
            role => role.to_owned(),
        };
        let page = MembersPage {
            layout: self
                .ctx
                .layout(format!("{} members", team.name), "settings", &trail),
            team_id: team.id,
            can_manage: user.access(team.id).can(Permission::ManageMembers),
            can_rename: user.user.is_admin,
            members,
            roles: role_options(),
            email: form.email.clone(),
            role,
            errors: errors.into(),
        };
        Ok(Page::new("settings/members.html", &page))
    }
}

impl FormPage for MembersForm<'_> {
    type Input = MemberForm;

    async fn invalid(self, form: MemberForm, errors: ValidationErrors) -> AppResult<Page> {
        self.page(&form, &errors).await
    }

    async fn stale(self, form: MemberForm) -> AppResult<Page> {
        self.page(&form, &ValidationErrors::new()).await
    }
}

async fn list_members(ctx: Ctx, IdPath(team_id): IdPath) -> AppResult<Response> {
    ctx.user.require(team_id, Permission::Read)?;
    let team = get_team(ctx.db(), team_id).await?;
    let form = MembersForm { ctx: &ctx, team };
    let page = form
        .page(&MemberForm::default(), &ValidationErrors::new())
        .await?;
    Ok(page.into_response())
}

/// The person and role the add form names, or every problem with it.
async fn new_member(ctx: &Ctx, team_id: Uuid, form: &MemberForm) -> Result<(User, Role), Refusal> {
    let mut errors = ValidationErrors::new();
    let person = match Email::parse(&form.email) {
        Ok(email) => find_user(ctx.db(), &email).await?,
        Err(problem) => {
            errors.push("email", problem.to_string());
            None
        }
    };
    let role = parse_role(&form.role, "role")
        .map_err(|e| errors.extend(e))
        .ok();
    let members = team_members(ctx.db(), team_id).await?;
    match &person {
        None if errors.get("email").is_none() => errors.push(
            "email",
            "No account has this email address. An instance administrator can add it under Settings, Users.",
        ),
        Some(p) if members.iter().any(|m| m.user.id == p.id) => errors.push(
            "email",
            "This person is already a member: change their role in the list instead",
        ),
        _ => {}
    }
    match (person, role, errors.is_empty()) {
        (Some(person), Some(role), true) => Ok((person, role)),
        _ => Err(errors.into()),
    }
}

async fn add_member(
    ctx: Ctx,
    IdPath(team_id): IdPath,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> AppResult<Response> {
    ctx.user.require(team_id, Permission::ManageMembers)?;
    let team = get_team(ctx.db(), team_id).await?;
    let outcome: Result<(), Refusal> = async {
        let (person, role) = new_member(&ctx, team_id, &form).await?;
        let actor = ctx.user.actor();
        Ok(grant_role(ctx.db(), team_id, person.id, role, actor, Utc::now()).await?)
    }
    .await;
    let done = |()| see_other(&format!("/settings/teams/{team_id}/members"));
    respond(MembersForm { ctx: &ctx, team }, form, outcome, done).await
}

fn back(form: &MemberForm, team_id: Uuid, user_id: Uuid) -> Response {
    let to = if form.from == "user" {
        format!("/settings/users/{user_id}")
    } else {
        format!("/settings/teams/{team_id}/members")
    };
    see_other(&to)
}

async fn change_member_role(
    ctx: Ctx,
    IdPair(team_id, member_id): IdPair,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> AppResult<Response> {
    ctx.user.require(team_id, Permission::ManageMembers)?;
    let team = get_team(ctx.db(), team_id).await?;
    let outcome: Result<(), Refusal> = async {
        let role = parse_role(&form.role, "role")?;
        let actor = ctx.user.actor();
        Ok(change_role(ctx.db(), team_id, member_id, role, actor, Utc::now()).await?)
    }
    .await;
    let done = |()| back(&form, team_id, member_id);
    // The add form stays empty: the role that failed belongs to a row of the list.
    respond(
        MembersForm { ctx: &ctx, team },
        MemberForm::default(),
        outcome,
        done,
    )
    .await
}

async fn remove_member(
    ctx: Ctx,
    IdPair(team_id, member_id): IdPair,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> AppResult<Response> {
    ctx.user.require(team_id, Permission::ManageMembers)?;
    let actor = ctx.user.actor();
    end_membership(ctx.db(), team_id, member_id, actor, Utc::now()).await?;
    Ok(back(&form, team_id, member_id))
}
