//! `GET /reports`: the last eight full quarters, the last one first, each with its escape
//! rate and a link to its report; the quarter under way below them.

use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::metrics::notes::{percent, plural};
use escapement_core::metrics::{EscapeRates, Quarter, escape_rates_by};
use escapement_storage::metrics::{current_definition, metric_inputs};
use escapement_storage::rollup::CountFilter;
use escapement_storage::settings::stage_settings;
use serde::Serialize;

use super::model::last_full_quarter;
use super::{ReportQuery, scope, team_options};
use crate::error::{AppError, AppResult};
use crate::extract::QueryParams;
use crate::page::views::Opt;
use crate::page::{Ctx, Layout, render};

/// How many full quarters the list offers.
pub const LISTED: usize = 8;

#[derive(Debug, Serialize)]
struct QuarterRow {
    label: String,
    first_day: NaiveDate,
    last_day: NaiveDate,
    href: String,
    rate: String,
    counts: String,
    small: bool,
}

#[derive(Serialize)]
struct ReportListPage {
    layout: Layout,
    query: ReportQuery,
    teams: Vec<Opt>,
    notices: Vec<String>,
    scope: String,
    rows: Vec<QuarterRow>,
    current: QuarterRow,
}

fn row(q: Quarter, rates: Option<&EscapeRates>, team_query: &str) -> QuarterRow {
    let plain = rates.map(|r| &r.plain);
    QuarterRow {
        label: q.label(),
        first_day: q.first_day(),
        last_day: q.last_day(),
        href: format!("/reports/{q}{team_query}"),
        rate: plain
            .and_then(|p| p.value)
            .map_or_else(|| "–".to_owned(), percent),
        counts: plain.map_or_else(
            || "no defects in scope".to_owned(),
            |p| {
                format!(
                    "{} of {}",
                    plural(p.numerator, "escape", "escapes"),
                    plural(p.denominator, "defect", "defects")
                )
            },
        ),
        small: plain.is_none_or(|p| p.small_sample),
    }
}

/// The rows of the quarters up to `now`'s, with their escape rates under today's definition.
async fn quarter_rows(
    ctx: &Ctx,
    scope: &super::model::ReportScope,
    team_query: &str,
    now: DateTime<Utc>,
) -> AppResult<(Vec<QuarterRow>, QuarterRow)> {
    let last = last_full_quarter(now);
    let first = (1..LISTED).fold(last, |q, _| q.prev());
    let current = Quarter::of(now);
    let db = ctx.db();
    let filter = CountFilter {
        visible_teams: scope.visible_teams.clone(),
        team: scope.team.as_ref().map(|(id, _)| *id),
        quarters: Some((first, current)),
        ..CountFilter::default()
    };
    let inputs = metric_inputs(db, &filter).await?;
    let definition = current_definition(db).await?;
    let pipeline = stage_settings(db).await?.pipeline;
    let by_quarter = escape_rates_by(
        &inputs.counts,
        &inputs.tallies,
        &definition.definition,
        &pipeline,
        |k| k.quarter,
        |t| Some(t.quarter),
    )
    .map_err(|e| AppError::Internal(anyhow::anyhow!("metric definition: {e}")))?;
    let mut rows: Vec<QuarterRow> = Quarter::range(first, last)
        .map(|q| row(q, by_quarter.get(&q), team_query))
        .collect();
    rows.reverse();
    Ok((rows, row(current, by_quarter.get(&current), team_query)))
}

pub(super) async fn list_reports(
    ctx: Ctx,
    QueryParams(query): QueryParams<ReportQuery>,
) -> AppResult<Response> {
    let teams = team_options(&ctx).await?;
    let mut notices = Vec::new();
    let scope = scope(&ctx, &teams, &query.team, &mut notices);
    let team_query = scope
        .team
        .as_ref()
        .map(|(id, _)| format!("?team={id}"))
        .unwrap_or_default();
    let (rows, current) = quarter_rows(&ctx, &scope, &team_query, Utc::now()).await?;
    let title = match &scope.team {
        Some((_, name)) => format!("Quarterly reports · {name}"),
        None => "Quarterly reports".to_owned(),
    };
    let page = ReportListPage {
        layout: ctx.layout(title, "reports", &[]),
        query,
        teams,
        notices,
        scope: scope.label(),
        rows,
        current,
    };
    render("reports/index.html", &page)
}
