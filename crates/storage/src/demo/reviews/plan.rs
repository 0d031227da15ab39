//! The pure choices behind the demo reviews: the mechanisms an escape gets as the quarters
//! pass, checklist answers that suggest exactly those mechanisms, the stages, the effort and
//! status of actions, and the state each review ends in. Every draw comes from the caller's
//! seeded generator, so a seed always gives the same choices.

use escapement_core::review::{Answer, Checklist, Classification, Question};
use escapement_core::{ActionStatus, Effort, Mechanism, ReviewState};
use rand::Rng;
use rand::rngs::StdRng;

use super::texts;
use crate::demo::draw::pick_weighted;

/// Weight of each primary mechanism at the start of the demo period and now (linear in
/// between): missing tests dominate two years ago, then fall as the teams add tests, while
/// flaky or skipped automation and environment differences rise with the bigger suites and
/// the move to more environments.
const DRIFT: [(Mechanism, u32, u32); 7] = [
    (Mechanism::NoTest, 45, 8),
    (Mechanism::IneffectiveTest, 14, 12),
    (Mechanism::UnrepresentativeData, 12, 14),
    (Mechanism::EnvironmentMismatch, 6, 22),
    (Mechanism::RequirementAmbiguity, 12, 8),
    (Mechanism::MissedReview, 8, 8),
    (Mechanism::BrokenAutomation, 3, 28),
];

/// The weight of each mechanism at `progress` through the demo period (0 = its start,
/// 1 = now), in tenths.
pub(crate) fn mechanism_weights(progress: f64) -> [(Mechanism, u32); 7] {
    let p = progress.clamp(0.0, 1.0);
    DRIFT.map(|(m, old, new)| {
        let w = f64::from(old) + (f64::from(new) - f64::from(old)) * p;
        (m, (w * 10.0).round().max(1.0) as u32)
    })
}

/// The mechanisms the automated-coverage question decides between: one escape can have at
/// most one of them, since the checklist answers that question once.
fn decided_by_coverage(m: Mechanism) -> bool {
    matches!(
        m,
        Mechanism::NoTest | Mechanism::IneffectiveTest | Mechanism::BrokenAutomation
    )
}

/// A primary mechanism drawn from the mix at `progress`, and sometimes one or two
/// contributing ones that the same checklist can suggest.
pub(crate) fn classify(rng: &mut StdRng, progress: f64) -> Classification {
    let weights = mechanism_weights(progress);
    let primary = *pick_weighted(rng, &weights);
    let extra = *pick_weighted(rng, &[(0_usize, 60), (1, 32), (2, 8)]);
    let mut chosen = vec![primary];
    for _ in 0..extra {
        let coverage_taken = chosen.iter().any(|&m| decided_by_coverage(m));
        let options: Vec<(Mechanism, u32)> = weights
            .iter()
            .copied()
            .filter(|(m, _)| !(chosen.contains(m) || coverage_taken && decided_by_coverage(*m)))
            .collect();
        if options.is_empty() {
            break;
        }
        chosen.push(*pick_weighted(rng, &options));
    }
    Classification::new(Some(primary), chosen.into_iter().skip(1))
}

/// Checklist answers whose suggestions are exactly the primary and contributing mechanisms
/// of `c`, with a short note on each answer that points to one.
pub(crate) fn checklist_for(rng: &mut StdRng, c: &Classification) -> Checklist {
    use Answer::{No, Unknown, Yes};
    let has = |m: Mechanism| c.primary() == Some(m) || c.contributing().contains(&m);
    let mut list = Checklist::new();
    let mut answer = |q: Question, a: Answer, note: &str| list.set(q, Some(a), note);
    // "Unfamiliar code" raises no_test and missed_review; only when one of them is chosen.
    let unfamiliar =
        (has(Mechanism::NoTest) || has(Mechanism::MissedReview)) && rng.random_bool(0.5);
    match (unfamiliar, rng.random_bool(0.15)) {
        (true, _) => answer(Question::UnfamiliarCode, Yes, texts::NOTE_UNFAMILIAR),
        (false, true) => answer(Question::UnfamiliarCode, Unknown, ""),
        (false, false) => answer(Question::UnfamiliarCode, No, ""),
    }
    if has(Mechanism::RequirementAmbiguity) {
        answer(Question::UnclearCriteria, Yes, texts::NOTE_CRITERIA);
    } else {
        answer(Question::UnclearCriteria, No, "");
    }
    if has(Mechanism::NoTest) {
        answer(Question::AutomatedCoverage, No, texts::NOTE_NO_COVERAGE);
    } else if has(Mechanism::IneffectiveTest) {
        answer(Question::AutomatedCoverage, Yes, "");
        answer(Question::TestRanAndPassed, Yes, texts::NOTE_RAN_AND_PASSED);
    } else if has(Mechanism::BrokenAutomation) {
        answer(Question::AutomatedCoverage, Yes, "");
        answer(Question::TestRanAndPassed, No, texts::NOTE_SKIPPED);
    } else {
        answer(
            Question::AutomatedCoverage,
            Unknown,
            texts::NOTE_COVERAGE_UNKNOWN,
        );
    }
    let env = has(Mechanism::EnvironmentMismatch);
    if env && c.primary() == Some(Mechanism::EnvironmentMismatch) {
        answer(Question::ObservableInTest, No, texts::NOTE_NOT_OBSERVABLE);
    } else {
        answer(Question::ObservableInTest, Yes, "");
    }
    if has(Mechanism::UnrepresentativeData) {
        answer(Question::UntestedConditions, Yes, texts::NOTE_CONDITIONS);
    } else {
        answer(Question::UntestedConditions, No, "");
    }
    if env {
        answer(Question::ProductionDiffers, Yes, texts::NOTE_PRODUCTION);
    } else {
        answer(Question::ProductionDiffers, No, "");
    }
    if has(Mechanism::MissedReview) {
        answer(Question::RiskVisibleInReview, Yes, texts::NOTE_REVIEW);
    } else {
        answer(Question::RiskVisibleInReview, No, "");
    }
    list
}

