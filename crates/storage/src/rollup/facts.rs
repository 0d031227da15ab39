//! Reading what defects contribute to the roll-up: the defect rows (locked on PostgreSQL)
//! and the classification their escape review gives them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use escapement_core::metrics::{Classification, RollupFacts};
use escapement_core::{Mechanism, NewDefect, ReviewState, ScopeFlags, StageKey};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::entities::{defect, review, review_escape};
use crate::{Result, link, stored_key, stored_stage};

/// The classification of each defect of `ids` that an escape review covers.
async fn classifications(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Classification>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, Option<String>, String, String)> = review_escape::Entity::find()
        .select_only()
        .column(review_escape::Column::DefectId)
        .column(review_escape::Column::PrimaryMechanism)
        .column(review_escape::Column::Contributing)
        .column(review::Column::State)
        .join(
            sea_orm::JoinType::InnerJoin,
            link(review_escape::Column::ReviewId, review::Column::Id),
        )
        .filter(review_escape::Column::DefectId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|(defect_id, primary, contributing, state)| {
            let state: ReviewState = stored_key("reviews.state", &state)?;
            let counts = matches!(state, ReviewState::Classified | ReviewState::Closed);
            let classification = match primary {
                Some(primary) if counts => Classification::Classified {
                    primary: stored_key::<Mechanism>("review_escapes.primary_mechanism", &primary)?,
                    contributing: contributing
                        .split(',')
                        .filter(|k| !k.is_empty())
                        .map(|k| stored_key::<Mechanism>("review_escapes.contributing", k))
                        .collect::<Result<_>>()?,
                },
                _ => Classification::Pending,
            };
            Ok((defect_id, classification))
        })
        .collect()
}

/// The facts of a defect's data with its classification.
pub(crate) fn facts_of(d: &NewDefect, classification: Classification) -> RollupFacts {
    RollupFacts {
        team: d.team_id,
        component: d.component_id,
        release: d.release_id,
        severity: d.severity,
        defect_type: d.defect_type,
        discovery_stage: d.discovery_stage.clone(),
        expected_stage: d.expected_catch_stage.clone(),
        detected_by: d.detected_by,
        scope: d.scope,
        reopened_count: d.reopened_count,
        introduced_at: d.introduced_at,
        detected_at: d.detected_at,
        resolved_at: d.resolved_at,
        classification,
    }
}

/// The columns of a defect that its contributions depend on: what the roll-up's readers
/// select, never the titles and descriptions.
#[derive(Debug, FromQueryResult)]
pub(super) struct FactRow {
    pub(super) id: Uuid,
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
    pub(super) detected_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
}

/// The defects with only the columns of a [`FactRow`], to filter, order and lock further.
pub(super) fn fact_rows() -> sea_orm::Select<defect::Entity> {
    use defect::Column as D;
    defect::Entity::find().select_only().columns([
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

/// The facts of `rows` with their classifications, read in one more query.
pub(super) async fn facts_of_rows(
    db: &impl ConnectionTrait,
    rows: Vec<FactRow>,
) -> Result<Vec<RollupFacts>> {
    let mut classes = classifications(db, rows.iter().map(|r| r.id).collect()).await?;
    let mut stages = Stages::default();
    rows.into_iter()
        .map(|row| {
            let class = classes
                .remove(&row.id)
                .unwrap_or(Classification::Unreviewed);
            row.facts(&mut stages, class)
        })
        .collect()
}

/// The facts of the existing defects among `ids`, their rows locked for this transaction
/// on PostgreSQL (SQLite's write transaction holds the whole database already). `ids` must
/// be sorted, so that two writers lock shared defects in the same order.
pub(super) async fn locked_facts(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<RollupFacts>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = fact_rows()
        .filter(defect::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(defect::Column::Id)
        .lock_exclusive()
        .into_model::<FactRow>()
        .all(db)
        .await?;
    facts_of_rows(db, rows).await
}
