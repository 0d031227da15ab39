//! Writing a backup: every table of [`TABLES`] read in primary-key order, a page at a time,
//! inside one read-only snapshot, and streamed to the file as it is read.

use std::io::{BufWriter, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use flate2::write::GzEncoder;
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, IsolationLevel, Statement, TransactionOptions,
    TransactionTrait, Value,
};
use serde_json::Value as Json;

use super::schema::{Shape, applied_schema, quoted, shape, unclassified_tables};
use super::value::Kind;
use super::{
    BackupError, BackupOptions, BackupSummary, Compression, DERIVED_SETTINGS, FORMAT_NAME,
    FORMAT_VERSION, Header, Progress, Section, TABLES, Trailer, current_schema, write_line,
};
use crate::Backend;

/// The file being written: buffered, and gzip-compressed when asked.
enum Sink<W: Write> {
    Plain(BufWriter<W>),
    Gzip(BufWriter<GzEncoder<W>>),
}

impl<W: Write> Sink<W> {
    fn new(out: W, compression: Compression) -> Sink<W> {
        match compression {
            Compression::None => Sink::Plain(BufWriter::with_capacity(1 << 16, out)),
            Compression::Gzip => Sink::Gzip(BufWriter::with_capacity(
                1 << 16,
                GzEncoder::new(out, flate2::Compression::default()),
            )),
        }
    }

    /// Flushes everything and writes the gzip trailer.
    fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Plain(mut w) => w.flush(),
            Sink::Gzip(w) => {
                let mut inner = w.into_inner().map_err(|e| e.into_error())?.finish()?;
                inner.flush()
            }
        }
    }
}

impl<W: Write> Write for Sink<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
        }
    }
}

/// The condition that leaves derived rows out of `table`, if it has any.
pub(super) fn row_filter(table: &str) -> Option<String> {
    (table == "settings").then(|| {
        let keys: Vec<String> = DERIVED_SETTINGS
            .iter()
            .map(|k| format!("'{}'", k.replace('\'', "''")))
            .collect();
        format!("\"key\" NOT IN ({})", keys.join(", "))
    })
}

/// `SELECT COUNT(*)` of the rows of `table` a backup holds.
pub(super) async fn count_rows(db: &impl ConnectionTrait, table: &str) -> Result<u64, BackupError> {
    let mut sql = format!("SELECT COUNT(*) FROM {}", quoted(table));
    if let Some(filter) = row_filter(table) {
        sql.push_str(" WHERE ");
        sql.push_str(&filter);
    }
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let n: i64 = match row {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The query for the page of `shape`'s rows after the key `after` (the first page when
/// `None`), in primary-key order. Text keys compare byte by byte on PostgreSQL too
/// (`COLLATE "C"`, SQLite's default), so both engines write rows in the same order.
fn page_sql(backend: Backend, shape: &Shape, after: bool, page: usize) -> String {
    let columns: Vec<String> = shape.columns.iter().map(|c| quoted(&c.name)).collect();
    let key: Vec<String> = shape
        .key
        .iter()
        .map(|&i| {
            let column = &shape.columns[i];
            if backend == Backend::Postgres && column.kind == Kind::Text {
                format!("{} COLLATE \"C\"", quoted(&column.name))
            } else {
                quoted(&column.name)
            }
        })
        .collect();
    let mut conditions: Vec<String> = row_filter(shape.table).into_iter().collect();
    if after {
        let marks: Vec<String> = (1..=key.len())
            .map(|n| match backend {
                Backend::Sqlite => "?".to_owned(),
                Backend::Postgres => format!("${n}"),
            })
            .collect();
        conditions.push(format!("({}) > ({})", key.join(", "), marks.join(", ")));
    }
    let mut sql = format!("SELECT {} FROM {}", columns.join(", "), quoted(shape.table));
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    sql.push_str(&format!(" ORDER BY {} LIMIT {page}", key.join(", ")));
    sql
}

/// Writes one row as an object keyed by column name, in the table's column order.
fn write_row(out: &mut impl Write, shape: &Shape, cells: &[Json]) -> Result<(), BackupError> {
    out.write_all(b"{")?;
    for (i, (column, cell)) in shape.columns.iter().zip(cells).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &column.name).map_err(std::io::Error::from)?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, cell).map_err(std::io::Error::from)?;
    }
    out.write_all(b"}\n")?;
    Ok(())
}

