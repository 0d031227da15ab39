//! The dashboard's numbers as a page: headline figures, four charts with their data
//! tables, and the components that leak most. Core computes every number from the
//! roll-up's grouped counts; this module only lays them out and links each one to the
//! defects behind it.

use std::collections::HashMap;

use escapement_core::metrics::notes::{
    DDP_DEFINITION, ESCAPE_RATE_DEFINITION, MEDIAN_DEFINITION, WEIGHTED_RATE_DEFINITION,
    confidence_notes, duration_note, duration_words, interval_text, percent, plural, rate_note,
};
use escapement_core::metrics::{
    DurationKind, DurationStats, EscapeRates, LayerMatrix, MechanismTrends, Period, Quarter, Rate,
    comparison_note, ddp, durations, durations_by, escape_rates, escape_rates_by, layer_matrix,
    mechanism_trends,
};
use escapement_core::{Mechanism, Pipeline, PipelineError};
use escapement_storage::metrics::{DefinitionVersion, MetricInputs};
use serde::Serialize;
use uuid::Uuid;

use super::filters::DashboardQuery;
use crate::page::charts::{
    GroupValue, GroupedBars, HeatMap, HeatValue, Part, RateBand, RatePoint, StackedBars,
    grouped_bars, heat_map, rate_band, stacked_bars,
};

/// Names of the catalog entries the numbers refer to.
pub struct Names {
    pub components: HashMap<Uuid, String>,
    /// Release names with their release dates, for ordering.
    pub releases: HashMap<Uuid, (String, chrono::NaiveDate)>,
}

/// One headline figure.
#[derive(Debug, Serialize)]
pub struct Headline {
    pub label: &'static str,
    pub value: String,
    pub detail: String,
    pub definition: &'static str,
    pub small: bool,
    pub href: Option<String>,
    pub denominator_href: Option<String>,
}

/// One row of the mechanisms table.
#[derive(Debug, Serialize)]
pub struct MechanismRow {
    pub quarter: String,
    pub escapes: u64,
    pub classified: u64,
    pub pending: u64,
    pub unreviewed: u64,
    pub cells: Vec<MechanismCell>,
}

#[derive(Debug, Serialize)]
pub struct MechanismCell {
    pub primary: u64,
    pub weighted: u64,
    pub share: String,
    pub contributing: u64,
    pub change: String,
    pub href: String,
}

/// One row of the per-release table.
#[derive(Debug, Serialize)]
pub struct ReleaseRow {
    pub name: String,
    pub released_on: Option<chrono::NaiveDate>,
    pub rate: String,
    pub escapes: u64,
    pub defects: u64,
    pub interval: String,
    pub small: bool,
    pub tallied: u64,
    /// The release's tallies page, where the tallied count comes from.
    pub tally_href: Option<String>,
    pub href: String,
}

/// One row of the durations table.
#[derive(Debug, Serialize)]
pub struct DurationRow {
    pub quarter: String,
    pub detect: String,
    pub resolve: String,
    pub detect_measured: u64,
    pub resolve_measured: u64,
    pub open: u64,
}

/// One component with its weighted escapes.
#[derive(Debug, Serialize)]
pub struct ComponentRow {
    pub name: String,
    pub weighted: u64,
    pub escapes: u64,
    pub defects: u64,
    pub rate: String,
    pub href: String,
}

/// Everything the dashboard shows below its filters.
#[derive(Debug, Serialize)]
pub struct Numbers {
    pub range_label: String,
    pub headlines: Vec<Headline>,
    pub per_severity: Vec<(String, String)>,
    pub notes: Vec<String>,
    pub mechanisms: StackedBars,
    pub mechanism_labels: Vec<(String, String)>,
    pub mechanism_rows: Vec<MechanismRow>,
    pub releases: RateBand,
    pub release_rows: Vec<ReleaseRow>,
    pub matrix: HeatMap,
    pub matrix_table: LayerMatrix,
    pub matrix_hrefs: Vec<Vec<String>>,
    pub durations: GroupedBars,
    pub duration_rows: Vec<DurationRow>,
    pub components: Vec<ComponentRow>,
    pub empty: bool,
}

