//! The investigation checklist of a guided review and the mechanism suggestions its answers imply.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::taxonomy::{Mechanism, keyed_enum};

keyed_enum! {
    /// An answer to one checklist question.
    pub enum Answer ("answer") {
        Yes => ("yes", "Yes"),
        No => ("no", "No"),
        Unknown => ("unknown", "Unknown"),
    }
}

keyed_enum! {
    /// The checklist questions of DOMAIN.md, in the order the review asks them, with the two
    /// follow-up questions (`TestRanAndPassed` after `AutomatedCoverage`, and
    /// `RiskVisibleInReview` at the end).
    pub enum Question ("checklist question") {
        UnfamiliarCode => ("unfamiliar_code", "Was it an unfamiliar code path or a new integration?"),
        UnclearCriteria => ("unclear_criteria", "Were the acceptance criteria missing or unclear?"),
        AutomatedCoverage => ("automated_coverage", "Was there automated coverage for this failure mode?"),
        TestRanAndPassed => ("test_ran_and_passed", "Did that test run and pass on the change?"),
        ObservableInTest => ("observable_in_test", "Was it easy to observe in test environments?"),
        UntestedConditions => ("untested_conditions", "Does it depend on data, scale, timing or concurrency that testing does not simulate?"),
        ProductionDiffers => ("production_differs", "Is production materially different from test in a way that matters here?"),
        RiskVisibleInReview => ("risk_visible_in_review", "Was the change reviewed, with the risk visible in what was reviewed?"),
    }
}

impl Question {
    /// A grey hint under the question, saying what a "yes" means where that is not obvious.
    #[must_use]
    pub const fn hint(self) -> &'static str {
        match self {
            Question::UnfamiliarCode => {
                "New code paths and integrations carry risk nobody has seen fail yet."
            }
            Question::UnclearCriteria => {
                "Yes when nobody could have said from the criteria what the right behaviour was."
            }
            Question::AutomatedCoverage => {
                "A test in any layer whose job was to catch this kind of failure."
            }
            Question::TestRanAndPassed => {
                "No when the test was skipped, quarantined, flaky or not run on this change."
            }
            Question::ObservableInTest => {
                "No when the failure could not be seen in any test environment."
            }
            Question::UntestedConditions => {
                "Real data shapes, volume, timing, concurrency, clocks or time zones."
            }
            Question::ProductionDiffers => {
                "Configuration, feature flags, versions, infrastructure or data volume."
            }
            Question::RiskVisibleInReview => {
                "Yes when the change was reviewed and the risky part was in the diff or design under review."
            }
        }
    }

    /// Whether the question is a follow-up, asked only in some cases.
    #[must_use]
    pub const fn is_follow_up(self) -> bool {
        matches!(
            self,
            Question::TestRanAndPassed | Question::RiskVisibleInReview
        )
    }

    /// The label of `answer` for this question (the follow-up on test runs words "No" fully).
    #[must_use]
    pub const fn answer_label(self, answer: Answer) -> &'static str {
        match (self, answer) {
            (Question::TestRanAndPassed, Answer::Yes) => "Yes, it ran and passed",
            (Question::TestRanAndPassed, Answer::No) => {
                "No: skipped, quarantined, flaky or not run"
            }
            (_, answer) => answer.label(),
        }
    }
}

/// One answered (or not yet answered) question with its optional note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The answer; `None` while unanswered.
    pub answer: Option<Answer>,
    /// The team's note, possibly empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// The checklist of one escape. Questions without an entry are unanswered.
///
/// Stored as JSON (`{"automated_coverage": {"answer": "no", "note": "…"}}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Checklist(BTreeMap<Question, Entry>);

impl Checklist {
    /// An empty checklist.
    #[must_use]
    pub fn new() -> Checklist {
        Checklist::default()
    }

    /// Sets the answer and note of `question`; an unanswered entry with no note is removed.
    pub fn set(&mut self, question: Question, answer: Option<Answer>, note: impl Into<String>) {
        let entry = Entry {
            answer,
            note: note.into(),
        };
        if entry == Entry::default() {
            self.0.remove(&question);
        } else {
            self.0.insert(question, entry);
        }
    }

    /// The answer to `question`, if given.
    #[must_use]
    pub fn answer(&self, question: Question) -> Option<Answer> {
        self.0.get(&question).and_then(|e| e.answer)
    }

    /// The note on `question` (empty when none).
    #[must_use]
    pub fn note(&self, question: Question) -> &str {
        self.0.get(&question).map_or("", |e| e.note.as_str())
    }

