//! Accounts: users and their team memberships, server-side sessions, API tokens, the
//! security audit log and recent login failures. Password and token hashes are written
//! here and compared by the caller; they are never part of a returned record except where
//! a login needs the stored hash.

use chrono::{DateTime, Utc};
use escapement_core::Paging;
use escapement_core::auth::{AuditEvent, Email, NewUser, Role, TokenName};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::{api_token, audit_event, login_failure, membership, session, user};
use crate::{Result, StorageError, unique_violation_as};

/// A stored user, without the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    /// When the account was deactivated; `None` while it may sign in.
    pub deactivated_at: Option<DateTime<Utc>>,
}

impl User {
    /// True while the account may sign in and use its sessions and API tokens.
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        User {
            id: m.id,
            email: m.email,
            display_name: m.display_name,
            is_admin: m.is_admin,
            version: m.version,
            created_at: m.created_at,
            deactivated_at: m.deactivated_at,
        }
    }
}

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

/// A stored API token, without its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_token::Model> for ApiToken {
    fn from(m: api_token::Model) -> Self {
        ApiToken {
            id: m.id,
            user_id: m.user_id,
            name: m.name,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub event: AuditEvent,
    pub actor_user_id: Option<Uuid>,
    pub subject: String,
    pub client_addr: Option<String>,
}

const EMAIL_TAKEN: &str = "An account with this email address already exists";

/// Adds a user; a taken email address is a field error on `email`.
pub async fn create_user(
    db: &impl ConnectionTrait,
    new: &NewUser,
    password_hash: &str,
    is_admin: bool,
    now: DateTime<Utc>,
) -> Result<User> {
    let row = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(new.email.as_str().to_owned()),
        display_name: Set(new.display_name.as_str().to_owned()),
        password_hash: Set(password_hash.to_owned()),
        is_admin: Set(is_admin),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deactivated_at: Set(None),
    };
    let model = user::Entity::insert(row)
        .exec_with_returning(db)
        .await
        .map_err(|e| unique_violation_as(e, "email", EMAIL_TAKEN))?;
    Ok(model.into())
}

/// How many users exist; zero means the first-run setup is still open.
pub async fn user_count(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(user::Entity::find().count(db).await?)
}

/// The user with this email address and their stored password hash, for a login.
pub async fn find_login(
    db: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<(User, String)>> {
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    Ok(found.map(|m| {
        let hash = m.password_hash.clone();
        (User::from(m), hash)
    }))
}

/// One user, or `NotFound`.
pub async fn get_user(db: &impl ConnectionTrait, id: Uuid) -> Result<User> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(User::from)
        .ok_or(StorageError::NotFound)
}

/// Every user, by email address.
pub async fn list_users(db: &impl ConnectionTrait) -> Result<Vec<User>> {
    let rows = user::Entity::find()
        .order_by_asc(user::Column::Email)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(User::from).collect())
}

/// Gives `user_id` the `role` in `team_id`, adding or changing the membership.
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
    Ok(())
}

/// Ends a membership; `NotFound` when there was none.
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
    Ok(())
}

/// The teams a user belongs to, with their role in each.
pub async fn memberships_of(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<(Uuid, Role)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|m| {
            Role::from_key(&m.role)
                .map(|role| (m.team_id, role))
                .ok_or_else(|| {
                    StorageError::Db(DbErr::Type(format!(
                        "memberships.role holds an unknown key `{}`",
                        m.role
                    )))
                })
        })
        .collect()
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

/// Stores a new API token for `user_id` under the hash of its value.
pub async fn create_token(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    name: &TokenName,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<ApiToken> {
    let row = api_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        name: Set(name.as_str().to_owned()),
        token_hash: Set(token_hash.to_owned()),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
    };
    Ok(api_token::Entity::insert(row)
        .exec_with_returning(db)
        .await?
        .into())
}

