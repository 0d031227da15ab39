//! `/settings/users`, for instance admins: every account with its teams, adding an account,
//! and one account's page with its memberships, where its roles are changed. Lists are by
//! email address; nothing here ranks or counts people.

mod edit;
mod show;
mod status;

use std::fmt;

use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::auth::UserDraft;
use escapement_storage::accounts::{add_user, all_memberships, list_users};
use escapement_storage::catalog::list_teams;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::hash_off_thread;
use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::page::fields::{FieldForm, FieldKind, FieldView};
use crate::page::form::{Refusal, respond};
use crate::page::{Ctx, Layout, render, see_other};
use crate::routes::table::{AccessLevel, Route};

pub fn routes() -> Vec<Route> {
    use AccessLevel::InstanceAdmin;
    vec![
        Route::get("/settings/users", InstanceAdmin, list_users_page),
        Route::post("/settings/users", InstanceAdmin, create_user),
        Route::get("/settings/users/new", InstanceAdmin, new_user_form),
    ]
    .into_iter()
    .chain(show::routes())
    .chain(edit::routes())
    .chain(status::routes())
    .collect()
}

pub(super) const TRAIL: &[(&str, &str)] =
    &[("Settings", "/settings"), ("Users", "/settings/users")];

#[derive(Serialize)]
struct UserRow {
    id: Uuid,
    display_name: String,
    email: String,
    is_admin: bool,
    active: bool,
    teams: String,
}

#[derive(Serialize)]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
}

async fn list_users_page(ctx: Ctx) -> AppResult<Response> {
    ctx.user.require_admin()?;
    let teams = list_teams(ctx.db()).await?;
    let memberships = all_memberships(ctx.db()).await?;
    // Teams in name order, as list_teams returns them.
    let teams_of = |user_id: Uuid| -> String {
        teams
            .iter()
            .filter_map(|t| {
                memberships
                    .iter()
                    .find(|(u, team, _)| *u == user_id && *team == t.id)
                    .map(|(_, _, role)| format!("{} ({})", t.name, role.label()))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let users = list_users(ctx.db())
        .await?
        .into_iter()
        .map(|u| UserRow {
            teams: teams_of(u.id),
            active: u.is_active(),
            id: u.id,
            display_name: u.display_name,
            email: u.email,
            is_admin: u.is_admin,
        })
        .collect();
    render(
        "settings/users.html",
        &UsersPage {
            layout: ctx.layout("Users", "settings", &TRAIL[..1]),
            users,
        },
    )
}

/// The new-user form as typed; `Debug` never shows the passwords.
#[derive(Default, Deserialize)]
#[serde(default)]
struct NewUserForm {
    email: String,
    display_name: String,
    password: String,
    password_confirmation: String,
    is_admin: String,
}

impl fmt::Debug for NewUserForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUserForm")
            .field("email", &self.email)
            .field("display_name", &self.display_name)
            .field("is_admin", &self.is_admin)
            .finish_non_exhaustive()
    }
}

fn user_form(ctx: &Ctx, form: &NewUserForm) -> FieldForm {
    let email = FieldView::new("email", "Email address", FieldKind::Email, &form.email)
        .hint("They sign in with it.");
    let password = FieldView::new("password", "Password", FieldKind::Password, "").hint(
        "At least 12 characters. Tell it to them in person or over a channel you trust; they cannot change it yet.",
    );
    let admin = FieldView::new(
        "is_admin",
        "Instance administrator",
        FieldKind::Checkbox,
        &form.is_admin,
    )
    .hint("Can manage every team, account and setting.");
    let fields = vec![
        email,
        FieldView::new("display_name", "Name", FieldKind::Text, &form.display_name),
        password,
        FieldView::new(
            "password_confirmation",
            "Confirm the password",
            FieldKind::Password,
            "",
        ),
        admin,
    ];
    FieldForm::new(
        ctx.layout("Add a user", "settings", TRAIL),
        "/settings/users".to_owned(),
        "Add user",
        "/settings/users".to_owned(),
        fields,
        String::new(),
    )
}

async fn new_user_form(ctx: Ctx) -> AppResult<Response> {
    ctx.user.require_admin()?;
    Ok(user_form(&ctx, &NewUserForm::default())
        .page()
        .into_response())
}

async fn create_user(ctx: Ctx, CsrfForm(form): CsrfForm<NewUserForm>) -> AppResult<Response> {
    ctx.user.require_admin()?;
    let outcome: Result<_, Refusal> = async {
        let draft = UserDraft {
            email: form.email.clone(),
            display_name: form.display_name.clone(),
            password: form.password.clone(),
            password_confirmation: form.password_confirmation.clone(),
        };
        let new = draft.validate()?;
        let hash = hash_off_thread(&ctx.state.hashing, form.password.clone()).await?;
        let (actor, is_admin) = (ctx.user.actor(), form.is_admin == "on");
        Ok(add_user(ctx.db(), &new, &hash, is_admin, actor, Utc::now()).await?)
    }
    .await;
    let by = ctx.user.user.id;
    respond(user_form(&ctx, &form), (), outcome, |created| {
        tracing::info!(user.id = %created.id, by.id = %by, "an administrator added a user");
        see_other(&format!("/settings/users/{}", created.id))
    })
    .await
}
