//! The checklist form: an answer and a note per question, by field name.

use std::collections::BTreeMap;

use super::NOTE_MAX_LEN;
use crate::errors::ValidationErrors;
use crate::form::char_len;
use crate::review::{Answer, Checklist, Question};

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
