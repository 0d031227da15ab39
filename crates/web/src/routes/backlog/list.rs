//! `GET /backlog`: the actions and suggested items of the user's teams by priority score,
//! filterable by team, mechanism, component, status and target layer, with the formula
//! written out and how the actions done last quarter worked.

use axum::response::Response;
use escapement_core::auth::Permission;
use escapement_core::backlog::{Priority, score, suggest};
use escapement_core::metrics::quarter::Quarter;
use escapement_core::{ActionStatus, Mechanism, Paging, StageKey};
use escapement_storage::backlog::{
    BacklogFilter, BacklogItem, StatusFilter, backlog_page, effect_summary,
};
use escapement_storage::metrics::current_definition;
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};

use super::today;
use super::view::{Row, action_row, suggestion_row};
use crate::error::AppResult;
use crate::extract::QueryParams;
use crate::page::choices::catalog_choices;
use crate::page::definition::DefinitionCard;
use crate::page::views::{Opt, OptGroup, Pager, id_filter, keyed_options, stage_options};
use crate::page::{Ctx, Layout, render};

/// Rows on one page of the backlog.
pub const PER_PAGE: u64 = 25;

/// The backlog's filters, exactly as in the query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BacklogQuery {
    pub(crate) team: String,
    pub(crate) mechanism: String,
    pub(crate) component: String,
    pub(crate) status: String,
    pub(crate) layer: String,
    pub(crate) page: String,
    /// Set by the dismiss form's redirect, for its confirmation.
    pub(crate) dismissed: String,
}

/// A score band as the page explains it.
#[derive(Serialize)]
struct Band {
    label: &'static str,
    from: String,
}

#[derive(Serialize)]
struct BacklogPageView {
    layout: Layout,
    query: BacklogQuery,
    notices: Vec<String>,
    rows: Vec<Row>,
    actions: u64,
    suggestions: u64,
    overdue: u64,
    #[serde(flatten)]
    pager: Pager,
    teams: Vec<Opt>,
    components: Vec<OptGroup>,
    mechanisms: Vec<Opt>,
    statuses: Vec<Opt>,
    layers: Vec<Opt>,
    filtered: bool,
    dismissed: bool,
    card: DefinitionCard,
    formula: &'static str,
    half_life: f64,
    bands: Vec<Band>,
    window_from: String,
    effect_sentence: String,
    effect_href: String,
    export_href: String,
}

/// The statuses the filter offers: open work (the default), each status, suggestions only,
/// overdue, everything.
pub(super) fn status_options() -> Vec<Opt> {
    let mut out = vec![Opt {
        value: String::new(),
        label: "Open and suggested".to_owned(),
    }];
    out.push(Opt {
        value: "suggested".to_owned(),
        label: "Suggested only".to_owned(),
    });
    out.push(Opt {
        value: "overdue".to_owned(),
        label: "Overdue".to_owned(),
    });
    out.extend(keyed_options::<ActionStatus>());
    out.push(Opt {
        value: "all".to_owned(),
        label: "Every status".to_owned(),
    });
    out
}

fn status_filter(raw: &str, notices: &mut Vec<String>) -> StatusFilter {
    StatusFilter::parse(raw).unwrap_or_else(|| {
        notices.push(format!(
            "The status filter “{}” is not a status and was ignored.",
            raw.trim()
        ));
        StatusFilter::Open
    })
}

/// The filter a query names, with a notice for each part that was ignored.
pub(crate) fn to_filter(
    query: &BacklogQuery,
    pipeline: &escapement_core::Pipeline,
    notices: &mut Vec<String>,
) -> (BacklogFilter, Option<uuid::Uuid>) {
    let mechanism = match query.mechanism.trim() {
        "" => None,
        key => {
            let m = Mechanism::from_key(key);
            if m.is_none() {
                notices.push(format!(
                    "The mechanism filter “{key}” is not a mechanism and was ignored."
                ));
            }
            m
        }
    };
    let layer = match query.layer.trim() {
        "" => None,
        key => {
            let l: Option<StageKey> = pipeline.get(key).map(|s| s.key.clone());
            if l.is_none() {
                notices.push(format!(
                    "The layer filter “{key}” is not a stage of the pipeline and was ignored."
                ));
            }
            l
        }
    };
    let team = id_filter(&query.team, "team", notices);
    (
        BacklogFilter {
            teams: None,
            mechanism,
            component_id: id_filter(&query.component, "component", notices),
            status: status_filter(&query.status, notices),
            target_layer: layer,
        },
        team,
    )
}

