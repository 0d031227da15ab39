//! `GET /dashboard`: escape rates, detection, mechanism trends per quarter, escape rate per
//! release, the layer matrix and time to detect and resolve, for the teams the reader may
//! see, filtered by team, component, release, severity, defect type and quarter range.
//! `GET /dashboard/<chart>.csv` serves each chart's data as CSV, with the same filters.

mod csv;
mod done;
mod filters;
mod view;

use std::collections::HashMap;
use std::sync::Arc;

use axum::response::Response;
use chrono::Utc;
use escapement_core::{DefectType, Severity};
use escapement_storage::catalog::catalog;
use escapement_storage::metrics::{DefinitionVersion, current_definition, metric_inputs};
use escapement_storage::rollup::Kept;
use escapement_storage::settings::stage_settings;
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::extract::QueryParams;
use crate::page::choices::{CatalogChoices, catalog_choices};
use crate::page::definition::DefinitionCard;
use crate::page::views::{Opt, keyed_options};
use crate::page::{Ctx, Layout, render};
use crate::routes::table::{AccessLevel, Route};
pub(crate) use filters::DashboardQuery;
pub(crate) use view::{ComponentRow, Names, leading_components};
use view::{Numbers, numbers};

pub(super) fn routes() -> Vec<Route> {
    use AccessLevel::SignedIn;
    let mut routes = vec![Route::get("/dashboard", SignedIn, show_dashboard)];
    for chart in csv::Chart::ALL {
        routes.push(Route::get(
            chart.path(),
            SignedIn,
            move |ctx: Ctx, query: QueryParams<DashboardQuery>| chart_csv(ctx, query, chart),
        ));
    }
    routes
}

#[derive(Serialize)]
struct DashboardPage<'a> {
    layout: Layout,
    query: &'a DashboardQuery,
    /// The form's day fields (empty when the range is whole quarters).
    from_day: String,
    to_day: String,
    /// The first and last quarter the range touches, for the quarter selects.
    from_quarter: String,
    to_quarter: String,
    query_string: String,
    notices: &'a [String],
    #[serde(flatten)]
    choices: CatalogChoices,
    severities: Vec<Opt>,
    types: Vec<Opt>,
    quarters: Vec<Opt>,
    range_label: &'a str,
    /// The figures and charts, rendered (and escaped) by `dashboard/numbers.html`.
    numbers_html: &'a str,
    filtered: bool,
}

struct Computed {
    query: DashboardQuery,
    filter: escapement_storage::rollup::CountFilter,
    period: escapement_core::metrics::Period,
    quarters: (
        escapement_core::metrics::Quarter,
        escapement_core::metrics::Quarter,
    ),
    notices: Vec<String>,
    definition: DefinitionVersion,
    pipeline: escapement_core::Pipeline,
    numbers: Numbers,
}

/// Reads the roll-up for the reader's filters and computes every number.
async fn compute(ctx: &Ctx, query: &DashboardQuery) -> AppResult<Computed> {
    let selection = query.select(Utc::now());
    let mut filter = selection.filter.clone();
    filter.visible_teams = ctx.user.visible_teams();
    let db = ctx.db();
    let stages = stage_settings(db).await?;
    let definition = current_definition(db).await?;
    let inputs = metric_inputs(db, &filter).await?;
    let all = catalog(db).await?;
    let names = Names {
        components: all
            .components
            .iter()
            .map(|c| (c.id, c.name.clone()))
            .collect(),
        releases: all
            .releases
            .iter()
            .map(|r| (r.id, (r.name.clone(), r.released_on)))
            .collect::<HashMap<_, _>>(),
    };
    let numbers = numbers(
        &selection.query,
        selection.period,
        &inputs,
        &definition,
        &stages.pipeline,
        &names,
    )
    .map_err(|e| AppError::Internal(anyhow::anyhow!("metric definition: {e}")))?;
    Ok(Computed {
        filter,
        quarters: (selection.first, selection.last),
        period: selection.period,
        query: selection.query,
        notices: selection.notices,
        definition,
        pipeline: stages.pipeline,
        numbers,
    })
}

