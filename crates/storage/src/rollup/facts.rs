//! Reading what defects contribute to the roll-up: the defect rows (locked on PostgreSQL)
//! and the classification their escape review gives them.

use std::collections::HashMap;

use escapement_core::metrics::{Classification, RollupFacts};
use escapement_core::{Defect, Mechanism, NewDefect, ReviewState};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entities::{defect, review, review_escape};
use crate::{Result, link, stored_key};

/// The classification of each defect of `ids` that an escape review covers.
pub(super) async fn classifications(
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

/// The facts of `models` with their classifications, read in one more query.
pub(super) async fn facts_of_models(
    db: &impl ConnectionTrait,
    models: Vec<defect::Model>,
) -> Result<Vec<RollupFacts>> {
    let ids = models.iter().map(|m| m.id).collect();
    let mut classes = classifications(db, ids).await?;
    models
        .into_iter()
        .map(|m| {
            let id = m.id;
            let defect = Defect::try_from(m)?;
            let class = classes.remove(&id).unwrap_or(Classification::Unreviewed);
            Ok(facts_of(&defect.data, class))
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
    let models = defect::Entity::find()
        .filter(defect::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(defect::Column::Id)
        .lock_exclusive()
        .all(db)
        .await?;
    facts_of_models(db, models).await
}
