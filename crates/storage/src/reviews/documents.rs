//! Read models of whole review pages: the review with every escape, defect, action and name
//! it shows, read in a fixed number of queries whatever the number of escapes.

use chrono::{DateTime, Utc};
use escapement_core::Pipeline;
use escapement_core::review::{ActionDocument, EscapeDocument, ReviewDocument};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};
use serde::Serialize;
use uuid::Uuid;

use super::escapes::{NamedEscape, named_escapes};
use super::read::get_review;
use super::{Action, Review, ReviewEscape};
use crate::Result;
use crate::entities::review_escape;

/// A review with its escapes in the order they were added, each with its defect, actions
/// and the names of its component and release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewRecord {
    pub review: Review,
    pub escapes: Vec<NamedEscape>,
}

/// The review `review_id` with everything its page and exports show, or `NotFound`: three
/// queries whatever the number of escapes (the review with its team; the escapes with
/// their defects, components and releases; their actions with their names).
pub async fn review_document(db: &impl ConnectionTrait, review_id: Uuid) -> Result<ReviewRecord> {
    let review = get_review(db, review_id).await?;
    let cond = Condition::all().add(review_escape::Column::ReviewId.eq(review_id));
    let escapes = named_escapes(db, cond).await?;
    Ok(ReviewRecord { review, escapes })
}

impl ReviewRecord {
    /// The escapes alone, in order.
    pub fn escapes(&self) -> impl Iterator<Item = &ReviewEscape> {
        self.escapes.iter().map(|n| &n.escape)
    }

    /// The review as it is exported, with every stage named as `pipeline` labels it.
    #[must_use]
    pub fn document(&self, pipeline: &Pipeline, exported_at: DateTime<Utc>) -> ReviewDocument {
        let review = &self.review;
        ReviewDocument {
            title: review.title.clone(),
            team: review.team_name.clone(),
            state: review.state,
            incident_date: review.incident_date,
            incident_link: review.incident_link.clone(),
            summary: review.summary.clone(),
            participants: review.participants.clone(),
            escapes: self
                .escapes
                .iter()
                .map(|e| escape_document(e, pipeline))
                .collect(),
            exported_at,
        }
    }
}

fn escape_document(named: &NamedEscape, pipeline: &Pipeline) -> EscapeDocument {
    let (e, d) = (&named.escape, &named.escape.defect.data);
    let label = |key: &str| pipeline.label_of(key).to_owned();
    EscapeDocument {
        title: d.title.clone(),
        external_key: d.external_key.clone(),
        severity: d.severity.label().to_owned(),
        discovered_at_stage: label(d.discovery_stage.as_str()),
        expected_catch_stage: d.expected_catch_stage.as_ref().map(|k| label(k.as_str())),
        component: named.component_name.clone(),
        release: named.release_name.clone(),
        detected_at: d.detected_at,
        checklist: e.checklist.clone(),
        evidence: e.evidence.clone(),
        evidence_gap: e.evidence_gap.clone(),
        primary: e.classification.primary(),
        contributing: e.classification.contributing().iter().copied().collect(),
        actions: e
            .actions
            .iter()
            .map(|a| action_document(a, pipeline))
            .collect(),
        no_action_reason: e.no_action_reason.clone(),
    }
}

fn action_document(a: &Action, pipeline: &Pipeline) -> ActionDocument {
    ActionDocument {
        title: a.title.clone(),
        mechanism: a.mechanism,
        component: a.component_name.clone(),
        target_layer: pipeline.label_of(a.target_layer.as_str()).to_owned(),
        effort: a.effort,
        owner_team: a.owner_team_name.clone(),
        due_date: a.due_date,
        status: a.status,
        external_key: a.external_key.clone(),
    }
}
