//! Metrics storage: the versioned metric definition, pre-boundary tallies, the grouped
//! counts the metric pages read from the roll-up, and the review and action activity the
//! quarterly report counts.

mod activity;
mod definitions;
mod tallies;

use escapement_core::metrics::{CountCell, DurationCell, TallyCell};
use sea_orm::ConnectionTrait;

pub use activity::{Activity, ActivityFilter, activity};
pub(crate) use definitions::append;
pub use definitions::{
    DefinitionVersion, current_definition, definition_history, get_definition, save_definition,
};
pub use tallies::tally_cells;
pub use tallies::{TallyConflict, TallySave, release_tallies, save_tallies};

use crate::Result;
use crate::rollup::{CountFilter, Detail, count_cells, duration_cells, range_cells};

/// Everything a metric page computes from: the roll-up's count and duration rows and the
/// tallies that `filter` selects, four indexed reads whatever the number of defects.
#[derive(Debug, Clone, Default)]
pub struct MetricInputs {
    /// Count rows with releases (every component and type together unless filtered).
    pub counts: Vec<CountCell>,
    /// Count rows with components (every release and type together unless filtered).
    pub by_component: Vec<CountCell>,
    pub durations: Vec<DurationCell>,
    pub tallies: Vec<TallyCell>,
}

/// The inputs of the metrics for `filter`. When its period is not whole quarters, the
/// roll-up answers the whole quarters inside it and the defects of the partial quarters
/// at its ends are counted from their rows ([`range_cells`]).
pub async fn metric_inputs(
    db: &impl ConnectionTrait,
    filter: &CountFilter,
) -> Result<MetricInputs> {
    let tallies = tally_cells(db, filter).await?;
    let Some(period) = filter.period.filter(|p| !p.whole_quarters()) else {
        return Ok(MetricInputs {
            counts: count_cells(db, filter, Detail::ByRelease).await?,
            by_component: count_cells(db, filter, Detail::ByComponent).await?,
            durations: duration_cells(db, filter).await?,
            tallies,
        });
    };
    let (whole, parts) = period.split();
    let mut inputs = MetricInputs {
        tallies,
        ..MetricInputs::default()
    };
    if let Some(quarters) = whole {
        let f = CountFilter {
            quarters: Some(quarters),
            period: None,
            ..filter.clone()
        };
        inputs.counts = count_cells(db, &f, Detail::ByRelease).await?;
        inputs.by_component = count_cells(db, &f, Detail::ByComponent).await?;
        inputs.durations = duration_cells(db, &f).await?;
    }
    for part in parts {
        let cells = range_cells(db, filter, part).await?;
        inputs.counts.extend(cells.by_release);
        inputs.by_component.extend(cells.by_component);
        inputs.durations.extend(cells.durations);
    }
    Ok(inputs)
}
