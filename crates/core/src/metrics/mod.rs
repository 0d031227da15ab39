//! Metrics: the metric definition, the grouped counts they are computed from, and the
//! calculations over those counts. Pure: storage supplies the counts.

pub mod cells;
pub mod definition;
pub mod draft;
pub mod durations;
pub mod escape;
pub mod group;
pub mod matrix;
pub mod notes;
pub mod period;
pub mod quarter;
pub mod rate;
pub mod tally;
pub mod tally_draft;
#[cfg(test)]
mod testkit;
pub mod trends;

pub use cells::*;
pub use definition::*;
pub use draft::{DefinitionChange, MetricDefinitionDraft};
pub use durations::{DurationStats, Median, durations};
pub use escape::{EscapeRates, ddp, escape_rates};
pub use group::{durations_by, escape_rates_by, group, group_by, group_durations, group_tallies};
pub use matrix::{LayerMatrix, MatrixRow, NOT_NAMED, StageColumn, layer_matrix};
pub use notes::{comparison_note, definition_note, duration_note, rate_note, version_note};
pub use period::{BoundError, End, Period, parse_bound};
pub use quarter::*;
pub use rate::*;
pub use tally::*;
pub use tally_draft::{
    TALLY_MAX, TallyCellError, TallyChange, TallyDraft, TallyInput, first_escape_stage,
    tally_field, tally_seen_field, tally_stages,
};
pub use trends::{Change, MechanismCount, MechanismTrends, QuarterTrend, mechanism_trends};
