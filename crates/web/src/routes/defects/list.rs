//! `GET /defects`: the list, 50 a page, with filters in the query string so every view is
//! a shareable URL.

use axum::response::Response;
use chrono::{DateTime, Utc};
use escapement_core::{Paging, Severity, StageKey};
use escapement_storage::defects::DefectRow;
use escapement_storage::defects::{DefectFilter, list_defects as query_defects};
use escapement_storage::settings::{StageSettings, stage_settings};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppResult;
use crate::extract::QueryParams;
use crate::page::choices::{CatalogChoices, catalog_choices};
use crate::page::views::{Opt, Pager, id_filter, keyed_options, stage_options};
use crate::page::{Ctx, Layout, render};

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

impl ListQuery {
    /// The filters as query-string pairs, in the filter bar's order.
    fn pairs(&self) -> [(&str, &str); 7] {
        [
            ("team", self.team.as_str()),
            ("component", &self.component),
            ("release", &self.release),
            ("severity", &self.severity),
            ("stage", &self.stage),
            ("escaped", &self.escaped),
            ("q", &self.q),
        ]
    }
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
    #[serde(flatten)]
    pager: Pager,
    #[serde(flatten)]
    choices: CatalogChoices,
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

fn row_of(stages: &StageSettings, r: DefectRow) -> Row {
    Row {
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
    }
}

pub(super) async fn list_defects(
    ctx: Ctx,
    QueryParams(query): QueryParams<ListQuery>,
) -> AppResult<Response> {
    let mut notices = Vec::new();
    let mut filter = to_filter(&query, &mut notices);
    let filtered = filter != DefectFilter::default();
    filter.visible_teams = ctx.user.visible_teams();
    let paging = Paging::from_query(Some(query.page.as_str()), PER_PAGE);
    let stages = stage_settings(ctx.db()).await?;
    let result = query_defects(ctx.db(), &filter, &stages, paging).await?;
    let choices = catalog_choices(ctx.db(), |team| ctx.user.sees(team)).await?;
    let boundary = stages
        .pipeline
        .label_of(stages.boundary.after().as_str())
        .to_owned();
    let page = DefectListPage {
        layout: ctx.layout("Defects", "defects", &[]),
        pager: Pager::new(paging, result.total, "/defects", &query.pairs()),
        filtered,
        notices,
        total: result.total,
        escaped: result.escaped,
        rows: result
            .rows
            .into_iter()
            .map(|r| row_of(&stages, r))
            .collect(),
        choices,
        severities: keyed_options::<Severity>(),
        stages: stage_options(&stages.pipeline),
        boundary_label: boundary,
        query,
    };
    render("defects/list.html", &page)
}
