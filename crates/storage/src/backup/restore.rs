//! Restoring a backup: the file read a line at a time and checked as it goes, its rows
//! inserted in multi-row batches into an empty database, all in one write transaction that
//! also rebuilds the roll-up, so a restore either completes or leaves the database empty.

use std::io::Read;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use serde_json::Value as Json;

use super::read::{Lines, check_header};
use super::schema::{Shape, applied_schema, quoted, shape};
use super::write::count_rows;
use super::{BackupError, BackupSummary, FORMAT_NAME, Progress, TABLES, current_schema};
use crate::Backend;
use crate::demo::bulk::{restore_title_index, suspend_title_index};

/// Bound parameters per insert, under SQLite's 32,766 (PostgreSQL allows 65,535).
const MAX_PARAMETERS: usize = 30_000;

/// Refuses a database that holds any row a backup would restore.
async fn check_empty(db: &impl ConnectionTrait) -> Result<(), BackupError> {
    let mut found = Vec::new();
    for table in TABLES {
        let n = count_rows(db, table).await?;
        if n > 0 {
            found.push(format!("{table}: {n} rows"));
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(BackupError::NotEmpty(found.join(", ")))
    }
}

/// Multi-row inserts into one table, a batch at a time.
struct Batch<'a> {
    shape: &'a Shape,
    backend: Backend,
    rows: usize,
    full_sql: String,
    values: Vec<Value>,
    pending: usize,
}