/// Where the team says an escape of mechanism `m`, discovered at `discovered`, should have
/// been caught (a default-pipeline key).
pub(crate) fn expected_stage(rng: &mut StdRng, m: Mechanism, discovered: &str) -> &'static str {
    let options: &[(&'static str, u32)] = match m {
        Mechanism::NoTest => &[
            ("unit_test", 5),
            ("integration_test", 4),
            ("system_test", 2),
        ],
        Mechanism::IneffectiveTest | Mechanism::BrokenAutomation => {
            &[("unit_test", 1), ("integration_test", 1)]
        }
        Mechanism::UnrepresentativeData => &[("integration_test", 1), ("system_test", 1)],
        Mechanism::EnvironmentMismatch if discovered == "staging" => &[("system_test", 1)],
        Mechanism::EnvironmentMismatch => &[("staging", 1)],
        Mechanism::RequirementAmbiguity => &[("requirements_review", 1)],
        Mechanism::MissedReview => &[("code_review", 3), ("design_review", 1)],
    };
    let &key = pick_weighted(rng, options);
    key
}

/// The layer an action against `m` strengthens: a test layer for the test mechanisms (the
/// expected catch stage when that is one, the end-to-end layer for the journey check of
/// `variant` 1), otherwise the gate that the improvement changes.
pub(crate) fn target_layer(m: Mechanism, expected: &'static str, variant: usize) -> &'static str {
    const TEST_LAYERS: [&str; 3] = ["unit_test", "integration_test", "system_test"];
    match m {
        Mechanism::NoTest if variant % 2 == 1 => "system_test",
        Mechanism::NoTest | Mechanism::IneffectiveTest | Mechanism::BrokenAutomation => {
            if TEST_LAYERS.contains(&expected) {
                expected
            } else {
                "integration_test"
            }
        }
        Mechanism::UnrepresentativeData => "integration_test",
        Mechanism::EnvironmentMismatch => "staging",
        Mechanism::RequirementAmbiguity => "requirements_review",
        Mechanism::MissedReview => "code_review",
    }
}

/// The rough size of an action against `m`.
pub(crate) fn effort(rng: &mut StdRng, m: Mechanism) -> Effort {
    use Effort::{L, M, S};
    let weights: [(Effort, u32); 3] = match m {
        Mechanism::NoTest => [(S, 50), (M, 40), (L, 10)],
        Mechanism::IneffectiveTest => [(S, 40), (M, 50), (L, 10)],
        Mechanism::UnrepresentativeData => [(S, 15), (M, 50), (L, 35)],
        Mechanism::EnvironmentMismatch => [(S, 15), (M, 40), (L, 45)],
        Mechanism::RequirementAmbiguity => [(S, 60), (M, 35), (L, 5)],
        Mechanism::MissedReview => [(S, 70), (M, 25), (L, 5)],
        Mechanism::BrokenAutomation => [(S, 30), (M, 50), (L, 20)],
    };
    *pick_weighted(rng, &weights)
}

/// Days from the incident to an action's due date, by effort.
pub(crate) fn due_in_days(rng: &mut StdRng, effort: Effort) -> i64 {
    match effort {
        Effort::S => rng.random_range(14..=30),
        Effort::M => rng.random_range(30..=60),
        Effort::L => rng.random_range(60..=120),
    }
}

/// Where an action of a review `age_days` old stands: old actions are mostly done (a few
/// dropped), recent ones still proposed or accepted.
pub(crate) fn action_status(rng: &mut StdRng, state: ReviewState, age_days: i64) -> ActionStatus {
    use ActionStatus::{Accepted, Done, InProgress, Proposed, WontDo};
    let weights: [(ActionStatus, u32); 5] = match (state, age_days) {
        (ReviewState::Draft | ReviewState::InReview, _) => [
            (Proposed, 80),
            (Accepted, 20),
            (InProgress, 0),
            (Done, 0),
            (WontDo, 0),
        ],
        (_, ..=90) => [
            (Proposed, 35),
            (Accepted, 35),
            (InProgress, 25),
            (Done, 5),
            (WontDo, 0),
        ],
        (_, 91..=270) => [
            (Proposed, 5),
            (Accepted, 25),
            (InProgress, 30),
            (Done, 35),
            (WontDo, 5),
        ],
        _ => [
            (Proposed, 2),
            (Accepted, 8),
            (InProgress, 13),
            (Done, 65),
            (WontDo, 12),
        ],
    };
    *pick_weighted(rng, &weights)
}

/// The state a team's review ends in, from its rank (0 = the team's newest) and its age:
/// each team's three newest are a draft, one in review and one classified, so every state
/// shows; older ones are classified or, mostly, closed.
pub(crate) fn target_state(rng: &mut StdRng, rank: usize, age_days: i64) -> ReviewState {
    use ReviewState::{Classified, Closed, Draft, InReview};
    match (rank, age_days) {
        (0, _) => Draft,
        (1, _) => InReview,
        (2, _) => Classified,
        (_, ..=45) => *pick_weighted(rng, &[(Draft, 3), (InReview, 7)]),
        (_, 46..=100) => *pick_weighted(rng, &[(Classified, 55), (Closed, 45)]),
        _ => *pick_weighted(rng, &[(Classified, 15), (Closed, 85)]),
    }
}
