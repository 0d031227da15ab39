//! `escapement import defects FILE --team T`: the command-line way to the CSV importer,
//! with the same preview, rules and single transaction as the upload page.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use chrono::Utc;
use clap::{Args, Subcommand};
use escapement_core::import::{CsvFile, Field, Preset, file::skipped_rows};
use escapement_storage::StorageError;
use escapement_storage::imports::{
    ImportError, ImportOptions, ImportReport, get_mapping, import_defects,
};
use escapement_storage::sea_orm::DatabaseConnection;
use escapement_storage::settings::stage_settings;
use indicatif::{ProgressBar, ProgressStyle};

use super::UsageError;
use super::support::team_by_name;

/// `escapement import …`
#[derive(Debug, Clone, Subcommand)]
pub enum ImportCommand {
    /// Import defects from a CSV file (a Jira or GitHub export, or the generic columns).
    Defects(ImportDefectsArgs),
}

/// `escapement import defects`
#[derive(Debug, Clone, Args)]
pub struct ImportDefectsArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// The team the defects belong to, by name.
    #[arg(long)]
    pub team: String,
    /// The columns the file has: generic (Escapement's own), jira or github.
    #[arg(long, default_value = "generic", conflicts_with = "mapping")]
    pub preset: String,
    /// A mapping the team saved on the import page, by name, instead of a preset.
    #[arg(long)]
    pub mapping: Option<String>,
    /// Read and check the whole file and say what it would do, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the valid rows of a file that has invalid ones (otherwise it writes nothing).
    #[arg(long)]
    pub only_valid: bool,
    /// Write the rows that were left out, with their problems, to this CSV file.
    #[arg(long)]
    pub skipped: Option<PathBuf>,
}

/// Runs `escapement import …`; `Ok(false)` when rows were left out or nothing was written.
pub async fn run_import(
    db: &DatabaseConnection,
    command: ImportCommand,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let ImportCommand::Defects(args) = command;
    let team = team_by_name(db, &args.team)
        .await
        .map_err(|e| UsageError(e.to_string()))?;
    let mapping = match &args.mapping {
        Some(name) => match get_mapping(db, team.id, name).await {
            Ok(saved) => saved.mapping,
            Err(StorageError::NotFound) => {
                return Err(UsageError(format!(
                    "mapping: team `{}` has no mapping named `{name}`",
                    team.name
                ))
                .into());
            }
            Err(e) => return Err(e.into()),
        },
        None => {
            let preset = Preset::from_key(&args.preset).ok_or_else(|| {
                UsageError(format!(
                    "preset: `{}` is not a preset; use generic, jira or github",
                    args.preset
                ))
            })?;
            preset.mapping(&stage_settings(db).await?.pipeline)
        }
    };
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let bar = ProgressBar::new(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let options = ImportOptions {
        write: !args.dry_run,
        only_valid: args.only_valid,
        existing_catalog_only: false,
    };
    let result = import_defects(
        db,
        team.id,
        &bytes,
        &mapping,
        options,
        Utc::now(),
        |rows, done, _| {
            bar.set_position(u64::try_from(done).unwrap_or(u64::MAX));
            bar.set_message(format!("{rows} rows"));
        },
    )
    .await;
    bar.finish_and_clear();
    let report = match result {
        Ok(report) => report,
        Err(ImportError::Storage(e)) => return Err(e.into()),
        Err(e) => return Err(UsageError(format!("file: {e}")).into()),
    };
    describe(&report, args.dry_run, out)?;
    if let Some(path) = &args.skipped
        && report.has_errors()
    {
        let file = CsvFile::open(&bytes)?;
        let text = skipped_rows(&file, &report.error_lines, &|line| {
            problems_of(&report, line)
        })?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        writeln!(
            out,
            "The {} left out {} in {}.",
            plural(report.error_rows, "row", "rows"),
            if report.error_rows == 1 { "is" } else { "are" },
            path.display()
        )?;
    }
    Ok(!report.has_errors())
}

/// The problems listed for `line`, joined; "see the full list" when the report lists no
/// more.
pub fn problems_of(report: &ImportReport, line: u64) -> String {
    let found: Vec<String> = report
        .errors
        .iter()
        .filter(|e| e.line == line)
        .map(|e| format!("{}: {}", e.column, e.message))
        .collect();
    if found.is_empty() {
        "problems past the first 1,000 are not listed: import this file to see them".to_owned()
    } else {
        found.join("; ")
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn describe(report: &ImportReport, dry_run: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let counts = format!(
        "{} new, {} updated, {} unchanged, {} with errors",
        report.created, report.updated, report.unchanged, report.error_rows
    );
    if report.written {
        writeln!(
            out,
            "Imported {} of {}: {counts}.",
            report.valid,
            plural(report.rows, "row", "rows")
        )?;
    } else if dry_run {
        writeln!(
            out,
            "Checked {}, wrote nothing: {counts}.",
            plural(report.rows, "row", "rows")
        )?;
    } else {
        writeln!(
            out,
            "Wrote nothing of {}: {counts}.",
            plural(report.rows, "row", "rows")
        )?;
    }
    if !report.new_components.is_empty() {
        writeln!(out, "New components: {}.", report.new_components.join(", "))?;
    }
    if !report.new_releases.is_empty() {
        writeln!(out, "New releases: {}.", report.new_releases.join(", "))?;
    }
    for (field, n) in &report.defaulted {
        let field = Field::from_key(field).map_or_else(|| field.clone(), |f| f.label().to_owned());
        writeln!(
            out,
            "{} took the mapping's default for {}.",
            plural(*n, "row", "rows"),
            field.to_lowercase()
        )?;
    }
    if report.without_key > 0 {
        writeln!(
            out,
            "{} have no external key: importing the file again creates them again.",
            plural(report.without_key, "row", "rows")
        )?;
    }
    for e in &report.errors {
        writeln!(out, "line {}, column {}: {}", e.line, e.column, e.message)?;
    }
    if report.has_errors() && !report.written && !dry_run {
        writeln!(
            out,
            "Nothing was written: fix the rows above, or run again with --only-valid to import the valid rows."
        )?;
    }
    Ok(())
}
