//! `/api/v1/metrics/*`: the dashboard's numbers for programs. The escape rate (plain,
//! severity-weighted, per severity, and detection percentage), mechanisms by quarter, and
//! the layer matrix, each with the metric definition version it was computed under, what it
//! counted (numerator and denominator), its 95% interval, and links to the rows behind it.
//! The filters are the dashboard's.

use axum::Json;
use axum::extract::State;
use chrono::{NaiveDate, Utc};
use escapement_core::metrics::notes::{
    DDP_DEFINITION, ESCAPE_RATE_DEFINITION, WEIGHTED_RATE_DEFINITION, definition_note,
};
use escapement_core::metrics::{
    EscapeRates, Interval, LayerMatrix, MechanismTrends, Period, Rate, WeightedRate, ddp,
    escape_rates, layer_matrix, mechanism_trends,
};
use escapement_core::{Mechanism, Severity};
use escapement_storage::metrics::{DefinitionVersion, current_definition, metric_inputs};
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::defects::refuse_notices;
use super::problem::{ApiError, ApiQuery, ApiResult, ListProblems};
use super::schema::keys;
use crate::auth::CurrentUser;
use crate::page::definition::version_href;
use crate::routes::dashboard::DashboardQuery;
use crate::state::AppState;

/// The dashboard's filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct MetricParams {
    /// A team's id.
    team: String,
    /// A component's id.
    component: String,
    /// A release's id.
    release: String,
    /// A severity key.
    severity: String,
    /// A defect type key.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    defect_type: String,
    /// First quarter (`2026-Q1`) or day (`2026-01-15`); eight quarters up to `to` when not
    /// given.
    from: String,
    /// Last quarter or day; the current quarter when not given.
    to: String,
}

impl MetricParams {
    fn dashboard(&self) -> DashboardQuery {
        DashboardQuery {
            team: self.team.clone(),
            component: self.component.clone(),
            release: self.release.clone(),
            severity: self.severity.clone(),
            defect_type: self.defect_type.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            from_day: String::new(),
            to_day: String::new(),
        }
    }
}

/// A 95% interval of a proportion.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntervalOut {
    pub low: f64,
    pub high: f64,
}

fn interval(i: Option<Interval>) -> Option<IntervalOut> {
    i.map(|i| IntervalOut {
        low: i.low,
        high: i.high,
    })
}

/// A proportion with what it counted and how far it can be trusted.
#[derive(Debug, Serialize, ToSchema)]
pub struct RateOut {
    pub numerator: u64,
    pub denominator: u64,
    /// `numerator / denominator`; `null` when the denominator is 0.
    pub value: Option<f64>,
    /// The 95% Wilson score interval; `null` when the denominator is 0.
    pub interval: Option<IntervalOut>,
    /// Fewer than 30 in the denominator: read with care.
    pub small_sample: bool,
}

impl From<&Rate> for RateOut {
    fn from(r: &Rate) -> Self {
        RateOut {
            numerator: r.numerator,
            denominator: r.denominator,
            value: r.value,
            interval: interval(r.interval),
            small_sample: r.small_sample,
        }
    }
}

/// A severity-weighted proportion: each defect counts its severity's weight.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeightedRateOut {
    /// The weighted sum of the escapes.
    pub numerator: u64,
    /// The weighted sum of every defect in scope.
    pub denominator: u64,
    pub value: Option<f64>,
    /// The 95% Wilson interval at the effective sample size.
    pub interval: Option<IntervalOut>,
    /// Defects in the denominator.
    pub defects: u64,
    /// Kish's effective sample size `(Σw)² / Σw²`.
    pub effective_defects: Option<f64>,
    pub small_sample: bool,
}

impl From<&WeightedRate> for WeightedRateOut {
    fn from(r: &WeightedRate) -> Self {
        WeightedRateOut {
            numerator: r.numerator,
            denominator: r.denominator,
            value: r.value,
            interval: interval(r.interval),
            defects: r.defects,
            effective_defects: r.effective_defects,
            small_sample: r.small_sample,
        }
    }
}

