//! Changing one account, for instance admins: its name and instance-admin flag, and a new
//! password set for it (which ends its sessions). The last instance admin keeps the flag.

use std::fmt;

use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::auth::{DisplayName, Email, PasswordDraft, PasswordPolicy};
use escapement_storage::accounts::{get_user, reset_password, update_user};
use serde::Deserialize;
use uuid::Uuid;

use super::TRAIL;
use crate::auth::hash_off_thread;
use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::extract::IdPath;
use crate::page::fields::{FieldForm, FieldKind, FieldView};
use crate::page::form::{Refusal, invalid, respond};
use crate::page::{Ctx, see_other};
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

fn edit_form(ctx: &Ctx, user_id: Uuid, email: &str, form: &EditUserForm) -> FieldForm {
    let admin = FieldView::new(
        "is_admin",
        "Instance administrator",
        FieldKind::Checkbox,
        &form.is_admin,
    )
    .hint("Can manage every team, account and setting.");
    let name = FieldView::new("display_name", "Name", FieldKind::Text, &form.display_name);
    let page_url = format!("/settings/users/{user_id}");
    FieldForm::new(
        ctx.layout(format!("Edit {email}"), "settings", TRAIL),
        format!("{page_url}/edit"),
        "Save changes",
        page_url,
        vec![name, admin],
        String::new(),
    )
}

async fn edit_user_form(ctx: Ctx, IdPath(user_id): IdPath) -> AppResult<Response> {
    ctx.user.require_admin()?;
    let shown = get_user(ctx.db(), user_id).await?;
    let form = EditUserForm {
        display_name: shown.display_name,
        is_admin: if shown.is_admin { "on" } else { "" }.to_owned(),
    };
    Ok(edit_form(&ctx, user_id, &shown.email, &form)
        .page()
        .into_response())
}

async fn update_user_details(
    ctx: Ctx,
    IdPath(user_id): IdPath,
    CsrfForm(form): CsrfForm<EditUserForm>,
) -> AppResult<Response> {
    ctx.user.require_admin()?;
    let shown = get_user(ctx.db(), user_id).await?;
    let outcome: Result<_, Refusal> = async {
        let name = DisplayName::parse(&form.display_name)
            .map_err(|p| invalid("display_name", &p.to_string()))?;
        let (actor, is_admin) = (ctx.user.actor(), form.is_admin == "on");
        Ok(update_user(ctx.db(), user_id, &name, is_admin, actor, Utc::now()).await?)
    }
    .await;
    let by = ctx.user.user.id;
    respond(
        edit_form(&ctx, user_id, &shown.email, &form),
        (),
        outcome,
        |_| {
            tracing::info!(user.id = %user_id, by.id = %by, "an administrator changed a user");
            see_other(&format!("/settings/users/{user_id}"))
        },
    )
    .await
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

fn reset_form(ctx: &Ctx, user_id: Uuid, email: &str) -> FieldForm {
    let password = FieldView::new("password", "New password", FieldKind::Password, "").hint(
        "At least 12 characters. Their sessions end at once; tell them the new password over a channel you trust.",
    );
    let confirmation = FieldView::new(
        "password_confirmation",
        "Confirm the new password",
        FieldKind::Password,
        "",
    );
    let page_url = format!("/settings/users/{user_id}");
    FieldForm::new(
        ctx.layout(format!("Set a new password for {email}"), "settings", TRAIL),
        format!("{page_url}/password"),
        "Set password",
        page_url,
        vec![password, confirmation],
        String::new(),
    )
}

async fn reset_password_form(ctx: Ctx, IdPath(user_id): IdPath) -> AppResult<Response> {
    ctx.user.require_admin()?;
    let shown = get_user(ctx.db(), user_id).await?;
    Ok(reset_form(&ctx, user_id, &shown.email)
        .page()
        .into_response())
}

async fn reset_user_password(
    ctx: Ctx,
    IdPath(user_id): IdPath,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> AppResult<Response> {
    ctx.user.require_admin()?;
    let shown = get_user(ctx.db(), user_id).await?;
    let outcome: Result<(), Refusal> = async {
        let draft = PasswordDraft {
            password: form.password.clone(),
            password_confirmation: form.password_confirmation.clone(),
        };
        let email = Email::parse(&shown.email).ok();
        draft.validate_with(&PasswordPolicy::default(), email.as_ref())?;
        let hash = hash_off_thread(&ctx.state.hashing, form.password.clone()).await?;
        Ok(reset_password(ctx.db(), user_id, &hash, ctx.user.actor(), Utc::now()).await?)
    }
    .await;
    let by = ctx.user.user.id;
    respond(reset_form(&ctx, user_id, &shown.email), (), outcome, |()| {
        tracing::info!(user.id = %user_id, by.id = %by, "an administrator set a new password");
        see_other(&format!("/settings/users/{user_id}"))
    })
    .await
}
