//! The roll-up's rows for a range of days that is not whole quarters: the roll-up counts by
//! quarter, so the defects detected in a partial quarter are read and counted here, by the
//! same [`contributions`] the maintained rows come from, reduced and grouped into the same
//! grains. Only the defects of the range and the filter are read, along the detection-time
//! index.

use chrono::{DateTime, Utc};
use escapement_core::metrics::{CountCell, DurationCell, Period, ScopeSwitches, contributions};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::facts::{FactRow, fact_rows, facts_of_rows};
use super::read::{CountFilter, Detail};
use super::write::Delta;
use crate::Result;
use crate::entities::defect;

/// Defects read per query.
const CHUNK: u64 = 5_000;

/// The count and duration rows of one range of days, as [`super::count_cells`] and
/// [`super::duration_cells`] would read them if the roll-up were kept by day.
#[derive(Debug, Default)]
pub struct RangeCells {
    pub by_release: Vec<CountCell>,
    pub by_component: Vec<CountCell>,
    pub durations: Vec<DurationCell>,
}

fn segment_condition(filter: &CountFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(teams) = &filter.visible_teams {
        cond = cond.add(defect::Column::TeamId.is_in(teams.iter().copied()));
    }
    if let Some(team) = filter.team {
        cond = cond.add(defect::Column::TeamId.eq(team));
    }
    match filter.component {
        Some(Some(c)) => cond = cond.add(defect::Column::ComponentId.eq(c)),
        Some(None) => cond = cond.add(defect::Column::ComponentId.is_null()),
        None => {}
    }
    match filter.release {
        Some(Some(r)) => cond = cond.add(defect::Column::ReleaseId.eq(r)),
        Some(None) => cond = cond.add(defect::Column::ReleaseId.is_null()),
        None => {}
    }
    if let Some(s) = filter.severity {
        cond = cond.add(defect::Column::Severity.eq(s.key()));
    }
    if let Some(t) = filter.defect_type {
        cond = cond.add(defect::Column::DefectType.eq(t.key()));
    }
    cond
}

/// The rows `filter` selects among the defects detected in `period`, their scopes reduced
/// under `switches` (the definition in force) as the stored rows are.
pub async fn range_cells(
    db: &impl ConnectionTrait,
    filter: &CountFilter,
    period: Period,
    switches: &ScopeSwitches,
) -> Result<RangeCells> {
    use defect::Column as D;
    let mut delta = Delta::default();
    let mut after: Option<(DateTime<Utc>, Uuid)> = None;
    let segments = segment_condition(filter);
    loop {
        let mut query = fact_rows()
            .filter(segments.clone())
            .filter(D::DetectedAt.gte(period.start()))
            .order_by_asc(D::DetectedAt)
            .order_by_asc(D::Id)
            .limit(CHUNK);
        if let Some(end) = period.end() {
            query = query.filter(D::DetectedAt.lt(end));
        }
        if let Some((at, id)) = after {
            query = query.filter(
                Condition::any()
                    .add(D::DetectedAt.gt(at))
                    .add(Expr::col(D::DetectedAt).eq(at).and(Expr::col(D::Id).gt(id))),
            );
        }
        let rows = query.into_model::<FactRow>().all(db).await?;
        let Some(last) = rows.last().map(|r| (r.detected_at, r.id)) else {
            break;
        };
        after = Some(last);
        let full = rows.len() as u64 == CHUNK;
        for facts in facts_of_rows(db, rows).await? {
            delta.add(contributions(&facts), 1);
        }
        if !full {
            break;
        }
    }
    let stored = delta.stored(switches);
    let mut cells = RangeCells::default();
    for (key, n) in stored.counts {
        let Ok(count) = u64::try_from(n) else {
            continue;
        };
        if count == 0 {
            continue;
        }
        if filter.admits_count(&key, Detail::ByRelease) {
            cells.by_release.push(CountCell {
                key: key.clone(),
                count,
            });
        }
        if filter.admits_count(&key, Detail::ByComponent) {
            cells.by_component.push(CountCell { key, count });
        }
    }
    for (key, (n, total_seconds)) in stored.durations {
        let Ok(count) = u64::try_from(n) else {
            continue;
        };
        if count > 0 && filter.admits_duration(&key) {
            cells.durations.push(DurationCell {
                key,
                count,
                total_seconds,
            });
        }
    }
    Ok(cells)
}