/// Which definition a number was computed under, and the days it covers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Basis {
    /// The metric definition version.
    pub definition_version: i32,
    /// The definition in words: scope, boundary, reopened policy, weights.
    pub definition: String,
    /// The definition version's page.
    pub definition_url: String,
    /// The first and last day of detection counted (UTC, both included).
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One severity's escape rate.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeverityRate {
    #[schema(schema_with = keys::<Severity>)]
    pub severity: String,
    pub rate: RateOut,
    /// The escapes behind the numerator, in the application.
    pub rows_url: String,
}

/// The escape rate and the detection percentage.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscapeRateOut {
    pub basis: Basis,
    /// How the plain rate is defined.
    pub formula: String,
    /// Escaped in-scope defects of in-scope defects (tallied defects in the denominator).
    pub escape_rate: RateOut,
    pub weighted_formula: String,
    pub weighted: WeightedRateOut,
    /// Critical first; all four always present.
    pub per_severity: Vec<SeverityRate>,
    pub detection_formula: String,
    /// Defects found before the boundary, of every defect in scope.
    pub detection: RateOut,
    /// Defects a scope switch left out.
    pub out_of_scope: u64,
    /// Reopened defects left out of the rates (policy "separately").
    pub separate: u64,
    /// In-scope defects at a stage the pipeline does not have: not counted.
    pub unknown_stage: u64,
    /// Tallied (uncatalogued) defects in the denominators.
    pub tallied: u64,
    /// The escapes behind the numerator, in the application and in the API.
    pub rows_url: String,
    pub rows_api_url: String,
}

/// One mechanism in one quarter.
#[derive(Debug, Serialize, ToSchema)]
pub struct MechanismCountOut {
    #[schema(schema_with = keys::<Mechanism>)]
    pub mechanism: String,
    pub label: String,
    /// Escapes with this primary mechanism.
    pub primary: u64,
    /// The same, each counted by its severity weight.
    pub weighted: u64,
    /// `primary` of the quarter's classified escapes.
    pub share: RateOut,
    /// Escapes naming it as contributing; never added to `primary`.
    pub contributing: u64,
    /// This quarter's `primary` minus the previous quarter's; `null` in the first quarter.
    pub change: Option<i64>,
    /// The escapes behind `primary`, in the API.
    pub rows_api_url: String,
}

/// One quarter of the mechanism trends.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarterOut {
    /// `2026-Q3`.
    pub quarter: String,
    /// `Q3 2026`.
    pub label: String,
    /// In-scope escapes under the definition.
    pub escapes: u64,
    /// Escapes whose review confirmed a primary mechanism.
    pub classified: u64,
    /// Escapes under review, not classified yet.
    pub pending: u64,
    /// Escapes no review covers.
    pub unreviewed: u64,
    /// All seven mechanisms.
    pub mechanisms: Vec<MechanismCountOut>,
}

/// Escape mechanisms by quarter.
#[derive(Debug, Serialize, ToSchema)]
pub struct MechanismsOut {
    pub basis: Basis,
    pub quarters: Vec<QuarterOut>,
    /// In-scope defects at stages the pipeline does not have: not counted.
    pub unknown_stage: u64,
}

/// A discovery-stage column of the layer matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageColumnOut {
    pub key: String,
    pub label: String,
    /// After the boundary: defects found here are escapes.
    pub escaped: bool,
}

/// The defects that should have been caught at one stage.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixRowOut {
    /// The expected catch stage key; `null` for the row of defects nobody named one for.
    pub expected: Option<String>,
    pub label: String,
    /// Defects per discovery stage, one per column.
    pub counts: Vec<u64>,
    pub total: u64,
    /// Found at or before the expected stage, of the row's defects; `null` for the
    /// "not named" row.
    pub caught_in_time: Option<RateOut>,
}