/// Writes every table of `shape`, a page at a time; returns the rows written.
async fn write_table(
    db: &impl ConnectionTrait,
    out: &mut impl Write,
    shape: &Shape,
    total: u64,
    page: usize,
    progress: &mut impl FnMut(Progress<'_>),
) -> Result<u64, BackupError> {
    let backend = Backend::of(db);
    let first = page_sql(backend, shape, false, page);
    let next = page_sql(backend, shape, true, page);
    let mut after: Option<Vec<Value>> = None;
    let mut written = 0_u64;
    loop {
        let statement = match &after {
            None => Statement::from_string(db.get_database_backend(), first.clone()),
            Some(key) => {
                Statement::from_sql_and_values(db.get_database_backend(), &next, key.clone())
            }
        };
        let rows = db.query_all_raw(statement).await?;
        let mut last: Option<Vec<Json>> = None;
        for row in &rows {
            let mut cells = Vec::with_capacity(shape.columns.len());
            for (i, column) in shape.columns.iter().enumerate() {
                let cell = column.kind.read(row, i).map_err(|e| {
                    BackupError::Invalid(format!(
                        "the database holds a value of {}.{} that cannot be read as {:?}: {e}",
                        shape.table, column.name, column.kind
                    ))
                })?;
                cells.push(cell);
            }
            write_row(out, shape, &cells)?;
            last = Some(cells);
        }
        written += rows.len() as u64;
        progress(Progress {
            table: shape.table,
            rows: written,
            total,
        });
        let Some(last) = last else { break };
        if rows.len() < page {
            break;
        }
        let mut key = Vec::with_capacity(shape.key.len());
        for &i in &shape.key {
            key.push(
                shape.columns[i]
                    .kind
                    .bind(&last[i])
                    .map_err(BackupError::Invalid)?,
            );
        }
        after = Some(key);
    }
    Ok(written)
}

/// Writes a backup of every table of [`TABLES`] to `out` (compressed as `options` say), read in one snapshot of the database so the file is consistent even while the
/// application runs; `progress` hears after every page. Refused when the database holds a
/// table backups do not classify or is not at this code's schema.
pub async fn write_backup(
    db: &DatabaseConnection,
    out: impl Write,
    options: BackupOptions,
    now: DateTime<Utc>,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<BackupSummary, BackupError> {
    let unknown = unclassified_tables(db).await?;
    if !unknown.is_empty() {
        return Err(BackupError::Schema(format!(
            "the database has tables a backup does not know: {}; this Escapement cannot back \
             it up completely",
            unknown.join(", ")
        )));
    }
    let schema = current_schema();
    let applied = applied_schema(db).await?;
    if applied.as_deref() != Some(schema.as_str()) {
        return Err(BackupError::Schema(format!(
            "the database is at schema {}, but this Escapement's migrations end with {schema}: \
             back it up with the release that migrated it",
            applied.as_deref().unwrap_or("(none)")
        )));
    }
    let txn = match Backend::of(db) {
        // One snapshot for every table; SQLite's read transaction is one already.
        Backend::Postgres => {
            db.begin_with_options(TransactionOptions {
                isolation_level: Some(IsolationLevel::RepeatableRead),
                access_mode: Some(AccessMode::ReadOnly),
                sqlite_transaction_mode: None,
            })
            .await?
        }
        Backend::Sqlite => db.begin().await?,
    };
    let page = options.page_rows.max(1);
    let mut out = Sink::new(out, options.compression);
    write_line(
        &mut out,
        &Header {
            format: FORMAT_NAME,
            version: FORMAT_VERSION,
            created_at: &now.to_rfc3339_opts(SecondsFormat::Secs, true),
            schema: &schema,
        },
    )?;
    let mut summary = BackupSummary {
        schema: schema.clone(),
        tables: Vec::with_capacity(TABLES.len()),
    };
    for table in TABLES {
        let shape = shape(&txn, table).await?;
        let total = count_rows(&txn, table).await?;
        let columns: Vec<&str> = shape.columns.iter().map(|c| c.name.as_str()).collect();
        write_line(
            &mut out,
            &Section {
                table,
                columns,
                rows: total,
            },
        )?;
        let written = write_table(&txn, &mut out, &shape, total, page, &mut progress).await?;
        if written != total {
            return Err(BackupError::Invalid(format!(
                "{table} counted {total} rows but {written} were read"
            )));
        }
        summary.tables.push(((*table).to_owned(), written));
    }
    write_line(
        &mut out,
        &Trailer {
            end: FORMAT_NAME,
            tables: TABLES.len(),
            rows: summary.rows(),
        },
    )?;
    out.finish()?;
    txn.commit().await?;
    Ok(summary)
}
