//! Server-side sessions: stored under a hash of the cookie value, read while unexpired,
//! ended one at a time, all of a user's at once, or when they expire; and the audited
//! sign-in that starts one.

use chrono::{DateTime, Utc};
use escapement_core::auth::AuditEvent;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::audit::record_event;
use super::login_failures::{SignInAttempt, clear_login_failures};
use crate::Result;
use crate::entities::session;

/// A server-side session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// A hash of the cookie value, never the value itself.
    pub id: String,
    pub user_id: Option<Uuid>,
    /// Session data as JSON.
    pub data: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Writes a session, replacing any stored under the same id.
pub async fn save_session(db: &impl ConnectionTrait, record: &SessionRecord) -> Result<()> {
    let row = session::ActiveModel {
        id: Set(record.id.clone()),
        user_id: Set(record.user_id),
        data: Set(record.data.clone()),
        created_at: Set(record.created_at),
        last_seen_at: Set(record.last_seen_at),
        expires_at: Set(record.expires_at),
    };
    session::Entity::insert(row)
        .on_conflict(
            OnConflict::column(session::Column::Id)
                .update_columns([
                    session::Column::UserId,
                    session::Column::Data,
                    session::Column::LastSeenAt,
                    session::Column::ExpiresAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The session with this id if it has not expired at `now`.
pub async fn load_session(
    db: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionRecord>> {
    let found = session::Entity::find_by_id(id.to_owned())
        .filter(session::Column::ExpiresAt.gt(now))
        .one(db)
        .await?;
    Ok(found.map(|m| SessionRecord {
        id: m.id,
        user_id: m.user_id,
        data: m.data,
        created_at: m.created_at,
        last_seen_at: m.last_seen_at,
        expires_at: m.expires_at,
    }))
}

/// Marks the session `id` seen at `now` and expiring at `expires_at`, unless a request since
/// `seen_before` did already: concurrent requests past the touch interval write it once.
/// An update, never an insert, so a touch cannot bring back a session that was ended or
/// expired meanwhile. True when the session was touched.
pub async fn touch_session(
    db: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    seen_before: DateTime<Utc>,
) -> Result<bool> {
    let result = session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(now))
        .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::LastSeenAt.lte(seen_before))
        .filter(session::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Ends a session (logout, or the old id after rotation).
pub async fn delete_session(db: &impl ConnectionTrait, id: &str) -> Result<()> {
    session::Entity::delete_by_id(id.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// Removes every session expired at `now`; returns how many.
pub async fn delete_expired_sessions(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    let result = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Ends every session of `user_id`; returns how many there were.
pub async fn end_sessions_of(db: &impl ConnectionTrait, user_id: Uuid) -> Result<u64> {
    let result = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// A successful sign-in of `user_id`, in one transaction: the session the request came with
/// (`replaced`, its stored id) ends, so a session planted before the sign-in is worthless;
/// `session` is stored; the account's failures and every failure before the attempt's window
/// are forgotten; and `login_succeeded` is logged.
pub async fn complete_sign_in(
    db: &DatabaseConnection,
    attempt: &SignInAttempt<'_>,
    user_id: Uuid,
    replaced: Option<&str>,
    session: &SessionRecord,
) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    if let Some(id) = replaced {
        delete_session(&txn, id).await?;
    }
    save_session(&txn, session).await?;
    clear_login_failures(&txn, attempt.account, attempt.window_start).await?;
    let (event, addr) = (AuditEvent::LoginSucceeded, Some(attempt.client_addr));
    record_event(
        &txn,
        event,
        Some(user_id),
        attempt.account,
        addr,
        attempt.at,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
