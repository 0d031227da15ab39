//! `GET /reviews` (by state, team and incident date) and `GET /escapes` (the escapes no
//! review covers yet, most severe and oldest first), filters in the query string.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::form::parse_date;
use escapement_core::{Paging, ReviewState};
use escapement_storage::catalog::list_teams;
use escapement_storage::defects::DefectFilter;
use escapement_storage::reviews::{
    ReviewFilter, ReviewRow, list_reviews as query_reviews, unreviewed_escapes,
};
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::AppResult;
use crate::extract::QueryParams;
use crate::page::views::{Opt, id_filter, keyed_options, team_options};
use crate::page::{Layout, render};
use crate::state::AppState;

/// Rows on one page of either list.
const PER_PAGE: u64 = 50;

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
    page: u64,
    total_pages: u64,
    prev_href: Option<String>,
    next_href: Option<String>,
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
            "The {name} date `{raw}` is not a date like 2026-03-15 and was ignored."
        ));
    }
    parsed
}

fn href(path: &str, pairs: &[(&str, &str)], page: u64) -> String {
    let page = page.to_string();
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .chain([("page", page.as_str())])
        .filter(|(_, v)| !v.is_empty())
        .collect();
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

pub async fn list_reviews(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    QueryParams(query): QueryParams<ReviewQuery>,
) -> AppResult<Response> {
    let mut notices = Vec::new();
    let review_state = match query.state.trim() {
        "" => None,
        key => {
            let s = ReviewState::from_key(key);
            if s.is_none() {
                notices.push(format!(
                    "The state filter `{key}` is not a review state and was ignored."
                ));
            }
            s
        }
    };
    let mut filter = ReviewFilter {
        visible_teams: None,
        team_id: id_filter(&query.team, "team", &mut notices),
        state: review_state,
        from: date_filter(&query.from, "from", &mut notices),
        to: date_filter(&query.to, "to", &mut notices),
    };
    let filtered = filter != ReviewFilter::default();
    filter.visible_teams = user.visible_teams();
    let paging = Paging::from_query(Some(query.page.as_str()), PER_PAGE);
    let result = query_reviews(&state.db, &filter, paging).await?;
    let stages = stage_settings(&state.db).await?;
    let queue_filter = DefectFilter {
        visible_teams: user.visible_teams(),
        ..DefectFilter::default()
    };
    let unreviewed = unreviewed_escapes(&state.db, &queue_filter, &stages, Paging::new(1, 1))
        .await?
        .total;
    let mut teams = list_teams(&state.db).await?;
    teams.retain(|t| user.sees(t.id));
    let pairs = [
        ("team", query.team.as_str()),
        ("state", &query.state),
        ("from", &query.from),
        ("to", &query.to),
    ];
    let page = ReviewListPage {
        layout: Layout::new("Reviews", "reviews", &csrf, &[]),
        prev_href: paging
            .has_prev()
            .then(|| href("/reviews", &pairs, paging.page() - 1)),
        next_href: paging
            .has_next(result.total)
            .then(|| href("/reviews", &pairs, paging.page() + 1)),
        total_pages: paging.total_pages(result.total),
        page: paging.page(),
        total: result.total,
        rows: result.rows,
        teams: team_options(&teams),
        states: keyed_options::<ReviewState>(),
        filtered,
        notices,
        unreviewed,
        query,
    };
    render("reviews/list.html", &page)
}

/// The queue's filter, exactly as in the query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct QueueQuery {
    team: String,
    page: String,
}

#[derive(Serialize)]
struct QueueRow {
    id: Uuid,
    title: String,
    severity: String,
    stage_label: String,
    team_name: String,
    component_name: Option<String>,
    detected_at: DateTime<Utc>,
    external_key: Option<String>,
}

#[derive(Serialize)]
struct QueuePage {
    layout: Layout,
    query: QueueQuery,
    notices: Vec<String>,
    rows: Vec<QueueRow>,
    total: u64,
    page: u64,
    total_pages: u64,
    prev_href: Option<String>,
    next_href: Option<String>,
    teams: Vec<Opt>,
    boundary_label: String,
}

pub async fn unreviewed_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    QueryParams(query): QueryParams<QueueQuery>,
) -> AppResult<Response> {
    let mut notices = Vec::new();
    let filter = DefectFilter {
        visible_teams: user.visible_teams(),
        team_id: id_filter(&query.team, "team", &mut notices),
        ..DefectFilter::default()
    };
    let paging = Paging::from_query(Some(query.page.as_str()), PER_PAGE);
    let stages = stage_settings(&state.db).await?;
    let result = unreviewed_escapes(&state.db, &filter, &stages, paging).await?;
    let mut teams = list_teams(&state.db).await?;
    teams.retain(|t| user.sees(t.id));
    let rows = result
        .rows
        .into_iter()
        .map(|r| QueueRow {
            stage_label: stages.pipeline.label_of(&r.discovery_stage).to_owned(),
            id: r.id,
            title: r.title,
            severity: r.severity,
            team_name: r.team_name,
            component_name: r.component_name,
            detected_at: r.detected_at,
            external_key: r.external_key,
        })
        .collect();
    let pairs = [("team", query.team.as_str())];
    let page = QueuePage {
        layout: Layout::new("Unreviewed escapes", "escapes", &csrf, &[]),
        prev_href: paging
            .has_prev()
            .then(|| href("/escapes", &pairs, paging.page() - 1)),
        next_href: paging
            .has_next(result.total)
            .then(|| href("/escapes", &pairs, paging.page() + 1)),
        total_pages: paging.total_pages(result.total),
        page: paging.page(),
        total: result.total,
        rows,
        teams: team_options(&teams),
        boundary_label: stages
            .pipeline
            .label_of(stages.boundary.after().as_str())
            .to_owned(),
        notices,
        query,
    };
    render("reviews/queue.html", &page)
}
