//! The tally form: one count per pipeline stage before the boundary and severity, each with
//! the count the user saw when the page was opened, for an optimistic check per cell.

use serde::Serialize;

use crate::{Boundary, Pipeline, Severity, Stage, StageKey};

/// The largest count one cell takes.
pub const TALLY_MAX: u64 = 1_000_000;

/// The stages whose tallies join the denominators: every stage up to and including the one
/// the boundary comes after. Empty when the pipeline does not have that stage.
#[must_use]
pub fn tally_stages<'a>(pipeline: &'a Pipeline, boundary: &Boundary) -> &'a [Stage] {
    match pipeline.position(boundary.after().as_str()) {
        Some(at) => &pipeline.stages()[..=at],
        None => &[],
    }
}

/// The first stage after the boundary, where a defect found counts as an escape.
#[must_use]
pub fn first_escape_stage<'a>(pipeline: &'a Pipeline, boundary: &Boundary) -> Option<&'a Stage> {
    let at = pipeline.position(boundary.after().as_str())?;
    pipeline.stages().get(at + 1)
}

/// The form field holding the count of `stage` and `severity`.
#[must_use]
pub fn tally_field(stage: &StageKey, severity: Severity) -> String {
    format!("n-{stage}-{}", severity.key())
}

/// The hidden form field holding the count of `stage` and `severity` the user saw.
#[must_use]
pub fn tally_seen_field(stage: &StageKey, severity: Severity) -> String {
    format!("seen-{stage}-{}", severity.key())
}

/// One cell of the tally form, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TallyInput {
    pub stage: StageKey,
    pub stage_label: String,
    pub severity: Severity,
    /// The count as typed; blank is 0.
    pub value: String,
    /// The stored count when the page was opened, from a hidden field.
    pub seen: String,
}

impl TallyInput {
    /// The cell in words, "Unit tests, High", for labels and messages.
    #[must_use]
    pub fn name(&self) -> String {
        format!("{}, {}", self.stage_label, self.severity.label())
    }

    /// The form field of the count.
    #[must_use]
    pub fn field(&self) -> String {
        tally_field(&self.stage, self.severity)
    }

    /// The hidden form field of the count seen.
    #[must_use]
    pub fn seen_field(&self) -> String {
        tally_seen_field(&self.stage, self.severity)
    }
}

/// The tally form of one release: one cell per stage and severity, stages in pipeline
/// order, severities most severe first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TallyDraft {
    pub cells: Vec<TallyInput>,
}

/// One cell to write: the count the user entered and the one they saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TallyChange {
    pub stage: StageKey,
    pub severity: Severity,
    /// `None` when the form did not say (a missing or garbled hidden field): it can never
    /// match what is stored, so the write is treated as a conflict rather than applied.
    pub seen: Option<u64>,
    pub count: u64,
}

/// A cell the form refuses, with its field and what to do, naming the cell in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TallyCellError {
    pub field: String,
    pub message: String,
}

/// A count as typed: blank is 0, otherwise digits only (no sign, decimals or exponent).
fn parse_count(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return Some(0);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Leading zeros may make a long text of a small number.
    let digits = text.trim_start_matches('0');
    if digits.len() > 7 {
        return None;
    }
    let n = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    (n <= TALLY_MAX).then_some(n)
}

impl TallyDraft {
    /// The grid of `stages` × every severity, each cell filled by `cell(stage, severity)`
    /// with its typed value and seen value.
    pub fn grid(
        stages: &[Stage],
        mut cell: impl FnMut(&StageKey, Severity) -> (String, String),
    ) -> TallyDraft {
        let cells = stages
            .iter()
            .flat_map(|stage| Severity::ALL.iter().map(move |s| (stage, *s)))
            .map(|(stage, severity)| {
                let (value, seen) = cell(&stage.key, severity);
                TallyInput {
                    stage: stage.key.clone(),
                    stage_label: stage.label.clone(),
                    severity,
                    value,
                    seen,
                }
            })
            .collect();
        TallyDraft { cells }
    }

    /// The form showing the stored counts `stored(stage, severity)`: a zero cell is blank,
    /// and every cell remembers what it showed.
    pub fn stored(stages: &[Stage], stored: impl Fn(&StageKey, Severity) -> u64) -> TallyDraft {
        TallyDraft::grid(stages, |stage, severity| {
            let n = stored(stage, severity);
            let value = if n == 0 { String::new() } else { n.to_string() };
            (value, n.to_string())
        })
    }

    /// The form as submitted: `form` holds the posted name and value pairs; a missing
    /// count is blank and a missing seen value stays empty.
    pub fn submitted(stages: &[Stage], form: &[(String, String)]) -> TallyDraft {
        let get = |name: &str| {
            form.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        TallyDraft::grid(stages, |stage, severity| {
            (
                get(&tally_field(stage, severity)),
                get(&tally_seen_field(stage, severity)),
            )
        })
    }

    /// The total of each row's valid cells, in row order (an invalid cell counts 0).
    #[must_use]
    pub fn row_totals(&self) -> Vec<u64> {
        self.cells
            .chunks(Severity::ALL.len())
            .map(|row| row.iter().filter_map(|c| parse_count(&c.value)).sum())
            .collect()
    }

    /// The total of each severity's valid cells, most severe first.
    #[must_use]
    pub fn column_totals(&self) -> Vec<u64> {
        Severity::ALL
            .iter()
            .map(|s| {
                self.cells
                    .iter()
                    .filter(|c| c.severity == *s)
                    .filter_map(|c| parse_count(&c.value))
                    .sum()
            })
            .collect()
    }

    /// Checks every cell; on success, the cells whose count differs from the one seen,
    /// in form order. Every bad cell is reported, in form order.
    pub fn validate(&self) -> Result<Vec<TallyChange>, Vec<TallyCellError>> {
        let mut errors = Vec::new();
        let mut changes = Vec::new();
        for cell in &self.cells {
            let Some(count) = parse_count(&cell.value) else {
                errors.push(TallyCellError {
                    field: cell.field(),
                    message: format!("{}: enter a whole number from 0 to 1,000,000", cell.name()),
                });
                continue;
            };
            let seen = cell.seen.trim().parse::<u64>().ok();
            if seen != Some(count) {
                changes.push(TallyChange {
                    stage: cell.stage.clone(),
                    severity: cell.severity,
                    seen,
                    count,
                });
            }
        }
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests;
