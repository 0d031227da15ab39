//! `GET /backlog/links`: paste back the keys a tracker gave the exported items — lines of
//! "action link, key", or a tracker's CSV export (a file picked here is read into the box) —
//! and `POST` links them all in one transaction, so the next export skips or updates them
//! instead of creating them again.

use axum::response::Response;
use chrono::Utc;
use escapement_core::ValidationErrors;
use escapement_core::auth::Permission;
use escapement_core::backlog::links::{is_header, link_of};
use escapement_storage::backlog::{KeyLink, LinkOutcome, link_keys};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::writable_teams;
use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::extract::QueryParams;
use crate::page::form::{FormPage, Refusal, respond};
use crate::page::views::{FormErrors, Opt};
use crate::page::{Ctx, Layout, Page, render, see_other};

/// The most rows one paste may link.
pub const MAX_ROWS: usize = 5000;

/// The links form, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LinksForm {
    team_id: String,
    keys: String,
}

/// What the page confirms after a save: `?linked=3&unchanged=1`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Linked {
    linked: String,
    unchanged: String,
}

#[derive(Serialize)]
struct LinksView {
    layout: Layout,
    form: LinksForm,
    errors: FormErrors,
    teams: Vec<Opt>,
    notice: Option<String>,
}

/// Splits what was pasted into rows of cells: CSV (comma, semicolon or tab, whichever the
/// first line has most of) when it has a delimiter, else whitespace-separated lines.
fn rows_of(text: &str) -> Result<Vec<Vec<String>>, String> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or_default();
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .filter(|d| first.as_bytes().contains(d));
    let Some(delimiter) = delimiter else {
        return Ok(text
            .lines()
            .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .filter(|cells| !cells.is_empty())
            .collect());
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("Row {} could not be read as CSV: {e}", i + 1))?;
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push(cells);
        }
    }
    Ok(rows)
}

/// The links the pasted text names, or one message per row that names none.
fn parse(text: &str) -> Result<Vec<KeyLink>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let rows = match rows_of(text) {
        Ok(rows) => rows,
        Err(message) => {
            e.push("keys", message);
            return Err(e);
        }
    };
    let (header, body) = match rows.split_first() {
        Some((first, rest)) if is_header(first) => (Some(first.as_slice()), rest),
        _ => (None, rows.as_slice()),
    };
    if body.is_empty() {
        e.push(
            "keys",
            "Paste at least one line: the action's link and its tracker key",
        );
        return Err(e);
    }
    if body.len() > MAX_ROWS {
        e.push("keys", format!("Paste at most {MAX_ROWS} rows at once"));
        return Err(e);
    }
    let offset = usize::from(header.is_some()) + 1;
    let mut links = Vec::with_capacity(body.len());
    let mut problems = Vec::new();
    for (i, cells) in body.iter().enumerate() {
        match link_of(header, cells) {
            Ok((action_id, external_key)) => links.push(KeyLink {
                action_id,
                external_key,
            }),
            Err(p) => problems.push(format!("Row {} {}", i + offset, p.message())),
        }
    }
    if !problems.is_empty() {
        let shown: Vec<String> = problems.iter().take(5).cloned().collect();
        let more = problems.len().saturating_sub(5);
        let tail = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        e.push(
            "keys",
            format!("{}{tail}. Nothing was linked.", shown.join("; ")),
        );
        return Err(e);
    }
    Ok(links)
}

struct LinksPage<'a> {
    ctx: &'a Ctx,
}

impl LinksPage<'_> {
    async fn view(
        &self,
        mut form: LinksForm,
        errors: &ValidationErrors,
        notice: Option<String>,
    ) -> AppResult<LinksView> {
        let teams = writable_teams(self.ctx).await?;
        // One team to choose from is chosen already.
        if let [only] = teams.as_slice()
            && form.team_id.trim().is_empty()
        {
            form.team_id = only.value.clone();
        }
        Ok(LinksView {
            layout: self
                .ctx
                .layout("Link tracker keys", "backlog", &[("Backlog", "/backlog")]),
            errors: errors.into(),
            teams,
            notice,
            form,
        })
    }
}

impl FormPage for LinksPage<'_> {
    type Input = LinksForm;

    async fn invalid(self, form: LinksForm, errors: ValidationErrors) -> AppResult<Page> {
        let view = self.view(form, &errors, None).await?;
        Ok(Page::new("backlog/links.html", &view))
    }

    async fn stale(self, form: LinksForm) -> AppResult<Page> {
        self.invalid(form, ValidationErrors::new()).await
    }
}

pub(super) async fn show_links(
    ctx: Ctx,
    QueryParams(done): QueryParams<Linked>,
) -> AppResult<Response> {
    let count = |raw: &str| raw.trim().parse::<usize>().ok();
    let notice = match (count(&done.linked), count(&done.unchanged)) {
        (Some(linked), unchanged) => Some(format!(
            "{} linked{}. The next export skips them, or updates them when you choose to.",
            if linked == 1 {
                "1 action".to_owned()
            } else {
                format!("{linked} actions")
            },
            match unchanged {
                Some(n) if n > 0 => format!("; {n} already had that key"),
                _ => String::new(),
            }
        )),
        _ => None,
    };
    let page = LinksPage { ctx: &ctx };
    let view = page
        .view(LinksForm::default(), &ValidationErrors::new(), notice)
        .await?;
    render("backlog/links.html", &view)
}

pub(super) async fn save_links(
    ctx: Ctx,
    CsrfForm(form): CsrfForm<LinksForm>,
) -> AppResult<Response> {
    let team = Uuid::parse_str(form.team_id.trim()).ok();
    if let Some(team) = team {
        ctx.user.require(team, Permission::WriteActions)?;
    }
    let outcome: Result<Vec<LinkOutcome>, Refusal> = async {
        let Some(team) = team else {
            let mut e = ValidationErrors::new();
            e.push(
                "team_id",
                "Select the team whose actions these keys belong to",
            );
            return Err(e.into());
        };
        let links = parse(&form.keys)?;
        Ok(link_keys(
            ctx.db(),
            &links,
            Some(&[team]),
            &ctx.user.actor(),
            Utc::now(),
        )
        .await?)
    }
    .await;
    let done = |outcomes: Vec<LinkOutcome>| {
        let linked = outcomes
            .iter()
            .filter(|o| matches!(o, LinkOutcome::Linked { .. }))
            .count();
        see_other(&format!(
            "/backlog/links?linked={linked}&unchanged={}",
            outcomes.len() - linked
        ))
    };
    respond(LinksPage { ctx: &ctx }, form, outcome, done).await
}
