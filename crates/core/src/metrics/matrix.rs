//! Test effectiveness by layer: expected catch stage × actual discovery stage.

use serde::Serialize;

use super::cells::{CountCell, Role};
use super::definition::MetricDefinition;
use super::escape::{Admission, admission};
use super::rate::Rate;
use crate::{Pipeline, StageKey};

/// The label of the row of defects whose expected catch stage nobody named.
pub const NOT_NAMED: &str = "Not named";

/// A discovery-stage column, in pipeline order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageColumn {
    pub key: StageKey,
    pub label: String,
    /// After the definition's boundary: defects found here are escapes.
    pub escaped: bool,
}

/// The defects that should have been caught at one stage (or at a stage nobody named).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixRow {
    /// `None` for the "not named" row.
    pub expected: Option<StageKey>,
    pub label: String,
    /// Defects per discovery stage, one per column.
    pub counts: Vec<u64>,
    pub total: u64,
    /// Defects found at or before the expected stage, of the row's defects; `None` for the
    /// "not named" row.
    pub caught_in_time: Option<Rate>,
}

/// In-scope defects by expected catch stage (rows, in pipeline order, then "not named") and
/// discovery stage (columns, in pipeline order), with every row and column total.
///
/// Guarantees: every row has one count per column; rows sum to `total`, and so do columns.
/// Defects whose discovery or expected stage the pipeline lacks are in `unknown_stage`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerMatrix {
    pub columns: Vec<StageColumn>,
    pub rows: Vec<MatrixRow>,
    pub column_totals: Vec<u64>,
    pub total: u64,
    pub unknown_stage: u64,
    pub out_of_scope: u64,
    /// Reopened defects left out (policy "separately").
    pub separate: u64,
}

/// The layer matrix of the primary rows of `cells` under `def`.
#[must_use]
pub fn layer_matrix(
    cells: &[CountCell],
    def: &MetricDefinition,
    pipeline: &Pipeline,
) -> LayerMatrix {
    let stages = pipeline.stages();
    let n = stages.len();
    let escaped = pipeline.escaped_stage_keys(&def.boundary);
    let columns: Vec<StageColumn> = stages
        .iter()
        .map(|s| StageColumn {
            key: s.key.clone(),
            label: s.label.clone(),
            escaped: escaped.contains(&&s.key),
        })
        .collect();
    // Row n is "not named".
    let mut grid = vec![vec![0u64; n]; n + 1];
    let (mut unknown_stage, mut out_of_scope, mut separate) = (0, 0, 0);
    for cell in cells.iter().filter(|c| c.key.role == Role::Primary) {
        match admission(def, cell.key.scope) {
            Admission::OutOfScope => {
                out_of_scope += cell.count;
                continue;
            }
            Admission::Separate => {
                separate += cell.count;
                continue;
            }
            Admission::In => {}
        }
        let column = pipeline.position(cell.key.discovery_stage.as_str());
        let row = match &cell.key.expected_stage {
            None => Some(n),
            Some(stage) => pipeline.position(stage.as_str()),
        };
        match (row, column) {
            (Some(r), Some(c)) => grid[r][c] += cell.count,
            _ => unknown_stage += cell.count,
        }
    }
    let column_totals: Vec<u64> = (0..n)
        .map(|c| grid.iter().map(|row| row[c]).sum())
        .collect();
    let rows: Vec<MatrixRow> = grid
        .into_iter()
        .enumerate()
        .map(|(r, counts)| {
            let total = counts.iter().sum();
            let stage = stages.get(r);
            MatrixRow {
                expected: stage.map(|s| s.key.clone()),
                label: stage.map_or_else(|| NOT_NAMED.to_owned(), |s| s.label.clone()),
                caught_in_time: stage.map(|_| Rate::of(counts[..=r].iter().sum(), total)),
                counts,
                total,
            }
        })
        .collect();
    LayerMatrix {
        total: column_totals.iter().sum(),
        columns,
        rows,
        column_totals,
        unknown_stage,
        out_of_scope,
        separate,
    }
}

#[cfg(test)]
mod tests;
