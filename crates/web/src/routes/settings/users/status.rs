//! Deactivating and reactivating an account, for instance admins. A deactivated user cannot
//! sign in, their sessions end at once and their API tokens are refused; nobody can
//! deactivate their own account.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_storage::StorageError;
use escapement_storage::accounts::{SELF_DEACTIVATION, set_active};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::extract::IdPath;
use crate::routes::table::{AccessLevel, Route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    use AccessLevel::InstanceAdmin;
    vec![
        Route::post(
            "/settings/users/{user_id}/deactivate",
            InstanceAdmin,
            deactivate_user,
        ),
        Route::post(
            "/settings/users/{user_id}/reactivate",
            InstanceAdmin,
            reactivate_user,
        ),
    ]
}

#[derive(Debug, Default, Deserialize)]
struct Empty {}

async fn deactivate_user(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(user_id): IdPath,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    change(&state, &user, user_id, false).await
}

async fn reactivate_user(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(user_id): IdPath,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    change(&state, &user, user_id, true).await
}

async fn change(
    state: &AppState,
    user: &CurrentUser,
    user_id: Uuid,
    active: bool,
) -> AppResult<Response> {
    user.require_admin()?;
    match set_active(&state.db, user_id, active, user.actor(), Utc::now()).await {
        Ok(_) => {}
        Err(StorageError::Invalid(_)) => {
            return Err(AppError::Refused(SELF_DEACTIVATION.to_owned()));
        }
        Err(other) => return Err(other.into()),
    }
    if active {
        tracing::info!(user.id = %user_id, by.id = %user.user.id, "an administrator reactivated a user");
    } else {
        tracing::info!(user.id = %user_id, by.id = %user.user.id, "an administrator deactivated a user");
    }
    Ok(Redirect::to(&format!("/settings/users/{user_id}")).into_response())
}