/// In-scope defects by expected catch stage (rows) and discovery stage (columns).
#[derive(Debug, Serialize, ToSchema)]
pub struct LayerMatrixOut {
    pub basis: Basis,
    pub columns: Vec<StageColumnOut>,
    pub rows: Vec<MatrixRowOut>,
    pub column_totals: Vec<u64>,
    pub total: u64,
    pub unknown_stage: u64,
    pub out_of_scope: u64,
    pub separate: u64,
    /// The defects counted, in the API.
    pub rows_api_url: String,
}

/// What every metric reads: the filters checked, the definition, the pipeline and the
/// roll-up's cells.
struct Computed {
    query: DashboardQuery,
    period: Period,
    first: escapement_core::metrics::Quarter,
    last: escapement_core::metrics::Quarter,
    definition: DefinitionVersion,
    pipeline: escapement_core::Pipeline,
    inputs: escapement_storage::metrics::MetricInputs,
}

impl Computed {
    async fn read(state: &AppState, user: &CurrentUser, params: &MetricParams) -> ApiResult<Self> {
        let selection = params.dashboard().select(Utc::now());
        refuse_notices(selection.notices)?;
        let mut filter = selection.filter;
        filter.visible_teams = user.visible_teams();
        let stages = stage_settings(&state.db).await?;
        let definition = current_definition(&state.db).await?;
        let inputs = metric_inputs(&state.db, &filter).await?;
        Ok(Computed {
            query: selection.query,
            period: selection.period,
            first: selection.first,
            last: selection.last,
            definition,
            pipeline: stages.pipeline,
            inputs,
        })
    }

    fn basis(&self) -> Basis {
        Basis {
            definition_version: self.definition.version,
            definition: definition_note(&self.definition.definition, &self.pipeline),
            definition_url: version_href(self.definition.version),
            from: self.period.first(),
            to: self.period.last(),
        }
    }

    /// The defects list behind a number, in the application.
    fn rows(&self, extra: &[(&'static str, &str)]) -> String {
        self.query.drill(self.period, extra)
    }

    /// The same list in the API.
    fn api_rows(&self, extra: &[(&'static str, &str)]) -> String {
        self.rows(extra)
            .replacen("/defects?", "/api/v1/defects?", 1)
    }
}

fn pipeline_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("metric definition: {e}"))
}

/// The escape rate, severity-weighted and per severity, and the detection percentage.
#[utoipa::path(
    get,
    path = "/api/v1/metrics/escape-rate",
    tag = "metrics",
    params(MetricParams),
    responses(
        (status = 200, description = "The rates", body = EscapeRateOut),
        ListProblems,
    )
)]
pub async fn escape_rate(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(params): ApiQuery<MetricParams>,
) -> ApiResult<Json<EscapeRateOut>> {
    let c = Computed::read(&state, &user, &params).await?;
    let def = &c.definition.definition;
    let rates: EscapeRates = escape_rates(&c.inputs.counts, &c.inputs.tallies, def, &c.pipeline)
        .map_err(pipeline_error)?;
    let detection =
        ddp(&c.inputs.counts, &c.inputs.tallies, def, &c.pipeline).map_err(pipeline_error)?;
    let per_severity = rates
        .per_severity
        .iter()
        .map(|(s, r)| SeverityRate {
            severity: s.key().to_owned(),
            rate: RateOut::from(r),
            rows_url: c.rows(&[("escaped", "yes"), ("severity", s.key())]),
        })
        .collect();
    Ok(Json(EscapeRateOut {
        basis: c.basis(),
        formula: ESCAPE_RATE_DEFINITION.to_owned(),
        escape_rate: RateOut::from(&rates.plain),
        weighted_formula: WEIGHTED_RATE_DEFINITION.to_owned(),
        weighted: WeightedRateOut::from(&rates.weighted),
        per_severity,
        detection_formula: DDP_DEFINITION.to_owned(),
        detection: RateOut::from(&detection),
        out_of_scope: rates.out_of_scope,
        separate: rates.separate,
        unknown_stage: rates.unknown_stage,
        tallied: rates.tallied,
        rows_url: c.rows(&[("escaped", "yes")]),
        rows_api_url: c.api_rows(&[("escaped", "yes")]),
    }))
}

