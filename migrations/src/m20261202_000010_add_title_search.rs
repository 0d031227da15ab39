//! A text index for the defect list's title search (`/defects?q=…`, case-insensitive
//! "title contains"), one per engine:
//!
//! - SQLite: `defects_fts`, an FTS5 table with the `trigram` tokenizer (case folded) over
//!   `defects.title`, external content (it stores only the index; the titles stay in
//!   `defects`, joined by the implicit `rowid`). Triggers after insert, delete and update of
//!   `title` keep it in step with `defects`; existing rows are indexed once here.
//! - PostgreSQL: the `pg_trgm` extension and a GIN trigram index on `lower(title)`, which the
//!   list's `lower(title) LIKE '%…%'` uses as it is.
//!
//! Either answers searches of three characters or more from the index; shorter ones have no
//! trigram to look up and still read the table.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE defects_fts USING fts5(\
        title, content='defects', content_rowid='rowid', \
        tokenize='trigram case_sensitive 0')",
    "CREATE TRIGGER defects_fts_insert AFTER INSERT ON defects BEGIN \
        INSERT INTO defects_fts(rowid, title) VALUES (new.rowid, new.title); \
    END",
    "CREATE TRIGGER defects_fts_delete AFTER DELETE ON defects BEGIN \
        INSERT INTO defects_fts(defects_fts, rowid, title) VALUES ('delete', old.rowid, old.title); \
    END",
    "CREATE TRIGGER defects_fts_update AFTER UPDATE OF title ON defects BEGIN \
        INSERT INTO defects_fts(defects_fts, rowid, title) VALUES ('delete', old.rowid, old.title); \
        INSERT INTO defects_fts(rowid, title) VALUES (new.rowid, new.title); \
    END",
    // Index the defects that exist already.
    "INSERT INTO defects_fts(defects_fts) VALUES ('rebuild')",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS defects_fts_update",
    "DROP TRIGGER IF EXISTS defects_fts_delete",
    "DROP TRIGGER IF EXISTS defects_fts_insert",
    "DROP TABLE IF EXISTS defects_fts",
];

const POSTGRES_UP: &[&str] = &[
    // pg_trgm is a trusted extension: a database owner may create it without superuser.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_defects_title_trgm ON defects USING gin (lower(title) gin_trgm_ops)",
    // Statistics on lower(title), so the planner can tell a common word from a rare one.
    "ANALYZE defects",
];

// The extension stays: other objects of the database may use it.
const POSTGRES_DOWN: &[&str] = &["DROP INDEX IF EXISTS ix_defects_title_trgm"];

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => run(manager, SQLITE_UP).await,
            DatabaseBackend::Postgres => run(manager, POSTGRES_UP).await,
            other => Err(DbErr::Migration(format!(
                "title search is not available on {other:?}"
            ))),
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => run(manager, SQLITE_DOWN).await,
            DatabaseBackend::Postgres => run(manager, POSTGRES_DOWN).await,
            other => Err(DbErr::Migration(format!(
                "title search is not available on {other:?}"
            ))),
        }
    }
}
