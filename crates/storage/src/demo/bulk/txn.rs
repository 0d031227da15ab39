//! The transaction of a bulk load. On SQLite it is sea-orm's write transaction. On
//! PostgreSQL it is one sqlx transaction on one pooled connection, which runs sea-orm's
//! statements (through [`ConnectionTrait`], exactly as sea-orm's own driver runs them) and
//! the `COPY … FROM STDIN` of the defect rows alike: sea-orm has no COPY and does not lend
//! out the connection of its transactions, so the load keeps the connection itself, and
//! everything it writes commits or rolls back together. Dropped without
//! [`LoadTxn::commit`], it rolls back (sqlx queues the `ROLLBACK` on the connection).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use escapement_core::NewDefect;
use futures_util::lock::Mutex;
use sea_orm::sea_query::SimpleExpr;
use sea_orm::sqlx::{self, Executor, Postgres};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, RuntimeErr, Statement, TransactionTrait,
};
use sea_query_sqlx::SqlxValues;
use uuid::Uuid;

use super::copy::{copy_sql, push_row, push_value_rows};
use super::{insert_sql, insert_values, row_values};
use crate::{Backend, Result};

/// Rows per `CopyData` message: small enough that PostgreSQL parses one while the next is
/// generated, large enough that messages cost nothing.
const COPY_ROWS: usize = 500;

/// A bulk load's transaction (see the module's documentation).
pub(crate) enum LoadTxn {
    /// sea-orm's transaction: SQLite, or a read-only walk.
    Orm(DatabaseTransaction),
    /// One sqlx transaction that both sea-orm's statements and `COPY` run in.
    Pg(Mutex<sqlx::Transaction<'static, Postgres>>),
}

fn exec_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(e)))
}

fn query_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
}

