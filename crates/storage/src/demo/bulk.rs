//! Bulk insertion of defects: one multi-row `INSERT … VALUES` per batch, built once per
//! batch size and bound with plain values, so the database prepares it once and sea-orm's
//! per-row model conversion is skipped. Values are the same types sea-orm binds for the
//! entity, so rows read back exactly as if inserted one by one.

use chrono::{DateTime, Utc};
use escapement_core::NewDefect;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::{Backend, Result};

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
pub(crate) fn insert_sql(backend: Backend, rows: usize) -> String {
    let mut sql = format!("INSERT INTO defects ({}) VALUES ", COLUMNS.join(", "));
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..COLUMNS.len() {
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

/// Inserts `rows` with `sql`, which must be [`insert_sql`] for exactly `rows.len()` rows.
pub(crate) async fn insert_defects(
    db: &impl ConnectionTrait,
    sql: &str,
    rows: &[(Uuid, NewDefect)],
    now: DateTime<Utc>,
) -> Result<()> {
    let mut values = Vec::with_capacity(rows.len() * COLUMNS.len());
    for (id, d) in rows {
        push_row(&mut values, *id, d, now);
    }
    let backend = match Backend::of(db) {
        Backend::Sqlite => DbBackend::Sqlite,
        Backend::Postgres => DbBackend::Postgres,
    };
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}
