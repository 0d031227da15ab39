//! Unit and property tests of the guided review.
#![expect(clippy::unwrap_used, reason = "tests")]

mod blame;
mod checklist;
mod drafts;
mod markdown;
mod proptests;
mod state;

use super::*;
use crate::stage::StageKey;
use crate::taxonomy::Mechanism;

/// A checklist with the given answers and no notes.
pub(super) fn answers(pairs: &[(Question, Answer)]) -> Checklist {
    let mut c = Checklist::new();
    for &(q, a) in pairs {
        c.set(q, Some(a), "");
    }
    c
}

/// An escape with every step done.
pub(super) fn complete_escape(title: &str) -> EscapeWork {
    EscapeWork {
        title: title.to_owned(),
        facts_confirmed: true,
        checklist: answers(&[
            (Question::UnfamiliarCode, Answer::No),
            (Question::UnclearCriteria, Answer::No),
            (Question::AutomatedCoverage, Answer::No),
            (Question::ObservableInTest, Answer::Yes),
            (Question::UntestedConditions, Answer::Unknown),
            (Question::ProductionDiffers, Answer::No),
        ]),
        expected_catch_stage: Some(StageKey::parse("integration_test").unwrap()),
        evidence: "An API contract test on the coupon total".to_owned(),
        evidence_gap: "The coupon service had no contract suite".to_owned(),
        classification: Classification::new(Some(Mechanism::NoTest), []),
        action_count: 1,
        no_action_reason: None,
    }
}
