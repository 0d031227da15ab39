//! The quarterly report as data, the one computation behind the page, its Markdown and the
//! command line: it reads the roll-up for the quarter and the four before it, the review
//! and action activity and the definition, and core does every calculation.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use escapement_core::metrics::notes::{definition_note, median_class};
use escapement_core::metrics::{DurationKind, Period, Quarter};
use escapement_core::{Pipeline, PipelineError};
use escapement_storage::catalog::list_components;
use escapement_storage::metrics::{
    ActivityFilter, DefinitionVersion, MetricInputs, activity, current_definition, metric_inputs,
};
use escapement_storage::rollup::CountFilter;
use escapement_storage::settings::stage_settings;
use serde::Serialize;
use uuid::Uuid;

use super::figures::{Figure, TrendTable, figures, notes, trend_table};
use crate::error::{AppError, AppResult};
use crate::routes::dashboard::{ComponentRow, DashboardQuery, Names, leading_components};

/// How many components the report lists.
pub const TOP_COMPONENTS: usize = 5;
/// Quarters in the mechanism table: the report's and the three before it.
pub const TREND_QUARTERS: usize = 4;

/// Whose numbers a report shows.
#[derive(Debug, Clone, Default)]
pub struct ReportScope {
    /// The teams the reader may see; `None` for an instance admin (every team).
    pub visible_teams: Option<Vec<Uuid>>,
    /// The one team the report is for, already checked to be visible, with its name.
    pub team: Option<(Uuid, String)>,
}

impl ReportScope {
    /// "team Payments", "all teams" or "all teams you can see".
    pub fn label(&self) -> String {
        match (&self.team, &self.visible_teams) {
            (Some((_, name)), _) => format!("team {name}"),
            (None, None) => "all teams".to_owned(),
            (None, Some(_)) => "all teams you can see".to_owned(),
        }
    }

    /// The dashboard filters the drill-down links carry.
    fn query(&self) -> DashboardQuery {
        DashboardQuery {
            team: self
                .team
                .as_ref()
                .map(|(id, _)| id.to_string())
                .unwrap_or_default(),
            ..DashboardQuery::default()
        }
    }

    /// The roll-up filter over `first..=last`.
    fn filter(&self, first: Quarter, last: Quarter) -> CountFilter {
        CountFilter {
            visible_teams: self.visible_teams.clone(),
            team: self.team.as_ref().map(|(id, _)| *id),
            quarters: Some((first, last)),
            ..CountFilter::default()
        }
    }
}

/// One line of the reviews and actions table.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityRow {
    pub label: &'static str,
    pub value: u64,
    /// What exactly is counted.
    pub hint: String,
}

/// The metric definition the report used, in words.
#[derive(Debug, Clone, Serialize)]
pub struct DefinitionView {
    pub version: i32,
    /// The boundary, scope, weights and reopened policy in words.
    pub note: String,
    /// When this version took effect; `None` for the defaults nobody saved.
    pub since: Option<NaiveDate>,
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// `2026-Q3`, for addresses.
    pub quarter: String,
    /// "Q3 2026".
    pub label: String,
    pub previous_label: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// "team Payments", "all teams" …
    pub scope: String,
    pub team_name: Option<String>,
    /// The `?team=` of the report's own addresses, empty for none.
    pub team_query: String,
    /// The quarter has not ended yet.
    pub in_progress: bool,
    pub generated_at: DateTime<Utc>,
    pub figures: Vec<Figure>,
    pub trend: TrendTable,
    pub components: Vec<ComponentRow>,
    pub activity: Vec<ActivityRow>,
    pub notes: Vec<String>,
    pub definition: DefinitionView,
    /// No defect in scope in the quarter.
    pub empty: bool,
    /// Every defect in scope in the quarter.
    pub defects_href: String,
}

impl Report {
    /// Rewrites every drill-down link with `f`; `None` drops the link (its number stays).
    pub fn relink(&mut self, f: impl Fn(&str) -> Option<String>) {
        let re = |href: &mut Option<String>| *href = href.as_deref().and_then(&f);
        for figure in &mut self.figures {
            re(&mut figure.href);
            re(&mut figure.denominator_href);
            re(&mut figure.previous_href);
        }
        for cell in self.trend.cells_mut() {
            re(&mut cell.href);
        }
        for c in &mut self.components {
            c.href = f(&c.href).unwrap_or_default();
        }
        self.defects_href = f(&self.defects_href).unwrap_or_default();
    }
}

/// The last quarter that has ended at `now`.
pub fn last_full_quarter(now: DateTime<Utc>) -> Quarter {
    Quarter::of(now).prev()
}

/// Whether a report of `quarter` exists at `now`: it has started.
pub fn has_started(quarter: Quarter, now: DateTime<Utc>) -> bool {
    quarter <= Quarter::of(now)
}

/// The day before which an open action counts as overdue: the day after the quarter, or
/// today while the quarter runs.
fn overdue_before(quarter: Quarter, today: NaiveDate) -> NaiveDate {
    let after = quarter.last_day().checked_add_days(Days::new(1));
    after.map_or(today, |d| d.min(today))
}

fn activity_rows(
    a: &escapement_storage::metrics::Activity,
    label: &str,
    due_by: NaiveDate,
) -> Vec<ActivityRow> {
    let due_by = due_by.format("%-d %b %Y");
    vec![
        ActivityRow {
            label: "Reviews completed",
            value: a.reviews_completed,
            hint: format!("moved to classified in {label}"),
        },
        ActivityRow {
            label: "Actions opened",
            value: a.actions_opened,
            hint: format!("created in {label}"),
        },
        ActivityRow {
            label: "Actions done",
            value: a.actions_done,
            hint: format!("became done in {label}"),
        },
        ActivityRow {
            label: "Actions overdue",
            value: a.actions_overdue,
            hint: format!("still open, due on or before {due_by}"),
        },
    ]
}

