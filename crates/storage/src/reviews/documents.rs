//! Read models of whole review pages: the review page and its exports, and the workspace
//! of one escape's guided steps, each read in a fixed number of queries whatever the
//! number of escapes.

use chrono::{DateTime, Utc};
use escapement_core::Pipeline;
use escapement_core::review::{ActionDocument, EscapeDocument, Participant, ReviewDocument};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use super::escapes::{NamedEscape, corrupt, named_escapes};
use super::read::get_review;
use super::{Action, Review, ReviewEscape};
use crate::entities::{membership, review, review_escape, user};
use crate::{Result, StorageError, link};

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
    let what = format!("review {review_id}");
    DOCUMENTS
        .get_owned(db, None, &what, || read_document(db, review_id))
        .await
}

/// Review documents, kept under every team's stamp: a review write renews its team's
/// (see `touch`), a defect write its team's, a catalog write the team's whose names
/// changed, a backlog write every team's.
static DOCUMENTS: crate::rollup::Kept<std::sync::Arc<ReviewRecord>> = crate::rollup::Kept::new(64);

/// [`review_document`], read from the database.
async fn read_document(db: &impl ConnectionTrait, review_id: Uuid) -> Result<ReviewRecord> {
    let review = get_review(db, review_id).await?;
    let escapes = named_escapes(db, escapes_of(review_id)).await?;
    Ok(ReviewRecord { review, escapes })
}

fn escapes_of(review_id: Uuid) -> Condition {
    Condition::all().add(review_escape::Column::ReviewId.eq(review_id))
}

/// What the guided steps of one escape read from the database: every escape of its review
/// (for the stepper), the names of the escape's component and release, and the people the
/// blameless guard looks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscapeWorkspace {
    escapes: Vec<ReviewEscape>,
    /// Where the escape sits in `escapes`; always a valid position.
    index: usize,
    pub component_name: Option<String>,
    pub release_name: Option<String>,
    /// The team's members and the review's participants, by name.
    pub people: Vec<String>,
}

impl EscapeWorkspace {
    /// Every escape of the review, in the order they were added.
    pub fn escapes(&self) -> &[ReviewEscape] {
        &self.escapes
    }

    /// The escape the workspace is about.
    pub fn escape(&self) -> &ReviewEscape {
        &self.escapes[self.index]
    }
}

/// The workspace of `escape_id` in `review_id`, or `NotFound` (also when the escape belongs
/// to another review): four queries whatever the number of escapes (the escapes with their
/// defects and names, their actions, the review's participants, the team's members).
pub async fn escape_workspace(
    db: &impl ConnectionTrait,
    review_id: Uuid,
    escape_id: Uuid,
) -> Result<EscapeWorkspace> {
    let named = named_escapes(db, escapes_of(review_id)).await?;
    let index = named
        .iter()
        .position(|n| n.escape.id == escape_id)
        .ok_or(StorageError::NotFound)?;
    let (component_name, release_name) = (
        named[index].component_name.clone(),
        named[index].release_name.clone(),
    );
    Ok(EscapeWorkspace {
        escapes: named.into_iter().map(|n| n.escape).collect(),
        index,
        component_name,
        release_name,
        people: review_people(db, review_id).await?,
    })
}

/// The names the blameless guard treats as people in `review_id`: its team's members (by
/// name, then email) and then its listed participants. Two queries once per change, kept
/// under every team's stamp (a membership write renews its team's, a change of a display
/// name every team's, the review's details its team's); an unknown review has no people.
pub async fn review_people(db: &impl ConnectionTrait, review_id: Uuid) -> Result<Vec<String>> {
    let what = format!("people {review_id}");
    PEOPLE
        .get_owned(db, None, &what, || read_people(db, review_id))
        .await
}

/// The people of reviews, kept (see [`review_people`]).
static PEOPLE: crate::rollup::Kept<std::sync::Arc<Vec<String>>> = crate::rollup::Kept::new(64);

/// [`review_people`], read from the database.
async fn read_people(db: &impl ConnectionTrait, review_id: Uuid) -> Result<Vec<String>> {
    let members: Vec<String> = user::Entity::find()
        .select_only()
        .column(user::Column::DisplayName)
        .join_rev(
            JoinType::InnerJoin,
            link(membership::Column::UserId, user::Column::Id),
        )
        .join(
            JoinType::InnerJoin,
            link(membership::Column::TeamId, review::Column::TeamId),
        )
        .filter(review::Column::Id.eq(review_id))
        .order_by_asc(user::Column::DisplayName)
        .order_by_asc(user::Column::Email)
        .into_tuple()
        .all(db)
        .await?;
    let participants: Option<String> = review::Entity::find_by_id(review_id)
        .select_only()
        .column(review::Column::Participants)
        .into_tuple()
        .one(db)
        .await?;
    let participants: Vec<Participant> = match participants {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| corrupt("reviews.participants", e))?
        }
        None => Vec::new(),
    };
    Ok(members
        .into_iter()
        .chain(participants.into_iter().map(|p| p.name))
        .collect())
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
