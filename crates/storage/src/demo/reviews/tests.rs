//! The pure choices of the demo reviews: consistent checklists, a drifting mechanism mix,
//! blameless texts and every state.

use std::collections::BTreeSet;

use escapement_core::review::blame_findings;
use escapement_core::{Mechanism, ReviewState};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{plan, texts};

fn share(progress: f64, of: &[Mechanism]) -> f64 {
    let weights = plan::mechanism_weights(progress);
    let total: u32 = weights.iter().map(|(_, w)| w).sum();
    let part: u32 = weights
        .iter()
        .filter(|(m, _)| of.contains(m))
        .map(|(_, w)| w)
        .sum();
    f64::from(part) / f64::from(total)
}

#[test]
fn missing_tests_fall_while_broken_automation_and_environment_mismatches_rise() {
    assert!(share(0.0, &[Mechanism::NoTest]) > 2.0 * share(1.0, &[Mechanism::NoTest]));
    let rising = [Mechanism::BrokenAutomation, Mechanism::EnvironmentMismatch];
    assert!(share(1.0, &rising) > 2.0 * share(0.0, &rising));
    for p in [0.0, 0.3, 0.7, 1.0] {
        assert!(plan::mechanism_weights(p).iter().all(|(_, w)| *w > 0));
    }
}

#[test]
fn the_checklist_suggests_exactly_the_confirmed_mechanisms() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut primaries = BTreeSet::new();
    for i in 0..2_000 {
        let c = plan::classify(&mut rng, f64::from(i % 100) / 100.0);
        let list = plan::checklist_for(&mut rng, &c);
        assert!(list.is_complete(), "{c:?}");
        let suggested: BTreeSet<Mechanism> =
            list.suggestions().iter().map(|s| s.mechanism).collect();
        let confirmed: BTreeSet<Mechanism> = c
            .primary()
            .into_iter()
            .chain(c.contributing().iter().copied())
            .collect();
        assert_eq!(suggested, confirmed, "{list:?}");
        primaries.extend(c.primary());
    }
    assert_eq!(
        primaries.len(),
        Mechanism::ALL.len(),
        "every mechanism occurs"
    );
}

#[test]
fn every_generated_text_is_blameless() {
    let mut texts_to_check: Vec<String> = texts::NOTES.iter().map(|s| (*s).to_owned()).collect();
    texts_to_check.extend(texts::NO_ACTION_REASONS.iter().map(|s| (*s).to_owned()));
    texts_to_check.push(texts::covered_by(
        "Cart: total is wrong when two discounts stack",
    ));
    texts_to_check.push(texts::review_title("Payments: rounds currency amounts", 2));
    texts_to_check.push(texts::review_summary(
        "System test (QA)",
        &[("Search API: times out".to_owned(), "Production")],
    ));
    for &m in Mechanism::ALL {
        for layer in ["unit", "API", "end-to-end", "staging", "code review"] {
            texts_to_check.push(texts::evidence(m, "Coupons", layer));
            for variant in 0..2 {
                texts_to_check.push(texts::action_title(m, variant, "Coupons", "fails", layer));
            }
        }
        texts_to_check.push(texts::evidence_gap(m, "Coupons"));
    }
    for text in &texts_to_check {
        assert_eq!(blame_findings(text, &[]), vec![], "{text}");
        assert!(text.chars().count() <= 2_000, "{text}");
    }
}

#[test]
fn each_teams_three_newest_reviews_show_the_first_three_states() {
    let mut rng = StdRng::seed_from_u64(3);
    assert_eq!(plan::target_state(&mut rng, 0, 400), ReviewState::Draft);
    assert_eq!(plan::target_state(&mut rng, 1, 400), ReviewState::InReview);
    assert_eq!(
        plan::target_state(&mut rng, 2, 400),
        ReviewState::Classified
    );
    let old: BTreeSet<ReviewState> = (0..200)
        .map(|_| plan::target_state(&mut rng, 5, 400))
        .collect();
    assert!(old.contains(&ReviewState::Closed));
    assert!(!old.contains(&ReviewState::Draft));
}

#[test]
fn actions_target_a_stage_of_the_default_pipeline_and_test_mechanisms_a_test_layer() {
    let pipeline = escapement_core::Pipeline::default();
    let mut rng = StdRng::seed_from_u64(5);
    for &m in Mechanism::ALL {
        for discovered in ["staging", "uat", "beta", "production"] {
            for variant in 0..4 {
                let expected = plan::expected_stage(&mut rng, m, discovered);
                assert!(pipeline.get(expected).is_some(), "{expected}");
                let layer = plan::target_layer(m, expected, variant);
                assert!(pipeline.get(layer).is_some(), "{layer}");
                if matches!(
                    m,
                    Mechanism::NoTest | Mechanism::IneffectiveTest | Mechanism::BrokenAutomation
                ) {
                    assert!(layer.ends_with("_test"), "{m:?} targets {layer}");
                }
            }
        }
    }
}

#[test]
fn titles_take_the_article_their_words_need() {
    assert_eq!(
        texts::action_title(Mechanism::NoTest, 0, "Cart", "fails", "API"),
        "Add an API test for Cart: fails"
    );
    assert_eq!(
        texts::action_title(Mechanism::NoTest, 0, "Cart", "fails", "unit"),
        "Add a unit test for Cart: fails"
    );
    assert_eq!(
        texts::action_title(
            Mechanism::MissedReview,
            0,
            "iOS app",
            "fails",
            "code review"
        ),
        "Add an iOS app risk checklist to code review"
    );
    assert!(texts::evidence(Mechanism::NoTest, "Cart", "end-to-end").starts_with("An end-to-end"));
}
