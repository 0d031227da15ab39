//! `escapement report --quarter 2026-Q3 --format markdown|html [--team NAME] [--output
//! FILE]`: the quarterly report the web shows, built by the same code, as an instance
//! admin sees it (every team, or the named one).

use std::io::Write;
use std::path::PathBuf;

use chrono::Utc;
use clap::{Args, ValueEnum};
use escapement_core::metrics::Quarter;
use escapement_storage::sea_orm::DatabaseConnection;
use serde::Serialize;

use super::support::team_by_name;
use crate::routes::STYLESHEET;
use crate::routes::reports::markdown::report_markdown;
use crate::routes::reports::model::{Report, ReportScope, build_report, has_started};

/// A mistake in how the command was called (an unknown team, a quarter not begun): the
/// binary exits with status 2 for it, as for a malformed flag.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// What the report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Headings, pipe tables and lists, for Confluence or Notion.
    Markdown,
    /// One self-contained, printable page.
    Html,
}

/// `escapement report …`
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The quarter, as 2026-Q3.
    #[arg(long, value_parser = parse_quarter)]
    pub quarter: Quarter,
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
    /// Only this team, by name (every team without it).
    #[arg(long, value_name = "NAME")]
    pub team: Option<String>,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn parse_quarter(text: &str) -> Result<Quarter, String> {
    Quarter::parse(text).map_err(|e| e.to_string())
}

#[derive(Serialize)]
struct Standalone<'a> {
    title: String,
    stylesheet: &'static str,
    report: &'a Report,
}

/// The report as one HTML file: the page's report without the navigation, the stylesheet
/// inlined; numbers link to the defects only when the public address is known.
fn standalone_html(report: &mut Report, public_url: Option<&str>) -> anyhow::Result<String> {
    let base = public_url.map(|u| u.trim_end_matches('/').to_owned());
    report.relink(|href| base.as_ref().map(|b| format!("{b}{href}")));
    let page = Standalone {
        title: format!(
            "Quarterly report {} · {}",
            report.label,
            report.team_name.as_deref().unwrap_or("all teams")
        ),
        stylesheet: STYLESHEET,
        report,
    };
    Ok(crate::templates::render_string(
        "reports/standalone.html",
        &page,
    )?)
}

/// Runs `escapement report …`, writing the report to `out` (or to `--output`, with a line
/// saying so on `out`). An unknown team or a quarter not begun is a [`UsageError`].
pub async fn run_report(
    db: &DatabaseConnection,
    args: &ReportArgs,
    public_url: Option<&str>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let now = Utc::now();
    if !has_started(args.quarter, now) {
        return Err(UsageError(format!(
            "quarter: {} has not begun, so it has no report",
            args.quarter.label()
        ))
        .into());
    }
    let team = match &args.team {
        Some(name) => {
            let team = team_by_name(db, name)
                .await
                .map_err(|e| UsageError(e.to_string()))?;
            Some((team.id, team.name))
        }
        None => None,
    };
    let scope = ReportScope {
        visible_teams: None,
        team,
    };
    let mut report = build_report(db, &scope, args.quarter, now)
        .await
        .map_err(|e| anyhow::anyhow!("cannot build the report: {e}"))?;
    let text = match args.format {
        ReportFormat::Markdown => report_markdown(&report),
        ReportFormat::Html => standalone_html(&mut report, public_url)?,
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            writeln!(
                out,
                "Wrote the {} report for {} to {}.",
                report.label,
                report.scope,
                path.display()
            )?;
        }
        None => out.write_all(text.as_bytes())?,
    }
    Ok(())
}
