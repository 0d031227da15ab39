//! The report's numbers laid out: the headline figures against the previous quarter, the
//! mechanism table of four quarters and the confidence notes. Core computes every number;
//! this module picks the quarters, words them and links each to the defects behind it.

use escapement_core::metrics::notes::{
    DDP_DEFINITION, ESCAPE_RATE_DEFINITION, Estimate, MEDIAN_DEFINITION, WEIGHTED_RATE_DEFINITION,
    confidence_notes, duration_note, duration_shift_note, duration_words, interval_text, percent,
    plural, shift_note,
};
use escapement_core::metrics::{
    CountCell, DurationCell, DurationKind, DurationStats, EscapeRates, Period, Quarter, Rate,
    TallyCell, WeightedRate, comparison_note, ddp, durations, escape_rates, mechanism_trends,
};
use escapement_core::{Mechanism, Pipeline, PipelineError};
use escapement_storage::metrics::{DefinitionVersion, MetricInputs};
use serde::Serialize;

use super::model::{TREND_QUARTERS, class_of, duration_label};
use crate::routes::dashboard::DashboardQuery;

/// One headline figure of the quarter, with the previous quarter's beside it.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub label: &'static str,
    /// "21.1%", "about 9 days", "–".
    pub value: String,
    /// Numerator and denominator: "8 of 38 defects".
    pub counts: String,
    /// "95% CI 11.1–36.3%", or a median's duration class.
    pub interval: String,
    /// The previous quarter's value and counts.
    pub previous: String,
    /// The move from the previous quarter, in words.
    pub comparison: String,
    /// Everything about the number, for the page.
    pub detail: String,
    pub small: bool,
    pub definition: &'static str,
    /// The defects counted in the numerator, when they can be listed.
    pub href: Option<String>,
    /// The defects of the denominator.
    pub denominator_href: Option<String>,
    pub previous_href: Option<String>,
}

/// A number and the defects behind it.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub value: u64,
    pub href: Option<String>,
}

/// One mechanism across the table's quarters.
#[derive(Debug, Clone, Serialize)]
pub struct TrendRow {
    pub label: &'static str,
    /// The mechanism's colour class, the same on every chart.
    pub class: String,
    pub cells: Vec<Cell>,
    /// The report quarter's change from the one before ("+2", "0", "–1").
    pub change: String,
    /// The report quarter's share of classified escapes.
    pub share: String,
}

/// The mechanism table: the report quarter and the three before it, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct TrendTable {
    pub quarters: Vec<String>,
    pub escapes: Vec<Cell>,
    pub classified: Vec<u64>,
    pub unclassified: Vec<u64>,
    pub primary: Vec<TrendRow>,
    pub contributing: Vec<TrendRow>,
}

impl TrendTable {
    /// Every linked number of the table.
    pub fn cells_mut(&mut self) -> impl Iterator<Item = &mut Cell> {
        self.escapes.iter_mut().chain(
            self.primary
                .iter_mut()
                .chain(self.contributing.iter_mut())
                .flat_map(|r| r.cells.iter_mut()),
        )
    }
}

fn of_quarter(
    inputs: &MetricInputs,
    q: Quarter,
) -> (Vec<CountCell>, Vec<TallyCell>, Vec<DurationCell>) {
    (
        inputs
            .counts
            .iter()
            .filter(|c| c.key.quarter == q)
            .cloned()
            .collect(),
        inputs
            .tallies
            .iter()
            .filter(|t| t.quarter == q)
            .cloned()
            .collect(),
        inputs
            .durations
            .iter()
            .filter(|d| d.key.quarter == q)
            .cloned()
            .collect(),
    )
}

fn value(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), percent)
}

fn ci(interval: Option<escapement_core::metrics::Interval>) -> String {
    interval.map_or_else(
        || "–".to_owned(),
        |i| format!("95% CI {}", interval_text(&i)),
    )
}

fn of_defects(r: &Rate) -> String {
    format!(
        "{} of {}",
        r.numerator,
        plural(r.denominator, "defect", "defects")
    )
}

fn of_weight(w: &WeightedRate) -> String {
    format!(
        "weight {} of {} over {}",
        w.numerator,
        w.denominator,
        plural(w.defects, "defect", "defects")
    )
}

