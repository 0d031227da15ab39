//! Bulk insertion of defects, in a [`LoadTxn`]: on PostgreSQL by `COPY … FROM STDIN`
//! ([`copy`]), on SQLite by one multi-row `INSERT … VALUES` per batch, built once per batch
//! size and bound with plain values, so the database prepares it once and sea-orm's per-row
//! model conversion is skipped. Values are the same sea-orm binds for the entity, so rows
//! read back exactly as if inserted one by one.

use chrono::{DateTime, Utc};
use escapement_core::NewDefect;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::{Backend, Result};

mod copy;
mod txn;

pub(crate) use txn::LoadTxn;

const COLUMNS: [&str; 26] = [
    "id",
    "team_id",
    "component_id",
    "release_id",
    "title",
    "description",
    "severity",
    "defect_type",
    "origin",
    "discovery_stage",
    "expected_catch_stage",
    "detected_by",
    "introduced_at",
    "detected_at",
    "resolved_at",
    "reopened_count",
    "confirmed",
    "known_issue_accepted",
    "cosmetic",
    "test_environment",
    "data_migration",
    "external_key",
    "incident_link",
    "created_at",
    "updated_at",
    "version",
];

/// Rows per statement that stay under each engine's limit of bound parameters
/// (SQLite 32,766; PostgreSQL 65,535).
pub(crate) fn batch_rows(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 1_000,
        Backend::Postgres => 2_000,
    }
}

/// `INSERT INTO defects (…) VALUES (…), …` for `rows` rows.
fn insert_sql(backend: Backend, rows: usize) -> String {
    let head = format!("INSERT INTO defects ({})", COLUMNS.join(", "));
    values_sql(&head, COLUMNS.len(), backend, rows)
}

/// `head` (an `INSERT INTO table (columns)`) followed by ` VALUES (…), …`: `rows` rows of
/// `columns` placeholders each, numbered through the whole statement on PostgreSQL.
pub(crate) fn values_sql(head: &str, columns: usize, backend: Backend, rows: usize) -> String {
    let mut sql = format!("{head} VALUES ");
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => sql.push_str(&format!("${n}")),
            }
        }
        sql.push(')');
    }
    sql
}

fn push_row(values: &mut Vec<Value>, id: Uuid, d: &NewDefect, now: DateTime<Utc>) {
    let text = |s: &str| Value::String(Some(s.to_owned()));
    let stage =
        |s: Option<&escapement_core::StageKey>| Value::String(s.map(|k| k.as_str().to_owned()));
    values.extend([
        Value::Uuid(Some(id)),
        Value::Uuid(Some(d.team_id)),
        Value::Uuid(d.component_id),
        Value::Uuid(d.release_id),
        text(&d.title),
        text(&d.description),
        text(d.severity.key()),
        text(d.defect_type.key()),
        text(d.origin.key()),
        stage(Some(&d.discovery_stage)),
        stage(d.expected_catch_stage.as_ref()),
        text(d.detected_by.key()),
        Value::ChronoDateTimeUtc(d.introduced_at),
        Value::ChronoDateTimeUtc(Some(d.detected_at)),
        Value::ChronoDateTimeUtc(d.resolved_at),
        Value::Int(Some(i32::try_from(d.reopened_count).unwrap_or(i32::MAX))),
        Value::Bool(Some(d.scope.confirmed)),
        Value::Bool(Some(d.scope.known_issue_accepted)),
        Value::Bool(Some(d.scope.cosmetic)),
        Value::Bool(Some(d.scope.test_environment)),
        Value::Bool(Some(d.scope.data_migration)),
        Value::String(d.external_key.clone()),
        Value::String(d.incident_link.clone()),
        Value::ChronoDateTimeUtc(Some(now)),
        Value::ChronoDateTimeUtc(Some(now)),
        Value::Int(Some(1)),
    ]);
}

/// The values [`insert_sql`] binds for `rows`, in order.
fn row_values(rows: &[(Uuid, NewDefect)], now: DateTime<Utc>) -> Vec<Value> {
    let mut values = Vec::with_capacity(rows.len() * COLUMNS.len());
    for (id, d) in rows {
        push_row(&mut values, *id, d, now);
    }
    values
}

/// Runs `sql`, which must be [`insert_sql`] for as many rows as `values` fill.
async fn insert_values(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<()> {
    let backend = match Backend::of(db) {
        Backend::Sqlite => DbBackend::Sqlite,
        Backend::Postgres => DbBackend::Postgres,
    };
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}

/// The title search index, set aside for a bulk load: what [`suspend_title_index`] dropped,
/// for [`restore_title_index`] to create again.
#[must_use = "the title search index must be restored"]
pub(crate) struct SuspendedTitleIndex {
    /// The `CREATE` statements of what was dropped, as the database itself reports them.
    definitions: Vec<String>,
    backend: Backend,
}

/// Drops the title search index of `defects` inside the load's transaction: building it once
/// after a million rows costs a fraction of maintaining it row by row (SQLite's FTS triggers,
/// PostgreSQL's GIN index). The definitions are read back from the database, so the
/// migration stays the one place that defines them.
pub(crate) async fn suspend_title_index(db: &impl ConnectionTrait) -> Result<SuspendedTitleIndex> {
    let backend = Backend::of(db);
    let (list, drop) = match backend {
        Backend::Sqlite => (
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' \
             AND tbl_name = 'defects' AND name LIKE 'defects\\_fts\\_%' ESCAPE '\\' ORDER BY name",
            "DROP TRIGGER",
        ),
        Backend::Postgres => (
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
             AND tablename = 'defects' AND indexname = 'ix_defects_title_trgm'",
            "DROP INDEX",
        ),
    };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), list))
        .await?;
    let mut definitions = Vec::with_capacity(rows.len());
    for row in rows {
        let name: String = row.try_get_by_index(0)?;
        definitions.push(row.try_get_by_index(1)?);
        db.execute_unprepared(&format!("{drop} \"{}\"", name.replace('"', "\"\"")))
            .await?;
    }
    Ok(SuspendedTitleIndex {
        definitions,
        backend,
    })
}

/// Creates the title search index again over everything loaded since
/// [`suspend_title_index`]: the triggers and one FTS5 `rebuild` on SQLite, the GIN index on
/// PostgreSQL.
pub(crate) async fn restore_title_index(
    db: &impl ConnectionTrait,
    suspended: SuspendedTitleIndex,
) -> Result<()> {
    for definition in &suspended.definitions {
        db.execute_unprepared(definition).await?;
    }
    if suspended.backend == Backend::Sqlite && !suspended.definitions.is_empty() {
        db.execute_unprepared("INSERT INTO defects_fts(defects_fts) VALUES ('rebuild')")
            .await?;
    }
    Ok(())
}
