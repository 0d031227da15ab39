//! A team's members: everyone in the team sees who belongs to it; its team admins (and
//! instance admins) add people by email address, change roles and remove members. Every
//! change is written with its audit log entry.

use axum::extract::State;
use axum::http::{Extensions, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::ValidationErrors;
use escapement_core::auth::{Email, Permission, Role};
use escapement_storage::accounts::{
    change_role, find_user, grant_role, remove_member as end_membership, team_members,
};
use escapement_storage::catalog::{Team, get_team};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::auth::{CurrentUser, actor, client_addr};
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::AppResult;
use crate::extract::{IdPair, IdPath};
use crate::render::{Layout, render, render_with_status};
use crate::routes::table::{AccessLevel, Route};
use crate::routes::views::{FormErrors, Opt, keyed_options};

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

async fn page(
    state: &AppState,
    user: &CurrentUser,
    team: &Team,
    csrf: &str,
    form: &MemberForm,
    errors: &ValidationErrors,
) -> AppResult<MembersPage> {
    let members = team_members(&state.db, team.id)
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
    Ok(MembersPage {
        layout: Layout::new(
            format!("{} members", team.name),
            "settings",
            csrf,
            &[("Settings", "/settings"), ("Teams", "/settings/teams")],
        ),
        team_id: team.id,
        can_manage: user.access(team.id).can(Permission::ManageMembers),
        can_rename: user.user.is_admin,
        members,
        roles: role_options(),
        email: form.email.clone(),
        role: if form.role.is_empty() {
            Role::Viewer.key().to_owned()
        } else {
            form.role.clone()
        },
        errors: errors.into(),
    })
}

async fn list_members(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(team_id): IdPath,
) -> AppResult<Response> {
    user.require(team_id, Permission::Read)?;
    let team = get_team(&state.db, team_id).await?;
    let form = MemberForm::default();
    let view = page(&state, &user, &team, &csrf, &form, &ValidationErrors::new()).await?;
    render("settings/members.html", &view)
}

async fn add_member(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(team_id): IdPath,
    extensions: Extensions,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> AppResult<Response> {
    user.require(team_id, Permission::ManageMembers)?;
    let team = get_team(&state.db, team_id).await?;
    let mut errors = ValidationErrors::new();
    let person = match Email::parse(&form.email) {
        Ok(email) => find_user(&state.db, &email).await?,
        Err(problem) => {
            errors.push("email", problem.to_string());
            None
        }
    };
    let role = parse_role(&form.role, "role")
        .map_err(|e| errors.extend(e))
        .ok();
    let members = team_members(&state.db, team_id).await?;
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
    let (Some(person), Some(role), true) = (person, role, errors.is_empty()) else {
        let view = page(&state, &user, &team, &csrf, &form, &errors).await?;
        return Err(render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "settings/members.html",
            &view,
        ));
    };
    let addr = client_addr(&extensions);
    grant_role(
        &state.db,
        team_id,
        person.id,
        role,
        actor(&user, &addr),
        Utc::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/settings/teams/{team_id}/members")).into_response())
}

fn back(form: &MemberForm, team_id: Uuid, user_id: Uuid) -> Response {
    let to = if form.from == "user" {
        format!("/settings/users/{user_id}")
    } else {
        format!("/settings/teams/{team_id}/members")
    };
    Redirect::to(&to).into_response()
}

async fn change_member_role(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPair(team_id, member_id): IdPair,
    extensions: Extensions,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> AppResult<Response> {
    user.require(team_id, Permission::ManageMembers)?;
    let team = get_team(&state.db, team_id).await?;
    let role = match parse_role(&form.role, "role") {
        Ok(role) => role,
        Err(errors) => {
            let view = page(&state, &user, &team, &csrf, &MemberForm::default(), &errors).await?;
            return Err(render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "settings/members.html",
                &view,
            ));
        }
    };
    let addr = client_addr(&extensions);
    let now = Utc::now();
    change_role(
        &state.db,
        team_id,
        member_id,
        role,
        actor(&user, &addr),
        now,
    )
    .await?;
    Ok(back(&form, team_id, member_id))
}

async fn remove_member(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPair(team_id, member_id): IdPair,
    extensions: Extensions,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> AppResult<Response> {
    user.require(team_id, Permission::ManageMembers)?;
    let addr = client_addr(&extensions);
    end_membership(
        &state.db,
        team_id,
        member_id,
        actor(&user, &addr),
        Utc::now(),
    )
    .await?;
    Ok(back(&form, team_id, member_id))
}
