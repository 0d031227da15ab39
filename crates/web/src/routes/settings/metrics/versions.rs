//! `GET /settings/metrics/versions` and `GET /settings/metrics/versions/{version}`: every
//! version of the metric definition, newest first, with who saved it, when, why, and what
//! changed from the version before; and one version in full.

use axum::response::Response;
use chrono::{DateTime, Utc};
use escapement_core::Pipeline;
use escapement_core::metrics::MetricDefinition;
use escapement_storage::metrics::{
    DefinitionVersion, current_definition, definition_history, get_definition,
};
use escapement_storage::settings::stage_settings;
use serde::Serialize;

use crate::error::AppResult;
use crate::extract::NumberPath;
use crate::page::definition::{
    DEFINITION_HREF, DefinitionDetail, VERSIONS_HREF, differences, differences_text, version_href,
};
use crate::page::{Ctx, Layout, render};
use crate::routes::table::{AccessLevel, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(VERSIONS_HREF, AccessLevel::SignedIn, list_versions),
        Route::get(
            "/settings/metrics/versions/{version}",
            AccessLevel::SignedIn,
            show_version,
        ),
    ]
}

/// One version as the history lists it.
#[derive(Debug, Clone, Serialize)]
struct VersionRow {
    version: i32,
    href: String,
    /// `None` for the built-in defaults nobody saved.
    saved_at: Option<DateTime<Utc>>,
    actor: String,
    note: String,
    /// What changed from the version before, in words; `None` for the first.
    changes: Option<String>,
    current: bool,
}

fn row(
    version: &DefinitionVersion,
    previous: Option<&MetricDefinition>,
    current: i32,
    pipeline: &Pipeline,
) -> VersionRow {
    VersionRow {
        version: version.version,
        href: version_href(version.version),
        saved_at: version.created_at,
        actor: version.actor.clone(),
        note: version.note.clone(),
        changes: previous
            .map(|before| differences_text(&differences(before, &version.definition, pipeline))),
        current: version.version == current,
    }
}

#[derive(Serialize)]
struct VersionsPage {
    layout: Layout,
    versions: Vec<VersionRow>,
}

async fn list_versions(ctx: Ctx) -> AppResult<Response> {
    let stages = stage_settings(ctx.db()).await?;
    let history = definition_history(ctx.db()).await?;
    let newest = history.first().map_or(1, |v| v.version);
    let versions = history
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let previous = history.get(i + 1).map(|p| &p.definition);
            row(v, previous, newest, &stages.pipeline)
        })
        .collect();
    render(
        "settings/metric_versions.html",
        &VersionsPage {
            layout: ctx.layout(
                "Metric definition versions",
                "settings",
                &[
                    ("Settings", "/settings"),
                    ("Metric definition", DEFINITION_HREF),
                ],
            ),
            versions,
        },
    )
}

#[derive(Serialize)]
struct VersionPage {
    layout: Layout,
    version: VersionRow,
    detail: DefinitionDetail,
    previous_href: Option<String>,
}

async fn show_version(ctx: Ctx, NumberPath(number): NumberPath) -> AppResult<Response> {
    let stages = stage_settings(ctx.db()).await?;
    let version = get_definition(ctx.db(), number).await?;
    let previous = if number > 1 {
        Some(get_definition(ctx.db(), number - 1).await?)
    } else {
        None
    };
    let current = current_definition(ctx.db()).await?.version;
    let title = format!("Metric definition version {number}");
    render(
        "settings/metric_version.html",
        &VersionPage {
            layout: ctx.layout(
                title,
                "settings",
                &[
                    ("Settings", "/settings"),
                    ("Metric definition", DEFINITION_HREF),
                    ("Versions", VERSIONS_HREF),
                ],
            ),
            version: row(
                &version,
                previous.as_ref().map(|p| &p.definition),
                current,
                &stages.pipeline,
            ),
            detail: DefinitionDetail::new(&version.definition, &stages.pipeline),
            previous_href: previous.map(|p| version_href(p.version)),
        },
    )
}
