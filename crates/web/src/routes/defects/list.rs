//! `GET /defects`: the list, 50 a page, with filters in the query string so every view is
//! a shareable URL.

use axum::response::Response;
use chrono::{DateTime, Utc};
use escapement_core::metrics::{End, Period, parse_bound};
use escapement_core::{DefectType, Mechanism, Paging, Severity, StageKey};
use escapement_storage::defects::DefectRow;
use escapement_storage::defects::{DefectFilter, InScope, list_defects as query_defects};
use escapement_storage::metrics::current_definition;
use escapement_storage::settings::{StageSettings, stage_settings};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppResult;
use crate::extract::QueryParams;
use crate::page::choices::{CatalogChoices, catalog_choices};
use crate::page::views::{Opt, Pager, day_bound, id_filter, keyed_options, stage_options};
use crate::page::{Ctx, Layout, render};

/// Defects shown on one page of the list.
pub const PER_PAGE: u64 = 50;

/// The filter form's fields, exactly as in the query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ListQuery {
    pub(crate) team: String,
    pub(crate) component: String,
    pub(crate) release: String,
    pub(crate) severity: String,
    pub(crate) stage: String,
    pub(crate) escaped: String,
    pub(crate) q: String,
    pub(crate) page: String,
    // The drill-down from a dashboard number: quarters or days, type, expected stage,
    // mechanism, `release=none`, and `scope=in` for what the metric definition counts.
    pub(crate) from: String,
    pub(crate) to: String,
    #[serde(rename = "type")]
    pub(crate) defect_type: String,
    pub(crate) expected: String,
    pub(crate) mechanism: String,
    pub(crate) contributing: String,
    pub(crate) scope: String,
}

impl ListQuery {
    /// The filters as query-string pairs, in the filter bar's order.
    fn pairs(&self) -> [(&str, &str); 14] {
        [
            ("team", self.team.as_str()),
            ("component", &self.component),
            ("release", &self.release),
            ("severity", &self.severity),
            ("stage", &self.stage),
            ("escaped", &self.escaped),
            ("q", &self.q),
            ("from", &self.from),
            ("to", &self.to),
            ("type", &self.defect_type),
            ("expected", &self.expected),
            ("mechanism", &self.mechanism),
            ("contributing", &self.contributing),
            ("scope", &self.scope),
        ]
    }