fn rate_value(rate: &Rate) -> String {
    rate.value.map_or_else(|| "–".to_owned(), percent)
}

fn rate_detail(rate: &Rate) -> String {
    match rate.interval {
        Some(ci) => format!(
            "{} of {} · 95% CI {} · n = {}",
            rate.numerator,
            plural(rate.denominator, "defect", "defects"),
            interval_text(&ci),
            rate.denominator
        ),
        None => "no defects in scope".to_owned(),
    }
}

fn median_value(stats: &DurationStats) -> String {
    stats
        .median
        .as_ref()
        .map_or_else(|| "–".to_owned(), |m| duration_words(m.estimate_seconds))
}

/// The mechanism's CSS class on every chart.
pub fn mechanism_class(m: Mechanism) -> String {
    format!("m-{}", m.key())
}

struct Ctx<'a> {
    query: &'a DashboardQuery,
    period: Period,
    first: Quarter,
    last: Quarter,
}

impl<'a> Ctx<'a> {
    fn new(query: &'a DashboardQuery, period: Period) -> Ctx<'a> {
        let (first, last) = period.cover();
        Ctx {
            query,
            period,
            first,
            last,
        }
    }

    fn drill(&self, extra: &[(&'static str, &str)]) -> String {
        self.query.drill(self.period, extra)
    }

    /// The days of `quarter` inside the period.
    fn days_of(&self, quarter: Quarter) -> Period {
        self.period
            .clip(quarter)
            .unwrap_or_else(|| Period::quarters(quarter, quarter))
    }
}

fn headlines(
    c: &Ctx,
    rates: &EscapeRates,
    detection: &Rate,
    detect: &DurationStats,
    resolve: &DurationStats,
) -> Vec<Headline> {
    let w = &rates.weighted;
    vec![
        Headline {
            label: "Escape rate",
            value: rate_value(&rates.plain),
            detail: rate_detail(&rates.plain),
            definition: ESCAPE_RATE_DEFINITION,
            small: rates.plain.small_sample,
            href: Some(c.drill(&[("escaped", "yes")])),
            denominator_href: Some(c.drill(&[])),
        },
        Headline {
            label: "Severity-weighted escape rate",
            value: w.value.map_or_else(|| "–".to_owned(), percent),
            detail: match w.interval {
                Some(ci) => format!(
                    "weight {} of {} · 95% CI {} · {}",
                    w.numerator,
                    w.denominator,
                    interval_text(&ci),
                    plural(w.defects, "defect", "defects")
                ),
                None => "no defects in scope".to_owned(),
            },
            definition: WEIGHTED_RATE_DEFINITION,
            small: w.small_sample,
            href: Some(c.drill(&[("escaped", "yes")])),
            denominator_href: Some(c.drill(&[])),
        },
        Headline {
            label: "Defect detection percentage",
            value: rate_value(detection),
            detail: rate_detail(detection),
            definition: DDP_DEFINITION,
            small: detection.small_sample,
            href: None,
            denominator_href: Some(c.drill(&[])),
        },
        Headline {
            label: "Median time to detect",
            value: median_value(detect),
            detail: duration_note(detect),
            definition: MEDIAN_DEFINITION,
            small: detect.measured < escapement_core::metrics::SMALL_SAMPLE,
            href: None,
            denominator_href: Some(c.drill(&[])),
        },
        Headline {
            label: "Median time to resolve",
            value: median_value(resolve),
            detail: duration_note(resolve),
            definition: MEDIAN_DEFINITION,
            small: resolve.measured < escapement_core::metrics::SMALL_SAMPLE,
            href: None,
            denominator_href: Some(c.drill(&[])),
        },
    ]
}

fn mechanism_chart(c: &Ctx, trends: &MechanismTrends) -> (StackedBars, Vec<MechanismRow>) {
    let mut columns = Vec::new();
    let mut rows = Vec::new();
    for q in &trends.quarters {
        let drill = |m: Mechanism| {
            c.query.drill(
                c.days_of(q.quarter),
                &[("escaped", "yes"), ("mechanism", m.key())],
            )
        };
        columns.push((
            q.label.clone(),
            q.mechanisms
                .iter()
                .map(|m| Part {
                    class: mechanism_class(m.mechanism),
                    value: m.primary,
                    title: format!(
                        "{}, {}: {} (primary)",
                        q.label,
                        m.label,
                        plural(m.primary, "escape", "escapes")
                    ),
                    href: drill(m.mechanism),
                })
                .collect(),
        ));
        rows.push(MechanismRow {
            quarter: q.label.clone(),
            escapes: q.escapes,
            classified: q.classified,
            pending: q.pending,
            unreviewed: q.unreviewed,
            cells: q
                .mechanisms
                .iter()
                .map(|m| MechanismCell {
                    primary: m.primary,
                    weighted: m.weighted,
                    share: m.share.value.map_or_else(|| "–".to_owned(), percent),
                    contributing: m.contributing,
                    change: match &m.change {
                        Some(ch) if ch.difference > 0 => format!("+{}", ch.difference),
                        Some(ch) => ch.difference.to_string(),
                        None => "–".to_owned(),
                    },
                    href: drill(m.mechanism),
                })
                .collect(),
        });
    }
    (stacked_bars(columns), rows)
}

fn release_chart(
    c: &Ctx,
    inputs: &MetricInputs,
    def: &DefinitionVersion,
    pipeline: &Pipeline,
    names: &Names,
) -> Result<(RateBand, Vec<ReleaseRow>), PipelineError> {
    let by_release = escape_rates_by(
        &inputs.counts,
        &inputs.tallies,
        &def.definition,
        pipeline,
        |k| k.release,
        |t| Some(t.release),
    )?;
    let mut rows: Vec<ReleaseRow> = by_release
        .into_iter()
        .filter(|(_, r)| r.plain.denominator > 0)
        .map(|(release, r)| {
            let (name, released_on) = match release.and_then(|id| names.releases.get(&id)) {
                Some((name, date)) => (name.clone(), Some(*date)),
                None => ("No release".to_owned(), None),
            };
            let id = release.map(|id| id.to_string()).unwrap_or_default();
            ReleaseRow {
                name,
                released_on,
                rate: rate_value(&r.plain),
                escapes: r.plain.numerator,
                defects: r.plain.denominator,
                interval: r
                    .plain
                    .interval
                    .map(|ci| interval_text(&ci))
                    .unwrap_or_default(),
                small: r.plain.small_sample,
                tallied: r.tallied,
                tally_href: release.map(|id| format!("/settings/releases/{id}/tallies")),
                href: if release.is_some() {
                    let mut q = c.query.clone();
                    q.release = id;
                    q.drill(c.period, &[("escaped", "yes")])
                } else {
                    c.drill(&[("escaped", "yes"), ("release", "none")])
                },
            }
        })
        .collect();
    rows.sort_by_key(|r| (r.released_on.is_none(), r.released_on));
    let points = rows
        .iter()
        .filter_map(|r| {
            let value = r.escapes as f64 / r.defects.max(1) as f64;
            let ci = escapement_core::metrics::wilson(r.escapes, r.defects)?;
            Some(RatePoint {
                label: r.name.clone(),
                value,
                low: ci.low,
                high: ci.high,
                small: r.small,
                title: format!(
                    "{}: {} ({} of {}; 95% CI {})",
                    r.name,
                    r.rate,
                    r.escapes,
                    plural(r.defects, "defect", "defects"),
                    r.interval
                ),
                href: r.href.clone(),
            })
        })
        .collect();
    Ok((rate_band(points), rows))
}

fn matrix_chart(c: &Ctx, m: &LayerMatrix) -> (HeatMap, Vec<Vec<String>>) {
    let columns = m.columns.iter().map(|col| col.label.clone()).collect();
    let mut hrefs = Vec::new();
    let rows = m
        .rows
        .iter()
        .map(|row| {
            let expected = row
                .expected
                .as_ref()
                .map_or("none", |s| s.as_str())
                .to_owned();
            let mut row_hrefs = Vec::new();
            let cells = row
                .counts
                .iter()
                .zip(&m.columns)
                .map(|(n, col)| {
                    let href = c.drill(&[("expected", &expected), ("stage", col.key.as_str())]);
                    row_hrefs.push(href.clone());
                    HeatValue {
                        value: *n,
                        title: format!(
                            "Should have been caught at {}, found at {}: {}",
                            row.label,
                            col.label,
                            plural(*n, "defect", "defects")
                        ),
                        href,
                    }
                })
                .collect();
            hrefs.push(row_hrefs);
            (row.label.clone(), cells)
        })
        .collect();
    (heat_map(columns, rows), hrefs)
}

fn duration_chart(
    c: &Ctx,
    inputs: &MetricInputs,
    def: &DefinitionVersion,
) -> (GroupedBars, Vec<DurationRow>) {
    let detect = durations_by(
        &inputs.durations,
        &def.definition,
        DurationKind::Detect,
        |k| k.quarter,
    );
    let resolve = durations_by(
        &inputs.durations,
        &def.definition,
        DurationKind::Resolve,
        |k| k.quarter,
    );
    let days = |s: &DurationStats| s.median.as_ref().map(|m| m.estimate_seconds / 86_400.0);
    let mut columns = Vec::new();
    let mut rows = Vec::new();
    for q in Quarter::range(c.first, c.last) {
        let d = detect.get(&q);
        let r = resolve.get(&q);
        let href = c.query.drill(c.days_of(q), &[]);
        let value = |s: Option<&DurationStats>, class: &str, what: &str| GroupValue {
            class: class.to_owned(),
            value: s.and_then(days),
            title: format!(
                "{}: {}",
                q.label(),
                s.map_or_else(|| format!("no {what} known"), duration_note)
            ),
            href: href.clone(),
        };
        columns.push((
            q.label(),
            vec![
                value(d, "d-detect", "time to detect"),
                value(r, "d-resolve", "time to resolve"),
            ],
        ));
        rows.push(DurationRow {
            quarter: q.label(),
            detect: d.map_or_else(|| "–".to_owned(), median_value),
            resolve: r.map_or_else(|| "–".to_owned(), median_value),
            detect_measured: d.map_or(0, |s| s.measured),
            resolve_measured: r.map_or(0, |s| s.measured),
            open: r.map_or(0, |s| s.unknown),
        });
    }
    (grouped_bars(columns, |v| format!("{v:.0} d")), rows)
}

/// The `limit` components with the most weighted escapes among `counts` (ties by name),
/// each linking to its escapes in `period`: the dashboard's table and the quarterly
/// report's.
pub(crate) fn leading_components(
    query: &DashboardQuery,
    period: Period,
    counts: &[escapement_core::metrics::CountCell],
    def: &DefinitionVersion,
    pipeline: &Pipeline,
    names: &Names,
    limit: usize,
) -> Result<Vec<ComponentRow>, PipelineError> {
    let c = Ctx::new(query, period);
    let by_component = escape_rates_by(
        counts,
        &[],
        &def.definition,
        pipeline,
        |k| k.component,
        |_| None,
    )?;
    let mut rows: Vec<ComponentRow> = by_component
        .into_iter()
        .filter(|(_, r)| r.plain.numerator > 0)
        .map(|(component, r)| {
            let mut q = c.query.clone();
            q.component = component.map(|id| id.to_string()).unwrap_or_default();
            ComponentRow {
                name: component
                    .and_then(|id| names.components.get(&id).cloned())
                    .unwrap_or_else(|| "No component".to_owned()),
                weighted: r.weighted.numerator,
                escapes: r.plain.numerator,
                defects: r.plain.denominator,
                rate: rate_value(&r.plain),
                // Escapes without a component are their own filter, as on the release chart.
                href: if component.is_some() {
                    q.drill(c.period, &[("escaped", "yes")])
                } else {
                    q.drill(c.period, &[("escaped", "yes"), ("component", "none")])
                },
            }
        })
        .collect();
    rows.sort_by(|a, b| b.weighted.cmp(&a.weighted).then(a.name.cmp(&b.name)));
    rows.truncate(limit);
    Ok(rows)
}

fn notes(
    c: &Ctx,
    inputs: &MetricInputs,
    def: &DefinitionVersion,
    pipeline: &Pipeline,
    rates: &EscapeRates,
) -> Result<Vec<String>, PipelineError> {
    let mut notes = confidence_notes(rates);
    if !c.period.whole_quarters() {
        notes.push(partial_note(c));
    }
    // The last quarter against the one before it, in words.
    if c.first < c.last {
        let last = c.last;
        let prev = last.prev();
        let pick = |q: Quarter| -> Vec<_> {
            inputs
                .counts
                .iter()
                .filter(|cell| cell.key.quarter == q)
                .cloned()
                .collect()
        };
        let pick_t = |q: Quarter| -> Vec<_> {
            inputs
                .tallies
                .iter()
                .filter(|t| t.quarter == q)
                .cloned()
                .collect()
        };
        let now = escape_rates(&pick(last), &pick_t(last), &def.definition, pipeline)?;
        let then = escape_rates(&pick(prev), &pick_t(prev), &def.definition, pipeline)?;
        notes.push(comparison_note(
            &last.label(),
            &now,
            &prev.label(),
            &then,
            "",
        ));
    }
    Ok(notes)
}

/// Which quarters of a range of days are partial, in words.
fn partial_note(c: &Ctx) -> String {
    let part = |q: Quarter| {
        let days = c.days_of(q);
        format!(
            "{} counts only {} to {}",
            q.label(),
            days.first().format("%-d %b"),
            days.last().format("%-d %b %Y")
        )
    };
    let mut parts = Vec::new();
    if c.days_of(c.first) != Period::quarters(c.first, c.first) {
        parts.push(part(c.first));
    }
    if c.last != c.first && c.days_of(c.last) != Period::quarters(c.last, c.last) {
        parts.push(part(c.last));
    }
    format!(
        "{}: its counts are not comparable with a whole quarter's, its rates are.",
        parts.join(" and ")
    )
}

/// Computes every number of the dashboard from `inputs` under `def`.
pub fn numbers(
    query: &DashboardQuery,
    period: Period,
    inputs: &MetricInputs,
    def: &DefinitionVersion,
    pipeline: &Pipeline,
    names: &Names,
) -> Result<Numbers, PipelineError> {
    let c = Ctx::new(query, period);
    let (first, last) = (c.first, c.last);
    let rates = escape_rates(&inputs.counts, &inputs.tallies, &def.definition, pipeline)?;
    let detection = ddp(&inputs.counts, &inputs.tallies, &def.definition, pipeline)?;
    let detect = durations(&inputs.durations, &def.definition, DurationKind::Detect);
    let resolve = durations(&inputs.durations, &def.definition, DurationKind::Resolve);
    let trends = mechanism_trends(&inputs.counts, &def.definition, pipeline, first, last)?;
    let (mechanisms, mechanism_rows) = mechanism_chart(&c, &trends);
    let (releases, release_rows) = release_chart(&c, inputs, def, pipeline, names)?;
    let matrix_table = layer_matrix(&inputs.counts, &def.definition, pipeline);
    let (matrix, matrix_hrefs) = matrix_chart(&c, &matrix_table);
    let (durations, duration_rows) = duration_chart(&c, inputs, def);
    Ok(Numbers {
        range_label: period.label(),
        headlines: headlines(&c, &rates, &detection, &detect, &resolve),
        per_severity: rates
            .per_severity
            .iter()
            .map(|(s, r)| (s.label().to_owned(), rate_note(r)))
            .collect(),
        notes: notes(&c, inputs, def, pipeline, &rates)?,
        mechanisms,
        mechanism_labels: Mechanism::ALL
            .iter()
            .map(|m| (mechanism_class(*m), m.label().to_owned()))
            .collect(),
        mechanism_rows,
        releases,
        release_rows,
        matrix,
        matrix_table,
        matrix_hrefs,
        durations,
        duration_rows,
        components: leading_components(
            query,
            period,
            &inputs.by_component,
            def,
            pipeline,
            names,
            10,
        )?,
        empty: rates.plain.denominator == 0,
    })
}
