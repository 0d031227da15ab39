//! Mechanism trends: escapes per mechanism per quarter, and the change from the quarter before.

use std::collections::BTreeMap;

use serde::Serialize;

use super::cells::{CountCell, MechanismSlot, Role};
use super::definition::MetricDefinition;
use super::escape::{Judge, Verdict};
use super::quarter::Quarter;
use super::rate::Rate;
use crate::{Mechanism, Pipeline, PipelineError};

/// How a count moved from the previous quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// This quarter's count minus the previous quarter's.
    pub difference: i64,
    /// `difference / previous`; `None` when the previous quarter had none.
    pub relative: Option<f64>,
}

/// One mechanism in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MechanismCount {
    pub mechanism: Mechanism,
    pub label: &'static str,
    /// Escapes with this primary mechanism.
    pub primary: u64,
    /// The same, each counted by its severity weight.
    pub weighted: u64,
    /// `primary` of the quarter's classified escapes.
    pub share: Rate,
    /// Escapes naming this mechanism as contributing: shown apart, never added to `primary`.
    pub contributing: u64,
    /// `None` in the first quarter of the range.
    pub change: Option<Change>,
}

/// One quarter of the trends.
///
/// Guarantees: `escapes = classified + pending + unreviewed`, and the mechanisms' `primary`
/// counts sum to `classified`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterTrend {
    pub quarter: Quarter,
    /// "Q3 2026".
    pub label: String,
    /// In-scope escapes under the definition.
    pub escapes: u64,
    /// Escapes whose review confirmed a primary mechanism.
    pub classified: u64,
    /// Escapes under review, not classified yet.
    pub pending: u64,
    /// Escapes no review covers.
    pub unreviewed: u64,
    /// All seven mechanisms, in `Mechanism::ALL` order.
    pub mechanisms: Vec<MechanismCount>,
}

/// Mechanism trends over every quarter from `first` to `last`, empty quarters included.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MechanismTrends {
    pub first: Quarter,
    pub last: Quarter,
    pub quarters: Vec<QuarterTrend>,
    /// In-scope defects at stages the pipeline does not have: not counted.
    pub unknown_stage: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    primary: [u64; 7],
    weighted: [u64; 7],
    contributing: [u64; 7],
    pending: u64,
    unreviewed: u64,
}

fn mechanism_index(m: Mechanism) -> usize {
    Mechanism::ALL
        .iter()
        .position(|x| *x == m)
        .unwrap_or_default()
}

/// The mechanism trends of `cells` under `def` from `first` to `last`. Only escapes under
/// the current definition count: a classified defect that is not an escape under today's
/// boundary or scope is left out. Rows outside the range are ignored.
///
/// Fails when the definition's boundary is not a stage of `pipeline`.
pub fn mechanism_trends(
    cells: &[CountCell],
    def: &MetricDefinition,
    pipeline: &Pipeline,
    first: Quarter,
    last: Quarter,
) -> Result<MechanismTrends, PipelineError> {
    let judge = Judge::new(def, pipeline)?;
    let mut by_quarter: BTreeMap<Quarter, Tally> = BTreeMap::new();
    let mut unknown_stage = 0;
    for cell in cells {
        let key = &cell.key;
        if key.quarter < first || key.quarter > last {
            continue;
        }
        match judge.verdict(key) {
            Verdict::Counted { escaped: true, .. } => {}
            Verdict::UnknownStage if key.role == Role::Primary => {
                unknown_stage += cell.count;
                continue;
            }
            _ => continue,
        }
        let t = by_quarter.entry(key.quarter).or_default();
        match (key.role, key.mechanism) {
            (Role::Primary, MechanismSlot::Is(m)) => {
                let i = mechanism_index(m);
                t.primary[i] += cell.count;
                let weight = u64::from(def.weights.of(key.severity));
                t.weighted[i] = t.weighted[i].saturating_add(weight.saturating_mul(cell.count));
            }
            (Role::Primary, MechanismSlot::Pending) => t.pending += cell.count,
            (Role::Primary, MechanismSlot::Unreviewed) => t.unreviewed += cell.count,
            (Role::Contributing, MechanismSlot::Is(m)) => {
                t.contributing[mechanism_index(m)] += cell.count;
            }
            // A contributing row always names a mechanism.
            (Role::Contributing, _) => {}
        }
    }
    let mut quarters: Vec<QuarterTrend> = Vec::new();
    for quarter in Quarter::range(first, last) {
        let t = by_quarter.get(&quarter).copied().unwrap_or_default();
        let classified: u64 = t.primary.iter().sum();
        let previous = quarters.last();
        let mechanisms = Mechanism::ALL
            .iter()
            .enumerate()
            .map(|(i, m)| MechanismCount {
                mechanism: *m,
                label: m.label(),
                primary: t.primary[i],
                weighted: t.weighted[i],
                share: Rate::of(t.primary[i], classified),
                contributing: t.contributing[i],
                change: previous.map(|p| change(p.mechanisms[i].primary, t.primary[i])),
            })
            .collect();
        quarters.push(QuarterTrend {
            quarter,
            label: quarter.label(),
            escapes: classified + t.pending + t.unreviewed,
            classified,
            pending: t.pending,
            unreviewed: t.unreviewed,
            mechanisms,
        });
    }
    Ok(MechanismTrends {
        first,
        last,
        quarters,
        unknown_stage,
    })
}

fn change(previous: u64, current: u64) -> Change {
    let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let difference = signed(current).saturating_sub(signed(previous));
    Change {
        difference,
        relative: (previous > 0).then(|| difference as f64 / previous as f64),
    }
}

#[cfg(test)]
mod tests;