    /// Whether the query carries a dashboard drill-down.
    fn drilled(&self) -> bool {
        [
            &self.from,
            &self.to,
            &self.defect_type,
            &self.expected,
            &self.mechanism,
            &self.contributing,
            &self.scope,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
            || self.release.trim() == "none"
            || self.component.trim() == "none"
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
    /// The dashboard drill-down in words, when the list shows the rows behind a number.
    drill: Vec<String>,
}

fn to_filter(query: &ListQuery, notices: &mut Vec<String>) -> DefectFilter {
    let severity = match query.severity.trim() {
        "" => None,
        key => {
            let found = Severity::from_key(key);
            if found.is_none() {
                notices.push(format!(
                    "The severity filter “{key}” is unknown and was ignored."
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
                    "The stage filter “{key}” is not a stage key and was ignored."
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
                "The escaped filter “{other}” must be yes or no and was ignored."
            ));
            None
        }
    };
    let no_release = query.release.trim() == "none";
    let no_component = query.component.trim() == "none";
    DefectFilter {
        visible_teams: None,
        team_id: id_filter(&query.team, "team", notices),
        component_id: if no_component {
            None
        } else {
            id_filter(&query.component, "component", notices)
        },
        release_id: if no_release {
            None
        } else {
            id_filter(&query.release, "release", notices)
        },
        severity,
        discovery_stage,
        escaped,
        text: Some(query.q.trim().to_owned()).filter(|q| !q.is_empty()),
        unreviewed: false,
        no_release,
        no_component,
        ..drill_filter(query, notices)
    }
}

/// The drill-down filters of `query` (scope is applied by the caller, which knows the
/// definition).
fn drill_filter(query: &ListQuery, notices: &mut Vec<String>) -> DefectFilter {
    let from = day_bound(&query.from, End::First, "start", notices);
    let to = day_bound(&query.to, End::Last, "end", notices);
    // A bound alone (the other blank or not understood) names a single quarter or day.
    let alone = |text: &str, end| parse_bound(text.trim(), end).ok();
    let detected = match (from, to) {
        (Some(a), Some(b)) => Some(Period::new(a, b)),
        (Some(a), None) => alone(&query.from, End::Last).map(|b| Period::new(a, b)),
        (None, Some(b)) => alone(&query.to, End::First).map(|a| Period::new(a, b)),
        (None, None) => None,
    };
    let defect_type = match query.defect_type.trim() {
        "" => None,
        key => {
            let t = DefectType::from_key(key);
            if t.is_none() {
                notices.push(format!(
                    "The defect type filter “{key}” is unknown and was ignored."
                ));
            }
            t
        }
    };
    let expected_stage = match query.expected.trim() {
        "" => None,
        "none" => Some(None),
        key => match StageKey::parse(key) {
            Ok(k) => Some(Some(k)),
            Err(_) => {
                notices.push(format!(
                    "The expected stage filter “{key}” is not a stage and was ignored."
                ));
                None
            }
        },
    };
    let mechanism_of = |text: &str, notices: &mut Vec<String>| match text.trim() {
        "" => None,
        key => {
            let m = Mechanism::from_key(key);
            if m.is_none() {
                notices.push(format!(
                    "The mechanism filter “{key}” is unknown and was ignored."
                ));
            }
            m
        }
    };
    let mechanism = mechanism_of(&query.mechanism, notices);
    let contributing = mechanism_of(&query.contributing, notices);
    DefectFilter {
        detected,
        defect_type,
        expected_stage,
        mechanism,
        contributing,
        ..DefectFilter::default()
    }
}

/// The drill-down in words, for the line above the list.
fn drill_words(stages: &StageSettings, filter: &DefectFilter) -> Vec<String> {
    let mut words = Vec::new();
    if let Some(p) = filter.detected {
        let (a, b) = p.cover();
        words.push(if p.whole_quarters() && a == b {
            format!("detected in {}", a.label())
        } else if p.first() == p.last() {
            format!("detected on {}", p.label())
        } else {
            format!("detected from {}", p.label())
        });
    }
    if let Some(t) = filter.defect_type {
        words.push(format!("type {}", t.label().to_lowercase()));
    }
    match &filter.expected_stage {
        Some(Some(k)) => words.push(format!(
            "should have been caught at {}",
            stages.pipeline.label_of(k.as_str())
        )),
        Some(None) => words.push("no expected catch stage named".to_owned()),
        None => {}
    }
    if let Some(m) = filter.mechanism {
        words.push(format!(
            "primary mechanism “{}” (classified reviews)",
            m.label()
        ));
    }
    if let Some(m) = filter.contributing {
        words.push(format!(
            "contributing mechanism “{}” (classified reviews)",
            m.label()
        ));
    }
    if filter.no_release {
        words.push("no release".to_owned());
    }
    if filter.no_component {
        words.push("no component".to_owned());
    }
    if filter.in_scope.is_some() {
        words.push("in the metric definition's scope".to_owned());
    }
    words
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

/// The filter `query` names, as the list reads it (scope judged by the current metric
/// definition), without the reader's teams; a notice for each value that was ignored. The
/// API refuses a query with any notice.
pub(crate) async fn query_filter(
    db: &escapement_storage::Db,
    query: &ListQuery,
    notices: &mut Vec<String>,
) -> AppResult<DefectFilter> {
    let mut filter = to_filter(query, notices);
    match query.scope.trim() {
        "" => {}
        "in" => filter.in_scope = Some(InScope::of(&current_definition(db).await?.definition)),
        other => notices.push(format!(
            "The scope filter “{other}” must be “in” and was ignored."
        )),
    }
    Ok(filter)
}

pub(super) async fn list_defects(
    ctx: Ctx,
    QueryParams(query): QueryParams<ListQuery>,
) -> AppResult<Response> {
    let mut notices = Vec::new();
    let mut filter = query_filter(ctx.db(), &query, &mut notices).await?;
    let filtered = filter != DefectFilter::default();
    filter.visible_teams = ctx.user.visible_teams();
    let paging = Paging::from_query(Some(query.page.as_str()), PER_PAGE);
    let stages = stage_settings(ctx.db()).await?;
    let drill = if query.drilled() {
        drill_words(&stages, &filter)
    } else {
        Vec::new()
    };
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
        drill,
        query,
    };
    render("defects/list.html", &page)
}
