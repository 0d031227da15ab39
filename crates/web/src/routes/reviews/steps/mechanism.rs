//! Step 4, the mechanism: the mechanisms the checklist answers suggest, each naming the
//! answers behind it, then one primary and any contributing mechanisms confirmed.

use escapement_core::Mechanism;
use escapement_core::review::fields::{FieldLabel, MECHANISM_FIELDS};
use escapement_core::review::{ClassificationDraft, Question, Step};
use escapement_storage::reviews::ReviewEscape;
use serde::Serialize;

use super::frame::{StepKind, Workspace};
use crate::page::{Ctx, Done};

/// The mechanism step.
pub struct MechanismStep;

#[derive(Serialize)]
struct SuggestionView {
    key: &'static str,
    label: &'static str,
    weight: u32,
    because: Vec<String>,
}

/// One mechanism to choose, with its typical improvement.
#[derive(Serialize)]
pub struct MechanismOpt {
    pub value: &'static str,
    pub label: &'static str,
    pub improvement: &'static str,
    pub suggested: bool,
}

#[derive(Serialize)]
pub struct MechanismView {
    suggestions: Vec<SuggestionView>,
    mechanism: ClassificationDraft,
    mechanisms: Vec<MechanismOpt>,
    fields: [FieldLabel; 2],
    /// No checklist question has an answer: a mechanism chosen now has nothing behind it.
    no_answers: bool,
}

/// The seven mechanisms, marked where the escape's answers suggest them.
pub fn mechanism_options(escape: &ReviewEscape) -> Vec<MechanismOpt> {
    let suggested: Vec<Mechanism> = escape
        .work()
        .checklist
        .suggestions()
        .iter()
        .map(|s| s.mechanism)
        .collect();
    Mechanism::ALL
        .iter()
        .map(|&m| MechanismOpt {
            value: m.key(),
            label: m.label(),
            improvement: m.typical_improvement(),
            suggested: suggested.contains(&m),
        })
        .collect()
}

impl StepKind for MechanismStep {
    const STEP: Step = Step::Mechanism;
    const DONE: Done = Done::MechanismSaved;
    const TEMPLATE: &'static str = "reviews/steps/mechanism.html";
    type Input = ClassificationDraft;
    type View = MechanismView;

    fn view(_: &Ctx, ws: &Workspace, input: Option<&ClassificationDraft>) -> MechanismView {
        let escape = ws.escape();
        let suggestions = escape
            .work()
            .checklist
            .suggestions()
            .iter()
            .map(|s| SuggestionView {
                key: s.mechanism.key(),
                label: s.mechanism.label(),
                weight: s.weight,
                because: s.because.iter().map(|b| b.describe()).collect(),
            })
            .collect();
        MechanismView {
            suggestions,
            mechanism: input.cloned().unwrap_or_else(|| Self::saved(escape)),
            mechanisms: mechanism_options(escape),
            fields: MECHANISM_FIELDS,
            no_answers: Question::ALL
                .iter()
                .all(|&q| escape.checklist.answer(q).is_none()),
        }
    }

    fn saved(e: &ReviewEscape) -> ClassificationDraft {
        ClassificationDraft {
            primary: e
                .classification
                .primary()
                .map(|m| m.key().to_owned())
                .unwrap_or_default(),
            contributing: e
                .classification
                .contributing()
                .iter()
                .map(|m| m.key().to_owned())
                .collect(),
        }
    }

    fn labels() -> Vec<(&'static str, String)> {
        MECHANISM_FIELDS
            .iter()
            .map(|f| (f.name, f.label.to_owned()))
            .collect()
    }
}
