//! Recent failed sign-ins, counted per account and per client address so that guessing is
//! slowed and then refused, and forgotten after a successful sign-in or once they are old.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use crate::Result;
use crate::entities::login_failure;

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