/// The quarters a range may start or end at: the current one and the 19 before it.
fn quarter_options() -> Vec<Opt> {
    let mut q = escapement_core::metrics::Quarter::of(Utc::now());
    let mut all = Vec::new();
    for _ in 0..20 {
        all.push(Opt {
            value: q.to_string(),
            label: q.label(),
        });
        q = q.prev();
    }
    all
}

/// What a dashboard shows, as computed and rendered, kept under every team's stamp.
static PAGES: Kept<Arc<Shown>> = Kept::new(16);

/// A dashboard as computed: its figures rendered once (`dashboard/numbers.html`), and what
/// the filters above them show.
struct Shown {
    query: DashboardQuery,
    period: escapement_core::metrics::Period,
    quarters: (
        escapement_core::metrics::Quarter,
        escapement_core::metrics::Quarter,
    ),
    notices: Vec<String>,
    range_label: String,
    numbers_html: String,
}

/// The dashboard: every number computed and rendered once per change of what it reads.
async fn show_dashboard(
    ctx: Ctx,
    QueryParams(query): QueryParams<DashboardQuery>,
) -> AppResult<Response> {
    let filtered = !query.segment_pairs().is_empty();
    // Everything below depends on the roll-up, the tallies, the actions, the catalog, the
    // settings and the definition, whose writes all renew the stamps; and on the reader's
    // teams, the query and the day, which the key names.
    let what = format!(
        "dashboard {:?} {query:?} {}",
        ctx.user.visible_teams(),
        Utc::now().date_naive()
    );
    let shown = PAGES
        .get(ctx.db(), None, &what, || async {
            let mut computed = compute(&ctx, &query).await?;
            done::mark_done_actions(
                &ctx,
                &computed.filter,
                computed.quarters,
                &mut computed.numbers.mechanisms,
            )
            .await?;
            let numbers_html = crate::templates::render_fragment(
                "dashboard/numbers.html",
                &NumbersFragment {
                    card: DefinitionCard::new(&computed.definition, &computed.pipeline),
                    numbers: &computed.numbers,
                    query_string: computed.query.query_string(),
                },
            )
            .map_err(|e| AppError::Internal(anyhow::anyhow!("the dashboard's figures: {e}")))?;
            Ok::<_, AppError>(Arc::new(Shown {
                range_label: computed.numbers.range_label.clone(),
                query: computed.query,
                period: computed.period,
                quarters: computed.quarters,
                notices: computed.notices,
                numbers_html,
            }))
        })
        .await?;
    let choices = catalog_choices(ctx.db(), |team| ctx.user.sees(team)).await?;
    let (from_day, to_day) = DashboardQuery::day_fields(shown.period);
    let page = DashboardPage {
        layout: ctx.layout("Dashboard", "dashboard", &[]),
        from_day,
        to_day,
        from_quarter: shown.quarters.0.to_string(),
        to_quarter: shown.quarters.1.to_string(),
        query_string: shown.query.query_string(),
        query: &shown.query,
        notices: &shown.notices,
        choices,
        severities: keyed_options::<Severity>(),
        types: keyed_options::<DefectType>(),
        quarters: quarter_options(),
        range_label: &shown.range_label,
        numbers_html: &shown.numbers_html,
        filtered,
    };
    render("dashboard/index.html", &page)
}

/// What `dashboard/numbers.html` renders.
#[derive(Serialize)]
struct NumbersFragment<'a> {
    card: DefinitionCard,
    numbers: &'a Numbers,
    query_string: String,
}

async fn chart_csv(
    ctx: Ctx,
    QueryParams(query): QueryParams<DashboardQuery>,
    kind: csv::Chart,
) -> AppResult<Response> {
    let computed = compute(&ctx, &query).await?;
    Ok(csv::response(
        kind,
        &computed.numbers,
        computed.definition.version,
    ))
}
