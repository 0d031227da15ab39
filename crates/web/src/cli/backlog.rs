//! `escapement export backlog --format F [--team T] [--status S] [--limit N] [--linked
//! skip|update] [--bom] [--repo owner/name] [--output FILE]`: the backlog's export, written
//! by the same code as the page's download, as an instance admin sees it; and `escapement
//! digest --team T [--days N]`: the team's overdue and soon-due actions as Markdown, for a
//! weekly chat or mail post.

use std::io::Write;
use std::path::PathBuf;

use chrono::{Days, Utc};
use clap::{Args, Subcommand};
use escapement_core::backlog::DueState;
use escapement_storage::backlog::{BacklogAction, BacklogFilter, StatusFilter, due_actions};
use escapement_storage::metrics::current_definition;
use escapement_storage::sea_orm::DatabaseConnection;
use escapement_storage::settings::stage_settings;

use super::UsageError;
use super::support::team_by_name;
use crate::exports::backlog::{Export, ExportSpec, Format, Linked, Options};
use crate::markdown::literal;

/// `escapement export …`
#[derive(Debug, Clone, Subcommand)]
pub enum ExportCommand {
    /// The improvement backlog, highest score first.
    Backlog(ExportBacklogArgs),
}

/// `escapement export backlog …`
#[derive(Debug, Clone, Args)]
pub struct ExportBacklogArgs {
    /// jira-csv, linear-csv, github-csv, github-script, json or markdown.
    #[arg(long, value_parser = parse_format)]
    pub format: Format,
    /// Only this team's actions, by name (every team without it).
    #[arg(long, value_name = "NAME")]
    pub team: Option<String>,
    /// open (the default), all, overdue, or a status: proposed, accepted, in_progress, done,
    /// wont_do.
    #[arg(long, default_value = "open", value_parser = parse_status)]
    pub status: StatusFilter,
    /// Only the top N items by score.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// What to do with items already linked to a tracker issue: skip (no duplicates) or
    /// update.
    #[arg(long, default_value = "skip", value_parser = parse_linked)]
    pub linked: Linked,
    /// Start CSV files with a byte order mark, for Excel.
    #[arg(long)]
    pub bom: bool,
    /// owner/name, for the github-script format.
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn parse_format(text: &str) -> Result<Format, String> {
    Format::from_key(text).ok_or_else(|| {
        let keys: Vec<&str> = Format::ALL.iter().map(|f| f.key()).collect();
        format!("not a format; use one of {}", keys.join(", "))
    })
}

fn parse_status(text: &str) -> Result<StatusFilter, String> {
    match StatusFilter::parse(text) {
        Some(StatusFilter::Suggested) | None => Err(
            "not a status; use open, all, overdue, proposed, accepted, in_progress, done or wont_do"
                .to_owned(),
        ),
        Some(s) => Ok(s),
    }
}

fn parse_linked(text: &str) -> Result<Linked, String> {
    match text {
        "skip" => Ok(Linked::Skip),
        "update" => Ok(Linked::Update),
        _ => Err("use skip or update".to_owned()),
    }
}

async fn team_ids(
    db: &DatabaseConnection,
    team: Option<&str>,
) -> anyhow::Result<Option<Vec<uuid::Uuid>>> {
    Ok(match team {
        Some(name) => Some(vec![
            team_by_name(db, name)
                .await
                .map_err(|e| UsageError(e.to_string()))?
                .id,
        ]),
        None => None,
    })
}

/// Runs `escapement export …`; the summary line goes to `out` (standard error for the
/// binary, so standard output stays the file).
pub async fn run_export(
    db: &DatabaseConnection,
    command: &ExportCommand,
    public_url: Option<&str>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let ExportCommand::Backlog(args) = command;
    if args.limit == Some(0) {
        return Err(UsageError("limit: must be 1 or more".to_owned()).into());
    }
    let filter = BacklogFilter {
        teams: team_ids(db, args.team.as_deref()).await?,
        status: args.status,
        ..BacklogFilter::default()
    };
    let definition = current_definition(db).await?;
    let stages = stage_settings(db).await?;
    let spec = ExportSpec {
        filter,
        format: args.format,
        options: Options {
            bom: args.bom,
            linked: args.linked,
            github_repo: args.repo.clone(),
            generated_at: Utc::now(),
            definition_version: definition.version,
        },
        limit: args.limit,
        base_url: public_url
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_owned(),
    };
    let target: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let mut export = Export::start(
        db,
        &spec,
        (&definition.definition.weights, &stages.pipeline),
        target,
    )
    .await?;
    while export.step(db).await? {}
    let (mut target, written, skipped) = export.finish()?;
    target.flush()?;
    let place = args
        .output
        .as_ref()
        .map(|p| format!(" to {}", p.display()))
        .unwrap_or_default();
    writeln!(
        out,
        "Exported {written} {} as {}{place}; {skipped} already linked to a tracker {}.",
        if written == 1 { "item" } else { "items" },
        args.format.label(),
        if skipped == 1 {
            "was skipped"
        } else {
            "were skipped"
        },
    )?;
    Ok(())
}

/// `escapement digest …`
#[derive(Debug, Clone, Args)]
pub struct DigestArgs {
    /// The team, by name.
    #[arg(long, value_name = "NAME")]
    pub team: String,
    /// How many days ahead count as soon.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..=90))]
    pub days: u64,
}

fn digest_line(a: &BacklogAction, base: &str) -> String {
    let due = match (a.due, a.due_date) {
        (DueState::Overdue(n), Some(d)) => format!(
            "{n} {} overdue (due {})",
            if n == 1 { "day" } else { "days" },
            d.format("%-d %b %Y")
        ),
        (DueState::Soon(0), _) => "due today".to_owned(),
        (_, Some(d)) => format!("due {}", d.format("%-d %b %Y")),
        (_, None) => String::new(),
    };
    let key = a
        .external_key
        .as_deref()
        .map(|k| format!(" · {}", literal(k)))
        .unwrap_or_default();
    format!(
        "- [{}]({base}/backlog/actions/{}) — {due} · {} · {}{}{key}",
        literal(&a.title),
        a.id,
        a.status.label(),
        a.mechanism.label(),
        a.component_name
            .as_deref()
            .map(|c| format!(" · {}", literal(c)))
            .unwrap_or_default(),
    )
}

/// The digest's Markdown.
pub async fn digest_markdown(
    db: &DatabaseConnection,
    args: &DigestArgs,
    public_url: Option<&str>,
    today: chrono::NaiveDate,
) -> anyhow::Result<String> {
    let team = team_by_name(db, &args.team)
        .await
        .map_err(|e| UsageError(e.to_string()))?;
    let definition = current_definition(db).await?;
    let until = today
        .checked_add_days(Days::new(args.days))
        .unwrap_or(today);
    let actions = due_actions(
        db,
        Some(&[team.id]),
        &definition.definition.weights,
        (today, until),
    )
    .await?;
    let base = public_url.unwrap_or_default().trim_end_matches('/');
    let (overdue, soon): (Vec<&BacklogAction>, Vec<&BacklogAction>) = actions
        .iter()
        .partition(|a| matches!(a.due, DueState::Overdue(_)));
    let mut text = format!(
        "# Improvement actions due: {}, {}\n\n",
        literal(&team.name),
        today.format("%-d %b %Y")
    );
    for (title, list) in [
        ("Overdue".to_owned(), &overdue),
        (format!("Due in the next {} days", args.days), &soon),
    ] {
        text.push_str(&format!("## {title} ({})\n\n", list.len()));
        if list.is_empty() {
            text.push_str("None.\n\n");
        } else {
            for a in list.iter() {
                text.push_str(&digest_line(a, base));
                text.push('\n');
            }
            text.push('\n');
        }
    }
    text.push_str(&format!(
        "Open actions of {} with a due date up to {}; the whole backlog: {base}/backlog?team={}\n",
        literal(&team.name),
        until.format("%-d %b %Y"),
        team.id
    ));
    Ok(text)
}

/// Runs `escapement digest …`, writing the Markdown to `out`.
pub async fn run_digest(
    db: &DatabaseConnection,
    args: &DigestArgs,
    public_url: Option<&str>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let text = digest_markdown(db, args, public_url, Utc::now().date_naive()).await?;
    out.write_all(text.as_bytes())?;
    Ok(())
}
