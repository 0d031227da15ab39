//! What each escape of a review still lacks, step by step, and the review checklist built from it.

use std::collections::BTreeSet;

use serde::Serialize;

use super::Checklist;
use crate::stage::StageKey;
use crate::taxonomy::{Mechanism, keyed_enum};

keyed_enum! {
    /// The guided steps for one escape, in the order DOMAIN.md walks them.
    pub enum Step ("review step") {
        Facts => ("facts", "Facts"),
        Checklist => ("checklist", "Checklist"),
        Analysis => ("analysis", "Where it should have been caught"),
        Mechanism => ("mechanism", "Mechanism"),
        Actions => ("actions", "Actions"),
    }
}

impl Step {
    /// The step after this one, if any.
    #[must_use]
    pub fn next(self) -> Option<Step> {
        let i = Step::ALL.iter().position(|&s| s == self)?;
        Step::ALL.get(i + 1).copied()
    }
}

/// The confirmed classification of one escape: one primary and any contributing mechanisms.
///
/// Guarantees (through [`Classification::new`]): the primary is never also contributing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Classification {
    primary: Option<Mechanism>,
    contributing: BTreeSet<Mechanism>,
}

impl Classification {
    /// A classification; the primary is dropped from `contributing` if listed there too.
    #[must_use]
    pub fn new(
        primary: Option<Mechanism>,
        contributing: impl IntoIterator<Item = Mechanism>,
    ) -> Classification {
        let mut contributing: BTreeSet<Mechanism> = contributing.into_iter().collect();
        if let Some(p) = primary {
            contributing.remove(&p);
        }
        Classification {
            primary,
            contributing,
        }
    }

    /// The primary mechanism, once confirmed.
    #[must_use]
    pub fn primary(&self) -> Option<Mechanism> {
        self.primary
    }

    /// The contributing mechanisms, in mechanism order.
    #[must_use]
    pub fn contributing(&self) -> &BTreeSet<Mechanism> {
        &self.contributing
    }
}

/// Everything the guided review has recorded about one escape, as progress needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EscapeWork {
    /// The defect's title, used to name the escape in messages.
    pub title: String,
    /// The team confirmed the facts step.
    pub facts_confirmed: bool,
    /// The checklist answers.
    pub checklist: Checklist,
    /// Where the team says it should have been caught.
    pub expected_catch_stage: Option<StageKey>,
    /// "What evidence or test would have caught it earlier?"
    pub evidence: String,
    /// "Why did that evidence not exist?"
    pub evidence_gap: String,
    /// The confirmed mechanisms.
    pub classification: Classification,
    /// How many improvement actions address this escape.
    pub action_count: usize,
    /// The written reason why no action is needed, if given.
    pub no_action_reason: Option<String>,
}

/// One thing a review still lacks, and whether it stops the review being classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// The step where it is filled in.
    pub step: Step,
    /// The message, naming the escape: "'Coupon total wrong' has no primary mechanism".
    pub message: String,
    /// True when the review cannot become classified until this is done.
    pub blocks_classification: bool,
}

impl EscapeWork {
    /// Whether `step` is complete.
    #[must_use]
    pub fn is_done(&self, step: Step) -> bool {
        match step {
            Step::Facts => self.facts_confirmed,
            Step::Checklist => self.checklist.is_complete(),
            Step::Analysis => {
                self.expected_catch_stage.is_some()
                    && !self.evidence.trim().is_empty()
                    && !self.evidence_gap.trim().is_empty()
            }
            Step::Mechanism => self.classification.primary().is_some(),
            Step::Actions => {
                self.action_count > 0
                    || self
                        .no_action_reason
                        .as_deref()
                        .is_some_and(|r| !r.trim().is_empty())
            }
        }
    }

    /// The first step not yet complete, or `None` when all are.
    #[must_use]
    pub fn next_step(&self) -> Option<Step> {
        Step::ALL.iter().copied().find(|&s| !self.is_done(s))
    }

    /// What this escape still lacks, in step order.
    #[must_use]
    pub fn missing(&self) -> Vec<Missing> {
        let name = &self.title;
        let mut out = Vec::new();
        let mut push = |step: Step, message: String| {
            out.push(Missing {
                step,
                blocks_classification: matches!(step, Step::Mechanism | Step::Actions),
                message,
            });
        };
        if !self.facts_confirmed {
            push(
                Step::Facts,
                format!("'{name}' has facts nobody has confirmed yet"),
            );
        }
        let unanswered = self.checklist.unanswered().len();
        if unanswered > 0 {
            let questions = if unanswered == 1 {
                "question"
            } else {
                "questions"
            };
            push(
                Step::Checklist,
                format!("'{name}' has {unanswered} checklist {questions} unanswered"),
            );
        }
        if self.expected_catch_stage.is_none() {
            push(
                Step::Analysis,
                format!("'{name}' has no stage where it should have been caught"),
            );
        }
        if self.evidence.trim().is_empty() || self.evidence_gap.trim().is_empty() {
            push(
                Step::Analysis,
                format!(
                    "'{name}' does not yet say what evidence would have caught it and why it did not exist"
                ),
            );
        }
        if self.classification.primary().is_none() {
            push(
                Step::Mechanism,
                format!("'{name}' has no primary mechanism"),
            );
        }
        if !self.is_done(Step::Actions) {
            push(
                Step::Actions,
                format!("'{name}' has no improvement action and no reason why none is needed"),
            );
        }
        out
    }
}
