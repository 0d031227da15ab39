//! Team memberships: who belongs to which team with which role, and the audited use cases
//! that give, change and end a role. Each change is written with its audit entry in one
//! transaction, so the log never misses a change nor records one that did not happen.

use chrono::{DateTime, Utc};
use escapement_core::auth::{AuditEvent, Role};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use super::audit::log;
use super::users::{User, get_user};
use crate::catalog::get_team;
use crate::entities::{membership, user};
use crate::{Actor, Result, StorageError, stored_key};

/// One member of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub user: User,
    pub role: Role,
}

fn role_of(m: &membership::Model) -> Result<Role> {
    stored_key("memberships.role", &m.role)
}

/// Gives `user_id` the `role` in `team_id`, adding or changing the membership, without
/// logging it (see [`grant_role`]).
pub async fn set_membership(
    db: &impl ConnectionTrait,
    team_id: Uuid,
    user_id: Uuid,
    role: Role,
    now: DateTime<Utc>,
) -> Result<()> {
    let row = membership::ActiveModel {
        team_id: Set(team_id),
        user_id: Set(user_id),
        role: Set(role.key().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    membership::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([membership::Column::TeamId, membership::Column::UserId])
                .update_columns([membership::Column::Role, membership::Column::UpdatedAt])
                .value(
                    membership::Column::Version,
                    Expr::col((membership::Entity, membership::Column::Version)).add(1),
                )
                .to_owned(),
        )
        .exec(db)
        .await?;
    // The people of the team's review pages, kept under its stamp, are its members.
    crate::rollup::renew_team(db, team_id).await?;
    Ok(())
}

/// Ends a membership without logging it (see [`remove_member`]); `NotFound` when there was
/// none.
pub async fn remove_membership(
    db: &impl ConnectionTrait,
    team_id: Uuid,
    user_id: Uuid,
) -> Result<()> {
    let result = membership::Entity::delete_by_id((team_id, user_id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(StorageError::NotFound);
    }
    crate::rollup::renew_team(db, team_id).await?;
    Ok(())
}

/// The teams a user belongs to, with their role in each.
pub async fn memberships_of(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<(Uuid, Role)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    rows.iter().map(|m| Ok((m.team_id, role_of(m)?))).collect()
}

/// The members of one team with their roles, by name then email address.
pub async fn team_members(db: &impl ConnectionTrait, team_id: Uuid) -> Result<Vec<Member>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::TeamId.eq(team_id))
        .all(db)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|m| m.user_id)))
        .order_by_asc(user::Column::DisplayName)
        .order_by_asc(user::Column::Email)
        .all(db)
        .await?;
    users
        .into_iter()
        .map(|u| {
            let row = rows
                .iter()
                .find(|m| m.user_id == u.id)
                .ok_or(StorageError::NotFound)?;
            Ok(Member {
                role: role_of(row)?,
                user: User::from(u),
            })
        })
        .collect()
}

/// Every membership as `(user, team, role)`, for the list of users.
pub async fn all_memberships(db: &impl ConnectionTrait) -> Result<Vec<(Uuid, Uuid, Role)>> {
    let rows = membership::Entity::find().all(db).await?;
    rows.iter()
        .map(|m| Ok((m.user_id, m.team_id, role_of(m)?)))
        .collect()
}

/// Gives `user_id` the `role` in `team_id`, adding the membership when there is none, and logs
/// `role_changed`. `NotFound` when the team or the user does not exist. Giving the role a
/// member already has changes and logs nothing.
pub async fn grant_role(
    db: &DatabaseConnection,
    team_id: Uuid,
    user_id: Uuid,
    role: Role,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let change = RoleChange {
        team_id,
        user_id,
        role,
    };
    write_role(db, &change, false, &actor, now).await
}

/// Changes the role of an existing member and logs `role_changed`; `NotFound` when the user
/// is not a member of the team.
pub async fn change_role(
    db: &DatabaseConnection,
    team_id: Uuid,
    user_id: Uuid,
    role: Role,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let change = RoleChange {
        team_id,
        user_id,
        role,
    };
    write_role(db, &change, true, &actor, now).await
}

/// The role one user is to have in one team.
struct RoleChange {
    team_id: Uuid,
    user_id: Uuid,
    role: Role,
}

/// Writes `change` and its audit entry in one transaction; with `members_only`, only for an
/// existing member.
async fn write_role(
    db: &DatabaseConnection,
    change: &RoleChange,
    members_only: bool,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let &RoleChange {
        team_id,
        user_id,
        role,
    } = change;
    let txn = crate::begin_write(db).await?;
    let team = get_team(&txn, team_id).await?;
    let user = get_user(&txn, user_id).await?;
    let before = membership::Entity::find_by_id((team_id, user_id))
        .one(&txn)
        .await?
        .map(|m| role_of(&m))
        .transpose()?;
    let subject = match before {
        Some(previous) if previous == role => return Ok(()),
        None if members_only => return Err(StorageError::NotFound),
        Some(previous) => format!(
            "{} is {} of {} (was {})",
            user.email,
            role.key(),
            team.name,
            previous.key()
        ),
        None => format!("{} is {} of {}", user.email, role.key(), team.name),
    };
    set_membership(&txn, team_id, user_id, role, now).await?;
    log(&txn, AuditEvent::RoleChanged, actor, &subject, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Ends a membership and logs `membership_removed`; `NotFound` when there was none.
pub async fn remove_member(
    db: &DatabaseConnection,
    team_id: Uuid,
    user_id: Uuid,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    let team = get_team(&txn, team_id).await?;
    let user = get_user(&txn, user_id).await?;
    remove_membership(&txn, team_id, user_id).await?;
    let subject = format!("{} from {}", user.email, team.name);
    log(&txn, AuditEvent::MembershipRemoved, &actor, &subject, now).await?;
    txn.commit().await?;
    Ok(())
}
