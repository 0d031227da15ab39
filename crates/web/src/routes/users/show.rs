//! One account's page, for instance admins: who they are, their teams with a role changer
//! each, and adding them to another team.

use axum::extract::State;
use axum::http::{Extensions, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use escapement_core::ValidationErrors;
use escapement_storage::StorageError;
use escapement_storage::accounts::{get_user, grant_role, memberships_of};
use escapement_storage::catalog::list_teams;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::TRAIL;
use crate::AppState;
use crate::auth::{CurrentUser, actor, client_addr};
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::AppResult;
use crate::extract::IdPath;
use crate::render::{Layout, render, render_with_status};
use crate::routes::members::{parse_role, role_options};
use crate::routes::table::{AccessLevel, Route};
use crate::routes::views::{FormErrors, Opt, team_options};

pub fn routes() -> Vec<Route> {
    use AccessLevel::InstanceAdmin;
    vec![
        Route::get("/settings/users/{user_id}", InstanceAdmin, show_user),
        Route::post(
            "/settings/users/{user_id}/memberships",
            InstanceAdmin,
            add_membership,
        ),
    ]
}

#[derive(Serialize)]
struct MembershipRow {
    team_id: Uuid,
    team_name: String,
    role: &'static str,
}

#[derive(Serialize)]
struct UserPage {
    layout: Layout,
    id: Uuid,
    display_name: String,
    email: String,
    is_admin: bool,
    deactivated_at: Option<DateTime<Utc>>,
    /// The page shows the signed-in admin's own account (which they cannot deactivate).
    is_self: bool,
    created_at: DateTime<Utc>,
    memberships: Vec<MembershipRow>,
    other_teams: Vec<Opt>,
    roles: Vec<Opt>,
    team_id: String,
    role: String,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MembershipForm {
    team_id: String,
    role: String,
}

async fn user_page(
    state: &AppState,
    viewer: &CurrentUser,
    csrf: &str,
    user_id: Uuid,
    form: &MembershipForm,
    errors: &ValidationErrors,
) -> AppResult<UserPage> {
    let shown = get_user(&state.db, user_id).await?;
    let memberships = memberships_of(&state.db, user_id).await?;
    let (mut member_of, mut others) = (Vec::new(), Vec::new());
    for team in list_teams(&state.db).await? {
        match memberships.iter().find(|(t, _)| *t == team.id) {
            Some((_, role)) => member_of.push(MembershipRow {
                team_id: team.id,
                team_name: team.name,
                role: role.key(),
            }),
            None => others.push(team),
        }
    }
    Ok(UserPage {
        layout: Layout::new(shown.display_name.clone(), "settings", csrf, TRAIL),
        id: shown.id,
        display_name: shown.display_name,
        email: shown.email,
        is_admin: shown.is_admin,
        deactivated_at: shown.deactivated_at,
        is_self: shown.id == viewer.user.id,
        created_at: shown.created_at,
        memberships: member_of,
        other_teams: team_options(&others),
        roles: role_options(),
        team_id: form.team_id.clone(),
        role: if form.role.is_empty() {
            "viewer".to_owned()
        } else {
            form.role.clone()
        },
        errors: errors.into(),
    })
}

async fn show_user(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(user_id): IdPath,
) -> AppResult<Response> {
    user.require_admin()?;
    let form = MembershipForm::default();
    let view = user_page(
        &state,
        &user,
        &csrf,
        user_id,
        &form,
        &ValidationErrors::new(),
    )
    .await?;
    render("settings/user.html", &view)
}

async fn add_membership(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(user_id): IdPath,
    extensions: Extensions,
    CsrfForm(form): CsrfForm<MembershipForm>,
) -> AppResult<Response> {
    user.require_admin()?;
    get_user(&state.db, user_id).await?;
    let mut errors = ValidationErrors::new();
    let team_id = Uuid::parse_str(form.team_id.trim())
        .map_err(|_| errors.push("team_id", "Select a team"))
        .ok();
    let role = parse_role(&form.role, "role")
        .map_err(|e| errors.extend(e))
        .ok();
    let addr = client_addr(&extensions);
    if let (Some(team_id), Some(role)) = (team_id, role) {
        let now = Utc::now();
        match grant_role(&state.db, team_id, user_id, role, actor(&user, &addr), now).await {
            Ok(()) => {
                return Ok(Redirect::to(&format!("/settings/users/{user_id}")).into_response());
            }
            // The user exists (checked above), so the team is the unknown one.
            Err(StorageError::NotFound) => errors.push("team_id", "Select a team from the list"),
            Err(other) => return Err(other.into()),
        }
    }
    let view = user_page(&state, &user, &csrf, user_id, &form, &errors).await?;
    Err(render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        "settings/user.html",
        &view,
    ))
}
