//! One account's page, for instance admins: who they are, their teams with a role changer
//! each, and adding them to another team.

use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use escapement_core::ValidationErrors;
use escapement_core::auth::Role;
use escapement_storage::StorageError;
use escapement_storage::accounts::{get_user, grant_role, memberships_of};
use escapement_storage::catalog::list_teams;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::TRAIL;
use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::extract::IdPath;
use crate::page::form::{FormPage, Refusal, invalid, respond};
use crate::page::views::{FormErrors, Opt, team_options};
use crate::page::{Ctx, Layout, Page, see_other};
use crate::routes::settings::members::{parse_role, role_options};
use crate::routes::table::{AccessLevel, Route};

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

/// One account's page, with the add-to-a-team form.
struct UserForm<'a> {
    ctx: &'a Ctx,
    user_id: Uuid,
}

impl UserForm<'_> {
    async fn page(&self, form: &MembershipForm, errors: &ValidationErrors) -> AppResult<Page> {
        let db = self.ctx.db();
        let shown = get_user(db, self.user_id).await?;
        let memberships = memberships_of(db, self.user_id).await?;
        let (mut member_of, mut others) = (Vec::new(), Vec::new());
        for team in list_teams(db).await? {
            match memberships.iter().find(|(t, _)| *t == team.id) {
                Some((_, role)) => member_of.push(MembershipRow {
                    team_id: team.id,
                    team_name: team.name,
                    role: role.key(),
                }),
                None => others.push(team),
            }
        }
        let role = match form.role.as_str() {
            "" => "viewer".to_owned(),
            role => role.to_owned(),
        };
        let page = UserPage {
            layout: self
                .ctx
                .layout(shown.display_name.clone(), "settings", TRAIL),
            id: shown.id,
            display_name: shown.display_name,
            email: shown.email,
            is_admin: shown.is_admin,
            deactivated_at: shown.deactivated_at,
            is_self: shown.id == self.ctx.user.user.id,
            created_at: shown.created_at,
            memberships: member_of,
            other_teams: team_options(&others),
            roles: role_options(),
            team_id: form.team_id.clone(),
            role,
            errors: errors.into(),
        };
        Ok(Page::new("settings/user.html", &page))
    }
}

impl FormPage for UserForm<'_> {
    type Input = MembershipForm;

    async fn invalid(self, form: MembershipForm, errors: ValidationErrors) -> AppResult<Page> {
        self.page(&form, &errors).await
    }

    async fn stale(self, form: MembershipForm) -> AppResult<Page> {
        self.page(&form, &ValidationErrors::new()).await
    }
}

async fn show_user(ctx: Ctx, IdPath(user_id): IdPath) -> AppResult<Response> {
    ctx.user.require_admin()?;
    let form = UserForm { ctx: &ctx, user_id };
    let page = form
        .page(&MembershipForm::default(), &ValidationErrors::new())
        .await?;
    Ok(page.into_response())
}

/// The team and role the form names, or every problem with them.
fn membership(form: &MembershipForm) -> Result<(Uuid, Role), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let team_id = Uuid::parse_str(form.team_id.trim())
        .map_err(|_| errors.push("team_id", "Select a team"))
        .ok();
    let role = parse_role(&form.role, "role")
        .map_err(|e| errors.extend(e))
        .ok();
    match (team_id, role) {
        (Some(team_id), Some(role)) => Ok((team_id, role)),
        _ => Err(errors),
    }
}

async fn add_membership(
    ctx: Ctx,
    IdPath(user_id): IdPath,
    CsrfForm(form): CsrfForm<MembershipForm>,
) -> AppResult<Response> {
    ctx.user.require_admin()?;
    get_user(ctx.db(), user_id).await?;
    let outcome: Result<(), Refusal> = async {
        let (team_id, role) = membership(&form)?;
        let actor = ctx.user.actor();
        match grant_role(ctx.db(), team_id, user_id, role, actor, Utc::now()).await {
            // The user exists (checked above), so the team is the unknown one.
            Err(StorageError::NotFound) => Err(invalid("team_id", "Select a team from the list")),
            other => Ok(other?),
        }
    }
    .await;
    let done = |()| see_other(&format!("/settings/users/{user_id}"));
    respond(UserForm { ctx: &ctx, user_id }, form, outcome, done).await
}
