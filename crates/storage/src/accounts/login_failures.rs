//! Recent failed sign-ins, counted per account and per client address so that guessing is
//! slowed and then refused, and forgotten after a successful sign-in or once they are old;
//! and the sign-in attempt with the audited outcomes that do not start a session (a refusal,
//! a failure). The one that does is [`complete_sign_in`](super::complete_sign_in).

use chrono::{DateTime, Utc};
use escapement_core::auth::AuditEvent;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::audit::record_event;
use crate::Result;
use crate::entities::login_failure;

/// One sign-in attempt: the account as typed (the normalised email address), the client's
/// address, when it happens and where the throttling window starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInAttempt<'a> {
    pub account: &'a str,
    pub client_addr: &'a str,
    pub at: DateTime<Utc>,
    /// Failures after this count toward throttling; older ones are forgotten at a success.
    pub window_start: DateTime<Utc>,
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

/// Failures within the attempt's window for its account and for its client address.
pub async fn recent_failures(
    db: &impl ConnectionTrait,
    attempt: &SignInAttempt<'_>,
) -> Result<(u64, u64)> {
    let SignInAttempt {
        account,
        client_addr,
        window_start,
        ..
    } = *attempt;
    count_login_failures(db, account, client_addr, window_start).await
}

/// Logs `login_refused` for an attempt refused after too many failures (its password is not
/// checked, and the refusal is not itself a failure).
pub async fn refuse_sign_in(db: &impl ConnectionTrait, attempt: &SignInAttempt<'_>) -> Result<()> {
    let event = AuditEvent::LoginRefused;
    let addr = Some(attempt.client_addr);
    record_event(db, event, None, attempt.account, addr, attempt.at).await
}

/// Remembers a failed attempt (a wrong email or password, or a deactivated account) and logs
/// `login_failed`, in one transaction.
pub async fn fail_sign_in(db: &DatabaseConnection, attempt: &SignInAttempt<'_>) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    record_login_failure(&txn, attempt.account, attempt.client_addr, attempt.at).await?;
    let event = AuditEvent::LoginFailed;
    let addr = Some(attempt.client_addr);
    record_event(&txn, event, None, attempt.account, addr, attempt.at).await?;
    txn.commit().await?;
    Ok(())
}
