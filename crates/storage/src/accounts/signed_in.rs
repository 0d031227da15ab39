//! The user behind a request, in one indexed read: a session cookie's session joined to its
//! active user and that user's memberships ([`session_user`]), or an active user with their
//! memberships by id, behind an API token ([`user_with_memberships`]). Nothing is cached, so
//! a sign-out, a password change, a deactivation or a role change counts at the next
//! request, whichever server shares the database.

use chrono::{DateTime, Utc};
use escapement_core::auth::Role;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, QueryResult};
use uuid::Uuid;

use super::users::User;
use crate::entities::{membership, session, user};
use crate::{Result, stored_key};

/// An active user and the teams they belong to, with their role in each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInUser {
    pub user: User,
    pub memberships: Vec<(Uuid, Role)>,
}

/// The unexpired session behind a cookie, its user and when it was started and last seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    /// The session's stored id (the hash of the cookie value).
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub signed_in: SignedInUser,
}

/// Adds the columns [`signed_in_user`] reads: the user's, then the membership's (both null
/// for a user without a team), the join to the memberships and the active-user condition.
fn select_user_and_memberships(query: &mut SelectStatement) {
    let u = |c: user::Column| Expr::col((user::Entity, c));
    let m = |c: membership::Column| Expr::col((membership::Entity, c));
    query
        .expr(u(user::Column::Id))
        .expr(u(user::Column::Email))
        .expr(u(user::Column::DisplayName))
        .expr(u(user::Column::IsAdmin))
        .expr(u(user::Column::Version))
        .expr(u(user::Column::CreatedAt))
        .expr(m(membership::Column::TeamId))
        .expr(m(membership::Column::Role))
        .left_join(
            membership::Entity,
            Expr::col((membership::Entity, membership::Column::UserId))
                .equals((user::Entity, user::Column::Id)),
        )
        .and_where(Expr::col((user::Entity, user::Column::DeactivatedAt)).is_null());
}

/// The user and memberships of rows selected by [`select_user_and_memberships`], whose
/// columns start at index `first`: one row per membership, or one for a user without any.
fn signed_in_user(rows: &[QueryResult], first: usize) -> Result<Option<SignedInUser>> {
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let user = User {
        id: row.try_get_by_index(first)?,
        email: row.try_get_by_index(first + 1)?,
        display_name: row.try_get_by_index(first + 2)?,
        is_admin: row.try_get_by_index(first + 3)?,
        version: row.try_get_by_index(first + 4)?,
        created_at: row.try_get_by_index(first + 5)?,
        deactivated_at: None,
    };
    let mut memberships = Vec::with_capacity(rows.len());
    for row in rows {
        let team: Option<Uuid> = row.try_get_by_index(first + 6)?;
        let role: Option<String> = row.try_get_by_index(first + 7)?;
        if let (Some(team), Some(role)) = (team, role) {
            memberships.push((team, stored_key("memberships.role", &role)?));
        }
    }
    Ok(Some(SignedInUser { user, memberships }))
}

/// The session stored under `id`, unexpired at `now`, with its active user and their
/// memberships: one statement over the sessions' primary key, the users' primary key and
/// the memberships' user index. `None` for an unknown or expired session, one without a
/// user, or a deactivated user's.
pub async fn session_user(
    db: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionUser>> {
    let mut query = Query::select();
    query
        .expr(Expr::col((session::Entity, session::Column::CreatedAt)))
        .expr(Expr::col((session::Entity, session::Column::LastSeenAt)))
        .from(session::Entity)
        .inner_join(
            user::Entity,
            Expr::col((user::Entity, user::Column::Id))
                .equals((session::Entity, session::Column::UserId)),
        )
        .and_where(Expr::col((session::Entity, session::Column::Id)).eq(id))
        .and_where(Expr::col((session::Entity, session::Column::ExpiresAt)).gt(now));
    select_user_and_memberships(&mut query);
    let rows = db.query_all(&query).await?;
    let (Some(first), Some(signed_in)) = (rows.first(), signed_in_user(&rows, 2)?) else {
        return Ok(None);
    };
    Ok(Some(SessionUser {
        id: id.to_owned(),
        created_at: first.try_get_by_index(0)?,
        last_seen_at: first.try_get_by_index(1)?,
        signed_in,
    }))
}

/// The active user `user_id` with their memberships, in one statement; `None` for an unknown
/// or deactivated user.
pub async fn user_with_memberships(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<SignedInUser>> {
    let mut query = Query::select();
    query
        .from(user::Entity)
        .and_where(Expr::col((user::Entity, user::Column::Id)).eq(user_id));
    select_user_and_memberships(&mut query);
    let rows = db.query_all(&query).await?;
    signed_in_user(&rows, 0)
}