/// The median's estimate, "9 days" (the detail and the interval say it is an estimate
/// inside a class).
fn median(stats: &DurationStats) -> String {
    stats
        .median
        .as_ref()
        .map_or_else(|| "–".to_owned(), |m| duration_words(m.estimate_seconds))
}

/// Links of one figure: the numerator, the denominator and the previous quarter.
struct Links {
    href: Option<String>,
    denominator: Option<String>,
    previous: Option<String>,
}

fn rate_figure(
    label: &'static str,
    definition: &'static str,
    (now, then): (&Rate, &Rate),
    comparison: String,
    links: Links,
) -> Figure {
    Figure {
        label,
        value: value(now.value),
        counts: of_defects(now),
        interval: ci(now.interval),
        previous: format!("{} ({})", value(then.value), of_defects(then)),
        comparison,
        detail: format!("{} · {}", of_defects(now), ci(now.interval)),
        small: now.small_sample,
        definition,
        href: links.href,
        denominator_href: links.denominator,
        previous_href: links.previous,
    }
}

fn duration_figure(
    kind: DurationKind,
    (now, then): (&DurationStats, &DurationStats),
    (label, previous_label): (&str, &str),
    all: Links,
) -> Figure {
    let what = duration_label(kind);
    Figure {
        label: what,
        value: median(now),
        counts: format!("{} measured", plural(now.measured, "defect", "defects")),
        interval: class_of(now),
        previous: format!(
            "{} ({} measured)",
            median(then),
            plural(then.measured, "defect", "defects")
        ),
        comparison: duration_shift_note(what, label, now, previous_label, then),
        detail: duration_note(now),
        small: now.measured < escapement_core::metrics::SMALL_SAMPLE,
        definition: MEDIAN_DEFINITION,
        href: None,
        denominator_href: all.denominator,
        previous_href: all.previous,
    }
}

/// The headline figures of `quarter` against the one before, and the quarter's rates.
pub fn figures(
    query: &DashboardQuery,
    quarter: Quarter,
    inputs: &MetricInputs,
    def: &DefinitionVersion,
    pipeline: &Pipeline,
    segment: &str,
) -> Result<(Vec<Figure>, EscapeRates), PipelineError> {
    let previous = quarter.prev();
    let (label, previous_label) = (quarter.label(), previous.label());
    let d = &def.definition;
    let (counts, tallies, spans) = of_quarter(inputs, quarter);
    let (p_counts, p_tallies, p_spans) = of_quarter(inputs, previous);
    let now = escape_rates(&counts, &tallies, d, pipeline)?;
    let then = escape_rates(&p_counts, &p_tallies, d, pipeline)?;
    let found = ddp(&counts, &tallies, d, pipeline)?;
    let found_then = ddp(&p_counts, &p_tallies, d, pipeline)?;
    let escaped = |q: Quarter| Some(query.drill(Period::quarters(q, q), &[("escaped", "yes")]));
    let all = |q: Quarter| Some(query.drill(Period::quarters(q, q), &[]));
    let escapes = || Links {
        href: escaped(quarter),
        denominator: all(quarter),
        previous: escaped(previous),
    };
    let every = || Links {
        href: None,
        denominator: all(quarter),
        previous: all(previous),
    };
    let w = &now.weighted;
    let weighted = Figure {
        label: "Severity-weighted escape rate",
        value: value(w.value),
        counts: of_weight(w),
        interval: ci(w.interval),
        previous: format!(
            "{} ({})",
            value(then.weighted.value),
            of_weight(&then.weighted)
        ),
        comparison: shift_note(
            "Severity-weighted escape rate",
            &label,
            Estimate::from(w),
            &previous_label,
            Estimate::from(&then.weighted),
        ),
        detail: format!("{} · {}", of_weight(w), ci(w.interval)),
        small: w.small_sample,
        definition: WEIGHTED_RATE_DEFINITION,
        href: escaped(quarter),
        denominator_href: all(quarter),
        previous_href: escaped(previous),
    };
    let mut figures = vec![
        rate_figure(
            "Escape rate",
            ESCAPE_RATE_DEFINITION,
            (&now.plain, &then.plain),
            comparison_note(&label, &now, &previous_label, &then, segment),
            escapes(),
        ),
        weighted,
        rate_figure(
            "Defect detection percentage",
            DDP_DEFINITION,
            (&found, &found_then),
            shift_note(
                "DDP",
                &label,
                Estimate::from(&found),
                &previous_label,
                Estimate::from(&found_then),
            ),
            every(),
        ),
    ];
    for kind in [DurationKind::Detect, DurationKind::Resolve] {
        figures.push(duration_figure(
            kind,
            (&durations(&spans, d, kind), &durations(&p_spans, d, kind)),
            (&label, &previous_label),
            every(),
        ));
    }
    Ok((figures, now))
}

