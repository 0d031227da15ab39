//! Escape rates (plain, severity-weighted, per severity) and the defect detection percentage.

use serde::Serialize;

use super::cells::{CountCell, CountKey, Role, ScopeMask};
use super::definition::{MetricDefinition, ReopenedPolicy};
use super::rate::{Rate, WeightedRate, WeightedSums};
use super::tally::TallyCell;
use crate::{Pipeline, PipelineError, Severity};

/// Whether a defect with scope facts `mask` counts under `def`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// A scope switch excludes it.
    OutOfScope,
    /// Reopened, and the definition counts reopened defects separately.
    Separate,
    In,
}

pub(crate) fn admission(def: &MetricDefinition, mask: ScopeMask) -> Admission {
    if !def.scope.admits(mask) {
        Admission::OutOfScope
    } else if def.reopened == ReopenedPolicy::Separately && mask.has(ScopeMask::REOPENED) {
        Admission::Separate
    } else {
        Admission::In
    }
}

/// What the definition makes of one defect row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    OutOfScope,
    Separate,
    /// Discovered at a stage the pipeline does not have (e.g. one removed since).
    UnknownStage,
    Counted {
        escaped: bool,
        /// Found before the pipeline's last stage, and not a reopened defect counted as escaped.
        before_release: bool,
        reopened: bool,
    },
}

/// The boundary and the last stage of a pipeline, resolved once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Judge<'a> {
    def: &'a MetricDefinition,
    pipeline: &'a Pipeline,
    boundary: usize,
    last: usize,
}

impl<'a> Judge<'a> {
    /// Fails when the definition's boundary names a stage the pipeline does not have.
    pub(crate) fn new(
        def: &'a MetricDefinition,
        pipeline: &'a Pipeline,
    ) -> Result<Judge<'a>, PipelineError> {
        let boundary = pipeline
            .position(def.boundary.after().as_str())
            .ok_or_else(|| PipelineError::UnknownStage(def.boundary.after().to_string()))?;
        let last = pipeline.stages().len().saturating_sub(1);
        Ok(Judge {
            def,
            pipeline,
            boundary,
            last,
        })
    }

    pub(crate) fn verdict(&self, key: &CountKey) -> Verdict {
        match admission(self.def, key.scope) {
            Admission::OutOfScope => return Verdict::OutOfScope,
            Admission::Separate => return Verdict::Separate,
            Admission::In => {}
        }
        let Some(at) = self.pipeline.position(key.discovery_stage.as_str()) else {
            return Verdict::UnknownStage;
        };
        let reopened = key.scope.has(ScopeMask::REOPENED);
        let forced = reopened && self.def.reopened == ReopenedPolicy::AsEscaped;
        Verdict::Counted {
            escaped: at > self.boundary || forced,
            before_release: at < self.last && !forced,
            reopened,
        }
    }

    /// Whether a tally at `stage` joins the denominators (at or before the boundary), and
    /// whether it was found before release.
    fn tally(&self, tally: &TallyCell) -> Option<bool> {
        let at = self.pipeline.position(tally.stage.as_str())?;
        (at <= self.boundary).then_some(at < self.last)
    }
}

/// The escape rates of one set of cells under one definition.
///
/// Every primary row lands in exactly one of: the rates' denominators, `out_of_scope`,
/// `separate` or `unknown_stage`. `tallied` tallied defects joined the denominators;
/// `ignored_tallies` (on stages after the boundary or unknown to the pipeline) did not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscapeRates {
    /// Escaped in-scope defects / in-scope defects (tallies included in the denominator).
    pub plain: Rate,
    /// The same with each defect counted by its severity weight.
    pub weighted: WeightedRate,
    /// The plain rate of each severity, critical first; all four always present.
    pub per_severity: Vec<(Severity, Rate)>,
    /// Reopened defects counted by their discovery stage (policy "as recurring").
    pub recurring: u64,
    /// Reopened defects counted as escapes wherever found (policy "as escaped").
    pub reopened_as_escaped: u64,
    /// Reopened defects left out of the rates (policy "separately").
    pub separate: u64,
    /// Defects a scope switch excludes.
    pub out_of_scope: u64,
    /// In-scope defects discovered at a stage the pipeline does not have: not counted.
    pub unknown_stage: u64,
    /// Tallied defects in the denominators.
    pub tallied: u64,
    /// Tallied defects left out: on a stage after the boundary, or unknown to the pipeline.
    pub ignored_tallies: u64,
}