impl<'a> Batch<'a> {
    fn new(shape: &'a Shape, backend: Backend) -> Batch<'a> {
        let rows = (MAX_PARAMETERS / shape.columns.len().max(1)).clamp(1, 1_000);
        Batch {
            shape,
            backend,
            rows,
            full_sql: insert_sql(shape, backend, rows),
            values: Vec::with_capacity(rows * shape.columns.len()),
            pending: 0,
        }
    }

    async fn push(
        &mut self,
        db: &impl ConnectionTrait,
        row: Vec<Value>,
    ) -> Result<(), BackupError> {
        self.values.extend(row);
        self.pending += 1;
        if self.pending == self.rows {
            self.flush(db).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, db: &impl ConnectionTrait) -> Result<(), BackupError> {
        if self.pending == 0 {
            return Ok(());
        }
        let sql = if self.pending == self.rows {
            self.full_sql.clone()
        } else {
            insert_sql(self.shape, self.backend, self.pending)
        };
        let backend = match self.backend {
            Backend::Sqlite => DbBackend::Sqlite,
            Backend::Postgres => DbBackend::Postgres,
        };
        let values = std::mem::take(&mut self.values);
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .map_err(|e| {
                BackupError::Invalid(format!(
                    "the rows of {} do not fit the database: {e}",
                    self.shape.table
                ))
            })?;
        self.pending = 0;
        Ok(())
    }
}

/// `INSERT INTO table (every column) VALUES (…), …` for `rows` rows.
fn insert_sql(shape: &Shape, backend: Backend, rows: usize) -> String {
    let columns: Vec<String> = shape.columns.iter().map(|c| quoted(&c.name)).collect();
    let head = format!(
        "INSERT INTO {} ({})",
        quoted(shape.table),
        columns.join(", ")
    );
    crate::demo::bulk::values_sql(&head, columns.len(), backend, rows)
}

/// Reads the section of `table` and inserts its rows; returns how many.
async fn restore_table(
    db: &impl ConnectionTrait,
    lines: &mut Lines,
    table: &'static str,
    progress: &mut impl FnMut(Progress<'_>),
) -> Result<u64, BackupError> {
    let target = shape(db, table).await?;
    let section = lines.expect(&format!("the section of table {table}"))?;
    let at = lines.number;
    if section.get("table").and_then(Json::as_str) != Some(table) {
        return Err(BackupError::Invalid(format!(
            "line {at}: expected the section of table {table} (sections follow the order of \
             the format), found {}",
            section.get("table").map_or_else(
                || "a line that opens no section".to_owned(),
                |t| format!("table {t}")
            )
        )));
    }
    let total = section
        .get("rows")
        .and_then(Json::as_u64)
        .ok_or_else(|| BackupError::Invalid(format!("line {at}: {table} gives no row count")))?;
    let columns: Vec<&str> = section
        .get("columns")
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    let mut file_columns: Vec<&str> = columns.clone();
    file_columns.sort_unstable();
    let mut known: Vec<&str> = target.columns.iter().map(|c| c.name.as_str()).collect();
    known.sort_unstable();
    if file_columns != known {
        return Err(BackupError::Schema(format!(
            "line {at}: the backup's columns of {table} ({}) are not this database's ({})",
            columns.join(", "),
            target
                .columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut batch = Batch::new(&target, Backend::of(db));
    for n in 1..=total {
        let row = lines.expect(&format!("row {n} of the {total} rows of {table}"))?;
        let line = lines.number;
        let mut values = Vec::with_capacity(target.columns.len());
        for column in &target.columns {
            let cell = row.get(&column.name).ok_or_else(|| {
                BackupError::Invalid(format!(
                    "{table} row {n} (line {line}) has no column {}",
                    column.name
                ))
            })?;
            values.push(column.kind.bind(cell).map_err(|e| {
                BackupError::Invalid(format!(
                    "{table} row {n} (line {line}), column {}: {e}",
                    column.name
                ))
            })?);
        }
        if let Some(extra) = row.keys().find(|k| target.position(k).is_none()) {
            return Err(BackupError::Invalid(format!(
                "{table} row {n} (line {line}) has a column {extra} the table does not have"
            )));
        }
        batch.push(db, values).await?;
        if n % 10_000 == 0 {
            progress(Progress {
                table,
                rows: n,
                total,
            });
        }
    }
    batch.flush(db).await?;
    progress(Progress {
        table,
        rows: total,
        total,
    });
    Ok(total)
}

/// Restores the backup read from `input` (plain or gzip-compressed, told apart by its first
/// bytes) into `db`, which must be migrated to this code's schema and hold no row of
/// [`TABLES`]. Everything happens in one write transaction, the roll-up rebuilt from the
/// restored defects and reviews inside it: on any error nothing is written. Refuses a newer
/// format version, another schema, a non-empty database, and a damaged or cut-short file
/// (naming the line, table, row and column). A restore ends with a [`crate::checkpoint`].
pub async fn restore_backup(
    db: &DatabaseConnection,
    input: impl Read + Send + 'static,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<BackupSummary, BackupError> {
    let mut lines = Lines::new(input)?;
    let header = lines
        .next()?
        .ok_or_else(|| BackupError::Invalid("the file is empty".to_owned()))?;
    check_header(&header)?;
    let schema = current_schema();
    if applied_schema(db).await?.as_deref() != Some(schema.as_str()) {
        return Err(BackupError::Schema(format!(
            "the database is not migrated to {schema}: start Escapement on it once, or run \
             `escapement migrate`"
        )));
    }
    let txn = crate::begin_write(db).await?;
    check_empty(&txn).await?;
    let title_index = suspend_title_index(&txn).await?;
    let mut summary = BackupSummary {
        schema,
        tables: Vec::with_capacity(TABLES.len()),
    };
    for table in TABLES {
        let rows = restore_table(&txn, &mut lines, table, &mut progress).await?;
        summary.tables.push(((*table).to_owned(), rows));
    }
    let trailer = lines.expect("the trailer that ends the backup")?;
    let expected = (
        Some(FORMAT_NAME),
        Some(TABLES.len() as u64),
        Some(summary.rows()),
    );
    let found = (
        trailer.get("end").and_then(Json::as_str),
        trailer.get("tables").and_then(Json::as_u64),
        trailer.get("rows").and_then(Json::as_u64),
    );
    if found != expected {
        return Err(BackupError::Invalid(format!(
            "line {}: expected the trailer {{\"end\":\"{FORMAT_NAME}\",\"tables\":{},\"rows\":{}}}",
            lines.number,
            TABLES.len(),
            summary.rows()
        )));
    }
    if lines.next()?.is_some() {
        return Err(BackupError::Invalid(format!(
            "line {}: the file goes on after its trailer",
            lines.number
        )));
    }
    restore_title_index(&txn, title_index).await?;
    crate::rollup::rebuild_in(&txn).await?;
    txn.commit().await?;
    crate::checkpoint(db).await?;
    Ok(summary)
}
