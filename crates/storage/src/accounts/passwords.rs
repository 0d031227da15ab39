//! New passwords: an instance admin setting one for a user, and a user changing their own.
//! The hash, its audit entry and the end of every session of the user are written in one
//! transaction, so no session outlives the old password.

use chrono::{DateTime, Utc};
use escapement_core::auth::AuditEvent;
use sea_orm::DatabaseConnection;
use sea_orm::sea_query::Expr;
use uuid::Uuid;

use super::audit::log;
use super::sessions::end_sessions_of;
use super::users::{get_user, update_row};
use crate::entities::user;
use crate::{Actor, Result};

/// An instance admin sets a new password (already hashed) for `user_id`: every session of
/// that user ends, and `password_reset` is logged. `NotFound` for an unknown user.
pub async fn reset_password(
    db: &DatabaseConnection,
    user_id: Uuid,
    password_hash: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let event = AuditEvent::PasswordReset;
    replace_password(db, user_id, password_hash, event, &actor, now).await
}

/// A user changes their own password (already hashed, the current one checked by the
/// caller): every session of that user ends, the caller starts a fresh one, and
/// `password_changed` is logged.
pub async fn change_own_password(
    db: &DatabaseConnection,
    user_id: Uuid,
    password_hash: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let event = AuditEvent::PasswordChanged;
    replace_password(db, user_id, password_hash, event, &actor, now).await
}

/// Writes the new hash, ends every session of the user and logs `event`, in one transaction.
async fn replace_password(
    db: &DatabaseConnection,
    user_id: Uuid,
    password_hash: &str,
    event: AuditEvent,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    let target = get_user(&txn, user_id).await?;
    let columns = vec![(user::Column::PasswordHash, Expr::value(password_hash))];
    update_row(&txn, user_id, columns, now).await?;
    end_sessions_of(&txn, user_id).await?;
    log(&txn, event, actor, &target.email, now).await?;
    txn.commit().await?;
    Ok(())
}
