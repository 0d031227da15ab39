use super::*;

fn mechanisms(c: &Checklist) -> Vec<Mechanism> {
    c.suggestions().iter().map(|s| s.mechanism).collect()
}

#[test]
fn the_questions_keep_their_keys_and_order() {
    assert_eq!(
        crate::taxonomy::tests::keys_after_checking::<Question>(),
        [
            "unfamiliar_code",
            "unclear_criteria",
            "automated_coverage",
            "test_ran_and_passed",
            "observable_in_test",
            "untested_conditions",
            "production_differs",
            "risk_visible_in_review",
        ]
    );
    assert_eq!(
        crate::taxonomy::tests::keys_after_checking::<Answer>(),
        ["yes", "no", "unknown"]
    );
    for &q in Question::ALL {
        assert!(!q.hint().is_empty());
        assert!(q.label().ends_with('?'), "{q:?} is a question");
    }
}

#[test]
fn only_two_questions_are_follow_ups() {
    let follow_ups: Vec<_> = Question::ALL.iter().filter(|q| q.is_follow_up()).collect();
    assert_eq!(
        follow_ups,
        [&Question::TestRanAndPassed, &Question::RiskVisibleInReview]
    );
}

#[test]
fn an_empty_checklist_misses_the_six_main_questions() {
    let c = Checklist::new();
    assert_eq!(c.unanswered().len(), 6);
    assert!(!c.is_complete());
    assert!(c.suggestions().is_empty());
}

#[test]
fn unknown_counts_as_an_answer() {
    let c = answers(&[
        (Question::UnfamiliarCode, Answer::Unknown),
        (Question::UnclearCriteria, Answer::Unknown),
        (Question::AutomatedCoverage, Answer::Unknown),
        (Question::ObservableInTest, Answer::Unknown),
        (Question::UntestedConditions, Answer::Unknown),
        (Question::ProductionDiffers, Answer::Unknown),
    ]);
    assert!(c.is_complete());
    assert!(c.suggestions().is_empty(), "unknown suggests nothing");
}

#[test]
fn coverage_yes_makes_the_test_run_follow_up_required() {
    let mut c = complete_escape("x").checklist;
    assert!(c.is_complete());
    c.set(Question::AutomatedCoverage, Some(Answer::Yes), "");
    assert_eq!(c.unanswered(), [Question::TestRanAndPassed]);
    c.set(Question::TestRanAndPassed, Some(Answer::Unknown), "");
    assert!(c.is_complete());
}

#[test]
fn no_automated_coverage_suggests_no_test_and_names_the_answer() {
    let c = answers(&[(Question::AutomatedCoverage, Answer::No)]);
    let s = c.suggestions();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].mechanism, Mechanism::NoTest);
    assert_eq!(
        s[0].because,
        [Because {
            question: Question::AutomatedCoverage,
            answer: Answer::No
        }]
    );
    assert_eq!(
        s[0].because[0].describe(),
        "Was there automated coverage for this failure mode? No"
    );
}

#[test]
fn a_test_that_ran_and_passed_suggests_an_ineffective_test() {
    let c = answers(&[
        (Question::AutomatedCoverage, Answer::Yes),
        (Question::TestRanAndPassed, Answer::Yes),
    ]);
    assert_eq!(mechanisms(&c), [Mechanism::IneffectiveTest]);
}

#[test]
fn a_skipped_or_flaky_test_suggests_broken_automation() {
    let c = answers(&[
        (Question::AutomatedCoverage, Answer::Yes),
        (Question::TestRanAndPassed, Answer::No),
    ]);
    assert_eq!(mechanisms(&c), [Mechanism::BrokenAutomation]);
    assert_eq!(
        c.suggestions()[0].because[0].describe(),
        "Did that test run and pass on the change? No: skipped, quarantined, flaky or not run"
    );
}

