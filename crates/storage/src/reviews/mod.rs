//! Escape reviews: the records the review pages show, and reading them (`read`, `escapes`,
//! and the page read models in `documents`). Writes live in `write` (the review and its
//! state), `steps` (the guided steps of one escape) and `actions`; every write records its
//! changes in the review's history (`history`).

mod actions;
mod documents;
mod escapes;
mod history;
mod queue;
mod read;
mod steps;
mod write;

use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::review::{
    Checklist, Classification, EscapeWork, NewAction, Participant, ReviewDetails,
};
use escapement_core::{ActionStatus, Defect, Effort, Mechanism, ReviewState, StageKey};
use serde::Serialize;
use uuid::Uuid;

// Every write names who made it; the submodules take it from here.
use crate::Actor;

pub use actions::{action_subject, add_action, delete_action, update_action};
pub use documents::{
    EscapeWorkspace, ReviewRecord, escape_workspace, review_document, review_people,
};
pub use escapes::{NamedEscape, get_action, get_escape, review_escapes};
pub(crate) use history::Changes;
pub use history::{
    FieldChange, HistoryChange, HistoryEntry, HistoryFilter, last_change_of, last_move_to,
    list_history, list_history_changes,
};
pub use queue::{unreviewed_count, unreviewed_escapes};
pub use read::{ReviewFilter, ReviewKey, ReviewListPage, get_review, list_reviews, reviews_after};
pub use steps::escape_subject;
pub use steps::{
    confirm_facts, save_analysis, save_checklist, save_classification, save_no_action_reason,
};
pub(crate) use write::touch;
pub use write::{
    add_escape, change_state, create_review, record_escape, remove_escape, update_review,
};

/// What every save of a review step names: the escape, the version the user's page
/// showed, who saves and when.
#[derive(Debug, Clone, Copy)]
pub struct StepWrite<'a> {
    pub review_id: Uuid,
    pub escape_id: Uuid,
    pub expected_version: i32,
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
}

impl<'a> StepWrite<'a> {
    /// A step write of `escape_id` in `review_id`, based on `expected_version`.
    pub fn new(
        review_id: Uuid,
        escape_id: Uuid,
        expected_version: i32,
        actor: &'a Actor,
        now: DateTime<Utc>,
    ) -> StepWrite<'a> {
        StepWrite {
            review_id,
            escape_id,
            expected_version,
            actor,
            now,
        }
    }
}

/// A stored review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub id: Uuid,
    pub team_id: Uuid,
    pub team_name: String,
    pub title: String,
    pub incident_date: NaiveDate,
    pub incident_link: Option<String>,
    pub summary: String,
    pub participants: Vec<Participant>,
    pub state: ReviewState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl Review {
    /// The review's details as the edit form checks them.
    #[must_use]
    pub fn details(&self) -> ReviewDetails {
        ReviewDetails {
            title: self.title.clone(),
            team_id: self.team_id,
            incident_date: self.incident_date,
            incident_link: self.incident_link.clone(),
            summary: self.summary.clone(),
            participants: self.participants.clone(),
        }
    }
}

/// One line of the review list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewRow {
    pub id: Uuid,
    pub team_id: Uuid,
    pub team_name: String,
    pub title: String,
    pub incident_date: NaiveDate,
    pub state: ReviewState,
    /// How many escapes the review covers.
    pub escapes: u64,
    pub updated_at: DateTime<Utc>,
}

/// One escape of a review with everything its guided steps recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewEscape {
    pub id: Uuid,
    pub review_id: Uuid,
    pub defect: Defect,
    pub position: i32,
    pub facts_confirmed: bool,
    pub checklist: Checklist,
    pub evidence: String,
    pub evidence_gap: String,
    pub classification: Classification,
    pub no_action_reason: Option<String>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
    pub actions: Vec<Action>,
}

impl ReviewEscape {
    /// What progress and guards need to know about this escape.
    #[must_use]
    pub fn work(&self) -> EscapeWork {
        EscapeWork {
            title: self.defect.data.title.clone(),
            facts_confirmed: self.facts_confirmed,
            checklist: self.checklist.clone(),
            expected_catch_stage: self.defect.data.expected_catch_stage.clone(),
            evidence: self.evidence.clone(),
            evidence_gap: self.evidence_gap.clone(),
            classification: self.classification.clone(),
            action_count: self.actions.len(),
            no_action_reason: self.no_action_reason.clone(),
        }
    }
}

/// A stored improvement action, with the names it refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub id: Uuid,
    pub review_id: Uuid,
    pub review_escape_id: Uuid,
    pub owner_team_id: Uuid,
    pub owner_team_name: String,
    pub title: String,
    pub mechanism: Mechanism,
    pub component_id: Option<Uuid>,
    pub component_name: Option<String>,
    pub target_layer: StageKey,
    pub effort: Effort,
    pub due_date: Option<NaiveDate>,
    pub status: ActionStatus,
    pub external_key: Option<String>,
    /// When the action last became done.
    pub done_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl Action {
    /// The action's data as the form checks it.
    #[must_use]
    pub fn data(&self) -> NewAction {
        NewAction {
            title: self.title.clone(),
            mechanism: self.mechanism,
            component_id: self.component_id,
            target_layer: self.target_layer.clone(),
            effort: self.effort,
            owner_team_id: self.owner_team_id,
            due_date: self.due_date,
            status: self.status,
        }
    }
}