/// Per severity (in `Severity::ALL` order): defects, escapes, found before release.
#[derive(Debug, Clone, Default)]
struct Census {
    defects: [u64; 4],
    escapes: [u64; 4],
    before_release: [u64; 4],
    recurring: u64,
    reopened_as_escaped: u64,
    separate: u64,
    out_of_scope: u64,
    unknown_stage: u64,
    tallied: u64,
    ignored_tallies: u64,
}

fn severity_index(severity: Severity) -> usize {
    Severity::ALL
        .iter()
        .position(|s| *s == severity)
        .unwrap_or_default()
}

fn census(cells: &[CountCell], tallies: &[TallyCell], judge: &Judge<'_>) -> Census {
    let mut c = Census::default();
    let reopened_policy = judge.def.reopened;
    for cell in cells.iter().filter(|c| c.key.role == Role::Primary) {
        let n = cell.count;
        match judge.verdict(&cell.key) {
            Verdict::OutOfScope => c.out_of_scope += n,
            Verdict::Separate => c.separate += n,
            Verdict::UnknownStage => c.unknown_stage += n,
            Verdict::Counted {
                escaped,
                before_release,
                reopened,
            } => {
                let s = severity_index(cell.key.severity);
                c.defects[s] += n;
                if escaped {
                    c.escapes[s] += n;
                }
                if before_release {
                    c.before_release[s] += n;
                }
                if reopened {
                    match reopened_policy {
                        ReopenedPolicy::AsRecurring => c.recurring += n,
                        ReopenedPolicy::AsEscaped => c.reopened_as_escaped += n,
                        ReopenedPolicy::Separately => {}
                    }
                }
            }
        }
    }
    for tally in tallies {
        match judge.tally(tally) {
            Some(before_release) => {
                let s = severity_index(tally.severity);
                c.defects[s] += tally.count;
                if before_release {
                    c.before_release[s] += tally.count;
                }
                c.tallied += tally.count;
            }
            None => c.ignored_tallies += tally.count,
        }
    }
    c
}

/// The escape rates of `cells` and `tallies` under `def`: escaped defects (discovered at a
/// stage after the boundary, or reopened under the policy "as escaped") over all in-scope
/// defects, plain, severity-weighted and per severity. Only primary rows count.
///
/// Fails when the definition's boundary is not a stage of `pipeline`.
pub fn escape_rates(
    cells: &[CountCell],
    tallies: &[TallyCell],
    def: &MetricDefinition,
    pipeline: &Pipeline,
) -> Result<EscapeRates, PipelineError> {
    let judge = Judge::new(def, pipeline)?;
    let c = census(cells, tallies, &judge);
    let mut weighted = WeightedSums::default();
    let mut per_severity = Vec::with_capacity(4);
    for (i, severity) in Severity::ALL.iter().enumerate() {
        weighted.add(def.weights.of(*severity), c.defects[i], c.escapes[i]);
        per_severity.push((*severity, Rate::of(c.escapes[i], c.defects[i])));
    }
    Ok(EscapeRates {
        plain: Rate::of(c.escapes.iter().sum(), c.defects.iter().sum()),
        weighted: weighted.rate(),
        per_severity,
        recurring: c.recurring,
        reopened_as_escaped: c.reopened_as_escaped,
        separate: c.separate,
        out_of_scope: c.out_of_scope,
        unknown_stage: c.unknown_stage,
        tallied: c.tallied,
        ignored_tallies: c.ignored_tallies,
    })
}

/// Defect detection percentage (DDP): of all in-scope defects, the share found before
/// release, that is at a stage before the pipeline's last one (before production in the
/// default pipeline).
///
/// Counted like the escape rate: only in-scope primary rows; stages the pipeline does not
/// have are left out; reopened defects are left out under "separately" and count as not
/// found before release under "as escaped". Tallies at or before the boundary join the
/// denominator and, being found before release, the numerator too; tallies after the
/// boundary are ignored, as in the escape rate.
///
/// Fails when the definition's boundary is not a stage of `pipeline`.
pub fn ddp(
    cells: &[CountCell],
    tallies: &[TallyCell],
    def: &MetricDefinition,
    pipeline: &Pipeline,
) -> Result<Rate, PipelineError> {
    let judge = Judge::new(def, pipeline)?;
    let c = census(cells, tallies, &judge);
    Ok(Rate::of(
        c.before_release.iter().sum(),
        c.defects.iter().sum(),
    ))
}

#[cfg(test)]
mod tests;