fn query(stmt: &Statement) -> sqlx::query::Query<'_, Postgres, SqlxValues> {
    let values = stmt.values.clone().unwrap_or(sea_orm::Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

impl LoadTxn {
    /// Begins a write transaction on `db`: [`crate::begin_write`] on SQLite, a sqlx
    /// transaction on one connection of the pool on PostgreSQL.
    pub(crate) async fn begin_write(db: &DatabaseConnection) -> Result<LoadTxn> {
        Ok(match Backend::of(db) {
            Backend::Sqlite => LoadTxn::Orm(crate::begin_write(db).await?),
            // `connect` only makes sqlx pools, so a PostgreSQL connection has one.
            Backend::Postgres => LoadTxn::Pg(Mutex::new(
                db.get_postgres_connection_pool()
                    .begin()
                    .await
                    .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e))))?,
            )),
        })
    }

    /// Begins a transaction that only reads (sea-orm's on either engine).
    pub(crate) async fn begin_read(db: &DatabaseConnection) -> Result<LoadTxn> {
        Ok(LoadTxn::Orm(db.begin().await?))
    }

    /// Commits everything the load wrote.
    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            LoadTxn::Orm(txn) => txn.commit().await?,
            LoadTxn::Pg(tx) => tx.into_inner().commit().await.map_err(exec_err)?,
        }
        Ok(())
    }

    /// Discards everything the load wrote.
    pub(crate) async fn rollback(self) -> Result<()> {
        match self {
            LoadTxn::Orm(txn) => txn.rollback().await?,
            LoadTxn::Pg(tx) => tx.into_inner().rollback().await.map_err(exec_err)?,
        }
        Ok(())
    }

    /// Rows per batch a load is best given: [`super::batch_rows`] on SQLite (one insert
    /// each), fewer on PostgreSQL (one `CopyData` message each).
    pub(crate) fn batch_rows(&self) -> usize {
        match self {
            LoadTxn::Orm(txn) => super::batch_rows(Backend::of(txn)),
            LoadTxn::Pg(_) => COPY_ROWS,
        }
    }

    /// Sends `rows` of plain values (in `columns` order) into `table` by `COPY` and returns
    /// true; returns false, having written nothing, on SQLite or when a row holds anything
    /// but a plain value of a kind COPY is written for here.
    pub(crate) async fn copy_rows(
        &self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<SimpleExpr>],
    ) -> Result<bool> {
        let LoadTxn::Pg(tx) = self else {
            return Ok(false);
        };
        let mut data = Vec::with_capacity(rows.len() * 128);
        if !push_value_rows(&mut data, rows) {
            return Ok(false);
        }
        let quoted: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
        let sql = format!("COPY \"{table}\" ({}) FROM STDIN", quoted.join(", "));
        let mut tx = tx.lock().await;
        let mut copy = tx.copy_in_raw(&sql).await.map_err(exec_err)?;
        copy.send(data.as_slice()).await.map_err(exec_err)?;
        copy.finish().await.map_err(exec_err)?;
        Ok(true)
    }

    /// Inserts `rows` as new defects: one `COPY` on PostgreSQL, multi-row inserts of
    /// [`super::batch_rows`] rows on SQLite.
    pub(crate) async fn insert_defects(
        &self,
        rows: &[(Uuid, NewDefect)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut batches = rows.chunks(self.batch_rows());
        self.load_defects(now, |batch| {
            batch.extend_from_slice(batches.next().unwrap_or_default());
            Ok(())
        })
        .await
    }

    /// Inserts the defects `fill` gives, a batch at a time, until it gives an empty batch
    /// (it is handed the batch emptied; best filled with [`LoadTxn::batch_rows`] rows). On
    /// PostgreSQL every batch goes into one `COPY`, sent while the next is made; on SQLite
    /// each is one multi-row insert.
    pub(crate) async fn load_defects<F>(&self, now: DateTime<Utc>, mut fill: F) -> Result<()>
    where
        F: FnMut(&mut Vec<(Uuid, NewDefect)>) -> Result<()>,
    {
        match self {
            LoadTxn::Orm(txn) => {
                let rows = super::batch_rows(Backend::of(txn));
                let full = insert_sql(Backend::of(txn), rows);
                // A batch, made and turned into the values of its inserts (row count, values).
                let make = |fill: &mut F, batch: &mut Vec<(Uuid, NewDefect)>| -> Result<Vec<_>> {
                    batch.clear();
                    fill(batch)?;
                    Ok(batch
                        .chunks(rows)
                        .map(|chunk| (chunk.len(), row_values(chunk, now)))
                        .collect())
                };
                let mut batch = Vec::with_capacity(rows);
                let mut next = make(&mut fill, &mut batch)?;
                while !next.is_empty() {
                    let inserts = std::mem::take(&mut next);
                    // SQLite runs an insert on its connection's own thread: the next batch
                    // is made meanwhile.
                    let insert = async {
                        for (n, values) in inserts {
                            if n == rows {
                                insert_values(txn, &full, values).await?;
                            } else {
                                insert_values(txn, &insert_sql(Backend::of(txn), n), values)
                                    .await?;
                            }
                        }
                        Ok::<_, crate::StorageError>(())
                    };
                    let made = async { make(&mut fill, &mut batch) };
                    let (inserted, made) = futures_util::future::join(insert, made).await;
                    inserted?;
                    next = made?;
                }
                Ok(())
            }
            LoadTxn::Pg(tx) => {
                let mut tx = tx.lock().await;
                let mut copy = tx.copy_in_raw(&copy_sql()).await.map_err(exec_err)?;
                let mut batch = Vec::with_capacity(COPY_ROWS);
                let mut data = Vec::with_capacity(COPY_ROWS * 512);
                loop {
                    batch.clear();
                    if let Err(e) = fill(&mut batch) {
                        // The reason to report is why the rows could not be made; a connection
                        // that also fails to abort is discarded with the transaction.
                        if let Err(abort) = copy.abort("the rows could not be made").await {
                            tracing::warn!(error = %abort, "aborting a COPY failed");
                        }
                        return Err(e);
                    }
                    if batch.is_empty() {
                        break;
                    }
                    data.clear();
                    for (id, d) in &batch {
                        push_row(&mut data, *id, d, now);
                    }
                    copy.send(data.as_slice()).await.map_err(exec_err)?;
                }
                copy.finish().await.map_err(exec_err)?;
                Ok(())
            }
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for LoadTxn {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            LoadTxn::Orm(txn) => txn.get_database_backend(),
            LoadTxn::Pg(_) => DbBackend::Postgres,
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            LoadTxn::Orm(txn) => txn.execute_raw(stmt).await,
            LoadTxn::Pg(tx) => {
                let mut tx = tx.lock().await;
                query(&stmt)
                    .execute(&mut **tx)
                    .await
                    .map(Into::into)
                    .map_err(exec_err)
            }
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            LoadTxn::Orm(txn) => txn.execute_unprepared(sql).await,
            LoadTxn::Pg(tx) => {
                let mut tx = tx.lock().await;
                (&mut **tx)
                    .execute(sqlx::AssertSqlSafe(sql.to_owned()))
                    .await
                    .map(Into::into)
                    .map_err(exec_err)
            }
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            LoadTxn::Orm(txn) => txn.query_one_raw(stmt).await,
            LoadTxn::Pg(tx) => {
                let mut tx = tx.lock().await;
                match query(&stmt).fetch_one(&mut **tx).await {
                    Ok(row) => Ok(Some(row.into())),
                    Err(sqlx::Error::RowNotFound) => Ok(None),
                    Err(e) => Err(query_err(e)),
                }
            }
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            LoadTxn::Orm(txn) => txn.query_all_raw(stmt).await,
            LoadTxn::Pg(tx) => {
                let mut tx = tx.lock().await;
                let rows = query(&stmt).fetch_all(&mut **tx).await.map_err(query_err)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }
        }
    }
}