/// Escape mechanisms by quarter: primary (and, apart, contributing) mechanisms of the
/// classified escapes.
#[utoipa::path(
    get,
    path = "/api/v1/metrics/mechanisms",
    tag = "metrics",
    params(MetricParams),
    responses(
        (status = 200, description = "Mechanisms by quarter", body = MechanismsOut),
        ListProblems,
    )
)]
pub async fn mechanisms(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(params): ApiQuery<MetricParams>,
) -> ApiResult<Json<MechanismsOut>> {
    let c = Computed::read(&state, &user, &params).await?;
    let trends: MechanismTrends = mechanism_trends(
        &c.inputs.counts,
        &c.definition.definition,
        &c.pipeline,
        c.first,
        c.last,
    )
    .map_err(pipeline_error)?;
    let quarters = trends
        .quarters
        .iter()
        .map(|q| {
            let days = c
                .period
                .clip(q.quarter)
                .unwrap_or_else(|| Period::quarters(q.quarter, q.quarter));
            QuarterOut {
                quarter: q.quarter.to_string(),
                label: q.label.clone(),
                escapes: q.escapes,
                classified: q.classified,
                pending: q.pending,
                unreviewed: q.unreviewed,
                mechanisms: q
                    .mechanisms
                    .iter()
                    .map(|m| MechanismCountOut {
                        mechanism: m.mechanism.key().to_owned(),
                        label: m.label.to_owned(),
                        primary: m.primary,
                        weighted: m.weighted,
                        share: RateOut::from(&m.share),
                        contributing: m.contributing,
                        change: m.change.as_ref().map(|ch| ch.difference),
                        rows_api_url: c
                            .query
                            .drill(
                                days,
                                &[("escaped", "yes"), ("mechanism", m.mechanism.key())],
                            )
                            .replacen("/defects?", "/api/v1/defects?", 1),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Json(MechanismsOut {
        basis: c.basis(),
        quarters,
        unknown_stage: trends.unknown_stage,
    }))
}

/// The layer matrix: where defects should have been caught against where they were found.
#[utoipa::path(
    get,
    path = "/api/v1/metrics/layer-matrix",
    tag = "metrics",
    params(MetricParams),
    responses(
        (status = 200, description = "The layer matrix", body = LayerMatrixOut),
        ListProblems,
    )
)]
pub async fn matrix(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(params): ApiQuery<MetricParams>,
) -> ApiResult<Json<LayerMatrixOut>> {
    let c = Computed::read(&state, &user, &params).await?;
    let m: LayerMatrix = layer_matrix(&c.inputs.counts, &c.definition.definition, &c.pipeline);
    Ok(Json(LayerMatrixOut {
        basis: c.basis(),
        columns: m
            .columns
            .iter()
            .map(|col| StageColumnOut {
                key: col.key.to_string(),
                label: col.label.clone(),
                escaped: col.escaped,
            })
            .collect(),
        rows: m
            .rows
            .iter()
            .map(|r| MatrixRowOut {
                expected: r.expected.as_ref().map(ToString::to_string),
                label: r.label.clone(),
                counts: r.counts.clone(),
                total: r.total,
                caught_in_time: r.caught_in_time.as_ref().map(RateOut::from),
            })
            .collect(),
        column_totals: m.column_totals.clone(),
        total: m.total,
        unknown_stage: m.unknown_stage,
        out_of_scope: m.out_of_scope,
        separate: m.separate,
        rows_api_url: c.api_rows(&[]),
    }))
}
