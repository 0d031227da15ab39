//! `/settings/users`, for instance admins: every account with its teams, adding an account,
//! and one account's page with its memberships, where its roles are changed. Lists are by
//! email address; nothing here ranks or counts people.

mod edit;
mod show;
mod status;

use std::fmt;

use axum::extract::State;
use axum::http::Extensions;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::auth::UserDraft;
use escapement_storage::StorageError;
use escapement_storage::accounts::{add_user, all_memberships, list_users};
use escapement_storage::catalog::list_teams;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::catalog::{FieldKind, FieldView, FormPage};
use crate::AppState;
use crate::auth::{CurrentUser, actor, client_addr, hash_password};
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::render::{Layout, render};
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

async fn list_users_page(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    user.require_admin()?;
    let teams = list_teams(&state.db).await?;
    let memberships = all_memberships(&state.db).await?;
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
    let users = list_users(&state.db)
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
            layout: Layout::new("Users", "settings", &csrf, &TRAIL[..1]),
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

fn user_form(csrf: &str, form: &NewUserForm) -> FormPage {
    let mut email = FieldView::new("email", "Email address", FieldKind::Email, &form.email);
    email.hint = Some("They sign in with it.");
    let mut password = FieldView::new("password", "Password", FieldKind::Password, "");
    password.hint = Some(
        "At least 12 characters. Tell it to them in person or over a channel you trust; they cannot change it yet.",
    );
    let mut admin = FieldView::new(
        "is_admin",
        "Instance administrator",
        FieldKind::Checkbox,
        &form.is_admin,
    );
    admin.hint = Some("Can manage every team, account and setting.");
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
    FormPage::new(
        Layout::new("Add a user", "settings", csrf, TRAIL),
        "/settings/users".to_owned(),
        "Add user",
        "/settings/users".to_owned(),
        fields,
        String::new(),
    )
}

async fn new_user_form(user: CurrentUser, CsrfToken(csrf): CsrfToken) -> AppResult<Response> {
    user.require_admin()?;
    user_form(&csrf, &NewUserForm::default()).show()
}

async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    extensions: Extensions,
    CsrfForm(form): CsrfForm<NewUserForm>,
) -> AppResult<Response> {
    user.require_admin()?;
    let page = user_form(&csrf, &form);
    let draft = UserDraft {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        password: form.password.clone(),
        password_confirmation: form.password_confirmation.clone(),
    };
    let new = match draft.validate() {
        Ok(new) => new,
        Err(errors) => return Err(page.invalid(&errors)),
    };
    let password = form.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let addr = client_addr(&extensions);
    let is_admin = form.is_admin == "on";
    let created = match add_user(
        &state.db,
        &new,
        &hash,
        is_admin,
        actor(&user, &addr),
        Utc::now(),
    )
    .await
    {
        Ok(created) => created,
        Err(StorageError::Invalid(errors)) => return Err(page.invalid(&errors)),
        Err(other) => return Err(other.into()),
    };
    tracing::info!(user.id = %created.id, by.id = %user.user.id, "an administrator added a user");
    Ok(Redirect::to(&format!("/settings/users/{}", created.id)).into_response())
}
