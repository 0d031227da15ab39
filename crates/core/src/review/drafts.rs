//! The forms of a review, as typed, and the rules that turn them into checked values.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Answer, Checklist, Classification, Question};
use crate::defect::ValidationErrors;
use crate::defect::fields::{incident_link, keyed};
use crate::form::{char_len, optional_uuid, parse_date, required_text, required_uuid};
use crate::stage::{Pipeline, StageKey};
use crate::taxonomy::{ActionStatus, Effort, Mechanism};

/// Longest review or action title, in characters.
pub const REVIEW_TITLE_MAX_LEN: usize = 200;
/// Longest Markdown summary or narrative field, in characters.
pub const NARRATIVE_MAX_LEN: usize = 20_000;
/// Longest checklist note, in characters.
pub const NOTE_MAX_LEN: usize = 2_000;
/// Most participants one review lists.
pub const PARTICIPANTS_MAX: usize = 50;
/// Longest participant name or role, in characters.
pub const PARTICIPANT_MAX_LEN: usize = 100;

/// A person who took part in a review, with their role in it (not a rank).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// The name as written.
    pub name: String,
    /// The role in the review ("facilitator", "QA", …), or "participant" when none was given.
    pub role: String,
}

/// Reads participant lines, one per line: `Name (role)` or just `Name`. Blank lines are
/// skipped; the result is sorted by role, then name, so no order reads as a ranking.
pub fn parse_participants(text: &str) -> Result<Vec<Participant>, String> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, role) = match line.strip_suffix(')').and_then(|l| l.rsplit_once('(')) {
            Some((name, role)) => (name.trim(), role.trim()),
            None => (line, ""),
        };
        if name.is_empty() {
            return Err(format!("Write a name before the role in “{line}”"));
        }
        if char_len(name) > PARTICIPANT_MAX_LEN || char_len(role) > PARTICIPANT_MAX_LEN {
            return Err(format!(
                "Names and roles must be {PARTICIPANT_MAX_LEN} characters or fewer"
            ));
        }
        out.push(Participant {
            name: name.to_owned(),
            role: if role.is_empty() { "participant" } else { role }.to_owned(),
        });
    }
    if out.len() > PARTICIPANTS_MAX {
        return Err(format!("List at most {PARTICIPANTS_MAX} participants"));
    }
    out.sort_by(|a, b| {
        (a.role.to_lowercase(), a.name.to_lowercase())
            .cmp(&(b.role.to_lowercase(), b.name.to_lowercase()))
    });
    Ok(out)
}

/// Writes participants back as the lines [`parse_participants`] reads.
#[must_use]
pub fn participants_text(participants: &[Participant]) -> String {
    participants
        .iter()
        .map(|p| format!("{} ({})", p.name, p.role))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The review details form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewDraft {
    pub title: String,
    pub team_id: String,
    pub incident_date: String,
    pub incident_link: String,
    pub summary: String,
    pub participants: String,
}

/// Checked review details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDetails {
    pub title: String,
    pub team_id: Uuid,
    pub incident_date: NaiveDate,
    pub incident_link: Option<String>,
    /// Markdown, rendered safely by the web layer.
    pub summary: String,
    pub participants: Vec<Participant>,
}

impl ReviewDraft {
    /// Checks every field; `today` bounds the incident date (at most one day ahead, for time zones).
    pub fn validate(&self, today: NaiveDate) -> Result<ReviewDetails, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let title = required_text(
            &mut e,
            "title",
            &self.title,
            REVIEW_TITLE_MAX_LEN,
            "Enter a title",
            "Title must be 200 characters or fewer",
        );
        let team_id = required_uuid(&mut e, "team_id", &self.team_id, "Select a team");
        let incident_date = if self.incident_date.trim().is_empty() {
            e.push("incident_date", "Enter the incident date");
            None
        } else {
            match parse_date(&self.incident_date) {
                None => {
                    e.push(
                        "incident_date",
                        "Incident date must be a real date, like 2026-03-15",
                    );
                    None
                }
                Some(d) if d > today + TimeDelta::days(1) => {
                    e.push("incident_date", "Incident date must not be in the future");
                    None
                }
                Some(d) => Some(d),
            }
        };
        let link = incident_link(&mut e, &self.incident_link);
        let summary = self.summary.trim_end();
        if char_len(summary) > NARRATIVE_MAX_LEN {
            e.push("summary", "Summary must be 20,000 characters or fewer");
        }
        let participants = parse_participants(&self.participants).unwrap_or_else(|message| {
            e.push("participants", message);
            Vec::new()
        });
        match (title, team_id, incident_date) {
            (Some(title), Some(team_id), Some(incident_date)) if e.is_empty() => {
                Ok(ReviewDetails {
                    title,
                    team_id,
                    incident_date,
                    incident_link: link,
                    summary: summary.to_owned(),
                    participants,
                })
            }
            _ => Err(e),
        }
    }
}

