//! User administration as use cases: an instance admin changing a user's name and
//! instance-admin flag or setting a new password, and a user changing their own password.
//! Each change is written with its audit entry in one transaction; a new password ends the
//! user's sessions in that same transaction, so no session outlives the old password.

use chrono::{DateTime, Utc};
use escapement_core::ValidationErrors;
use escapement_core::auth::{AuditEvent, DisplayName};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use crate::account_admin::{Actor, log};
use crate::accounts::{User, get_user};
use crate::entities::{session, user};
use crate::{Result, StorageError};

/// The message on `is_admin` when a change would leave the instance without an admin.
pub const LAST_ADMIN: &str =
    "This is the last instance administrator. Make someone else an instance administrator first";

/// Changes a user's display name and instance-admin flag and logs `user_updated`; `NotFound`
/// for an unknown user, a field error on `is_admin` when it would remove the last instance
/// admin. A change that changes nothing writes and logs nothing.
pub async fn update_user(
    db: &DatabaseConnection,
    user_id: Uuid,
    display_name: &DisplayName,
    is_admin: bool,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<User> {
    let txn = crate::begin_write(db).await?;
    let before = get_user(&txn, user_id).await?;
    let mut changes = Vec::new();
    if before.display_name != display_name.as_str() {
        changes.push(format!(
            "name \"{}\" (was \"{}\")",
            display_name.as_str(),
            before.display_name
        ));
    }
    if before.is_admin != is_admin {
        if before.is_admin {
            let admins = user::Entity::find()
                .filter(user::Column::IsAdmin.eq(true))
                .filter(user::Column::DeactivatedAt.is_null())
                .count(&txn)
                .await?;
            if admins <= 1 {
                let mut errors = ValidationErrors::new();
                errors.push("is_admin", LAST_ADMIN);
                return Err(StorageError::Invalid(errors));
            }
        }
        changes.push(if is_admin {
            "made instance admin".to_owned()
        } else {
            "no longer instance admin".to_owned()
        });
    }
    if changes.is_empty() {
        return Ok(before);
    }
    user::Entity::update_many()
        .col_expr(
            user::Column::DisplayName,
            Expr::value(display_name.as_str()),
        )
        .col_expr(user::Column::IsAdmin, Expr::value(is_admin))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            user::Column::Version,
            Expr::col(user::Column::Version).add(1),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    let subject = format!("{}: {}", before.email, changes.join(", "));
    log(&txn, AuditEvent::UserUpdated, actor, &subject, now).await?;
    let after = get_user(&txn, user_id).await?;
    txn.commit().await?;
    Ok(after)
}

/// An instance admin sets a new password (already hashed) for `user_id`: every session of
/// that user ends, and `password_reset` is logged. `NotFound` for an unknown user.
pub async fn reset_password(
    db: &DatabaseConnection,
    user_id: Uuid,
    password_hash: &str,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    write_password(
        db,
        user_id,
        password_hash,
        AuditEvent::PasswordReset,
        actor,
        now,
    )
    .await
}

/// A user changes their own password (already hashed, the current one checked by the
/// caller): every session of that user ends, the caller starts a fresh one, and
/// `password_changed` is logged.
pub async fn change_own_password(
    db: &DatabaseConnection,
    user_id: Uuid,
    password_hash: &str,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    write_password(
        db,
        user_id,
        password_hash,
        AuditEvent::PasswordChanged,
        actor,
        now,
    )
    .await
}

async fn write_password(
    db: &DatabaseConnection,
    user_id: Uuid,
    password_hash: &str,
    event: AuditEvent,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    let target = get_user(&txn, user_id).await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            user::Column::Version,
            Expr::col(user::Column::Version).add(1),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    end_sessions_of(&txn, user_id).await?;
    log(&txn, event, actor, &target.email, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Deactivates (`active` false) or reactivates a user and logs `user_deactivated` or
/// `user_reactivated`. Deactivating ends every session of the user in the same transaction;
/// their API tokens are kept but refused while the account is deactivated, and their row
/// stays, so their name stays on everything they did. An actor cannot deactivate themselves
/// (`Invalid` with a message on `active`); a change to the state the user is already in
/// writes and logs nothing. `NotFound` for an unknown user.
pub async fn set_active(
    db: &DatabaseConnection,
    user_id: Uuid,
    active: bool,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<User> {
    if !active && actor.user_id == Some(user_id) {
        let mut errors = ValidationErrors::new();
        errors.push("active", SELF_DEACTIVATION);
        return Err(StorageError::Invalid(errors));
    }
    let txn = crate::begin_write(db).await?;
    let before = get_user(&txn, user_id).await?;
    if before.is_active() == active {
        return Ok(before);
    }
    let (at, event) = if active {
        (None, AuditEvent::UserReactivated)
    } else {
        (Some(now), AuditEvent::UserDeactivated)
    };
    user::Entity::update_many()
        .col_expr(user::Column::DeactivatedAt, Expr::value(at))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            user::Column::Version,
            Expr::col(user::Column::Version).add(1),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    if !active {
        end_sessions_of(&txn, user_id).await?;
    }
    log(&txn, event, actor, &before.email, now).await?;
    let after = get_user(&txn, user_id).await?;
    txn.commit().await?;
    Ok(after)
}

/// The message when an admin tries to deactivate their own account.
pub const SELF_DEACTIVATION: &str =
    "You cannot deactivate your own account. Ask another instance administrator";

/// Ends every session of `user_id`; returns how many there were.
pub async fn end_sessions_of(db: &impl ConnectionTrait, user_id: Uuid) -> Result<u64> {
    let result = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