    /// Whether `question` must be answered for the checklist to be complete: the main
    /// questions always; "did the test run" only when there was coverage; the review
    /// follow-up never (it only adds a suggestion).
    #[must_use]
    pub fn requires(&self, question: Question) -> bool {
        match question {
            Question::TestRanAndPassed => {
                self.answer(Question::AutomatedCoverage) == Some(Answer::Yes)
            }
            Question::RiskVisibleInReview => false,
            _ => true,
        }
    }

    /// The required questions still unanswered, in checklist order.
    #[must_use]
    pub fn unanswered(&self) -> Vec<Question> {
        Question::ALL
            .iter()
            .copied()
            .filter(|&q| self.requires(q) && self.answer(q).is_none())
            .collect()
    }

    /// True when every required question has an answer ("unknown" counts as an answer).
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.unanswered().is_empty()
    }

    /// The mechanisms the answers suggest, strongest first (ties in mechanism order), each
    /// naming the answers behind it. Follows DOMAIN.md's default rules:
    ///
    /// | answer | suggests |
    /// |---|---|
    /// | automated coverage = no | `no_test` |
    /// | coverage = yes and the test ran and passed | `ineffective_test` |
    /// | coverage = yes but the test did not run and pass | `broken_automation` |
    /// | acceptance criteria missing or unclear = yes | `requirement_ambiguity` |
    /// | depends on untested data, scale, timing or concurrency = yes | `unrepresentative_data` |
    /// | production differs = yes, or not observable in test = no | `environment_mismatch` |
    /// | reviewed with the risk visible = yes | `missed_review` |
    /// | unfamiliar code or new integration = yes | +1 weight for `no_test` and `missed_review` when suggested |
    #[must_use]
    pub fn suggestions(&self) -> Vec<Suggestion> {
        let mut found: BTreeMap<Mechanism, Suggestion> = BTreeMap::new();
        let mut suggest = |mechanism: Mechanism, question: Question, answer: Answer| {
            let s = found.entry(mechanism).or_insert_with(|| Suggestion {
                mechanism,
                weight: 0,
                because: Vec::new(),
            });
            s.weight += 1;
            s.because.push(Because { question, answer });
        };
        let is = |q: Question, a: Answer| self.answer(q) == Some(a);
        use Answer::{No, Yes};
        if is(Question::AutomatedCoverage, No) {
            suggest(Mechanism::NoTest, Question::AutomatedCoverage, No);
        }
        if is(Question::AutomatedCoverage, Yes) {
            if is(Question::TestRanAndPassed, Yes) {
                suggest(Mechanism::IneffectiveTest, Question::TestRanAndPassed, Yes);
            } else if is(Question::TestRanAndPassed, No) {
                suggest(Mechanism::BrokenAutomation, Question::TestRanAndPassed, No);
            }
        }
        if is(Question::UnclearCriteria, Yes) {
            suggest(
                Mechanism::RequirementAmbiguity,
                Question::UnclearCriteria,
                Yes,
            );
        }
        if is(Question::UntestedConditions, Yes) {
            suggest(
                Mechanism::UnrepresentativeData,
                Question::UntestedConditions,
                Yes,
            );
        }
        if is(Question::ProductionDiffers, Yes) {
            suggest(
                Mechanism::EnvironmentMismatch,
                Question::ProductionDiffers,
                Yes,
            );
        }
        if is(Question::ObservableInTest, No) {
            suggest(
                Mechanism::EnvironmentMismatch,
                Question::ObservableInTest,
                No,
            );
        }
        if is(Question::RiskVisibleInReview, Yes) {
            suggest(Mechanism::MissedReview, Question::RiskVisibleInReview, Yes);
        }
        if is(Question::UnfamiliarCode, Yes) {
            for mechanism in [Mechanism::NoTest, Mechanism::MissedReview] {
                if let Some(s) = found.get_mut(&mechanism) {
                    s.weight += 1;
                    s.because.push(Because {
                        question: Question::UnfamiliarCode,
                        answer: Yes,
                    });
                }
            }
        }
        let mut list: Vec<Suggestion> = found.into_values().collect();
        list.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.mechanism.cmp(&b.mechanism)));
        list
    }
}

/// A mechanism the checklist answers point to, with the answers behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The suggested mechanism.
    pub mechanism: Mechanism,
    /// How many answers point to it (higher is stronger).
    pub weight: u32,
    /// The answers that triggered it, in the order the rules ran.
    pub because: Vec<Because>,
}

/// One answer that triggered a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Because {
    /// The question.
    pub question: Question,
    /// The answer given.
    pub answer: Answer,
}

impl Because {
    /// The trigger in words: `Was there automated coverage for this failure mode? No`.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "{} {}",
            self.question.label(),
            self.question.answer_label(self.answer)
        )
    }
}
