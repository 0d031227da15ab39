//! The improvement backlog in six formats — Jira's, Linear's and GitHub's importers, a script
//! for the GitHub CLI, JSON and Markdown — written as a stream: [`Writer`] writes each item as
//! it is given and keeps nothing per item, so an export of any size runs in constant memory.
//!
//! ```
//! use escapement_web::exports::backlog::{Format, Linked, Options, Writer};
//! # let items: Vec<escapement_core::backlog::ExportItem> = Vec::new();
//! let options = Options {
//!     bom: false,
//!     linked: Linked::Skip,
//!     github_repo: None,
//!     generated_at: chrono::Utc::now(),
//!     definition_version: 1,
//! };
//! let mut w = Writer::new(Format::JiraCsv, options, Vec::new())?;
//! for item in &items {
//!     w.item(item)?; // linked items are skipped and counted
//! }
//! let (written, skipped) = (w.written(), w.skipped());
//! let csv: Vec<u8> = w.finish()?;
//! # assert_eq!((written, skipped), (0, 0));
//! # assert!(csv.starts_with(b"\"Issue Key\""));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! docs/backlog-export.md describes every format's columns and the JSON schema.

pub mod cell;
mod checklist;
mod github;
mod jira;
mod json;
mod linear;
mod run;
mod text;

#[cfg(test)]
mod tests;

use std::io::{self, BufWriter, Write};

use chrono::{DateTime, Utc};
use escapement_core::Mechanism;
use escapement_core::backlog::ExportItem;

pub use jira::importer_config as jira_importer_config;
pub use json::SCHEMA as JSON_SCHEMA;
pub use linear::status as linear_status;
pub use run::{Export, ExportSpec, SharedBuffer};

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CSV for Jira's CSV importer, with [`jira_importer_config`] beside it.
    JiraCsv,
    /// CSV for Linear's CSV import.
    LinearCsv,
    /// CSV with `title`, `body`, `labels`, for GitHub's CSV import tools.
    GithubCsv,
    /// A bash script of GitHub CLI commands.
    GithubScript,
    /// JSON with the `escapement.backlog.v1` schema.
    Json,
    /// A Markdown checklist grouped by mechanism.
    Markdown,
}

impl Format {
    /// Every format, in the order a page offers them.
    pub const ALL: [Format; 6] = [
        Format::JiraCsv,
        Format::LinearCsv,
        Format::GithubCsv,
        Format::GithubScript,
        Format::Json,
        Format::Markdown,
    ];

    /// The stable key, used in URLs and on the command line.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Format::JiraCsv => "jira-csv",
            Format::LinearCsv => "linear-csv",
            Format::GithubCsv => "github-csv",
            Format::GithubScript => "github-script",
            Format::Json => "json",
            Format::Markdown => "markdown",
        }
    }

    /// The format with exactly this key, if any.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The name people read.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Format::JiraCsv => "Jira (CSV importer)",
            Format::LinearCsv => "Linear (CSV import)",
            Format::GithubCsv => "GitHub (CSV)",
            Format::GithubScript => "GitHub (gh CLI script)",
            Format::Json => "JSON",
            Format::Markdown => "Markdown checklist",
        }
    }

    /// The download's `Content-Type`.
    #[must_use]
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::JiraCsv | Format::LinearCsv | Format::GithubCsv => "text/csv; charset=utf-8",
            Format::GithubScript => "text/x-shellscript; charset=utf-8",
            Format::Json => "application/json",
            Format::Markdown => "text/markdown; charset=utf-8",
        }
    }

    /// The download's file name.
    #[must_use]
    pub const fn file_name(self) -> &'static str {
        match self {
            Format::JiraCsv => "escapement-backlog-jira.csv",
            Format::LinearCsv => "escapement-backlog-linear.csv",
            Format::GithubCsv => "escapement-backlog-github.csv",
            Format::GithubScript => "escapement-backlog-github.sh",
            Format::Json => "escapement-backlog.json",
            Format::Markdown => "escapement-backlog.md",
        }
    }

    /// Whether the caller must pass the items sorted by mechanism (then score): the Markdown
    /// checklist starts a heading whenever the mechanism changes.
    #[must_use]
    pub const fn grouped_by_mechanism(self) -> bool {
        matches!(self, Format::Markdown)
    }

    /// Whether [`Linked::Update`] writes linked items: Jira updates them by their key, the
    /// GitHub script edits them, JSON and Markdown list them with their key. Linear's and the
    /// GitHub CSV tools only create issues, so these formats skip linked items in either mode
    /// rather than duplicate them.
    #[must_use]
    pub const fn updates_linked(self) -> bool {
        !matches!(self, Format::LinearCsv | Format::GithubCsv)
    }

    /// Whether the format is CSV, and so takes [`Options::bom`].
    #[must_use]
    pub const fn is_csv(self) -> bool {
        matches!(
            self,
            Format::JiraCsv | Format::LinearCsv | Format::GithubCsv
        )
    }
}

/// What an export does with items that already carry an external key (were imported before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Linked {
    /// Leave them out, so importing again creates no duplicates.
    #[default]
    Skip,
    /// Write them so the tracker updates the linked issue (see [`Format::updates_linked`]).
    Update,
}

