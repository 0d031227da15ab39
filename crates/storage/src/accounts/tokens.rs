//! API tokens: stored under a hash of their value, found and marked used at each request,
//! listed for their owner, and the audited use cases that issue and revoke them.

use chrono::{DateTime, Utc};
use escapement_core::auth::{AuditEvent, TokenName};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use super::audit::log;
use super::users::get_user;
use crate::entities::api_token;
use crate::{Actor, Result, StorageError};

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

/// Stores a new API token for `user_id` under the hash of its value, without logging it
/// (see [`issue_token`]).
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

/// Revokes one of `user_id`'s tokens without logging it (see [`revoke_own_token`]);
/// `NotFound` for another user's, an unknown or an already revoked token.
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

/// Stores a new API token for `user_id` under the hash of its value and logs `token_created`.
pub async fn issue_token(
    db: &DatabaseConnection,
    user_id: Uuid,
    name: &TokenName,
    token_hash: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<ApiToken> {
    let txn = crate::begin_write(db).await?;
    let user = get_user(&txn, user_id).await?;
    let token = create_token(&txn, user_id, name, token_hash, now).await?;
    let subject = format!("{} for {}", token.name, user.email);
    log(&txn, AuditEvent::TokenCreated, &actor, &subject, now).await?;
    txn.commit().await?;
    Ok(token)
}

/// Revokes one of `user_id`'s active tokens and logs `token_revoked`; `NotFound` for another
/// user's token, an unknown one or one already revoked.
pub async fn revoke_own_token(
    db: &DatabaseConnection,
    user_id: Uuid,
    token_id: Uuid,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    let token = api_token::Entity::find_by_id(token_id)
        .filter(api_token::Column::UserId.eq(user_id))
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound)?;
    revoke_logged(&txn, token, &actor, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Revokes an active token whoever owns it (instance administration, the command line) and
/// logs `token_revoked`; returns the revoked token. `NotFound` for an unknown token or one
/// already revoked.
pub async fn revoke_any_token(
    db: &DatabaseConnection,
    token_id: Uuid,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<ApiToken> {
    let txn = crate::begin_write(db).await?;
    let token = api_token::Entity::find_by_id(token_id)
        .filter(api_token::Column::RevokedAt.is_null())
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound)?;
    let revoked = revoke_logged(&txn, token, &actor, now).await?;
    txn.commit().await?;
    Ok(revoked)
}

async fn revoke_logged(
    txn: &impl ConnectionTrait,
    token: api_token::Model,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<ApiToken> {
    revoke_token(txn, token.user_id, token.id, now).await?;
    let user = get_user(txn, token.user_id).await?;
    let subject = format!("{} of {}", token.name, user.email);
    log(txn, AuditEvent::TokenRevoked, actor, &subject, now).await?;
    let mut revoked = ApiToken::from(token);
    revoked.revoked_at = Some(now);
    Ok(revoked)
}
