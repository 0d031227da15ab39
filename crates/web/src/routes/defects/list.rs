//! `GET /defects`: the list, 50 a page, with filters in the query string so every view is
//! a shareable URL.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use escapement_core::{Paging, Severity, StageKey};
use escapement_storage::catalog::{list_components, list_releases, list_teams};
use escapement_storage::defects::{DefectFilter, list_defects as query_defects};
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::AppResult;
use crate::extract::QueryParams;
use crate::page::views::{
    Opt, OptGroup, component_groups, id_filter, keyed_options, release_groups, stage_options,
    team_options,
};
use crate::page::{Layout, render};
use crate::state::AppState;

/// Defects shown on one page of the list.
pub const PER_PAGE: u64 = 50;

/// The filter form's fields, exactly as in the query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ListQuery {
    team: String,
    component: String,
    release: String,
    severity: String,
    stage: String,
    escaped: String,
    q: String,
    page: String,
}

#[derive(Serialize)]
struct Row {
    id: Uuid,
    title: String,
    severity: String,
    stage_label: String,
    escaped: bool,
    team_name: String,
    component_name: Option<String>,
    release_name: Option<String>,
    detected_at: DateTime<Utc>,
    external_key: Option<String>,
}

#[derive(Serialize)]
struct DefectListPage {
    layout: Layout,
    query: ListQuery,
    notices: Vec<String>,
    rows: Vec<Row>,
    total: u64,
    escaped: u64,
    page: u64,
    total_pages: u64,
    prev_href: Option<String>,
    next_href: Option<String>,
    teams: Vec<Opt>,
    components: Vec<OptGroup>,
    releases: Vec<OptGroup>,
    severities: Vec<Opt>,
    stages: Vec<Opt>,
    boundary_label: String,
    filtered: bool,
}

fn to_filter(query: &ListQuery, notices: &mut Vec<String>) -> DefectFilter {
    let severity = match query.severity.trim() {
        "" => None,
        key => {
            let found = Severity::from_key(key);
            if found.is_none() {
                notices.push(format!(
                    "The severity filter `{key}` is unknown and was ignored."
                ));
            }
            found
        }
    };
    let discovery_stage = match query.stage.trim() {
        "" => None,
        key => {
            let found = StageKey::parse(key).ok();
            if found.is_none() {
                notices.push(format!(
                    "The stage filter `{key}` is not a stage key and was ignored."
                ));
            }
            found
        }
    };
    let escaped = match query.escaped.trim() {
        "" => None,
        "yes" => Some(true),
        "no" => Some(false),
        other => {
            notices.push(format!(
                "The escaped filter `{other}` must be yes or no and was ignored."
            ));
            None
        }
    };
    DefectFilter {
        visible_teams: None,
        team_id: id_filter(&query.team, "team", notices),
        component_id: id_filter(&query.component, "component", notices),
        release_id: id_filter(&query.release, "release", notices),
        severity,
        discovery_stage,
        escaped,
        text: Some(query.q.trim().to_owned()).filter(|q| !q.is_empty()),
        unreviewed: false,
    }
}

fn page_href(query: &ListQuery, page: u64) -> String {
    let mut query = query.clone();
    query.page = page.to_string();
    let pairs: Vec<(&str, &str)> = [
        ("team", query.team.as_str()),
        ("component", &query.component),
        ("release", &query.release),
        ("severity", &query.severity),
        ("stage", &query.stage),
        ("escaped", &query.escaped),
        ("q", &query.q),
        ("page", &query.page),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    format!(
        "/defects?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

pub async fn list_defects(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    QueryParams(query): QueryParams<ListQuery>,
) -> AppResult<Response> {
    let mut notices = Vec::new();
    let mut filter = to_filter(&query, &mut notices);
    let filtered = filter != DefectFilter::default();
    filter.visible_teams = user.visible_teams();
    let paging = Paging::from_query(Some(query.page.as_str()), PER_PAGE);
    let stages = stage_settings(&state.db).await?;
    let result = query_defects(&state.db, &filter, &stages, paging).await?;
    let mut teams = list_teams(&state.db).await?;
    teams.retain(|t| user.sees(t.id));
    let mut components = list_components(&state.db, None).await?;
    components.retain(|c| user.sees(c.team_id));
    let mut releases = list_releases(&state.db, None).await?;
    releases.retain(|r| user.sees(r.team_id));
    let rows = result
        .rows
        .into_iter()
        .map(|r| Row {
            escaped: stages
                .pipeline
                .is_escape(&stages.boundary, &r.discovery_stage)
                .unwrap_or(false),
            stage_label: stages.pipeline.label_of(&r.discovery_stage).to_owned(),
            id: r.id,
            title: r.title,
            severity: r.severity,
            team_name: r.team_name,
            component_name: r.component_name,
            release_name: r.release_name,
            detected_at: r.detected_at,
            external_key: r.external_key,
        })
        .collect();
    let total_pages = paging.total_pages(result.total);
    let page = DefectListPage {
        layout: Layout::new("Defects", "defects", &csrf, &[]),
        prev_href: paging
            .has_prev()
            .then(|| page_href(&query, paging.page() - 1)),
        next_href: paging
            .has_next(result.total)
            .then(|| page_href(&query, paging.page() + 1)),
        filtered,
        notices,
        rows,
        total: result.total,
        escaped: result.escaped,
        page: paging.page(),
        total_pages,
        teams: team_options(&teams),
        components: component_groups(&teams, &components),
        releases: release_groups(&teams, &releases),
        severities: keyed_options::<Severity>(),
        stages: stage_options(&stages.pipeline),
        boundary_label: stages
            .pipeline
            .label_of(stages.boundary.after().as_str())
            .to_owned(),
        query,
    };
    render("defects/list.html", &page)
}