/// The unrevoked token with this hash, marking it used at `now`.
pub async fn use_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<ApiToken>> {
    let Some(found) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token_hash))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(found.id))
        .exec(db)
        .await?;
    let mut token = ApiToken::from(found);
    token.last_used_at = Some(now);
    Ok(Some(token))
}

/// A user's tokens, newest first.
pub async fn list_tokens(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<ApiToken>> {
    let rows = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(ApiToken::from).collect())
}

/// Revokes one of `user_id`'s tokens; `NotFound` for another user's or an unknown token.
pub async fn revoke_token(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    token_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let result = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(token_id))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(StorageError::NotFound);
    }
    Ok(())
}

/// Revokes a token whoever owns it (for instance administration); returns its owner.
pub async fn revoke_token_by_id(
    db: &impl ConnectionTrait,
    token_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let token = api_token::Entity::find_by_id(token_id)
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(StorageError::NotFound)?;
    revoke_token(db, token.user_id, token_id, now).await?;
    Ok(token.user_id)
}

/// Appends one event to the audit log.
pub async fn record_event(
    db: &impl ConnectionTrait,
    event: AuditEvent,
    actor_user_id: Option<Uuid>,
    subject: &str,
    client_addr: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let row = audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now),
        event: Set(event.key().to_owned()),
        actor_user_id: Set(actor_user_id),
        subject: Set(subject.to_owned()),
        client_addr: Set(client_addr.map(str::to_owned)),
    };
    audit_event::Entity::insert(row).exec(db).await?;
    Ok(())
}

/// One page of the audit log, newest first, and the number of entries in all.
pub async fn list_events(
    db: &impl ConnectionTrait,
    paging: Paging,
) -> Result<(Vec<AuditEntry>, u64)> {
    let total = audit_event::Entity::find().count(db).await?;
    let rows = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::At)
        .order_by_desc(audit_event::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page())
        .all(db)
        .await?;
    let entries = rows
        .into_iter()
        .map(|m| {
            let event = AuditEvent::from_key(&m.event).ok_or_else(|| {
                StorageError::Db(DbErr::Type(format!(
                    "audit_events.event holds an unknown key `{}`",
                    m.event
                )))
            })?;
            Ok(AuditEntry {
                id: m.id,
                at: m.at,
                event,
                actor_user_id: m.actor_user_id,
                subject: m.subject,
                client_addr: m.client_addr,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((entries, total))
}

/// Remembers a failed login for `account` (the email as typed, normalised) from `client_addr`.
pub async fn record_login_failure(
    db: &impl ConnectionTrait,
    account: &str,
    client_addr: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let row = login_failure::ActiveModel {
        id: Set(Uuid::now_v7()),
        account: Set(account.to_owned()),
        client_addr: Set(client_addr.to_owned()),
        at: Set(now),
    };
    login_failure::Entity::insert(row).exec(db).await?;
    Ok(())
}

/// Failures since `since` for the account and for the client address.
pub async fn count_login_failures(
    db: &impl ConnectionTrait,
    account: &str,
    client_addr: &str,
    since: DateTime<Utc>,
) -> Result<(u64, u64)> {
    let by_account = login_failure::Entity::find()
        .filter(login_failure::Column::Account.eq(account))
        .filter(login_failure::Column::At.gt(since))
        .count(db)
        .await?;
    let by_client = login_failure::Entity::find()
        .filter(login_failure::Column::ClientAddr.eq(client_addr))
        .filter(login_failure::Column::At.gt(since))
        .count(db)
        .await?;
    Ok((by_account, by_client))
}

/// Forgets an account's failures after a successful login, and every failure older than
/// `before`.
pub async fn clear_login_failures(
    db: &impl ConnectionTrait,
    account: &str,
    before: DateTime<Utc>,
) -> Result<()> {
    login_failure::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(login_failure::Column::Account.eq(account))
                .add(login_failure::Column::At.lte(before)),
        )
        .exec(db)
        .await?;
    Ok(())
}
