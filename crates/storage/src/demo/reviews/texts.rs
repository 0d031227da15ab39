//! The words of the demo reviews: titles, summaries, checklist notes, the evidence and gap
//! answers and the action titles, each tied to the escape's mechanism. Every text asks what
//! the system allowed, never who erred, so the blameless guard finds nothing in them.

use escapement_core::Mechanism;
use escapement_core::review::Participant;

pub(crate) const NOTE_UNFAMILIAR: &str =
    "First change to this integration since it was rebuilt; nobody on the team had seen it fail.";
pub(crate) const NOTE_CRITERIA: &str =
    "The story gave the happy path only; this case had no example in the acceptance criteria.";
pub(crate) const NOTE_NO_COVERAGE: &str = "No test in any layer exercises this failure mode.";
pub(crate) const NOTE_RAN_AND_PASSED: &str = "The test ran on the change and passed: it asserts that the call succeeds, not what it returns.";
pub(crate) const NOTE_SKIPPED: &str =
    "The test was quarantined as flaky and the pipeline skipped it on this change.";
pub(crate) const NOTE_COVERAGE_UNKNOWN: &str =
    "Not established yet: the suite has no map of what each test covers.";
pub(crate) const NOTE_NOT_OBSERVABLE: &str =
    "The failure needs production settings; no test environment can show it today.";
pub(crate) const NOTE_CONDITIONS: &str =
    "Only shows with production-sized data and real-world values; fixtures hold neither.";
pub(crate) const NOTE_PRODUCTION: &str =
    "Production runs with a different flag set, time zone and data volume than staging.";
pub(crate) const NOTE_REVIEW: &str =
    "The risky branch was in the reviewed diff; the review had no prompt for this risk area.";

/// Every fixed note, for the tests that check the texts stay blameless.
#[cfg(test)]
pub(crate) const NOTES: [&str; 10] = [
    NOTE_UNFAMILIAR,
    NOTE_CRITERIA,
    NOTE_NO_COVERAGE,
    NOTE_RAN_AND_PASSED,
    NOTE_SKIPPED,
    NOTE_COVERAGE_UNKNOWN,
    NOTE_NOT_OBSERVABLE,
    NOTE_CONDITIONS,
    NOTE_PRODUCTION,
    NOTE_REVIEW,
];

/// Reasons a team records when an escape needs no action of its own.
pub(crate) const NO_ACTION_REASONS: [&str; 3] = [
    "A one-off data correction: the import that produced the bad rows has been retired, so the gap cannot recur.",
    "Accepted risk: the affected path is being removed next quarter, and monitoring now alerts on it until then.",
    "Already addressed: an open action from an earlier review covers the same gap in this component.",
];

/// Why a demo action was dropped (won't do), as a team would write it.
pub(crate) const WONT_DO_REASONS: [&str; 3] = [
    "Superseded: the component is being rewritten this quarter and the new design removes the gap.",
    "The cost outweighs the risk: this path serves a handful of internal users, and monitoring covers it.",
    "Another team's platform change addresses it; we follow their action instead of duplicating it.",
];

/// The reason used when another escape of the same review already carries the action.
pub(crate) fn covered_by(other_title: &str) -> String {
    format!("Covered by the action on '{other_title}' in this review, which closes the same gap.")
}

/// People who join the demo reviews beside the facilitator, with their role in the review.
pub(crate) const PEOPLE: [(&str, &str); 8] = [
    ("Amara Okafor", "developer"),
    ("Jonas Weber", "QA"),
    ("Priya Nair", "product owner"),
    ("Lena Fischer", "SRE"),
    ("Tomás Silva", "developer"),
    ("Mei Chen", "QA"),
    ("Kofi Mensah", "support"),
    ("Sara Lindqvist", "developer"),
];

/// Participants sorted as the review form sorts them: by role, then name.
pub(crate) fn participants(facilitator: &str, others: &[(&str, &str)]) -> Vec<Participant> {
    let mut list: Vec<Participant> = std::iter::once((facilitator, "facilitator"))
        .chain(others.iter().copied())
        .map(|(name, role)| Participant {
            name: name.to_owned(),
            role: role.to_owned(),
        })
        .collect();
    list.sort_by(|a, b| {
        (a.role.to_lowercase(), a.name.to_lowercase())
            .cmp(&(b.role.to_lowercase(), b.name.to_lowercase()))
    });
    list
}

/// A short name for the test layer of a stage key, as teams say it ("API test").
pub(crate) fn layer_word(stage: &str) -> &'static str {
    match stage {
        "unit_test" => "unit",
        "integration_test" => "API",
        "system_test" => "end-to-end",
        "staging" => "staging",
        "code_review" => "code review",
        "design_review" => "design review",
        "requirements_review" => "requirements review",
        _ => "pipeline",
    }
}

/// The article before `word`: "an API test", "a unit test".
pub(crate) fn a_or_an(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'A' | 'E' | 'I' | 'O') => "an",
        _ => "a",
    }
}

/// The review title: the lead escape, and how many more the review covers.
pub(crate) fn review_title(lead: &str, more: usize) -> String {
    let title = match more {
        0 => lead.to_owned(),
        1 => format!("{lead}, and one related escape"),
        n => format!("{lead}, and {n} related escapes"),
    };
    title.chars().take(200).collect()
}

