//! Round trips and exact key lists for every classification.
#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;
use std::collections::HashSet;
use std::fmt::{Debug, Display};
use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Checks every invariant `Keyed` promises for one enum and returns its keys in order.
pub(crate) fn keys_after_checking<T>() -> Vec<&'static str>
where
    T: Keyed
        + Debug
        + PartialEq
        + Ord
        + Display
        + Serialize
        + DeserializeOwned
        + FromStr<Err = UnknownKey>,
{
    let mut seen = HashSet::new();
    for &value in T::ALL {
        assert_eq!(T::from_key(value.key()), Some(value));
        assert!(seen.insert(value.key()), "duplicate key {}", value.key());
        assert!(!value.label().is_empty());
        assert_eq!(value.to_string(), value.label());
        assert_eq!(value.key().parse::<T>().unwrap(), value);
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(json, format!("\"{}\"", value.key()));
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), value);
    }
    assert!(
        T::ALL.windows(2).all(|w| w[0] < w[1]),
        "ALL is in Ord order"
    );
    T::ALL.iter().map(|v| v.key()).collect()
}

#[test]
fn severity_keys_round_trip_and_match_the_domain() {
    assert_eq!(
        keys_after_checking::<Severity>(),
        ["critical", "high", "medium", "low"]
    );
}

#[test]
fn origin_keys_round_trip_and_match_the_domain() {
    assert_eq!(
        keys_after_checking::<Origin>(),
        [
            "requirements",
            "design",
            "code",
            "configuration",
            "environment",
            "data",
            "unknown"
        ]
    );
}

#[test]
fn defect_type_keys_round_trip_and_match_the_domain() {
    assert_eq!(
        keys_after_checking::<DefectType>(),
        [
            "functional",
            "performance",
            "security",
            "data",
            "usability",
            "compatibility",
            "other"
        ]
    );
}

#[test]
fn detected_by_keys_round_trip_and_match_the_domain() {
    assert_eq!(
        keys_after_checking::<DetectedBy>(),
        [
            "customer",
            "support",
            "monitoring",
            "internal_user",
            "exploratory_test",
            "automated_test",
            "other"
        ]
    );
}

#[test]
fn mechanism_keys_round_trip_and_match_the_domain() {
    assert_eq!(
        keys_after_checking::<Mechanism>(),
        [
            "no_test",
            "ineffective_test",
            "unrepresentative_data",
            "environment_mismatch",
            "requirement_ambiguity",
            "missed_review",
            "broken_automation"
        ]
    );
}

#[test]
fn review_state_keys_round_trip_and_match_the_domain() {
    assert_eq!(
        keys_after_checking::<ReviewState>(),
        ["draft", "in_review", "classified", "closed"]
    );
}

#[test]
fn action_status_keys_round_trip_and_match_the_domain() {
    assert_eq!(
        keys_after_checking::<ActionStatus>(),
        ["proposed", "accepted", "in_progress", "done", "wont_do"]
    );
}

#[test]
fn effort_keys_round_trip_and_match_the_domain() {
    assert_eq!(keys_after_checking::<Effort>(), ["s", "m", "l"]);
}

#[test]
fn labels_read_as_the_domain_words_them() {
    assert_eq!(DetectedBy::Support.label(), "Support ticket");
    assert_eq!(DetectedBy::Monitoring.label(), "Monitoring / alerting");
    assert_eq!(DetectedBy::InternalUser.label(), "Internal user");
    assert_eq!(DetectedBy::ExploratoryTest.label(), "Exploratory testing");
    assert_eq!(DetectedBy::AutomatedTest.label(), "Automated test");
    assert_eq!(Mechanism::NoTest.label(), "No test existed");
    assert_eq!(
        Mechanism::IneffectiveTest.label(),
        "Test existed but was ineffective"
    );
    assert_eq!(
        Mechanism::UnrepresentativeData.label(),
        "Test data was not representative"
    );
    assert_eq!(
        Mechanism::EnvironmentMismatch.label(),
        "Environment mismatch"
    );
    assert_eq!(
        Mechanism::RequirementAmbiguity.label(),
        "Requirement ambiguity"
    );
    assert_eq!(Mechanism::MissedReview.label(), "Human review missed it");
    assert_eq!(
        Mechanism::BrokenAutomation.label(),
        "Automation broke, was flaky, or was skipped"
    );
    assert_eq!(ReviewState::InReview.label(), "In review");
    assert_eq!(ActionStatus::InProgress.label(), "In progress");
    assert_eq!(ActionStatus::WontDo.label(), "Won't do");
    assert_eq!(Effort::S.label(), "Small");
    assert_eq!(Effort::M.label(), "Medium");
    assert_eq!(Effort::L.label(), "Large");
    assert_eq!(Severity::Critical.to_string(), "Critical");
}

#[test]
fn severity_default_weights_are_8_4_2_1() {
    let weights: Vec<u32> = Severity::ALL.iter().map(|s| s.default_weight()).collect();
    assert_eq!(weights, [8, 4, 2, 1]);
}

#[test]
fn severity_orders_most_severe_first() {
    assert!(Severity::Critical < Severity::High);
    assert!(Severity::Medium < Severity::Low);
}

#[test]
fn every_mechanism_has_the_typical_improvement_from_the_domain_table() {
    assert_eq!(
        Mechanism::NoTest.typical_improvement(),
        "add a test at the layer that should catch this class (unit for logic, API for contracts, e2e for critical journeys)"
    );
    assert_eq!(
        Mechanism::IneffectiveTest.typical_improvement(),
        "strengthen assertions, cover the edge case, mutation-test the suite"
    );
    assert_eq!(
        Mechanism::UnrepresentativeData.typical_improvement(),
        "live-like fixtures, data generation, production-shaped samples"
    );
    assert_eq!(
        Mechanism::EnvironmentMismatch.typical_improvement(),
        "parity checks for config, flags, versions, time zones, data volume"
    );
    assert_eq!(
        Mechanism::RequirementAmbiguity.typical_improvement(),
        "acceptance criteria with examples, three-amigos review"
    );
    assert_eq!(
        Mechanism::MissedReview.typical_improvement(),
        "review checklist for the risk area, second reviewer for risky paths"
    );
    assert_eq!(
        Mechanism::BrokenAutomation.typical_improvement(),
        "CI health: quarantine and fix flaky tests, alert on skipped suites"
    );
}

#[test]
fn unknown_key_is_rejected_with_a_message_naming_the_kind() {
    let err = "blocker".parse::<Severity>().unwrap_err();
    assert_eq!(
        err,
        UnknownKey {
            kind: "severity",
            key: "blocker".into()
        }
    );
    assert_eq!(err.to_string(), "unknown severity key `blocker`");
    assert_eq!(
        "nobody".parse::<DetectedBy>().unwrap_err().to_string(),
        "unknown detected by key `nobody`"
    );
}

#[test]
fn from_key_matches_exactly_without_trimming_or_case_folding() {
    assert_eq!(Severity::from_key("High"), None);
    assert_eq!(Severity::from_key(" high"), None);
    assert_eq!(Severity::from_key(""), None);
    assert_eq!(<Effort as Keyed>::from_key("S"), None);
    assert_eq!(<Effort as Keyed>::from_key("s"), Some(Effort::S));
}

#[test]
fn labels_are_not_accepted_as_keys() {
    assert_eq!(DetectedBy::from_key("Support ticket"), None);
    assert!(serde_json::from_str::<Mechanism>("\"No test existed\"").is_err());
}
