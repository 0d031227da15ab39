//! Changing one account, for instance admins: its name and instance-admin flag, and a new
//! password set for it (which ends its sessions). The last instance admin keeps the flag.

use std::fmt;

use axum::extract::State;
use axum::http::Extensions;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::ValidationErrors;
use escapement_core::auth::{DisplayName, Email, PasswordDraft, PasswordPolicy};
use escapement_storage::StorageError;
use escapement_storage::accounts::{get_user, reset_password, update_user};
use serde::Deserialize;
use uuid::Uuid;

use super::TRAIL;
use crate::AppState;
use crate::auth::{CurrentUser, actor, client_addr, hash_password};
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::extract::IdPath;
use crate::render::Layout;
use crate::routes::catalog::{FieldKind, FieldView, FormPage};
use crate::routes::table::{AccessLevel, Route};

pub fn routes() -> Vec<Route> {
    use AccessLevel::InstanceAdmin;
    vec![
        Route::get(
            "/settings/users/{user_id}/edit",
            InstanceAdmin,
            edit_user_form,
        ),
        Route::post(
            "/settings/users/{user_id}/edit",
            InstanceAdmin,
            update_user_details,
        ),
        Route::get(
            "/settings/users/{user_id}/password",
            InstanceAdmin,
            reset_password_form,
        ),
        Route::post(
            "/settings/users/{user_id}/password",
            InstanceAdmin,
            reset_user_password,
        ),
    ]
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EditUserForm {
    display_name: String,
    is_admin: String,
}

fn edit_form(csrf: &str, user_id: Uuid, email: &str, form: &EditUserForm) -> FormPage {
    let mut admin = FieldView::new(
        "is_admin",
        "Instance administrator",
        FieldKind::Checkbox,
        &form.is_admin,
    );
    admin.hint = Some("Can manage every team, account and setting.");
    let page_url = format!("/settings/users/{user_id}");
    FormPage::new(
        Layout::new(format!("Edit {email}"), "settings", csrf, TRAIL),
        format!("{page_url}/edit"),
        "Save changes",
        page_url,
        vec![
            FieldView::new("display_name", "Name", FieldKind::Text, &form.display_name),
            admin,
        ],
        String::new(),
    )
}

async fn edit_user_form(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(user_id): IdPath,
) -> AppResult<Response> {
    user.require_admin()?;
    let shown = get_user(&state.db, user_id).await?;
    let form = EditUserForm {
        display_name: shown.display_name,
        is_admin: if shown.is_admin { "on" } else { "" }.to_owned(),
    };
    edit_form(&csrf, user_id, &shown.email, &form).show()
}

async fn update_user_details(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(user_id): IdPath,
    extensions: Extensions,
    CsrfForm(form): CsrfForm<EditUserForm>,
) -> AppResult<Response> {
    user.require_admin()?;
    let shown = get_user(&state.db, user_id).await?;
    let page = edit_form(&csrf, user_id, &shown.email, &form);
    let name = match DisplayName::parse(&form.display_name) {
        Ok(name) => name,
        Err(problem) => {
            let mut errors = ValidationErrors::new();
            errors.push("display_name", problem.to_string());
            return Err(page.invalid(&errors));
        }
    };
    let addr = client_addr(&extensions);
    let is_admin = form.is_admin == "on";
    match update_user(
        &state.db,
        user_id,
        &name,
        is_admin,
        actor(&user, &addr),
        Utc::now(),
    )
    .await
    {
        Ok(_) => {}
        Err(StorageError::Invalid(errors)) => return Err(page.invalid(&errors)),
        Err(other) => return Err(other.into()),
    }
    tracing::info!(user.id = %user_id, by.id = %user.user.id, "an administrator changed a user");
    Ok(Redirect::to(&format!("/settings/users/{user_id}")).into_response())
}

/// The reset form as typed; `Debug` never shows the passwords.
#[derive(Default, Deserialize)]
#[serde(default)]
struct ResetForm {
    password: String,
    password_confirmation: String,
}

impl fmt::Debug for ResetForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResetForm").finish_non_exhaustive()
    }
}

fn reset_form(csrf: &str, user_id: Uuid, email: &str) -> FormPage {
    let mut password = FieldView::new("password", "New password", FieldKind::Password, "");
    password.hint = Some(
        "At least 12 characters. Their sessions end at once; tell them the new password over a channel you trust.",
    );
    let page_url = format!("/settings/users/{user_id}");
    FormPage::new(
        Layout::new(
            format!("Set a new password for {email}"),
            "settings",
            csrf,
            TRAIL,
        ),
        format!("{page_url}/password"),
        "Set password",
        page_url,
        vec![
            password,
            FieldView::new(
                "password_confirmation",
                "Confirm the new password",
                FieldKind::Password,
                "",
            ),
        ],
        String::new(),
    )
}

async fn reset_password_form(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(user_id): IdPath,
) -> AppResult<Response> {
    user.require_admin()?;
    let shown = get_user(&state.db, user_id).await?;
    reset_form(&csrf, user_id, &shown.email).show()
}

async fn reset_user_password(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(user_id): IdPath,
    extensions: Extensions,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> AppResult<Response> {
    user.require_admin()?;
    let shown = get_user(&state.db, user_id).await?;
    let draft = PasswordDraft {
        password: form.password.clone(),
        password_confirmation: form.password_confirmation,
    };
    let email = Email::parse(&shown.email).ok();
    if let Err(errors) = draft.validate_with(&PasswordPolicy::default(), email.as_ref()) {
        return Err(reset_form(&csrf, user_id, &shown.email).invalid(&errors));
    }
    let password = form.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let addr = client_addr(&extensions);
    reset_password(&state.db, user_id, &hash, actor(&user, &addr), Utc::now()).await?;
    tracing::info!(user.id = %user_id, by.id = %user.user.id, "an administrator set a new password");
    Ok(Redirect::to(&format!("/settings/users/{user_id}")).into_response())
}
