//! `escapement backup FILE` and `escapement restore FILE`: the whole database to one file
//! and back, on either engine (the way from SQLite to PostgreSQL), with the rows of each
//! table reported on stderr as they go.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use clap::Args;
use escapement_storage::backup::{
    BackupOptions, BackupSummary, Progress, restore_backup, write_backup,
};
use escapement_storage::sea_orm::DatabaseConnection;

/// `escapement backup FILE`
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The file to write (replaced when it exists); a name ending in `.gz` is compressed.
    pub file: PathBuf,
}

/// `escapement restore FILE`
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// A file `escapement backup` wrote, compressed or not.
    pub file: PathBuf,
}

/// Reports each table once it is done, and every 100,000 rows of a long one.
fn reporter(log: &mut impl Write) -> impl FnMut(Progress<'_>) + '_ {
    let mut last_done: Option<String> = None;
    move |p: Progress<'_>| {
        if p.rows == p.total {
            if last_done.as_deref() != Some(p.table) {
                let _ = writeln!(log, "  {}: {} rows", p.table, p.total);
                last_done = Some(p.table.to_owned());
            }
        } else if p.rows % 100_000 < 1_000 && p.rows >= 100_000 {
            let _ = writeln!(log, "  {}: {} of {} rows…", p.table, p.rows, p.total);
        }
    }
}

fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Creates (or truncates) `path` readable by its owner only: a backup holds password and
/// token hashes.
fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Writes a backup of the whole database to `args.file`: first under `FILE.partial`, renamed
/// into place once complete, so a failed backup never leaves a file that looks whole.
pub async fn run_backup(
    db: &DatabaseConnection,
    args: &BackupArgs,
    out: &mut impl Write,
    log: &mut impl Write,
) -> anyhow::Result<BackupSummary> {
    let started = Instant::now();
    let partial = partial_path(&args.file);
    let mut file =
        create_private(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
    writeln!(log, "Backing up to {}:", args.file.display())?;
    let written = write_backup(
        db,
        &mut file,
        BackupOptions::for_path(&args.file),
        Utc::now(),
        reporter(log),
    )
    .await;
    let summary = match written.and_then(|s| Ok(file.sync_all().map(|()| s)?)) {
        Ok(summary) => summary,
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(anyhow::Error::new(err).context("the backup failed; no file was written"));
        }
    };
    std::fs::rename(&partial, &args.file)
        .with_context(|| format!("cannot move the backup to {}", args.file.display()))?;
    writeln!(
        out,
        "Backed up {} tables, {} rows, to {} in {:.1} s.",
        summary.tables.len(),
        summary.rows(),
        args.file.display(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(summary)
}

/// Restores `args.file` into the (empty, migrated) database, in one transaction.
pub async fn run_restore(
    db: &DatabaseConnection,
    args: &RestoreArgs,
    out: &mut impl Write,
    log: &mut impl Write,
) -> anyhow::Result<BackupSummary> {
    let started = Instant::now();
    let file =
        File::open(&args.file).with_context(|| format!("cannot open {}", args.file.display()))?;
    writeln!(log, "Restoring {}:", args.file.display())?;
    let summary = restore_backup(db, file, reporter(log))
        .await
        .with_context(|| {
            format!(
                "cannot restore {}; nothing was changed",
                args.file.display()
            )
        })?;
    writeln!(
        out,
        "Restored {} tables, {} rows, from {} in {:.1} s, and rebuilt the metrics roll-up.",
        summary.tables.len(),
        summary.rows(),
        args.file.display(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(summary)
}