/// The review summary (Markdown): what escaped past the `gate` (the boundary stage's label),
/// each with the stage that found it, and what the review looks for.
pub(crate) fn review_summary(gate: &str, escapes: &[(String, &str)]) -> String {
    let mut text = if escapes.len() == 1 {
        format!("One defect got past the {gate} gate:\n\n")
    } else {
        format!("These defects got past the {gate} gate around the same time:\n\n")
    };
    for (title, stage) in escapes {
        text.push_str(&format!("- {title} (found in {stage})\n"));
    }
    text.push_str(
        "\nThis review traces which gate let each one through, what evidence would have \
         caught it earlier, and what change to tests, data, environments or process makes \
         the next one visible sooner.",
    );
    text
}

/// "What evidence or test would have caught it earlier?"
pub(crate) fn evidence(m: Mechanism, component: &str, layer: &str) -> String {
    match m {
        Mechanism::NoTest => format!(
            "{} {layer} test for {component} exercising this exact case would have failed on the change.",
            if a_or_an(layer) == "an" { "An" } else { "A" }
        ),
        Mechanism::IneffectiveTest => format!(
            "The existing {layer} test for {component} ran on the change; an assertion on the returned values, not only on success, would have failed."
        ),
        Mechanism::UnrepresentativeData => format!(
            "Running the {component} {layer} tests against production-shaped data (real volumes, non-ASCII names, mixed time zones) would have shown it."
        ),
        Mechanism::EnvironmentMismatch => format!(
            "A parity check of configuration, feature flags and versions between staging and production for {component} would have flagged the difference before release."
        ),
        Mechanism::RequirementAmbiguity => format!(
            "Acceptance criteria for the {component} story with a worked example of this case would have settled the expected behaviour before design."
        ),
        Mechanism::MissedReview => format!(
            "A {component} review checklist item for this risk area, or a second reviewer on the risky path, would have raised it during {layer}."
        ),
        Mechanism::BrokenAutomation => format!(
            "The {component} {layer} suite already has a test for this; it fails on the change when it runs."
        ),
    }
}

/// "Why did that evidence not exist?"
pub(crate) fn evidence_gap(m: Mechanism, component: &str) -> String {
    match m {
        Mechanism::NoTest => format!(
            "The {component} suite had no test for this class of input, and nothing in the pipeline asks which new behaviour lacks coverage."
        ),
        Mechanism::IneffectiveTest => format!(
            "The {component} test checks that the call succeeds but not what it returns, so the wrong output passed. Mutation testing is not part of the pipeline, so weak assertions stay invisible."
        ),
        Mechanism::UnrepresentativeData => format!(
            "The {component} fixtures are small and hand-written; they hold none of the shapes and volumes production data has, and no generator produces them."
        ),
        Mechanism::EnvironmentMismatch => format!(
            "Staging differs from production for {component} in configuration and data volume, and no check compares the two, so no test environment could show the failure."
        ),
        Mechanism::RequirementAmbiguity => format!(
            "The {component} story described the happy path only; the expected behaviour for this case was never written down, so each reader filled the gap differently."
        ),
        Mechanism::MissedReview => format!(
            "The risky part of the {component} change was visible in the diff, but reviews have no checklist for this risk area and one reviewer covered a large change under time pressure."
        ),
        Mechanism::BrokenAutomation => format!(
            "The {component} test had been quarantined as flaky weeks earlier, and the pipeline reports skipped suites as green, so the missing run stayed invisible."
        ),
    }
}

/// The title of an improvement action against `m`, following the mechanism's typical
/// improvement; `variant` picks one of two wordings.
pub(crate) fn action_title(
    m: Mechanism,
    variant: usize,
    component: &str,
    symptom: &str,
    layer: &str,
) -> String {
    let title = match (m, variant % 2) {
        (Mechanism::NoTest, 0) => {
            format!(
                "Add {} {layer} test for {component}: {symptom}",
                a_or_an(layer)
            )
        }
        (Mechanism::NoTest, _) => {
            format!("Add an end-to-end check of the {component} critical journey")
        }
        (Mechanism::IneffectiveTest, 0) => {
            format!("Strengthen the assertions of the {component} {layer} tests")
        }
        (Mechanism::IneffectiveTest, _) => {
            format!("Mutation-test the {component} suite and cover the surviving edge cases")
        }
        (Mechanism::UnrepresentativeData, 0) => {
            format!("Use production-shaped fixtures in the {component} tests")
        }
        (Mechanism::UnrepresentativeData, _) => {
            format!("Generate high-volume and non-ASCII test data for {component}")
        }
        (Mechanism::EnvironmentMismatch, 0) => format!(
            "Check config and feature-flag parity between staging and production for {component}"
        ),
        (Mechanism::EnvironmentMismatch, _) => {
            format!("Run the {component} tests with production time zones and data volume")
        }
        (Mechanism::RequirementAmbiguity, 0) => {
            format!("Write acceptance criteria with examples for {component} stories")
        }
        (Mechanism::RequirementAmbiguity, _) => {
            format!("Hold a three-amigos review before {component} work starts")
        }
        (Mechanism::MissedReview, 0) => {
            format!(
                "Add {} {component} risk checklist to code review",
                a_or_an(component)
            )
        }
        (Mechanism::MissedReview, _) => {
            format!("Ask for a second reviewer on risky {component} paths")
        }
        (Mechanism::BrokenAutomation, 0) => {
            format!("Fix and un-quarantine the flaky {component} tests")
        }
        (Mechanism::BrokenAutomation, _) => {
            format!(
                "Alert when {} {component} suite is skipped in CI",
                a_or_an(component)
            )
        }
    };
    title.chars().take(200).collect()
}
