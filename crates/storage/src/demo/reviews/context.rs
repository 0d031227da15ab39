//! What every step of writing the demo reviews shares: who writes a team's reviews, the
//! escapes a review may cover, the plan of one review, and the context of one team's writes.

use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::Severity;
use uuid::Uuid;

use crate::Actor;
use crate::settings::StageSettings;

/// The person who writes a team's demo reviews (its lead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReviewer {
    /// The team whose escapes this person reviews.
    pub team_id: Uuid,
    /// Who the history names for every change.
    pub actor: Actor,
}

/// One escape that a demo review may cover.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) id: Uuid,
    pub(super) title: String,
    pub(super) component_id: Option<Uuid>,
    pub(super) component: String,
    pub(super) symptom: String,
    pub(super) severity: Severity,
    pub(super) discovery_stage: String,
    pub(super) detected_at: DateTime<Utc>,
    pub(super) incident_link: Option<String>,
    /// The defect's version when the walk starts (nothing else changes it meanwhile).
    pub(super) version: i32,
}

/// One review to write: its escapes and incident date.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub(super) escapes: Vec<Candidate>,
    pub(super) incident_date: NaiveDate,
}

/// What every write of one team's reviews needs.
pub(super) struct Context<'a> {
    pub(super) stages: &'a StageSettings,
    pub(super) reviewer: &'a DemoReviewer,
    /// The team that owns shared CI and environments, when there is one besides this team.
    pub(super) platform: Option<Uuid>,
    pub(super) start: DateTime<Utc>,
    pub(super) now: DateTime<Utc>,
}

impl Context<'_> {
    /// How far through the demo period `at` lies: 0 at its start, 1 now.
    pub(super) fn progress(&self, at: DateTime<Utc>) -> f64 {
        let total = (self.now - self.start).num_seconds().max(1) as f64;
        (at - self.start).num_seconds() as f64 / total
    }
}