/// The checklist form: `answer_<question key>` and `note_<question key>` per question.
///
/// Blank answers stay unanswered, so a half-filled checklist can be saved.
pub fn checklist_from_form(
    fields: &BTreeMap<String, String>,
) -> Result<Checklist, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut checklist = Checklist::new();
    for &q in Question::ALL {
        let answer_text = fields
            .get(&format!("answer_{}", q.key()))
            .map_or("", |s| s.trim());
        let answer = if answer_text.is_empty() {
            None
        } else {
            let a = Answer::from_key(answer_text);
            if a.is_none() {
                e.push(answer_field(q), "Choose Yes, No or Unknown");
            }
            a
        };
        let note = fields
            .get(&format!("note_{}", q.key()))
            .map_or("", |s| s.trim());
        if char_len(note) > NOTE_MAX_LEN {
            e.push(note_field(q), "A note must be 2,000 characters or fewer");
        }
        checklist.set(q, answer, note);
    }
    e.into_result(checklist)
}

/// The form field holding the answer to `q` (`answer_<key>`).
#[must_use]
pub fn answer_field(q: Question) -> &'static str {
    match q {
        Question::UnfamiliarCode => "answer_unfamiliar_code",
        Question::UnclearCriteria => "answer_unclear_criteria",
        Question::AutomatedCoverage => "answer_automated_coverage",
        Question::TestRanAndPassed => "answer_test_ran_and_passed",
        Question::ObservableInTest => "answer_observable_in_test",
        Question::UntestedConditions => "answer_untested_conditions",
        Question::ProductionDiffers => "answer_production_differs",
        Question::RiskVisibleInReview => "answer_risk_visible_in_review",
    }
}

/// The form field holding the note on `q` (`note_<key>`).
#[must_use]
pub fn note_field(q: Question) -> &'static str {
    match q {
        Question::UnfamiliarCode => "note_unfamiliar_code",
        Question::UnclearCriteria => "note_unclear_criteria",
        Question::AutomatedCoverage => "note_automated_coverage",
        Question::TestRanAndPassed => "note_test_ran_and_passed",
        Question::ObservableInTest => "note_observable_in_test",
        Question::UntestedConditions => "note_untested_conditions",
        Question::ProductionDiffers => "note_production_differs",
        Question::RiskVisibleInReview => "note_risk_visible_in_review",
    }
}

/// The "where should it have been caught" form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalysisDraft {
    pub expected_catch_stage: String,
    pub evidence: String,
    pub evidence_gap: String,
}

/// Checked analysis; blank fields stay blank so the step can be saved half done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub expected_catch_stage: Option<StageKey>,
    pub evidence: String,
    pub evidence_gap: String,
}

impl AnalysisDraft {
    /// Checks the stage against `pipeline` and the lengths of the two answers.
    pub fn validate(&self, pipeline: &Pipeline) -> Result<Analysis, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let stage_text = self.expected_catch_stage.trim();
        let expected_catch_stage = if stage_text.is_empty() {
            None
        } else {
            match pipeline.get(stage_text) {
                Some(stage) => Some(stage.key.clone()),
                None => {
                    e.push("expected_catch_stage", "Select a stage from the pipeline");
                    None
                }
            }
        };
        for (field, text) in [
            ("evidence", &self.evidence),
            ("evidence_gap", &self.evidence_gap),
        ] {
            if char_len(text.trim()) > NARRATIVE_MAX_LEN {
                e.push(field, "The answer must be 20,000 characters or fewer");
            }
        }
        e.into_result(Analysis {
            expected_catch_stage,
            evidence: self.evidence.trim().to_owned(),
            evidence_gap: self.evidence_gap.trim().to_owned(),
        })
    }
}

/// The mechanism form: one primary key and any contributing keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClassificationDraft {
    pub primary: String,
    pub contributing: Vec<String>,
}

impl ClassificationDraft {
    /// A primary mechanism is required; contributing ones must be known and differ from it.
    pub fn validate(&self) -> Result<Classification, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let primary: Option<Mechanism> = keyed(
            &mut e,
            "primary",
            &self.primary,
            "Select the primary mechanism",
            "Select a primary mechanism from the list",
        );
        let mut contributing = Vec::new();
        for key in self
            .contributing
            .iter()
            .map(|k| k.trim())
            .filter(|k| !k.is_empty())
        {
            match Mechanism::from_key(key) {
                Some(m) if Some(m) == primary => {
                    e.push(
                        "contributing",
                        "A contributing mechanism cannot also be the primary one",
                    );
                    break;
                }
                Some(m) => contributing.push(m),
                None => {
                    e.push(
                        "contributing",
                        "Select contributing mechanisms from the list",
                    );
                    break;
                }
            }
        }
        e.into_result(Classification::new(primary, contributing))
    }
}

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
