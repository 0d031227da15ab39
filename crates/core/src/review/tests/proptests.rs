use proptest::prelude::*;

use super::*;
use crate::taxonomy::ReviewState;

fn answer() -> impl Strategy<Value = Option<Answer>> {
    prop_oneof![
        Just(None),
        Just(Some(Answer::Yes)),
        Just(Some(Answer::No)),
        Just(Some(Answer::Unknown))
    ]
}

fn checklist() -> impl Strategy<Value = Checklist> {
    proptest::collection::vec(answer(), Question::ALL.len()).prop_map(|answers| {
        let mut c = Checklist::new();
        for (&q, a) in Question::ALL.iter().zip(answers) {
            c.set(q, a, "");
        }
        c
    })
}

fn escape() -> impl Strategy<Value = EscapeWork> {
    (
        any::<bool>(),
        checklist(),
        proptest::option::of(0..Mechanism::ALL.len()),
        0usize..3,
        proptest::option::of("[a-z ]{0,8}"),
    )
        .prop_map(|(facts, checklist, primary, actions, reason)| EscapeWork {
            title: "e".to_owned(),
            facts_confirmed: facts,
            checklist,
            expected_catch_stage: None,
            evidence: String::new(),
            evidence_gap: String::new(),
            classification: Classification::new(primary.map(|i| Mechanism::ALL[i]), []),
            action_count: actions,
            no_action_reason: reason,
        })
}

fn state() -> impl Strategy<Value = ReviewState> {
    (0..ReviewState::ALL.len()).prop_map(|i| ReviewState::ALL[i])
}

proptest! {
    #[test]
    fn every_suggestion_names_an_answer_that_was_given(c in checklist()) {
        for s in c.suggestions() {
            prop_assert!(!s.because.is_empty());
            prop_assert_eq!(s.weight as usize, s.because.len());
            for b in &s.because {
                prop_assert_eq!(c.answer(b.question), Some(b.answer));
                prop_assert_ne!(b.answer, Answer::Unknown);
            }
        }
    }

    #[test]
    fn suggestions_are_unique_and_strongest_first(c in checklist()) {
        let s = c.suggestions();
        let mut seen = std::collections::HashSet::new();
        for x in &s {
            prop_assert!(seen.insert(x.mechanism));
        }
        prop_assert!(s.windows(2).all(|w| w[0].weight >= w[1].weight));
    }

    #[test]
    fn no_transition_skips_its_guard(from in state(), to in state(), escapes in proptest::collection::vec(escape(), 0..4)) {
        match transition(from, to, &escapes) {
            Ok(reached) => {
                prop_assert_eq!(reached, to);
                prop_assert!(Transition::between(from, to).is_some());
                if matches!(to, ReviewState::Classified | ReviewState::Closed) {
                    prop_assert!(!escapes.is_empty());
                    for e in &escapes {
                        prop_assert!(e.is_done(Step::Mechanism) && e.is_done(Step::Actions));
                    }
                }
                if from == ReviewState::Draft {
                    prop_assert!(!escapes.is_empty());
                }
            }
            Err(blocked) => prop_assert!(!blocked.reasons.is_empty()),
        }
    }

    #[test]
    fn missing_is_empty_exactly_when_every_step_is_done(e in escape()) {
        let all_done = Step::ALL.iter().all(|&s| e.is_done(s));
        prop_assert_eq!(e.missing().is_empty(), all_done);
        prop_assert_eq!(e.next_step().is_none(), all_done);
    }

    #[test]
    fn the_blame_guard_never_panics_and_points_inside_the_text(text in "\\PC{0,80}", name in "\\PC{0,12}") {
        for f in blame_findings(&text, &[name.as_str()]) {
            prop_assert_eq!(&text[f.start..f.start + f.text.len()], f.text.as_str());
        }
    }

    #[test]
    fn participants_parse_or_explain_and_never_panic(text in "\\PC{0,200}") {
        if let Ok(list) = parse_participants(&text) {
            for p in list {
                prop_assert!(!p.name.is_empty());
                prop_assert!(!p.role.is_empty());
            }
        }
    }
}

/// One thing a team can do to a review in the model below.
#[derive(Debug, Clone)]
enum Op {
    /// Confirm (`Some`) or clear (`None`) escape `i`'s primary mechanism.
    Primary(usize, Option<usize>),
    /// Add or remove one action of escape `i`.
    Action(usize, bool),
    /// Write or clear escape `i`'s no-action reason.
    Reason(usize, bool),
    /// Try to move the review to a state.
    Move(ReviewState),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..3, proptest::option::of(0..Mechanism::ALL.len()))
            .prop_map(|(i, m)| Op::Primary(i, m)),
        (0usize..3, any::<bool>()).prop_map(|(i, add)| Op::Action(i, add)),
        (0usize..3, any::<bool>()).prop_map(|(i, set)| Op::Reason(i, set)),
        state().prop_map(Op::Move),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Edits go through `allows_edits` and moves through `transition`, as storage does: no
    /// sequence reaches classified or closed while an escape lacks a primary mechanism or
    /// both an action and a reason.
    #[test]
    fn no_sequence_of_operations_classifies_an_unclassified_escape(
        count in 1usize..4,
        ops in proptest::collection::vec(op(), 0..40),
    ) {
        let mut escapes: Vec<EscapeWork> = (0..count)
            .map(|i| EscapeWork { title: format!("escape {i}"), ..EscapeWork::default() })
            .collect();
        let mut state = ReviewState::Draft;
        for op in ops {
            match op {
                Op::Move(to) => {
                    if let Ok(reached) = transition(state, to, &escapes) {
                        state = reached;
                    }
                }
                edit if allows_edits(state) => {
                    match edit {
                        Op::Primary(i, m) => {
                            if let Some(e) = escapes.get_mut(i) {
                                e.classification = Classification::new(m.map(|m| Mechanism::ALL[m]), []);
                            }
                        }
                        Op::Action(i, add) => {
                            if let Some(e) = escapes.get_mut(i) {
                                e.action_count = if add { e.action_count + 1 } else { e.action_count.saturating_sub(1) };
                            }
                        }
                        Op::Reason(i, set) => {
                            if let Some(e) = escapes.get_mut(i) {
                                e.no_action_reason = set.then(|| "the feature was removed".to_owned());
                            }
                        }
                        Op::Move(_) => {}
                    }
                }
                _ => {}
            }
            if matches!(state, ReviewState::Classified | ReviewState::Closed) {
                for e in &escapes {
                    prop_assert!(e.is_done(Step::Mechanism), "{} has no primary in {state:?}", e.title);
                    prop_assert!(e.is_done(Step::Actions), "{} has no action or reason in {state:?}", e.title);
                }
            }
        }
    }
}