/// The mechanism table of `quarter` and the three quarters before it.
pub fn trend_table(
    query: &DashboardQuery,
    quarter: Quarter,
    inputs: &MetricInputs,
    def: &DefinitionVersion,
    pipeline: &Pipeline,
) -> Result<TrendTable, PipelineError> {
    // One quarter more than shown, so the oldest shown one has its change too.
    let first = (0..TREND_QUARTERS).fold(quarter, |q, _| q.prev());
    let trends = mechanism_trends(&inputs.counts, &def.definition, pipeline, first, quarter)?;
    let shown = &trends.quarters[trends.quarters.len().saturating_sub(TREND_QUARTERS)..];
    let link = |q: Quarter, extra: &[(&'static str, &str)]| {
        Some(query.drill(
            Period::quarters(q, q),
            &[&[("escaped", "yes")], extra].concat(),
        ))
    };
    let row = |m: Mechanism, i: usize, contributing: bool| TrendRow {
        label: m.label(),
        class: format!("m-{}", m.key()),
        cells: shown
            .iter()
            .map(|q| {
                let c = &q.mechanisms[i];
                Cell {
                    value: if contributing {
                        c.contributing
                    } else {
                        c.primary
                    },
                    href: link(
                        q.quarter,
                        &[(
                            if contributing {
                                "contributing"
                            } else {
                                "mechanism"
                            },
                            m.key(),
                        )],
                    ),
                }
            })
            .collect(),
        change: shown
            .last()
            .and_then(|q| q.mechanisms[i].change.as_ref())
            .filter(|_| !contributing)
            .map_or_else(
                || "–".to_owned(),
                |ch| match ch.difference {
                    d if d > 0 => format!("+{d}"),
                    d if d < 0 => format!("−{}", d.unsigned_abs()),
                    _ => "0".to_owned(),
                },
            ),
        share: shown
            .last()
            .and_then(|q| q.mechanisms[i].share.value)
            .filter(|_| !contributing)
            .map_or_else(|| "–".to_owned(), percent),
    };
    Ok(TrendTable {
        quarters: shown.iter().map(|q| q.label.clone()).collect(),
        escapes: shown
            .iter()
            .map(|q| Cell {
                value: q.escapes,
                href: link(q.quarter, &[]),
            })
            .collect(),
        classified: shown.iter().map(|q| q.classified).collect(),
        unclassified: shown.iter().map(|q| q.pending + q.unreviewed).collect(),
        primary: Mechanism::ALL
            .iter()
            .enumerate()
            .map(|(i, m)| row(*m, i, false))
            .collect(),
        contributing: Mechanism::ALL
            .iter()
            .enumerate()
            .map(|(i, m)| row(*m, i, true))
            .collect(),
    })
}

/// The confidence notes of the quarter: core's caveats of its rates, and escapes the
/// mechanism table cannot count yet.
pub fn notes(rates: &EscapeRates, trend: &TrendTable, quarter: Quarter) -> Vec<String> {
    let mut notes = confidence_notes(rates);
    let escapes = trend.escapes.last().map_or(0, |c| c.value);
    let unclassified = trend.unclassified.last().copied().unwrap_or(0);
    if unclassified > 0 {
        notes.push(format!(
            "{} of {} in {} {} not classified yet (under review or not reviewed): the mechanism table counts classified escapes only.",
            unclassified,
            plural(escapes, "escape", "escapes"),
            quarter.label(),
            if unclassified == 1 { "is" } else { "are" }
        ));
    }
    notes
}
