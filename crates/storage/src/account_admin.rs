//! Account administration as use cases: adding a user, giving, changing and ending a team
//! role, issuing and revoking one's own API token. Each change is written together with its
//! audit log entry in one transaction, so the log never misses a change nor records one that
//! did not happen.

use chrono::{DateTime, Utc};
use escapement_core::auth::{AuditEvent, Email, NewUser, Role, TokenName};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use crate::accounts::{
    ApiToken, User, create_token, create_user, get_user, record_event, remove_membership,
    revoke_token, set_membership,
};
use crate::catalog::get_team;
use crate::entities::{api_token, membership, user};
use crate::{Result, StorageError};

/// Who makes a change and from where, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    /// The signed-in user; `None` for the command line.
    pub user_id: Option<Uuid>,
    /// The client's address, or where the change came from ("command line").
    pub client_addr: &'a str,
}

/// One member of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub user: User,
    pub role: Role,
}

fn role_of(m: &membership::Model) -> Result<Role> {
    Role::from_key(&m.role).ok_or_else(|| {
        StorageError::Db(sea_orm::DbErr::Type(format!(
            "memberships.role holds an unknown key `{}`",
            m.role
        )))
    })
}

/// The user with this email address, without any secret.
pub async fn find_user(db: &impl ConnectionTrait, email: &Email) -> Result<Option<User>> {
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    Ok(found.map(User::from))
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

/// Adds a user and logs `user_created`; a taken email address is a field error on `email`.
pub async fn add_user(
    db: &DatabaseConnection,
    new: &NewUser,
    password_hash: &str,
    is_admin: bool,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<User> {
    let txn = crate::begin_write(db).await?;
    let user = create_user(&txn, new, password_hash, is_admin, now).await?;
    let subject = if is_admin {
        format!("{} (instance admin)", user.email)
    } else {
        user.email.clone()
    };
    log(&txn, AuditEvent::UserCreated, actor, &subject, now).await?;
    txn.commit().await?;
    Ok(user)
}

pub(crate) async fn log(
    db: &impl ConnectionTrait,
    event: AuditEvent,
    actor: Actor<'_>,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    record_event(
        db,
        event,
        actor.user_id,
        subject,
        Some(actor.client_addr),
        now,
    )
    .await
}

/// Gives `user_id` the `role` in `team_id`, adding the membership when there is none, and logs
/// `role_changed`. `NotFound` when the team or the user does not exist. Giving the role a
/// member already has changes and logs nothing.
pub async fn grant_role(
    db: &DatabaseConnection,
    team_id: Uuid,
    user_id: Uuid,
    role: Role,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    write_role(db, team_id, user_id, role, false, actor, now).await
}

/// Changes the role of an existing member and logs `role_changed`; `NotFound` when the user
/// is not a member of the team.
pub async fn change_role(
    db: &DatabaseConnection,
    team_id: Uuid,
    user_id: Uuid,
    role: Role,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    write_role(db, team_id, user_id, role, true, actor, now).await
}

async fn write_role(
    db: &DatabaseConnection,
    team_id: Uuid,
    user_id: Uuid,
    role: Role,
    members_only: bool,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
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
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    let team = get_team(&txn, team_id).await?;
    let user = get_user(&txn, user_id).await?;
    remove_membership(&txn, team_id, user_id).await?;
    let subject = format!("{} from {}", user.email, team.name);
    log(&txn, AuditEvent::MembershipRemoved, actor, &subject, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Stores a new API token for `user_id` under the hash of its value and logs `token_created`.
pub async fn issue_token(
    db: &DatabaseConnection,
    user_id: Uuid,
    name: &TokenName,
    token_hash: &str,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<ApiToken> {
    let txn = crate::begin_write(db).await?;
    let user = get_user(&txn, user_id).await?;
    let token = create_token(&txn, user_id, name, token_hash, now).await?;
    let subject = format!("{} for {}", token.name, user.email);
    log(&txn, AuditEvent::TokenCreated, actor, &subject, now).await?;
    txn.commit().await?;
    Ok(token)
}

/// Revokes one of `user_id`'s active tokens and logs `token_revoked`; `NotFound` for another
/// user's token, an unknown one or one already revoked.
pub async fn revoke_own_token(
    db: &DatabaseConnection,
    user_id: Uuid,
    token_id: Uuid,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    let token = api_token::Entity::find_by_id(token_id)
        .filter(api_token::Column::UserId.eq(user_id))
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound)?;
    revoke_token(&txn, user_id, token_id, now).await?;
    let user = get_user(&txn, user_id).await?;
    let subject = format!("{} of {}", token.name, user.email);
    log(&txn, AuditEvent::TokenRevoked, actor, &subject, now).await?;
    txn.commit().await?;
    Ok(())
}
