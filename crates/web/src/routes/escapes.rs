//! `GET /escapes`: the escapes no review covers yet, most severe and oldest first, by team,
//! each a click away from a review.

use axum::response::Response;
use chrono::{DateTime, Utc};
use escapement_core::{Paging, Pipeline};
use escapement_storage::defects::DefectFilter;
use escapement_storage::defects::DefectRow;
use escapement_storage::reviews::unreviewed_escapes;
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppResult;
use crate::extract::QueryParams;
use crate::page::choices::team_choices;
use crate::page::views::{Opt, Pager, id_filter};
use crate::page::{Ctx, Layout, render};
use crate::routes::reviews::PER_PAGE;

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
    #[serde(flatten)]
    pager: Pager,
    teams: Vec<Opt>,
    boundary_label: String,
}

pub(super) async fn unreviewed_queue(
    ctx: Ctx,
    QueryParams(query): QueryParams<QueueQuery>,
) -> AppResult<Response> {
    let mut notices = Vec::new();
    let filter = DefectFilter {
        visible_teams: ctx.user.visible_teams(),
        team_id: id_filter(&query.team, "team", &mut notices),
        ..DefectFilter::default()
    };
    let paging = Paging::from_query(Some(query.page.as_str()), PER_PAGE);
    let stages = stage_settings(ctx.db()).await?;
    let result = unreviewed_escapes(ctx.db(), &filter, &stages, paging).await?;
    let teams = team_choices(ctx.db(), |team| ctx.user.sees(team)).await?;
    let pipeline = &stages.pipeline;
    let page = QueuePage {
        layout: ctx.layout("Unreviewed escapes", "escapes", &[]),
        pager: Pager::new(
            paging,
            result.total,
            "/escapes",
            &[("team", query.team.as_str())],
        ),
        total: result.total,
        rows: result
            .rows
            .into_iter()
            .map(|r| row_of(pipeline, r))
            .collect(),
        teams,
        boundary_label: pipeline
            .label_of(stages.boundary.after().as_str())
            .to_owned(),
        notices,
        query,
    };
    render("reviews/queue.html", &page)
}

fn row_of(pipeline: &Pipeline, r: DefectRow) -> QueueRow {
    QueueRow {
        stage_label: pipeline.label_of(&r.discovery_stage).to_owned(),
        id: r.id,
        title: r.title,
        severity: r.severity,
        team_name: r.team_name,
        component_name: r.component_name,
        detected_at: r.detected_at,
        external_key: r.external_key,
    }
}
