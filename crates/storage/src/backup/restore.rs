//! Restoring a backup: the file read a line at a time and checked as it goes, its rows
//! inserted in multi-row batches into an empty database, all in one write transaction that
//! also rebuilds the roll-up, so a restore either completes or leaves the database empty.

use std::io::{BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use serde_json::{Map, Value as Json};

use super::schema::{Shape, applied_schema, quoted, shape};
use super::write::count_rows;
use super::{
    BackupError, BackupSummary, FORMAT_NAME, FORMAT_VERSION, Progress, TABLES, current_schema,
};
use crate::Backend;
use crate::demo::bulk::{restore_title_index, suspend_title_index};

/// The longest line a backup may hold: far above any row the application writes.
const MAX_LINE: u64 = 64 << 20;

/// Bound parameters per insert, under SQLite's 32,766 (PostgreSQL allows 65,535).
const MAX_PARAMETERS: usize = 30_000;

/// The file's lines as JSON objects, numbered for error messages.
struct Lines {
    input: Box<dyn BufRead + Send>,
    number: u64,
    buffer: String,
}

impl Lines {
    fn new(input: impl Read + Send + 'static) -> Result<Lines, BackupError> {
        let mut input = BufReader::with_capacity(1 << 16, input);
        // gzip's magic number: a compressed file restores whatever its name.
        let gzip = input.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let input: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::with_capacity(
                1 << 16,
                MultiGzDecoder::new(input),
            ))
        } else {
            Box::new(input)
        };
        Ok(Lines {
            input,
            number: 0,
            buffer: String::new(),
        })
    }

    /// The next non-blank line as a JSON object, or `None` at the end of the file.
    fn next(&mut self) -> Result<Option<Map<String, Json>>, BackupError> {
        loop {
            self.buffer.clear();
            self.number += 1;
            let read = (&mut self.input)
                .take(MAX_LINE)
                .read_line(&mut self.buffer)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::InvalidData => BackupError::Invalid(format!(
                        "line {} is not UTF-8 text (or the compressed data is damaged)",
                        self.number
                    )),
                    _ => BackupError::Io(e),
                })?;
            if read == 0 {
                return Ok(None);
            }
            if read as u64 == MAX_LINE && !self.buffer.ends_with('\n') {
                return Err(BackupError::Invalid(format!(
                    "line {} is longer than {} MB",
                    self.number,
                    MAX_LINE >> 20
                )));
            }
            if self.buffer.trim().is_empty() {
                continue;
            }
            return match serde_json::from_str::<Json>(&self.buffer) {
                Ok(Json::Object(map)) => Ok(Some(map)),
                Ok(_) => Err(BackupError::Invalid(format!(
                    "line {} is not a JSON object",
                    self.number
                ))),
                Err(e) => Err(BackupError::Invalid(format!(
                    "line {} is not valid JSON: {e}",
                    self.number
                ))),
            };
        }
    }

    /// The next line, which must exist: `context` says what the file was expected to hold.
    fn expect(&mut self, context: &str) -> Result<Map<String, Json>, BackupError> {
        self.next()?.ok_or_else(|| {
            BackupError::Invalid(format!(
                "the file ends after line {} where {context} was expected: it was cut short",
                self.number.saturating_sub(1)
            ))
        })
    }
}

/// Checks the header line: an Escapement backup, of a version this code reads, at its schema.
fn check_header(header: &Map<String, Json>) -> Result<(), BackupError> {
    if header.get("format").and_then(Json::as_str) != Some(FORMAT_NAME) {
        return Err(BackupError::Invalid(format!(
            "line 1 is not the header of an Escapement backup (no \"format\":\"{FORMAT_NAME}\")"
        )));
    }
    let version = header
        .get("version")
        .and_then(Json::as_u64)
        .filter(|v| *v >= 1)
        .ok_or_else(|| BackupError::Invalid("the header has no valid version".to_owned()))?;
    if version > u64::from(FORMAT_VERSION) {
        return Err(BackupError::NewerVersion { found: version });
    }
    let schema = header
        .get("schema")
        .and_then(Json::as_str)
        .ok_or_else(|| BackupError::Invalid("the header names no schema".to_owned()))?;
    let current = current_schema();
    if schema == current {
        return Ok(());
    }
    use escapement_migrations::{Migrator, MigratorTrait};
    let known = Migrator::migrations().iter().any(|m| m.name() == schema);
    Err(BackupError::Schema(if known {
        format!(
            "the backup was taken at schema {schema}, older than this Escapement's {current}: \
             restore it with the release that wrote it, start this release on that database \
             to upgrade it, and back it up again"
        )
    } else {
        format!(
            "the backup's schema {schema} is not one this Escapement knows (its migrations end \
             with {current}): restore it with the release that wrote it or a newer one"
        )
    }))
}

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
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        quoted(shape.table),
        columns.join(", ")
    );
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns.len() {
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
/// (naming the line, table, row and column).
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
    Ok(summary)
}
