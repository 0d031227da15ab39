//! Escapement's persistence: connection set-up, migrations and one repository module per
//! aggregate. Functions take `&impl ConnectionTrait` so they run on the pool or inside a
//! transaction alike, and return core types or the plain records each aggregate defines. A
//! use case that writes several rows opens its transaction in one function named for it and
//! takes the [`Actor`] whom the audit log or the review history names.

pub mod accounts;
mod actor;
pub mod backlog;
pub mod backup;
pub mod catalog;
pub mod defects;
pub mod demo;
pub mod entities;
pub mod imports;
pub mod metrics;
pub mod reviews;
pub mod rollup;
pub mod settings;
mod tx;
mod versioned;

use std::time::Duration;

use escapement_core::ValidationErrors;
use escapement_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, EntityTrait, SqlErr,
};

pub use actor::Actor;
pub use sea_orm::DatabaseConnection as Db;
pub use tx::begin_write;

/// What can go wrong in storage, in terms a handler can act on.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No row with that id (or not visible to the caller).
    #[error("not found")]
    NotFound,
    /// The write was based on an older version of the row.
    #[error("the record was changed by someone else (now at version {current_version})")]
    Stale { current_version: i32 },
    /// The input breaks a rule only the database can check (uniqueness, references).
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    /// The change breaks a rule of the review workflow; every reason in words.
    #[error("{}", .0.reasons.join("; "))]
    Blocked(escapement_core::review::Blocked),
    /// The URL names no database Escapement can use.
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// Any other database failure.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Result alias for storage functions.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// Which database engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend of a connection.
    pub fn of(db: &impl ConnectionTrait) -> Backend {
        match db.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => Backend::Sqlite,
            _ => Backend::Postgres,
        }
    }
}

/// Opens a pool for `sqlite://path` (the file is created when missing; WAL, foreign keys
/// and a busy timeout are switched on) or `postgres://…`.
pub async fn connect(url: &str) -> Result<DatabaseConnection> {
    let mut options = if url.starts_with("sqlite:") {
        let mut url = url.to_owned();
        if !url.contains("mode=") && !url.contains(":memory:") {
            url.push_str(if url.contains('?') {
                "&mode=rwc"
            } else {
                "?mode=rwc"
            });
        }
        let mut options = ConnectOptions::new(url);
        // One writer at a time: a write transaction waits up to the busy timeout for the
        // lock when it begins (`begin_write`), as single statements do on their own; WAL
        // keeps reads going meanwhile.
        options
            .max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
        options
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut options = ConnectOptions::new(url.to_owned());
        options.max_connections(16).min_connections(1);
        options
    } else {
        return Err(StorageError::UnsupportedUrl(url.to_owned()));
    };
    // sqlx pings every connection it hands out by default: a second round trip (on SQLite
    // a second trip to the connection's worker thread) before each statement. Only a
    // connection idle long enough for a server, proxy or firewall to have dropped it is
    // pinged; a hot one that broke fails its statement and is discarded.
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false);
    Ok(Database::connect(options).await?)
}

/// How long a request waits for a connection of the pool before it is told the service is
/// busy ([`is_overloaded`]; 503 with `Retry-After`) instead of queueing behind a full pool
/// until the request times out.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// True when `err` says no pooled connection came free within [`ACQUIRE_TIMEOUT`]: the
/// database answers, but every connection is busy.
pub fn is_overloaded(err: &StorageError) -> bool {
    matches!(
        err,
        StorageError::Db(DbErr::ConnectionAcquire(
            sea_orm::error::ConnAcquireErr::Timeout
        ))
    )
}

/// True when every connection of the pool is open and in use, so a new request would have
/// to wait for one: the database is answering, only busy.
pub fn pool_saturated(db: &DatabaseConnection) -> bool {
    fn full(size: u32, idle: usize, max: u32) -> bool {
        size >= max && idle == 0
    }
    match Backend::of(db) {
        Backend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            full(
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        Backend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            full(
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
    }
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<()> {
    Migrator::up(db, None).await?;
    if rollup::ensure_current(db).await? {
        tracing::info!("the metrics roll-up was rebuilt in its current format");
    }
    Ok(())
}

/// Gives the disk back after bulk work on SQLite (the demo, an import, a restore): the
/// write-ahead log of a large write is copied into the database and truncated to nothing,
/// instead of staying at the size of the whole write. A no-op on PostgreSQL. While readers
/// hold older snapshots the log is copied as far as it can be and truncated by a later
/// checkpoint.
pub async fn checkpoint(db: &impl ConnectionTrait) -> Result<()> {
    if Backend::of(db) == Backend::Sqlite {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
    }
    Ok(())
}

/// A real round trip to the database, for health checks.
pub async fn ping(db: &DatabaseConnection) -> Result<()> {
    db.ping().await?;
    Ok(())
}

/// Turns a unique-constraint violation into a field error, passing other errors through.
pub(crate) fn unique_violation_as(err: DbErr, field: &'static str, message: &str) -> StorageError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            let mut errors = ValidationErrors::new();
            errors.push(field, message);
            StorageError::Invalid(errors)
        }
        _ => StorageError::Db(err),
    }
}

/// [`unique_violation_as`] for a storage error: a wrapped unique-constraint violation
/// becomes the field error, anything else (`Stale`, `NotFound`, …) passes through.
pub(crate) fn taken_as(err: StorageError, field: &'static str, message: &str) -> StorageError {
    match err {
        StorageError::Db(db_err) => unique_violation_as(db_err, field, message),
        other => other,
    }
}

/// A stored key of the classification `T`, or a database error naming `column` when the
/// row holds a key the code does not know.
pub(crate) fn stored_key<T: escapement_core::Keyed>(column: &str, value: &str) -> Result<T> {
    T::from_key(value).ok_or_else(|| {
        StorageError::Db(DbErr::Type(format!(
            "{column} holds an unknown key `{value}`"
        )))
    })
}

/// A stored pipeline stage key, or a database error naming `column`.
pub(crate) fn stored_stage(column: &str, value: &str) -> Result<escapement_core::StageKey> {
    escapement_core::StageKey::parse(value)
        .map_err(|e| StorageError::Db(DbErr::Type(format!("{column}: {e}"))))
}

/// The join `from = to` between two tables whose entities declare no relation: the
/// storage modules name their joins where they write the query.
pub(crate) fn link<F, T>(from: F, to: T) -> sea_orm::RelationDef
where
    F: sea_orm::ColumnTrait<EntityName: EntityTrait<Column = F>>,
    T: sea_orm::ColumnTrait<EntityName: EntityTrait<Column = T>>,
{
    F::EntityName::belongs_to(T::EntityName::default())
        .from(from)
        .to(to)
        .into()
}

/// sea-orm, re-exported so the web layer and tests use the same version.
pub use sea_orm;
