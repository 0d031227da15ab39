//! `GET /backlog/export`: the export form (format, the backlog's filters, how many, what to
//! do with items already linked to a tracker, a BOM for Excel); `GET /backlog/export/download`
//! streams the file as it is written; `GET /backlog/export/jira-config.json` is the Jira CSV
//! importer's configuration matching the Jira columns.

use std::io;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::ValidationErrors;
use escapement_core::metrics::definition::SeverityWeights;
use escapement_storage::backlog::BacklogFilter;
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};

use super::list::{BacklogQuery, status_options, to_filter};
use super::weights;
use crate::error::{AppError, AppResult};
use crate::exports::backlog::{
    Export, ExportSpec, Format, Linked, Options, SharedBuffer, jira_importer_config,
};
use crate::extract::QueryParams;
use crate::page::choices::catalog_choices;
use crate::page::views::{FormErrors, Opt, OptGroup, keyed_options, stage_options};
use crate::page::{Ctx, Layout, Page};

/// The most items one export may be limited to.
pub const MAX_LIMIT: usize = 1_000_000;

/// The export form, exactly as in the query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ExportQuery {
    format: String,
    #[serde(flatten)]
    filters: BacklogQuery,
    limit: String,
    linked: String,
    bom: String,
    repo: String,
}

#[derive(Serialize)]
struct ExportView {
    layout: Layout,
    query: ExportQuery,
    errors: FormErrors,
    formats: Vec<Opt>,
    teams: Vec<Opt>,
    components: Vec<OptGroup>,
    mechanisms: Vec<Opt>,
    statuses: Vec<Opt>,
    layers: Vec<Opt>,
}

async fn form_page(ctx: &Ctx, query: ExportQuery, errors: &ValidationErrors) -> AppResult<Page> {
    let stages = stage_settings(ctx.db()).await?;
    let choices = catalog_choices(ctx.db(), |t| ctx.user.sees(t)).await?;
    let view = ExportView {
        layout: ctx.layout("Export the backlog", "backlog", &[("Backlog", "/backlog")]),
        errors: errors.into(),
        formats: Format::ALL
            .iter()
            .map(|f| Opt {
                value: f.key().to_owned(),
                label: f.label().to_owned(),
            })
            .collect(),
        teams: choices.teams,
        components: choices.components,
        mechanisms: keyed_options::<escapement_core::Mechanism>(),
        statuses: status_options(),
        layers: stage_options(&stages.pipeline),
        query,
    };
    Ok(Page::new("backlog/export.html", &view))
}

pub(super) async fn export_form(
    ctx: Ctx,
    QueryParams(mut query): QueryParams<ExportQuery>,
) -> AppResult<Response> {
    if query.format.is_empty() {
        query.format = Format::JiraCsv.key().to_owned();
    }
    Ok(form_page(&ctx, query, &ValidationErrors::new())
        .await?
        .into_response())
}

/// The export the query asks for, or a message per field it gets wrong.
fn spec_of(
    ctx: &Ctx,
    query: &ExportQuery,
    pipeline: &escapement_core::Pipeline,
    definition_version: i32,
) -> Result<ExportSpec, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let format = Format::from_key(query.format.trim());
    if format.is_none() {
        e.push("format", "Select a format from the list");
    }
    let mut notices = Vec::new();
    let (mut filter, team): (BacklogFilter, _) = to_filter(&query.filters, pipeline, &mut notices);
    for n in notices {
        e.push("filters", n);
    }
    match team {
        Some(t) if !ctx.user.sees(t) => e.push("team", "Select a team from the list"),
        Some(t) => filter.teams = Some(vec![t]),
        None => filter.teams = ctx.user.visible_teams(),
    }
    let limit = match query.limit.trim() {
        "" => None,
        raw => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Some(n),
            _ => {
                e.push(
                    "limit",
                    "How many must be a whole number from 1 to 1,000,000, or empty for all",
                );
                None
            }
        },
    };
    let linked = match query.linked.trim() {
        "" | "skip" => Linked::Skip,
        "update" => Linked::Update,
        _ => {
            e.push(
                "linked",
                "Select what to do with linked items from the list",
            );
            Linked::Skip
        }
    };
    let repo = query.repo.trim();
    let valid_repo = repo.split_once('/').is_some_and(|(owner, name)| {
        let part = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        part(owner) && part(name)
    });
    if !repo.is_empty() && !valid_repo {
        e.push("repo", "Repository must look like owner/name");
    }
    match format {
        Some(format) if e.is_empty() => Ok(ExportSpec {
            filter,
            format,
            options: Options {
                bom: !query.bom.trim().is_empty(),
                linked,
                github_repo: (!repo.is_empty()).then(|| repo.to_owned()),
                generated_at: Utc::now(),
                definition_version,
            },
            limit,
            base_url: ctx
                .state
                .public_url
                .as_deref()
                .unwrap_or_default()
                .to_owned(),
        }),
        _ => Err(e),
    }
}

/// Streams the export: the items are ordered first (so a database failure is a plain error
/// page), then each chunk is sent as soon as it is written.
async fn stream(
    ctx: &Ctx,
    spec: ExportSpec,
    weights: SeverityWeights,
    pipeline: escapement_core::Pipeline,
) -> AppResult<Response> {
    let buffer = SharedBuffer::default();
    let mut export = Export::start(ctx.db(), &spec, (&weights, &pipeline), buffer.clone()).await?;
    let db = ctx.state.db.clone();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, io::Error>>(4);
    tokio::spawn(async move {
        loop {
            let chunk = buffer.take();
            if !chunk.is_empty() && tx.send(Ok(Bytes::from(chunk))).await.is_err() {
                return; // the download was cancelled
            }
            match export.step(&db).await {
                Ok(true) => {}
                Ok(false) => break,
                Err(err) => {
                    tracing::error!(error = %err, "the backlog export failed part-way");
                    let _ = tx.send(Err(io::Error::other("the export failed"))).await;
                    return;
                }
            }
        }
        match export.finish() {
            Ok(_) => {
                let _ = tx.send(Ok(Bytes::from(buffer.take()))).await;
            }
            Err(err) => {
                tracing::error!(error = %err, "the backlog export could not be finished");
                let _ = tx.send(Err(err)).await;
            }
        }
    });
    // A closed receiver keeps answering `None`: the compression layer polls the body once
    // more after its end, which a `stream::unfold` answers with a panic.
    let mut rx = rx;
    let body = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let disposition = format!("attachment; filename=\"{}\"", spec.format.file_name());
    Ok((
        [
            (header::CONTENT_TYPE, spec.format.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

pub(super) async fn download(
    ctx: Ctx,
    QueryParams(query): QueryParams<ExportQuery>,
) -> AppResult<Response> {
    let stages = stage_settings(ctx.db()).await?;
    let (w, version) = weights(&ctx.state).await?;
    match spec_of(&ctx, &query, &stages.pipeline, version) {
        Ok(spec) => stream(&ctx, spec, w, stages.pipeline).await,
        Err(errors) => Err(AppError::Invalid(Box::new(
            form_page(&ctx, query, &errors).await?,
        ))),
    }
}

pub(super) async fn jira_config() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"escapement-jira-importer-config.json\"",
            ),
        ],
        jira_importer_config(),
    )
        .into_response()
}
