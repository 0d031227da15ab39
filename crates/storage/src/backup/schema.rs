//! What the database itself says about its tables: their names, columns, column types and
//! primary keys, read from `sqlite_master` / `pragma_table_info` on SQLite and from
//! `information_schema` on PostgreSQL, so a column added by a migration is backed up
//! without anyone listing it here.

use sea_orm::{ConnectionTrait, Statement, Value};

use super::value::Kind;
use super::{BackupError, EXCLUDED, TABLES};
use crate::{Backend, Result};

/// One column of a table, as the database declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    pub name: String,
    pub kind: Kind,
}

/// A table's columns in their declared order and the positions of its primary key.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    pub table: &'static str,
    pub columns: Vec<Column>,
    pub key: Vec<usize>,
}

impl Shape {
    /// The position of the column `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// Double-quotes an identifier for either engine.
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn strings(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
    width: usize,
) -> Result<Vec<Vec<String>>> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            values,
        ))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut fields = Vec::with_capacity(width);
        for i in 0..width {
            fields.push(row.try_get_by_index::<String>(i)?);
        }
        out.push(fields);
    }
    Ok(out)
}

/// Every table of the schema, sorted by name (SQLite's internal `sqlite_…` tables aside).
pub(crate) async fn table_names(db: &impl ConnectionTrait) -> Result<Vec<String>> {
    let sql = match Backend::of(db) {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             ORDER BY table_name"
        }
    };
    Ok(strings(db, sql, Vec::new(), 1)
        .await?
        .into_iter()
        .filter_map(|mut r| r.pop())
        .collect())
}

/// The tables of the schema a backup neither holds ([`TABLES`]) nor leaves out on purpose
/// ([`EXCLUDED`]); a backup refuses to run while there is one, so none is lost silently.
pub async fn unclassified_tables(db: &impl ConnectionTrait) -> Result<Vec<String>> {
    Ok(table_names(db)
        .await?
        .into_iter()
        .filter(|t| !TABLES.contains(&t.as_str()) && !EXCLUDED.iter().any(|(e, _)| e == t))
        .collect())
}

/// The columns and primary key of `table` as the connected database declares them.
pub(crate) async fn shape(
    db: &impl ConnectionTrait,
    table: &'static str,
) -> Result<Shape, BackupError> {
    let backend = Backend::of(db);
    let name = Value::String(Some(table.to_owned()));
    // (column, declared type, position in the primary key or 0)
    let declared: Vec<(String, String, usize)> = match backend {
        Backend::Sqlite => {
            let rows = strings(
                db,
                "SELECT name, type, CAST(pk AS TEXT) FROM pragma_table_info(?) ORDER BY cid",
                vec![name],
                3,
            )
            .await?;
            rows.into_iter()
                .filter_map(|r| match r.as_slice() {
                    [c, t, pk] => Some((c.clone(), t.clone(), pk.parse().unwrap_or(0))),
                    _ => None,
                })
                .collect()
        }
        Backend::Postgres => {
            let columns = strings(
                db,
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 \
                 ORDER BY ordinal_position",
                vec![name.clone()],
                2,
            )
            .await?;
            let key = strings(
                db,
                "SELECT k.column_name::text FROM information_schema.table_constraints c \
                 JOIN information_schema.key_column_usage k \
                   ON k.constraint_schema = c.constraint_schema \
                  AND k.constraint_name = c.constraint_name AND k.table_name = c.table_name \
                 WHERE c.constraint_type = 'PRIMARY KEY' \
                   AND c.table_schema = current_schema() AND c.table_name = $1 \
                 ORDER BY k.ordinal_position",
                vec![name],
                1,
            )
            .await?;
            let key: Vec<String> = key.into_iter().filter_map(|mut r| r.pop()).collect();
            columns
                .into_iter()
                .filter_map(|r| match r.as_slice() {
                    [c, t] => {
                        let pk = key.iter().position(|k| k == c).map_or(0, |p| p + 1);
                        Some((c.clone(), t.clone(), pk))
                    }
                    _ => None,
                })
                .collect()
        }
    };
    if declared.is_empty() {
        return Err(BackupError::Schema(format!(
            "the database has no table `{table}`: is it migrated?"
        )));
    }
    let mut columns = Vec::with_capacity(declared.len());
    let mut key: Vec<(usize, usize)> = Vec::new();
    for (i, (column, declared_type, pk)) in declared.into_iter().enumerate() {
        let kind = Kind::of_declared(backend, &declared_type).ok_or_else(|| {
            BackupError::Schema(format!(
                "column {table}.{column} has the type `{declared_type}`, which backups do not \
                 know yet"
            ))
        })?;
        if pk > 0 {
            key.push((pk, i));
        }
        columns.push(Column { name: column, kind });
    }
    if key.is_empty() {
        return Err(BackupError::Schema(format!(
            "table `{table}` has no primary key to read it in order by"
        )));
    }
    key.sort_unstable();
    Ok(Shape {
        table,
        columns,
        key: key.into_iter().map(|(_, i)| i).collect(),
    })
}

/// The last migration applied to the database, as `seaql_migrations` records it.
pub(crate) async fn applied_schema(db: &impl ConnectionTrait) -> Result<Option<String>> {
    Ok(strings(
        db,
        "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
        Vec::new(),
        1,
    )
    .await?
    .into_iter()
    .next()
    .and_then(|mut r| r.pop()))
}