/// How an export is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Start the CSV formats with a UTF-8 byte order mark, for Excel. Other formats ignore it.
    pub bom: bool,
    pub linked: Linked,
    /// `owner/name` for the GitHub script; without it the script requires `REPO` from its
    /// environment.
    pub github_repo: Option<String>,
    pub generated_at: DateTime<Utc>,
    /// The metric definition version the scores were computed under, stated in the JSON and
    /// Markdown headers.
    pub definition_version: i32,
}

/// Where the writer writes and what it keeps between items: a constant amount, whatever
/// their number.
enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Script(BufWriter<W>, github::Script),
    Json {
        out: BufWriter<W>,
        first: bool,
    },
    Markdown {
        out: BufWriter<W>,
        previous: Option<Mechanism>,
    },
}

/// Writes one export as a stream: the head in [`Writer::new`], each item in [`Writer::item`],
/// the end in [`Writer::finish`].
pub struct Writer<W: Write> {
    format: Format,
    linked: Linked,
    sink: Sink<W>,
    written: u64,
    skipped: u64,
}

fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn write_csv<W: Write>(csv: &mut csv::Writer<W>, cells: &[String]) -> io::Result<()> {
    csv.write_record(
        cells
            .iter()
            .map(|c| cell::defuse(c))
            .map(|c| c.into_owned()),
    )
    .map_err(csv_error)
}

impl<W: Write> Writer<W> {
    /// Starts an export of `format` into `out`, writing its head (the BOM, the header row, the
    /// script's or document's first lines).
    pub fn new(format: Format, options: Options, mut out: W) -> io::Result<Self> {
        let sink = match format {
            Format::JiraCsv | Format::LinearCsv | Format::GithubCsv => {
                if options.bom {
                    out.write_all(cell::BOM)?;
                }
                let mut csv = cell::writer(out);
                let header: &[&str] = match format {
                    Format::JiraCsv => &jira::HEADER,
                    Format::LinearCsv => &linear::HEADER,
                    _ => &github::HEADER,
                };
                csv.write_record(header).map_err(csv_error)?;
                Sink::Csv(Box::new(csv))
            }
            Format::GithubScript => {
                let mut out = BufWriter::new(out);
                let heading = format!(
                    "Escapement improvement backlog, generated {}, metric definition version {}.",
                    options.generated_at.format("%Y-%m-%d %H:%M UTC"),
                    options.definition_version
                );
                let script =
                    github::Script::start(&mut out, options.github_repo.as_deref(), &heading)?;
                Sink::Script(out, script)
            }
            Format::Json => {
                let mut out = BufWriter::new(out);
                json::start(&mut out, options.generated_at, options.definition_version)?;
                Sink::Json { out, first: true }
            }
            Format::Markdown => {
                let mut out = BufWriter::new(out);
                checklist::start(&mut out, options.generated_at, options.definition_version)?;
                Sink::Markdown {
                    out,
                    previous: None,
                }
            }
        };
        Ok(Writer {
            format,
            linked: options.linked,
            sink,
            written: 0,
            skipped: 0,
        })
    }

    /// Writes `item`, or skips it when it is linked and this export does not write linked
    /// items (see [`Linked`] and [`Format::updates_linked`]).
    pub fn item(&mut self, item: &ExportItem) -> io::Result<()> {
        let key = item
            .external_key
            .as_deref()
            .filter(|k| !k.trim().is_empty());
        if key.is_some() && (self.linked == Linked::Skip || !self.format.updates_linked()) {
            self.skipped += 1;
            return Ok(());
        }
        match &mut self.sink {
            Sink::Csv(csv) => match self.format {
                Format::JiraCsv => write_csv(csv, &jira::record(item, key))?,
                Format::LinearCsv => write_csv(csv, &linear::record(item))?,
                _ => write_csv(csv, &github::record(item))?,
            },
            Sink::Script(out, script) => {
                let linked = match key.map(github::issue_ref) {
                    None => None,
                    Some(Some(issue)) => Some(issue),
                    // Linked to another tracker: there is no GitHub issue to edit.
                    Some(None) => {
                        self.skipped += 1;
                        return Ok(());
                    }
                };
                script.item(out, item, linked)?;
            }
            Sink::Json { out, first } => {
                json::item(out, item, *first)?;
                *first = false;
            }
            Sink::Markdown { out, previous } => {
                checklist::item(out, item, *previous)?;
                *previous = Some(item.mechanism);
            }
        }
        self.written += 1;
        Ok(())
    }

    /// How many items were written.
    #[must_use]
    pub fn written(&self) -> u64 {
        self.written
    }

    /// How many items were skipped because they were already linked.
    #[must_use]
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// How many distinct labels the GitHub script has created (0 for other formats): bounded by
    /// repositories × mechanisms × components, never by the number of items.
    #[must_use]
    pub fn labels_seen(&self) -> usize {
        match &self.sink {
            Sink::Script(_, script) => script.labels_seen(),
            _ => 0,
        }
    }

    /// Writes the end of the export, flushes it and hands back the output.
    pub fn finish(self) -> io::Result<W> {
        let out = match self.sink {
            Sink::Csv(csv) => return csv.into_inner().map_err(|e| e.into_error()),
            Sink::Json { mut out, .. } => {
                json::finish(&mut out)?;
                out
            }
            Sink::Script(out, _) | Sink::Markdown { out, .. } => out,
        };
        out.into_inner().map_err(|e| e.into_error())
    }
}
