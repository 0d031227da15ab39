//! The analysis form (where it should have been caught, and why the evidence did not
//! exist) and the mechanism form (one primary, any contributing).

use serde::{Deserialize, Serialize};

use super::NARRATIVE_MAX_LEN;
use crate::defect::fields::keyed;
use crate::errors::ValidationErrors;
use crate::form::char_len;
use crate::review::Classification;
use crate::stage::{Pipeline, StageKey};
use crate::taxonomy::Mechanism;

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
