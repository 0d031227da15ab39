//! Write transactions: every one takes the database's write lock when it begins, so
//! concurrent writers wait for each other instead of failing.

use sea_orm::{DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait};

/// Begins a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`: the write lock
/// is taken at once, waiting up to the connection's busy timeout while another writer holds
/// it, so reads and writes inside it never fail with `SQLITE_BUSY` or `SQLITE_BUSY_SNAPSHOT`
/// (a deferred `BEGIN` that reads first must upgrade its lock later, and SQLite refuses that
/// upgrade at once instead of waiting). On PostgreSQL the SQLite mode is ignored and this is
/// a plain `BEGIN`; row locks make writers of the same row wait there. Called on an open
/// transaction it starts a savepoint, which holds the outer transaction's lock already.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}
