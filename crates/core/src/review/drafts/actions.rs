//! The improvement action form and the written reason why an escape needs no action.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{NARRATIVE_MAX_LEN, REVIEW_TITLE_MAX_LEN};
use crate::defect::fields::keyed;
use crate::errors::ValidationErrors;
use crate::form::{optional_uuid, parse_date, required_text, required_uuid};
use crate::stage::{Pipeline, StageKey};
use crate::taxonomy::{ActionStatus, Effort, Mechanism};

/// The improvement action form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionDraft {
    pub title: String,
    pub mechanism: String,
    pub component_id: String,
    pub target_layer: String,
    pub effort: String,
    pub owner_team_id: String,
    pub due_date: String,
    pub status: String,
}

/// A checked improvement action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub title: String,
    pub mechanism: Mechanism,
    pub component_id: Option<Uuid>,
    /// The pipeline stage (test layer) the improvement strengthens.
    pub target_layer: StageKey,
    pub effort: Effort,
    pub owner_team_id: Uuid,
    pub due_date: Option<NaiveDate>,
    pub status: ActionStatus,
}

impl ActionDraft {
    /// Checks every field; the status defaults to proposed.
    pub fn validate(&self, pipeline: &Pipeline) -> Result<NewAction, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let title = required_text(
            &mut e,
            "title",
            &self.title,
            REVIEW_TITLE_MAX_LEN,
            "Enter what the action will do",
            "Title must be 200 characters or fewer",
        );
        let mechanism: Option<Mechanism> = keyed(
            &mut e,
            "mechanism",
            &self.mechanism,
            "Select the mechanism this action addresses",
            "Select a mechanism from the list",
        );
        let component_id = optional_uuid(
            &mut e,
            "component_id",
            &self.component_id,
            "Select a component from the list",
        );
        let layer_text = self.target_layer.trim();
        let target_layer = if layer_text.is_empty() {
            e.push("target_layer", "Select the layer the action strengthens");
            None
        } else if let Some(stage) = pipeline.get(layer_text) {
            Some(stage.key.clone())
        } else {
            e.push("target_layer", "Select a layer from the pipeline");
            None
        };
        let effort: Option<Effort> = keyed(
            &mut e,
            "effort",
            &self.effort,
            "Select the effort",
            "Select an effort from the list",
        );
        let owner_team_id = required_uuid(
            &mut e,
            "owner_team_id",
            &self.owner_team_id,
            "Select the team that owns the action",
        );
        let due_date = if self.due_date.trim().is_empty() {
            None
        } else {
            let d = parse_date(&self.due_date);
            if d.is_none() {
                e.push("due_date", "Due date must be a real date, like 2026-03-15");
            }
            d
        };
        let status = if self.status.trim().is_empty() {
            Some(ActionStatus::Proposed)
        } else {
            keyed(
                &mut e,
                "status",
                &self.status,
                "",
                "Select a status from the list",
            )
        };
        match (
            title,
            mechanism,
            target_layer,
            effort,
            owner_team_id,
            status,
        ) {
            (
                Some(title),
                Some(mechanism),
                Some(target_layer),
                Some(effort),
                Some(owner_team_id),
                Some(status),
            ) if e.is_empty() => Ok(NewAction {
                title,
                mechanism,
                component_id,
                target_layer,
                effort,
                owner_team_id,
                due_date,
                status,
            }),
            _ => Err(e),
        }
    }
}

/// Checks the written reason why an escape needs no action: required, at most 20,000 characters.
pub fn no_action_reason(text: &str) -> Result<String, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let reason = required_text(
        &mut e,
        "no_action_reason",
        text,
        NARRATIVE_MAX_LEN,
        "Write why no action is needed",
        "The reason must be 20,000 characters or fewer",
    );
    match reason {
        Some(r) => Ok(r),
        None => Err(e),
    }
}