#[test]
fn the_test_run_answer_is_ignored_without_coverage() {
    let c = answers(&[
        (Question::AutomatedCoverage, Answer::No),
        (Question::TestRanAndPassed, Answer::No),
    ]);
    assert_eq!(mechanisms(&c), [Mechanism::NoTest]);
}

#[test]
fn each_yes_rule_suggests_its_mechanism() {
    for (q, m) in [
        (Question::UnclearCriteria, Mechanism::RequirementAmbiguity),
        (
            Question::UntestedConditions,
            Mechanism::UnrepresentativeData,
        ),
        (Question::ProductionDiffers, Mechanism::EnvironmentMismatch),
        (Question::RiskVisibleInReview, Mechanism::MissedReview),
    ] {
        assert_eq!(mechanisms(&answers(&[(q, Answer::Yes)])), [m], "{q:?}");
        assert!(
            answers(&[(q, Answer::No)]).suggestions().is_empty(),
            "{q:?}"
        );
    }
}

#[test]
fn not_observable_in_test_suggests_environment_mismatch_too() {
    let c = answers(&[
        (Question::ObservableInTest, Answer::No),
        (Question::ProductionDiffers, Answer::Yes),
    ]);
    let s = c.suggestions();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].mechanism, Mechanism::EnvironmentMismatch);
    assert_eq!(s[0].weight, 2);
    assert_eq!(s[0].because.len(), 2);
}

#[test]
fn unfamiliar_code_raises_no_test_and_missed_review_only() {
    let c = answers(&[
        (Question::UnfamiliarCode, Answer::Yes),
        (Question::AutomatedCoverage, Answer::No),
        (Question::UnclearCriteria, Answer::Yes),
        (Question::RiskVisibleInReview, Answer::Yes),
    ]);
    let s = c.suggestions();
    let weights: Vec<(Mechanism, u32)> = s.iter().map(|s| (s.mechanism, s.weight)).collect();
    assert_eq!(
        weights,
        [
            (Mechanism::NoTest, 2),
            (Mechanism::MissedReview, 2),
            (Mechanism::RequirementAmbiguity, 1),
        ]
    );
    assert_eq!(s[0].because[1].question, Question::UnfamiliarCode);
}

#[test]
fn unfamiliar_code_alone_suggests_nothing() {
    assert!(
        answers(&[(Question::UnfamiliarCode, Answer::Yes)])
            .suggestions()
            .is_empty()
    );
}

#[test]
fn setting_an_empty_entry_removes_it() {
    let mut c = answers(&[(Question::UnfamiliarCode, Answer::Yes)]);
    c.set(Question::UnfamiliarCode, None, "");
    assert_eq!(c, Checklist::new());
    c.set(Question::UnfamiliarCode, None, "a note without answer");
    assert_eq!(c.note(Question::UnfamiliarCode), "a note without answer");
    assert_eq!(c.answer(Question::UnfamiliarCode), None);
}

#[test]
fn a_checklist_is_stored_as_json_keyed_by_question() {
    let mut c = Checklist::new();
    c.set(
        Question::AutomatedCoverage,
        Some(Answer::No),
        "only unit tests",
    );
    c.set(Question::UnfamiliarCode, Some(Answer::Yes), "");
    let json = serde_json::to_string(&c).unwrap();
    assert_eq!(
        json,
        r#"{"unfamiliar_code":{"answer":"yes"},"automated_coverage":{"answer":"no","note":"only unit tests"}}"#
    );
    assert_eq!(serde_json::from_str::<Checklist>(&json).unwrap(), c);
}

#[test]
fn the_answer_labels_of_the_test_run_question_say_what_no_means() {
    assert_eq!(
        Question::TestRanAndPassed.answer_label(Answer::Yes),
        "Yes, it ran and passed"
    );
    assert_eq!(Question::UnfamiliarCode.answer_label(Answer::No), "No");
    assert_eq!(
        Question::TestRanAndPassed.answer_label(Answer::Unknown),
        "Unknown"
    );
}