/// Everything the report computes from, read once.
pub struct Inputs {
    pub metrics: MetricInputs,
    pub definition: DefinitionVersion,
    pub pipeline: Pipeline,
    pub names: Names,
    pub activity: escapement_storage::metrics::Activity,
}

/// Reads what the report of `quarter` for `scope` needs: a fixed few queries, whatever the
/// number of defects.
pub async fn read_inputs(
    db: &escapement_storage::sea_orm::DatabaseConnection,
    scope: &ReportScope,
    quarter: Quarter,
    now: DateTime<Utc>,
) -> AppResult<Inputs> {
    // The change of the oldest quarter in the table needs the quarter before it.
    let first = (0..TREND_QUARTERS).fold(quarter, |q, _| q.prev());
    let stages = stage_settings(db).await?;
    let definition = current_definition(db).await?;
    let metrics = metric_inputs(db, &scope.filter(first, quarter)).await?;
    let names = Names {
        components: list_components(db, None)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect(),
        releases: HashMap::new(),
    };
    let activity = activity(
        db,
        &ActivityFilter {
            visible_teams: scope.visible_teams.clone(),
            team: scope.team.as_ref().map(|(id, _)| *id),
            from: quarter.start(),
            until: quarter.next().start().max(quarter.start()),
            overdue_before: overdue_before(quarter, now.date_naive()),
        },
    )
    .await?;
    Ok(Inputs {
        metrics,
        definition,
        pipeline: stages.pipeline,
        names,
        activity,
    })
}

/// The report of `quarter` for `scope` from `inputs`, as computed at `now`.
pub fn compute(
    inputs: &Inputs,
    scope: &ReportScope,
    quarter: Quarter,
    now: DateTime<Utc>,
) -> Result<Report, PipelineError> {
    let previous = quarter.prev();
    let query = scope.query();
    let def = &inputs.definition;
    let pipeline = &inputs.pipeline;
    let segment = scope
        .team
        .as_ref()
        .map(|(_, n)| format!("team {n}"))
        .unwrap_or_default();
    let (figures, rates) = figures(&query, quarter, &inputs.metrics, def, pipeline, &segment)?;
    let trend = trend_table(&query, quarter, &inputs.metrics, def, pipeline)?;
    let quarter_counts: Vec<_> = inputs
        .metrics
        .by_component
        .iter()
        .filter(|c| c.key.quarter == quarter)
        .cloned()
        .collect();
    let components = leading_components(
        &query,
        Period::quarters(quarter, quarter),
        &quarter_counts,
        def,
        pipeline,
        &inputs.names,
        TOP_COMPONENTS,
    )?;
    let in_progress = Quarter::of(now) == quarter;
    let due_by = overdue_before(quarter, now.date_naive())
        .pred_opt()
        .unwrap_or(quarter.last_day());
    let since = def.created_at.map(|at| at.date_naive());
    let mut notes = notes(&rates, &trend, quarter);
    if in_progress {
        notes.push(format!(
            "{} is not over: the numbers are those of {} so far.",
            quarter.label(),
            now.format("%-d %b %Y")
        ));
    }
    if def.created_at.is_some_and(|at| at > previous.start()) {
        notes.push(format!(
            "Definition version {} took effect on {}, after {} began: both quarters are computed under it, so a copy of this report made before then may differ.",
            def.version,
            since.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_default(),
            previous.label()
        ));
    }
    Ok(Report {
        quarter: quarter.to_string(),
        label: quarter.label(),
        previous_label: previous.label(),
        first_day: quarter.first_day(),
        last_day: quarter.last_day(),
        scope: scope.label(),
        team_name: scope.team.as_ref().map(|(_, n)| n.clone()),
        team_query: scope
            .team
            .as_ref()
            .map(|(id, _)| format!("?team={id}"))
            .unwrap_or_default(),
        in_progress,
        generated_at: now,
        empty: rates.plain.denominator == 0,
        figures,
        trend,
        components,
        activity: activity_rows(&inputs.activity, &quarter.label(), due_by),
        notes,
        definition: DefinitionView {
            version: def.version,
            note: definition_note(&def.definition, pipeline),
            since,
        },
        defects_href: query.drill(Period::quarters(quarter, quarter), &[]),
    })
}

/// Reads and computes the report: what the page, the Markdown and the command line call.
pub async fn build_report(
    db: &escapement_storage::sea_orm::DatabaseConnection,
    scope: &ReportScope,
    quarter: Quarter,
    now: DateTime<Utc>,
) -> AppResult<Report> {
    let inputs = read_inputs(db, scope, quarter, now).await?;
    compute(&inputs, scope, quarter, now)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("metric definition: {e}")))
}

/// "between 7.5 days and 10.7 days" for a median, "–" without one.
pub(super) fn class_of(stats: &escapement_core::metrics::DurationStats) -> String {
    stats.median.as_ref().map_or_else(
        || "–".to_owned(),
        |m| median_class(m.low_seconds, m.high_seconds),
    )
}

/// The kind's name in a figure's label.
pub(super) fn duration_label(kind: DurationKind) -> &'static str {
    match kind {
        DurationKind::Detect => "Median time to detect",
        DurationKind::Resolve => "Median time to resolve",
    }
}
