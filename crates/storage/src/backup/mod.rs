//! Backup and restore: every application table written to one streamed, versioned file
//! ([`write_backup`]) and loaded back into an empty database of either engine
//! ([`restore_backup`]), which then rebuilds what is derived from it.
//!
//! # The format (version 1)
//!
//! JSON Lines, UTF-8, one JSON object per line, optionally gzip-compressed as a whole:
//!
//! 1. A header: `{"format":"escapement-backup","version":1,"created_at":"…","schema":"m…"}`,
//!    where `schema` names the last migration of the database the backup was taken from.
//! 2. One section per table of [`TABLES`], in that order (parents before the rows that refer
//!    to them): a line `{"table":"teams","columns":["id","name",…],"rows":3}`, then exactly
//!    `rows` lines, one object per row keyed by column name.
//! 3. A trailer: `{"end":"escapement-backup","tables":18,"rows":1234}`; a file without it
//!    was cut short and is refused.
//!
//! Values are written the same on both engines: UUIDs as lowercase hyphenated strings,
//! timestamps as RFC 3339 in UTC with at most microsecond precision (PostgreSQL's), dates as
//! `YYYY-MM-DD`, booleans as `true`/`false`, integers as numbers, text (JSON documents
//! included) as the string stored, and NULL as `null`.
//!
//! Versioning: `version` changes only when a reader of the previous version would
//! misread a file; a reader refuses a version newer than [`FORMAT_VERSION`]. A new column
//! or table is a new `schema`, not a new version; restore takes the schema of the code
//! doing it, so an older backup is restored by the release that wrote it, upgraded there,
//! and backed up again.

mod read;
mod restore;
mod schema;
mod value;
mod write;

use std::io::Write;

pub use restore::restore_backup;
pub use schema::unclassified_tables;
pub use write::write_backup;

/// The format this code writes, and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// The header's `format` field, which says the file is an Escapement backup.
pub const FORMAT_NAME: &str = "escapement-backup";

/// The tables a backup holds, in the order they are written and restored: each table comes
/// after every table its foreign keys point to.
pub const TABLES: &[&str] = &[
    "settings",
    "metric_definitions",
    "teams",
    "users",
    "memberships",
    "api_tokens",
    "audit_events",
    "components",
    "releases",
    "defects",
    "reviews",
    "review_escapes",
    "improvement_actions",
    "action_escapes",
    "review_history",
    "backlog_dismissals",
    "stage_tallies",
    "import_mappings",
];

/// The tables a backup leaves out, each with the reason: kept out of the file, rebuilt or
/// started afresh by restore. A table of the schema in neither list makes backups fail.
pub const EXCLUDED: &[(&str, &str)] = &[
    (
        "seaql_migrations",
        "the migrations applied; restore migrates the database itself",
    ),
    (
        "sessions",
        "sign-ins; everyone signs in again after a restore",
    ),
    (
        "login_failures",
        "the throttling window of recent failed sign-ins, minutes long",
    ),
    (
        "defect_imports",
        "uploaded CSV files, kept a week between preview and import",
    ),
    (
        "defect_counts",
        "the roll-up, derived from defects and reviews; restore rebuilds it",
    ),
    (
        "defect_durations",
        "the roll-up, derived from defects; restore rebuilds it",
    ),
    (
        "rollup_stamps",
        "the roll-up's stamps, derived; restore's rebuild renews them",
    ),
    (
        "defects_fts",
        "SQLite's title search index, kept by triggers as defects are restored",
    ),
    ("defects_fts_data", "a shadow table of defects_fts"),
    ("defects_fts_idx", "a shadow table of defects_fts"),
    ("defects_fts_docsize", "a shadow table of defects_fts"),
    ("defects_fts_config", "a shadow table of defects_fts"),
];

/// Settings rows that describe derived data: left out of a backup, written by restore.
pub(crate) const DERIVED_SETTINGS: &[&str] = &["rollup_format"];

/// The compression of a backup file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
}

impl Compression {
    /// Gzip for a file name ending in `.gz`, none otherwise.
    pub fn for_path(path: &std::path::Path) -> Compression {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
        {
            Compression::Gzip
        } else {
            Compression::None
        }
    }
}

/// How a backup is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupOptions {
    pub compression: Compression,
    /// Rows read per query (keyset pages in primary-key order); at least 1.
    pub page_rows: usize,
}

impl Default for BackupOptions {
    fn default() -> BackupOptions {
        BackupOptions {
            compression: Compression::None,
            page_rows: 1_000,
        }
    }
}

impl BackupOptions {
    /// The defaults, compressed when the file name ends in `.gz`.
    pub fn for_path(path: &std::path::Path) -> BackupOptions {
        BackupOptions {
            compression: Compression::for_path(path),
            ..BackupOptions::default()
        }
    }
}

/// How far a backup or restore got: `rows` of `total` rows of `table` are done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    pub table: &'a str,
    pub rows: u64,
    pub total: u64,
}

/// What a backup wrote or a restore loaded: rows per table, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BackupSummary {
    pub schema: String,
    pub tables: Vec<(String, u64)>,
}

impl BackupSummary {
    /// Rows over every table.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Why a backup or a restore failed; every message says what to do or where the file is
/// wrong (line, table, row and column).
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Reading or writing the file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file is not a backup this code can read: damaged, cut short or edited.
    #[error("the backup file is not valid: {0}")]
    Invalid(String),
    /// The file was written in a format version newer than this code reads.
    #[error(
        "the backup is in format version {found}, newer than the version {FORMAT_VERSION} this \
         Escapement reads: restore it with the release that wrote it or a newer one"
    )]
    NewerVersion { found: u64 },
    /// The file's schema is not the one this code's migrations end with.
    #[error("{0}")]
    Schema(String),
    /// The target database already holds data; restore only fills an empty one.
    #[error(
        "the database is not empty ({0}): restore only fills an empty database; \
         point --database at a new one"
    )]
    NotEmpty(String),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] crate::StorageError),
}

impl From<sea_orm::DbErr> for BackupError {
    fn from(err: sea_orm::DbErr) -> BackupError {
        BackupError::Storage(crate::StorageError::Db(err))
    }
}

/// The last migration this code knows: the `schema` its backups carry and restore accepts.
pub fn current_schema() -> String {
    use escapement_migrations::{Migrator, MigratorTrait};
    Migrator::migrations()
        .last()
        .map(|m| m.name().to_owned())
        .unwrap_or_default()
}

/// The first line of a backup.
#[derive(serde::Serialize)]
struct Header<'a> {
    format: &'a str,
    version: u32,
    created_at: &'a str,
    schema: &'a str,
}

/// The line that opens a table's section: its columns and how many row lines follow.
#[derive(serde::Serialize)]
struct Section<'a> {
    table: &'a str,
    columns: Vec<&'a str>,
    rows: u64,
}

/// The last line of a backup, which a complete file always has.
#[derive(serde::Serialize)]
struct Trailer<'a> {
    end: &'a str,
    tables: usize,
    rows: u64,
}

/// Writes `value` as one line of the file, its fields in their declared order.
fn write_line(out: &mut impl Write, value: &impl serde::Serialize) -> Result<(), BackupError> {
    serde_json::to_writer(&mut *out, value).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}
