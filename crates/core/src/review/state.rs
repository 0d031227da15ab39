//! The review state machine: which moves exist, and the guard each one checks.

use serde::Serialize;

use super::EscapeWork;
use crate::taxonomy::ReviewState;

/// A move of a review from one state to another, as a button names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Transition {
    /// The state it leaves.
    pub from: ReviewState,
    /// The state it reaches.
    pub to: ReviewState,
}

impl Transition {
    /// Every move the state machine has: start, classify, close, back to review, reopen.
    pub const ALL: &'static [Transition] = &[
        Transition::new(ReviewState::Draft, ReviewState::InReview),
        Transition::new(ReviewState::InReview, ReviewState::Classified),
        Transition::new(ReviewState::Classified, ReviewState::Closed),
        Transition::new(ReviewState::Classified, ReviewState::InReview),
        Transition::new(ReviewState::Closed, ReviewState::InReview),
    ];

    const fn new(from: ReviewState, to: ReviewState) -> Transition {
        Transition { from, to }
    }

    /// The move from `from` to `to`, if the state machine has one.
    #[must_use]
    pub fn between(from: ReviewState, to: ReviewState) -> Option<Transition> {
        Transition::ALL
            .iter()
            .copied()
            .find(|t| t.from == from && t.to == to)
    }

    /// The moves out of `state`, in button order.
    #[must_use]
    pub fn from(state: ReviewState) -> Vec<Transition> {
        Transition::ALL
            .iter()
            .copied()
            .filter(|t| t.from == state)
            .collect()
    }

    /// The button text.
    #[must_use]
    pub fn label(self) -> &'static str {
        use ReviewState::{Classified, Closed, Draft, InReview};
        match (self.from, self.to) {
            (Draft, InReview) => "Start the review",
            (InReview, Classified) => "Mark as classified",
            (Classified, Closed) => "Close the review",
            (Classified, InReview) => "Move back to in review",
            (Closed, InReview) => "Reopen the review",
            _ => "Change state",
        }
    }

    /// True for moves that undo a finished state (recorded as a reopening).
    #[must_use]
    pub fn is_reopening(self) -> bool {
        self.to == ReviewState::InReview
            && matches!(self.from, ReviewState::Classified | ReviewState::Closed)
    }

    /// Checks the guard of this move against the review's escapes; on refusal, every reason
    /// in words. Guards: starting needs at least one escape; classifying and closing need every
    /// escape to have a primary mechanism and an action or a written reason for none.
    pub fn check(self, escapes: &[EscapeWork]) -> Result<ReviewState, Blocked> {
        let mut reasons = Vec::new();
        match self.to {
            ReviewState::InReview if self.from == ReviewState::Draft && escapes.is_empty() => {
                reasons
                    .push("Add at least one escaped defect before starting the review".to_owned());
            }
            ReviewState::Classified | ReviewState::Closed => {
                if escapes.is_empty() {
                    reasons.push("The review covers no escaped defect".to_owned());
                }
                reasons.extend(
                    escapes
                        .iter()
                        .flat_map(EscapeWork::missing)
                        .filter(|m| m.blocks_classification)
                        .map(|m| m.message),
                );
            }
            _ => {}
        }
        if reasons.is_empty() {
            Ok(self.to)
        } else {
            Err(Blocked { reasons })
        }
    }
}

/// Moves `state` to `to` when the machine has that move and its guard holds.
pub fn transition(
    state: ReviewState,
    to: ReviewState,
    escapes: &[EscapeWork],
) -> Result<ReviewState, Blocked> {
    match Transition::between(state, to) {
        Some(t) => t.check(escapes),
        None => Err(Blocked {
            reasons: vec![format!(
                "A review that is {} cannot move to {}",
                state.label().to_lowercase(),
                to.label().to_lowercase()
            )],
        }),
    }
}

/// Whether the escapes, classification and actions of a review in `state` may be edited:
/// only while it is a draft or in review (reopen a classified or closed review first).
#[must_use]
pub fn allows_edits(state: ReviewState) -> bool {
    matches!(state, ReviewState::Draft | ReviewState::InReview)
}

/// A refused move, with every reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", reasons.join("; "))]
pub struct Blocked {
    /// Why, one sentence each.
    pub reasons: Vec<String>,
}
