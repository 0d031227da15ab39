//! The quarterly report: `GET /reports` lists the last eight full quarters, `GET
//! /reports/{quarter}` shows one (printable), `GET /reports/{quarter}/markdown` downloads
//! it as Markdown. Each takes `?team=`; a reader sees only their teams' numbers. The
//! command line's `escapement report` builds the same report through [`model`].

mod figures;
mod list;
pub mod markdown;
pub mod model;

use axum::extract::{FromRequestParts, Path};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::metrics::Quarter;
use escapement_storage::catalog::list_teams;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::extract::QueryParams;
use crate::page::views::{Opt, id_filter};
use crate::page::{Ctx, Layout, render};
use crate::routes::table::{AccessLevel, Route};
use model::{Report, ReportScope, build_report, has_started};

pub(super) fn routes() -> Vec<Route> {
    use AccessLevel::SignedIn;
    vec![
        Route::get("/reports", SignedIn, list::list_reports),
        Route::get("/reports/{quarter}", SignedIn, show_report),
        Route::get("/reports/{quarter}/markdown", SignedIn, report_markdown),
    ]
}

/// A quarter from the path that has started; anything else is simply not found.
struct QuarterPath(Quarter);

impl<S: Send + Sync> FromRequestParts<S> for QuarterPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        match Quarter::parse(&raw) {
            Ok(q) if has_started(q, Utc::now()) => Ok(QuarterPath(q)),
            _ => Err(AppError::NotFound),
        }
    }
}

/// The report's one filter, as in the query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct ReportQuery {
    team: String,
}

/// The teams the reader may choose, as options.
async fn team_options(ctx: &Ctx) -> AppResult<Vec<Opt>> {
    Ok(list_teams(ctx.db())
        .await?
        .into_iter()
        .filter(|t| ctx.user.sees(t.id))
        .map(|t| Opt {
            value: t.id.to_string(),
            label: t.name,
        })
        .collect())
}

/// The reader's scope, narrowed to the team `raw` names if they may see it (a notice
/// otherwise, which names nothing the reader may not see), or to the only team they see.
fn scope(ctx: &Ctx, teams: &[Opt], raw: &str, notices: &mut Vec<String>) -> ReportScope {
    let only = match teams {
        [team] => Uuid::parse_str(&team.value)
            .ok()
            .map(|id| (id, team.label.clone())),
        _ => None,
    };
    let team = id_filter(raw, "team", notices).and_then(|id| {
        let found = teams
            .iter()
            .find(|t| t.value == id.to_string())
            .map(|t| (id, t.label.clone()));
        if found.is_none() {
            notices.push(
                "The team filter names no team you can see: the report covers all teams you can see."
                    .to_owned(),
            );
        }
        found
    });
    ReportScope {
        visible_teams: ctx.user.visible_teams(),
        team: team.or(only),
    }
}

#[derive(Serialize)]
struct ReportPage {
    layout: Layout,
    query: ReportQuery,
    teams: Vec<Opt>,
    notices: Vec<String>,
    report: Report,
}

/// "Quarterly report Q3 2026 · Payments".
fn title(report: &Report) -> String {
    format!(
        "Quarterly report {} · {}",
        report.label,
        report.team_name.as_deref().unwrap_or("all teams")
    )
}

async fn show_report(
    ctx: Ctx,
    QuarterPath(quarter): QuarterPath,
    QueryParams(query): QueryParams<ReportQuery>,
) -> AppResult<Response> {
    let teams = team_options(&ctx).await?;
    let mut notices = Vec::new();
    let scope = scope(&ctx, &teams, &query.team, &mut notices);
    let report = build_report(ctx.db(), &scope, quarter, Utc::now()).await?;
    let page = ReportPage {
        layout: ctx.layout(title(&report), "reports", &[("Reports", "/reports")]),
        query,
        teams,
        notices,
        report,
    };
    render("reports/show.html", &page)
}

/// `escape-report-2026-Q3-payments.md`: letters, digits and dashes only.
pub fn file_name(report: &Report) -> String {
    let team = report
        .team_name
        .as_deref()
        .unwrap_or("all-teams")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>();
    let team: Vec<&str> = team.split('-').filter(|s| !s.is_empty()).collect();
    let team = if team.is_empty() {
        "team".to_owned()
    } else {
        team.join("-")
    };
    format!("escape-report-{}-{team}.md", report.quarter)
}

async fn report_markdown(
    ctx: Ctx,
    QuarterPath(quarter): QuarterPath,
    QueryParams(query): QueryParams<ReportQuery>,
) -> AppResult<Response> {
    let teams = team_options(&ctx).await?;
    let scope = scope(&ctx, &teams, &query.team, &mut Vec::new());
    let report = build_report(ctx.db(), &scope, quarter, Utc::now()).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&report)),
            ),
        ],
        markdown::report_markdown(&report),
    )
        .into_response())
}
