//! The roll-up's rows for a range of days that is not whole quarters: the roll-up counts by
//! quarter, so the defects detected in a partial quarter are read and counted here, by the
//! same [`contributions`] the maintained rows come from, reduced and grouped into the same
//! grains. Only the defects of the range and the filter are read, along the detection-time
//! index.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use escapement_core::metrics::{
    Classification, CountCell, DurationCell, Period, RollupFacts, contributions,
};
use escapement_core::{ScopeFlags, StageKey};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::facts::classifications;
use super::read::{CountFilter, Detail};
use super::write::Delta;
use crate::entities::defect;
use crate::{Result, stored_key, stored_stage};

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

/// The columns of a defect that its contributions depend on: a range reads only these,
/// not the titles and descriptions.
#[derive(Debug, FromQueryResult)]
struct FactRow {
    id: Uuid,
    team_id: Uuid,
    component_id: Option<Uuid>,
    release_id: Option<Uuid>,
    severity: String,
    defect_type: String,
    discovery_stage: String,
    expected_catch_stage: Option<String>,
    detected_by: String,
    confirmed: bool,
    known_issue_accepted: bool,
    cosmetic: bool,
    test_environment: bool,
    data_migration: bool,
    reopened_count: i32,
    introduced_at: Option<DateTime<Utc>>,
    detected_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
}

/// Stage keys seen so far, parsed once each.
#[derive(Default)]
struct Stages(HashMap<String, StageKey>);

impl Stages {
    fn get(&mut self, column: &str, text: &str) -> Result<StageKey> {
        if let Some(k) = self.0.get(text) {
            return Ok(k.clone());
        }
        let k = stored_stage(column, text)?;
        self.0.insert(text.to_owned(), k.clone());
        Ok(k)
    }
}

impl FactRow {
    fn facts(self, stages: &mut Stages, classification: Classification) -> Result<RollupFacts> {
        Ok(RollupFacts {
            team: self.team_id,
            component: self.component_id,
            release: self.release_id,
            severity: stored_key("defects.severity", &self.severity)?,
            defect_type: stored_key("defects.defect_type", &self.defect_type)?,
            discovery_stage: stages.get("defects.discovery_stage", &self.discovery_stage)?,
            expected_stage: self
                .expected_catch_stage
                .as_deref()
                .map(|s| stages.get("defects.expected_catch_stage", s))
                .transpose()?,
            detected_by: stored_key("defects.detected_by", &self.detected_by)?,
            scope: ScopeFlags {
                confirmed: self.confirmed,
                known_issue_accepted: self.known_issue_accepted,
                cosmetic: self.cosmetic,
                test_environment: self.test_environment,
                data_migration: self.data_migration,
            },
            reopened_count: u32::try_from(self.reopened_count).unwrap_or(0),
            introduced_at: self.introduced_at,
            detected_at: self.detected_at,
            resolved_at: self.resolved_at,
            classification,
        })
    }
}

/// The rows `filter` selects among the defects detected in `period`.
pub async fn range_cells(
    db: &impl ConnectionTrait,
    filter: &CountFilter,
    period: Period,
) -> Result<RangeCells> {
    use defect::Column as D;
    let mut delta = Delta::default();
    let mut after: Option<(DateTime<Utc>, Uuid)> = None;
    let segments = segment_condition(filter);
    let mut stages = Stages::default();
    loop {
        let mut query = defect::Entity::find()
            .select_only()
            .columns([
                D::Id,
                D::TeamId,
                D::ComponentId,
                D::ReleaseId,
                D::Severity,
                D::DefectType,
                D::DiscoveryStage,
                D::ExpectedCatchStage,
                D::DetectedBy,
                D::Confirmed,
                D::KnownIssueAccepted,
                D::Cosmetic,
                D::TestEnvironment,
                D::DataMigration,
                D::ReopenedCount,
                D::IntroducedAt,
                D::DetectedAt,
                D::ResolvedAt,
            ])
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
        let mut classes = classifications(db, rows.iter().map(|r| r.id).collect()).await?;
        for row in rows {
            let class = classes
                .remove(&row.id)
                .unwrap_or(Classification::Unreviewed);
            delta.add(contributions(&row.facts(&mut stages, class)?), 1);
        }
        if !full {
            break;
        }
    }
    let switches = crate::metrics::current_definition(db)
        .await?
        .definition
        .scope;
    let stored = delta.stored(&switches);
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