pub(super) async fn show_backlog(
    ctx: Ctx,
    QueryParams(query): QueryParams<BacklogQuery>,
) -> AppResult<Response> {
    let stages = stage_settings(ctx.db()).await?;
    let definition = current_definition(ctx.db()).await?;
    let mut notices = Vec::new();
    let (mut filter, team) = to_filter(&query, &stages.pipeline, &mut notices);
    let filtered = team.is_some()
        || filter
            != BacklogFilter {
                teams: None,
                ..BacklogFilter::default()
            };
    filter.teams = match (team, ctx.user.visible_teams()) {
        (Some(t), _) if ctx.user.sees(t) => Some(vec![t]),
        // A team the user cannot see shows nothing, as if it had no actions.
        (Some(_), _) => Some(Vec::new()),
        (None, visible) => visible,
    };
    let today = today();
    let paging = Paging::from_query(Some(query.page.as_str()), PER_PAGE);
    let page = backlog_page(
        ctx.db(),
        &filter,
        &definition.definition.weights,
        today,
        paging,
    )
    .await?;
    let can_write = |team: uuid::Uuid| ctx.user.require(team, Permission::WriteActions).is_ok();
    let rows = page
        .items
        .iter()
        .map(|item| match item {
            BacklogItem::Action(a) => action_row(a, &stages.pipeline, can_write(a.team_id)),
            BacklogItem::Suggestion(s) => {
                suggestion_row(s, &stages.pipeline, can_write(s.key.team_id))
            }
        })
        .collect();
    let last_quarter = Quarter::of_date(today).prev();
    let (summary, _) = effect_summary(
        ctx.db(),
        filter.teams.as_deref(),
        (last_quarter, last_quarter),
        today,
    )
    .await?;
    let choices = catalog_choices(ctx.db(), |t| ctx.user.sees(t)).await?;
    let pairs = [
        ("team", query.team.as_str()),
        ("mechanism", &query.mechanism),
        ("component", &query.component),
        ("status", &query.status),
        ("layer", &query.layer),
    ];
    let total = page.actions + page.suggestions;
    let export_href = {
        let q: Vec<(&str, &str)> = pairs
            .iter()
            .copied()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let qs = serde_urlencoded::to_string(q).unwrap_or_default();
        if qs.is_empty() {
            "/backlog/export".to_owned()
        } else {
            format!("/backlog/export?{qs}")
        }
    };
    let view = BacklogPageView {
        layout: ctx.layout("Backlog", "backlog", &[]),
        pager: Pager::new(paging, total, "/backlog", &pairs),
        rows,
        actions: page.actions,
        suggestions: page.suggestions,
        overdue: page.overdue,
        teams: choices.teams,
        components: choices.components,
        mechanisms: keyed_options::<Mechanism>(),
        statuses: status_options(),
        layers: stage_options(&stages.pipeline),
        filtered,
        dismissed: query.dismissed == "1",
        card: DefinitionCard::new(&definition, &stages.pipeline),
        formula: score::FORMULA,
        half_life: score::RECENCY_HALF_LIFE_DAYS,
        bands: Priority::BANDS
            .iter()
            .map(|(from, p)| Band {
                label: p.jira(),
                from: format!("{from}"),
            })
            .collect(),
        window_from: super::view::day(suggest::window_start(today)),
        effect_sentence: summary.sentence(&last_quarter.label()),
        effect_href: format!(
            "/backlog?status=done{}",
            team.map(|t| format!("&team={t}")).unwrap_or_default()
        ),
        export_href,
        notices,
        query,
    };
    render("backlog/index.html", &view)
}
