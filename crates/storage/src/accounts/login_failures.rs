//! Recent failed sign-ins, counted per account and per client address so that guessing is
//! slowed and then refused, and forgotten after a successful sign-in or once they are old;
//! and the sign-in attempt: recorded as a failure before its password is checked, so that
//! attempts running at the same time count each other, then ended by an audited outcome
//! that does not start a session (a refusal, a failure). The one that does is
//! [`complete_sign_in`](super::complete_sign_in).

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

/// One sign-in attempt: its id (that of the failure it is recorded as while it runs), the
/// account as typed (the normalised email address), the client's address, when it happens
/// and where the throttling window starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInAttempt<'a> {
    pub id: Uuid,
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

/// Records the attempt as a failure, committed at once, and answers the failures before it
/// in the window, for its account and for its client address. Attempts are recorded one
/// at a time (a write transaction that counts, then inserts: SQLite's write lock, and on
/// PostgreSQL a lock on the table that only other sign-in starts wait for), so the `k`-th
/// attempt to be recorded sees exactly the `k - 1` still counted before it: of any number
/// started together exactly the refusal limit get their password checked.
pub async fn start_sign_in(
    db: &DatabaseConnection,
    attempt: &SignInAttempt<'_>,
) -> Result<(u64, u64)> {
    let txn = crate::begin_write(db).await?;
    if crate::Backend::of(db) == crate::Backend::Postgres {
        txn.execute_unprepared("LOCK TABLE login_failures IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    let counts = count_login_failures(
        &txn,
        attempt.account,
        attempt.client_addr,
        attempt.window_start,
    )
    .await?;
    let row = login_failure::ActiveModel {
        id: Set(attempt.id),
        account: Set(attempt.account.to_owned()),
        client_addr: Set(attempt.client_addr.to_owned()),
        at: Set(attempt.at),
    };
    login_failure::Entity::insert(row).exec(&txn).await?;
    txn.commit().await?;
    Ok(counts)
}

/// Ends an attempt refused after too many failures: it is no failure after all (its
/// password is not checked), so its record goes, and `login_refused` is logged, in one
/// transaction.
pub async fn refuse_sign_in(db: &DatabaseConnection, attempt: &SignInAttempt<'_>) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    login_failure::Entity::delete_by_id(attempt.id)
        .exec(&txn)
        .await?;
    let event = AuditEvent::LoginRefused;
    let addr = Some(attempt.client_addr);
    record_event(&txn, event, None, attempt.account, addr, attempt.at).await?;
    txn.commit().await?;
    Ok(())
}

/// Withdraws an attempt whose password could not be checked (the server was too busy): it
/// is no failure, and nothing is logged.
pub async fn withdraw_sign_in(
    db: &impl ConnectionTrait,
    attempt: &SignInAttempt<'_>,
) -> Result<()> {
    login_failure::Entity::delete_by_id(attempt.id)
        .exec(db)
        .await?;
    Ok(())
}

/// Ends a failed attempt (a wrong email or password, or a deactivated account): its failure
/// stays recorded, and `login_failed` is logged.
pub async fn fail_sign_in(db: &DatabaseConnection, attempt: &SignInAttempt<'_>) -> Result<()> {
    let event = AuditEvent::LoginFailed;
    let addr = Some(attempt.client_addr);
    record_event(db, event, None, attempt.account, addr, attempt.at).await
}
