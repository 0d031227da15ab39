use super::*;
use crate::taxonomy::ReviewState::{self, Classified, Closed, Draft, InReview};

#[test]
fn a_complete_escape_misses_nothing() {
    let e = complete_escape("Coupon total wrong");
    assert!(e.missing().is_empty());
    assert_eq!(e.next_step(), None);
    for &s in Step::ALL {
        assert!(e.is_done(s), "{s:?}");
    }
}

#[test]
fn a_new_escape_misses_every_step_and_names_itself() {
    let e = EscapeWork {
        title: "Coupon total wrong".to_owned(),
        ..EscapeWork::default()
    };
    assert_eq!(e.next_step(), Some(Step::Facts));
    let messages: Vec<String> = e.missing().into_iter().map(|m| m.message).collect();
    assert_eq!(
        messages,
        [
            "'Coupon total wrong' has facts nobody has confirmed yet",
            "'Coupon total wrong' has 6 checklist questions unanswered",
            "'Coupon total wrong' has no stage where it should have been caught",
            "'Coupon total wrong' does not yet say what evidence would have caught it and why it did not exist",
            "'Coupon total wrong' has no primary mechanism",
            "'Coupon total wrong' has no improvement action and no reason why none is needed",
        ]
    );
}

#[test]
fn a_single_unanswered_question_is_worded_in_the_singular() {
    let mut e = complete_escape("x");
    e.checklist.set(Question::ProductionDiffers, None, "");
    assert_eq!(
        e.missing()[0].message,
        "'x' has 1 checklist question unanswered"
    );
    assert!(!e.missing()[0].blocks_classification);
}

#[test]
fn a_written_reason_replaces_an_action() {
    let mut e = complete_escape("x");
    e.action_count = 0;
    assert!(!e.is_done(Step::Actions));
    e.no_action_reason = Some("   ".to_owned());
    assert!(!e.is_done(Step::Actions), "a blank reason is no reason");
    e.no_action_reason = Some("The feature was removed".to_owned());
    assert!(e.is_done(Step::Actions));
}

#[test]
fn steps_follow_the_domain_order() {
    assert_eq!(
        crate::taxonomy::tests::keys_after_checking::<Step>(),
        ["facts", "checklist", "analysis", "mechanism", "actions"]
    );
    assert_eq!(Step::Facts.next(), Some(Step::Checklist));
    assert_eq!(Step::Actions.next(), None);
}

#[test]
fn the_primary_mechanism_is_never_also_contributing() {
    let c = Classification::new(
        Some(Mechanism::NoTest),
        [Mechanism::NoTest, Mechanism::MissedReview],
    );
    assert_eq!(c.primary(), Some(Mechanism::NoTest));
    assert_eq!(
        c.contributing().iter().copied().collect::<Vec<_>>(),
        [Mechanism::MissedReview]
    );
}

#[test]
fn starting_a_review_needs_an_escape() {
    let blocked = transition(Draft, InReview, &[]).unwrap_err();
    assert_eq!(
        blocked.reasons,
        ["Add at least one escaped defect before starting the review"]
    );
    assert_eq!(
        transition(Draft, InReview, &[EscapeWork::default()]),
        Ok(InReview)
    );
}

#[test]
fn classifying_is_blocked_by_each_escape_without_mechanism_or_action() {
    let mut a = complete_escape("Coupon total wrong");
    a.classification = Classification::default();
    let mut b = complete_escape("Slow search");
    b.action_count = 0;
    let c = complete_escape("Fine one");
    let blocked = transition(InReview, Classified, &[a, b, c.clone()]).unwrap_err();
    assert_eq!(
        blocked.reasons,
        [
            "'Coupon total wrong' has no primary mechanism",
            "'Slow search' has no improvement action and no reason why none is needed",
        ]
    );
    assert_eq!(transition(InReview, Classified, &[c]), Ok(Classified));
}

#[test]
fn missing_facts_or_checklist_do_not_block_classification() {
    let mut e = complete_escape("x");
    e.facts_confirmed = false;
    e.checklist = Checklist::new();
    e.expected_catch_stage = None;
    assert_eq!(transition(InReview, Classified, &[e]), Ok(Classified));
}

#[test]
fn closing_rechecks_the_classification_guard() {
    assert!(transition(Classified, Closed, &[]).is_err());
    assert_eq!(
        transition(Classified, Closed, &[complete_escape("x")]),
        Ok(Closed)
    );
}

#[test]
fn reopening_is_always_possible_and_marked_as_such() {
    assert_eq!(transition(Closed, InReview, &[]), Ok(InReview));
    assert_eq!(transition(Classified, InReview, &[]), Ok(InReview));
    assert!(
        Transition::between(Closed, InReview)
            .unwrap()
            .is_reopening()
    );
    assert!(!Transition::between(Draft, InReview).unwrap().is_reopening());
}

#[test]
fn moves_the_machine_lacks_are_refused_with_a_reason() {
    let e = [complete_escape("x")];
    for (from, to) in [
        (Draft, Classified),
        (Draft, Closed),
        (InReview, Closed),
        (InReview, Draft),
        (Closed, Draft),
        (Closed, Classified),
        (Draft, Draft),
    ] {
        let blocked = transition(from, to, &e).unwrap_err();
        assert_eq!(blocked.reasons.len(), 1, "{from:?} → {to:?}");
    }
    assert_eq!(
        transition(Draft, Closed, &e).unwrap_err().reasons[0],
        "A review that is draft cannot move to closed"
    );
}

#[test]
fn every_state_but_closed_has_a_way_forward_and_labels_are_distinct() {
    for &s in ReviewState::ALL {
        assert!(!Transition::from(s).is_empty(), "{s:?}");
    }
    let labels: std::collections::HashSet<_> = Transition::ALL.iter().map(|t| t.label()).collect();
    assert_eq!(labels.len(), Transition::ALL.len());
    assert!(!labels.contains("Change state"));
}

#[test]
fn only_drafts_and_reviews_in_progress_can_be_edited() {
    assert!(allows_edits(Draft));
    assert!(allows_edits(InReview));
    assert!(!allows_edits(Classified));
    assert!(!allows_edits(Closed));
}

#[test]
fn a_refusal_reads_as_one_sentence_list() {
    let b = Blocked {
        reasons: vec!["a".to_owned(), "b".to_owned()],
    };
    assert_eq!(b.to_string(), "a; b");
}
