//! `GET /reviews`: the reviews by state, team and incident date, filters in the query
//! string.

use axum::response::Response;
use chrono::NaiveDate;
use escapement_core::form::parse_date;
use escapement_core::{Paging, ReviewState};
use escapement_storage::defects::DefectFilter;
use escapement_storage::reviews::{
    ReviewFilter, ReviewRow, list_reviews as query_reviews, unreviewed_count,
};
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::extract::QueryParams;
use crate::page::choices::team_choices;
use crate::page::views::{Opt, Pager, id_filter, keyed_options};
use crate::page::{Ctx, Layout, render};

/// Rows on one page of the list.
pub const PER_PAGE: u64 = 50;

/// The review list's filters, exactly as in the query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReviewQuery {
    team: String,
    state: String,
    from: String,
    to: String,
    page: String,
}

#[derive(Serialize)]
struct ReviewListPage {
    layout: Layout,
    query: ReviewQuery,
    notices: Vec<String>,
    rows: Vec<ReviewRow>,
    total: u64,
    #[serde(flatten)]
    pager: Pager,
    teams: Vec<Opt>,
    states: Vec<Opt>,
    filtered: bool,
    unreviewed: u64,
}

fn date_filter(raw: &str, name: &str, notices: &mut Vec<String>) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = parse_date(raw);
    if parsed.is_none() {
        notices.push(format!(
            "The {name} date “{raw}” is not a date like 2026-03-15 and was ignored."
        ));
    }
    parsed
}

/// The review filter a query names, with a notice for each part that was ignored; an
/// incident range whose end is before its start is refused (422 naming both fields).
fn to_filter(query: &ReviewQuery, notices: &mut Vec<String>) -> AppResult<ReviewFilter> {
    let state = match query.state.trim() {
        "" => None,
        key => {
            let s = ReviewState::from_key(key);
            if s.is_none() {
                notices.push(format!(
                    "The state filter “{key}” is not a review state and was ignored."
                ));
            }
            s
        }
    };
    let from = date_filter(&query.from, "from", notices);
    let to = date_filter(&query.to, "to", notices);
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        return Err(AppError::InvalidInput(format!(
            "Incident to ({to}) is before Incident from ({from}). Choose an end on or after the start."
        )));
    }
    Ok(ReviewFilter {
        visible_teams: None,
        team_id: id_filter(&query.team, "team", notices),
        state,
        from,
        to,
    })
}

/// How many escapes of the user's teams no review covers yet.
async fn unreviewed_total(ctx: &Ctx) -> AppResult<u64> {
    let stages = stage_settings(ctx.db()).await?;
    let filter = DefectFilter {
        visible_teams: ctx.user.visible_teams(),
        ..DefectFilter::default()
    };
    Ok(unreviewed_count(ctx.db(), &filter, &stages).await?)
}

pub(super) async fn list_reviews(
    ctx: Ctx,
    QueryParams(query): QueryParams<ReviewQuery>,
) -> AppResult<Response> {
    let mut notices = Vec::new();
    let mut filter = to_filter(&query, &mut notices)?;
    let filtered = filter != ReviewFilter::default();
    filter.visible_teams = ctx.user.visible_teams();
    let paging = Paging::from_query(Some(query.page.as_str()), PER_PAGE);
    let result = query_reviews(ctx.db(), &filter, paging).await?;
    let teams = team_choices(ctx.db(), |team| ctx.user.sees(team)).await?;
    let pairs = [
        ("team", query.team.as_str()),
        ("state", &query.state),
        ("from", &query.from),
        ("to", &query.to),
    ];
    let page = ReviewListPage {
        layout: ctx.layout("Reviews", "reviews", &[]),
        pager: Pager::new(paging, result.total, "/reviews", &pairs),
        total: result.total,
        rows: result.rows,
        teams,
        states: keyed_options::<ReviewState>(),
        filtered,
        notices,
        unreviewed: unreviewed_total(&ctx).await?,
        query,
    };
    render("reviews/list.html", &page)
}
