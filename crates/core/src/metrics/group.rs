//! Grouping cells by any dimension, so a dashboard series (per release, quarter, component,
//! team, severity, defect type) reuses the one calculation instead of filtering again.

use std::collections::BTreeMap;

use super::cells::{CountCell, CountKey, DurationCell, DurationKey, DurationKind};
use super::definition::MetricDefinition;
use super::durations::{DurationStats, durations};
use super::escape::{EscapeRates, escape_rates};
use super::tally::TallyCell;
use crate::{Pipeline, PipelineError};

/// Any rows by `key`, each group in the rows' order.
pub fn group_by<T: Clone, K: Ord>(rows: &[T], key: impl Fn(&T) -> K) -> BTreeMap<K, Vec<T>> {
    let mut groups: BTreeMap<K, Vec<T>> = BTreeMap::new();
    for row in rows {
        groups.entry(key(row)).or_default().push(row.clone());
    }
    groups
}

/// Count rows by a function of their key: `group(&cells, |k| k.release)`.
pub fn group<K: Ord>(
    cells: &[CountCell],
    key: impl Fn(&CountKey) -> K,
) -> BTreeMap<K, Vec<CountCell>> {
    group_by(cells, |c| key(&c.key))
}

/// Duration rows by a function of their key.
pub fn group_durations<K: Ord>(
    cells: &[DurationCell],
    key: impl Fn(&DurationKey) -> K,
) -> BTreeMap<K, Vec<DurationCell>> {
    group_by(cells, |c| key(&c.key))
}

/// Tallies by a function of the tally.
pub fn group_tallies<K: Ord>(
    tallies: &[TallyCell],
    key: impl Fn(&TallyCell) -> K,
) -> BTreeMap<K, Vec<TallyCell>> {
    group_by(tallies, key)
}

/// Escape rates per group: `cell_key` names each count row's group, `tally_key` each
/// tally's, or `None` to leave it out. Tallies have only a team, a release, a quarter, a
/// stage and a severity; a series by component or defect type passes `|_| None`, and says
/// that tallies are not split that way. A group with tallies but no cells still appears.
///
/// Fails when the definition's boundary is not a stage of `pipeline`.
pub fn escape_rates_by<K: Ord + Clone>(
    cells: &[CountCell],
    tallies: &[TallyCell],
    def: &MetricDefinition,
    pipeline: &Pipeline,
    cell_key: impl Fn(&CountKey) -> K,
    tally_key: impl Fn(&TallyCell) -> Option<K>,
) -> Result<BTreeMap<K, EscapeRates>, PipelineError> {
    let mut cell_groups = group(cells, cell_key);
    let mut tally_groups: BTreeMap<K, Vec<TallyCell>> = BTreeMap::new();
    for tally in tallies {
        if let Some(k) = tally_key(tally) {
            tally_groups.entry(k).or_default().push(tally.clone());
        }
    }
    for k in tally_groups.keys() {
        cell_groups.entry(k.clone()).or_default();
    }
    cell_groups
        .into_iter()
        .map(|(k, cells)| {
            let tallies = tally_groups.get(&k).map_or(&[][..], Vec::as_slice);
            escape_rates(&cells, tallies, def, pipeline).map(|r| (k, r))
        })
        .collect()
}

/// Duration statistics of `kind` per group.
pub fn durations_by<K: Ord>(
    cells: &[DurationCell],
    def: &MetricDefinition,
    kind: DurationKind,
    key: impl Fn(&DurationKey) -> K,
) -> BTreeMap<K, DurationStats> {
    group_durations(cells, key)
        .into_iter()
        .map(|(k, cells)| (k, durations(&cells, def, kind)))
        .collect()
}

#[cfg(test)]
mod tests;
