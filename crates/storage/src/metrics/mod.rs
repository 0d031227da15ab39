//! Metrics storage: the versioned metric definition, pre-boundary tallies, the grouped
//! counts the metric pages read from the roll-up, and the review and action activity the
//! quarterly report counts.

mod activity;
mod definitions;
mod tallies;

use std::collections::HashMap;
use std::sync::Arc;

use escapement_core::metrics::{CountCell, CountKey, DurationCell, DurationKey, TallyCell};
use sea_orm::{ConnectionTrait, StreamTrait};

pub use activity::{Activity, ActivityFilter, activity};
pub(crate) use definitions::append;
pub use definitions::{
    DefinitionVersion, current_definition, definition_history, get_definition, save_definition,
};
pub use tallies::tally_cells;
pub use tallies::{TallyConflict, TallySave, release_tallies, save_tallies};

use crate::Result;
use crate::rollup::{
    CountFilter, Detail, Kept, RangeCells, count_cells, duration_cells, range_cells,
};

/// Everything a metric page computes from: the roll-up's count and duration rows and the
/// tallies that `filter` selects, four indexed reads whatever the number of defects.
#[derive(Debug, Clone, Default)]
pub struct MetricInputs {
    /// Count rows with releases (every component and type together unless filtered).
    pub counts: Arc<Vec<CountCell>>,
    /// Count rows with components (every release and type together unless filtered).
    pub by_component: Arc<Vec<CountCell>>,
    pub durations: Arc<Vec<DurationCell>>,
    pub tallies: Vec<TallyCell>,
}

/// The roll-up's part of [`MetricInputs`], shared by the requests that read it.
type Cells = (
    Arc<Vec<CountCell>>,
    Arc<Vec<CountCell>>,
    Arc<Vec<DurationCell>>,
);

/// The cells of recent filters, kept under the stamps of their teams: many readers of one
/// dashboard share one copy, computed once per change of the teams' data. A few filters
/// only: the cells of one can take megabytes.
static CELLS: Kept<Cells> = Kept::new(8);

/// The inputs of the metrics for `filter`: the roll-up's cells
/// as kept under the stamps of the teams `filter` covers, the tallies read afresh (they
/// are few, and written apart from the defects).
pub async fn metric_inputs(
    db: &(impl ConnectionTrait + StreamTrait),
    filter: &CountFilter,
) -> Result<MetricInputs> {
    let tallies = tally_cells(db, filter).await?;
    let teams = filter.teams();
    let what = format!("cells {filter:?}");
    let (counts, by_component, durations) = CELLS
        .get(db, teams.as_deref(), &what, || async {
            let c = computed_inputs(db, filter).await?;
            Ok::<_, crate::StorageError>((
                Arc::new(c.counts),
                Arc::new(c.by_component),
                Arc::new(c.durations),
            ))
        })
        .await?;
    Ok(MetricInputs {
        counts,
        by_component,
        durations,
        tallies,
    })
}

/// The roll-up's rows of a metric page, as they are computed.
#[derive(Default)]
struct Computed {
    counts: Vec<CountCell>,
    by_component: Vec<CountCell>,
    durations: Vec<DurationCell>,
}

/// The inputs of the metrics for `filter`. When its period is not whole quarters, the
/// roll-up answers the whole quarters inside it, and each partial quarter at its ends is
/// counted from the defects of its days or, when the rest of that quarter has fewer days
/// (up to today), as the quarter's roll-up rows less the rows of the rest.
async fn computed_inputs(
    db: &(impl ConnectionTrait + StreamTrait),
    filter: &CountFilter,
) -> Result<Computed> {
    let Some(period) = filter.period.filter(|p| !p.whole_quarters()) else {
        return rollup_inputs(db, filter).await;
    };
    let (whole, parts) = period.split();
    let mut inputs = match whole {
        Some(quarters) => {
            let f = CountFilter {
                quarters: Some(quarters),
                period: None,
                ..filter.clone()
            };
            rollup_inputs(db, &f).await?
        }
        None => Computed::default(),
    };
    let switches = current_definition(db).await?.definition.scope;
    let today = chrono::Utc::now().date_naive();
    for part in parts {
        let quarter = part.cover().0;
        let rest = part.rest_of(quarter);
        let rest_days: i64 = rest.iter().map(|r| r.days_until(today)).sum();
        if rest_days >= part.days_until(today) {
            inputs.extend(range_cells(db, filter, part, &switches).await?);
            continue;
        }
        let f = CountFilter {
            quarters: Some((quarter, quarter)),
            period: None,
            ..filter.clone()
        };
        let mut sum = Sum::default();
        sum.add(&rollup_inputs(db, &f).await?, 1);
        for r in rest {
            let cells = range_cells(db, filter, r, &switches).await?;
            let mut less = Computed::default();
            less.extend(cells);
            sum.add(&less, -1);
        }
        sum.into(&mut inputs);
    }
    Ok(inputs)
}

impl Computed {
    /// Adds the rows counted from the defects of some days.
    fn extend(&mut self, cells: RangeCells) {
        self.counts.extend(cells.by_release);
        self.by_component.extend(cells.by_component);
        self.durations.extend(cells.durations);
    }
}

async fn rollup_inputs(
    db: &(impl ConnectionTrait + StreamTrait),
    filter: &CountFilter,
) -> Result<Computed> {
    Ok(Computed {
        counts: count_cells(db, filter, Detail::ByRelease).await?,
        by_component: count_cells(db, filter, Detail::ByComponent).await?,
        durations: duration_cells(db, filter).await?,
    })
}

/// Rows added and taken away, by key: a quarter's rows less those of some of its days.
#[derive(Default)]
struct Sum {
    counts: HashMap<CountKey, i64>,
    by_component: HashMap<CountKey, i64>,
    durations: HashMap<DurationKey, (i64, i64)>,
}

impl Sum {
    fn add(&mut self, inputs: &Computed, sign: i64) {
        let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX) * sign;
        for c in &inputs.counts {
            *self.counts.entry(c.key.clone()).or_default() += signed(c.count);
        }
        for c in &inputs.by_component {
            *self.by_component.entry(c.key.clone()).or_default() += signed(c.count);
        }
        for d in &inputs.durations {
            let e = self.durations.entry(d.key.clone()).or_default();
            e.0 += signed(d.count);
            e.1 += d.total_seconds * sign;
        }
    }

    /// Appends the rows left with a count above zero.
    fn into(self, inputs: &mut Computed) {
        let cells = |map: HashMap<CountKey, i64>| {
            map.into_iter().filter_map(|(key, n)| {
                u64::try_from(n)
                    .ok()
                    .filter(|n| *n > 0)
                    .map(|count| CountCell { key, count })
            })
        };
        inputs.counts.extend(cells(self.counts));
        inputs.by_component.extend(cells(self.by_component));
        inputs
            .durations
            .extend(
                self.durations
                    .into_iter()
                    .filter_map(|(key, (n, total_seconds))| {
                        u64::try_from(n)
                            .ok()
                            .filter(|n| *n > 0)
                            .map(|count| DurationCell {
                                key,
                                count,
                                total_seconds,
                            })
                    }),
            );
    }
}
