//! The metric definition in words: the compact [`DefinitionCard`] shown beside numbers, the
//! full [`DefinitionDetail`] of one version, and what changed from one version to the next.
//! Stage names come from the pipeline in force, so a renamed stage reads as it is called now.

use chrono::{DateTime, Utc};
use escapement_core::metrics::{DefaultWindow, MetricDefinition, ReopenedPolicy, ScopeSwitches};
use escapement_core::{Pipeline, Severity};
use escapement_storage::metrics::DefinitionVersion;
use serde::Serialize;

/// Where the definition is shown and changed.
pub const DEFINITION_HREF: &str = "/settings/metrics";
/// Where its versions are listed.
pub const VERSIONS_HREF: &str = "/settings/metrics/versions";

/// The page of one version.
#[must_use]
pub fn version_href(version: i32) -> String {
    format!("{VERSIONS_HREF}/{version}")
}

/// Each scope switch's form field, its short name in a list ("known issues") and its name
/// at the start of a line ("Known issues"), in form order.
const SCOPE_WORDS: [(&str, &str, &str); 6] = [
    ("customer_found", "customer-found", "Customer-found issues"),
    ("unconfirmed", "unconfirmed tickets", "Unconfirmed tickets"),
    ("known_issues", "known issues", "Known issues"),
    ("cosmetic", "cosmetic", "Cosmetic defects"),
    (
        "test_environment",
        "test-environment problems",
        "Test-environment problems",
    ),
    ("data_migration", "data-migration", "Data-migration issues"),
];

/// Each switch of `scope` as (field, short name, line name, included), in form order.
fn scope_words(
    scope: &ScopeSwitches,
) -> impl Iterator<Item = (&'static str, &'static str, &'static str, bool)> + '_ {
    ScopeSwitches::FIELDS
        .iter()
        .map(move |(bit, field, label)| {
            let (short, line) = SCOPE_WORDS
                .iter()
                .find(|(f, _, _)| f == field)
                .map_or((*label, *label), |(_, s, l)| (*s, *l));
            (*field, short, line, scope.includes(*bit))
        })
}

/// "after System test".
fn boundary_words(def: &MetricDefinition, pipeline: &Pipeline) -> String {
    format!("after {}", pipeline.label_of(def.boundary.after().as_str()))
}

/// "8/4/2/1", critical first.
fn weights_short(def: &MetricDefinition) -> String {
    let w = &def.weights;
    format!("{}/{}/{}/{}", w.critical, w.high, w.medium, w.low)
}

/// "as recurring": the policy's name without its explanation.
fn reopened_short(policy: ReopenedPolicy) -> &'static str {
    match policy {
        ReopenedPolicy::AsEscaped => "as escaped",
        ReopenedPolicy::AsRecurring => "as recurring",
        ReopenedPolicy::Separately => "separately",
    }
}

fn window_short(window: DefaultWindow) -> String {
    let label = window.label();
    let mut chars = label.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}

/// The compact summary of one version, for the `card` macro of
/// `templates/metrics/definition_card.html`.
#[derive(Debug, Clone, Serialize)]
pub struct DefinitionCard {
    pub version: i32,
    /// "Metric definition v4".
    pub title: String,
    /// "Escapes: found after System test".
    pub boundary: String,
    /// "Counted: customer-found, cosmetic, data-migration; left out: unconfirmed tickets, …".
    pub scope: String,
    /// "Critical 8 · High 4 · Medium 2 · Low 1", each pair joined by a no-break space.
    pub weights: String,
    /// The reopened policy's label.
    pub reopened: String,
    /// The default window's label.
    pub window: String,
    /// When the version was saved; `None` for the built-in defaults.
    pub saved_at: Option<DateTime<Utc>>,
    pub definition_href: &'static str,
    pub versions_href: &'static str,
    pub version_href: String,
}

impl DefinitionCard {
    /// The card of `version`, naming stages as `pipeline` calls them.
    #[must_use]
    pub fn new(version: &DefinitionVersion, pipeline: &Pipeline) -> DefinitionCard {
        let def = &version.definition;
        let (mut counted, mut left_out) = (Vec::new(), Vec::new());
        for (_, short, _, included) in scope_words(&def.scope) {
            if included {
                counted.push(short);
            } else {
                left_out.push(short);
            }
        }
        let list = |v: &[&str]| {
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        let weights = Severity::ALL
            .iter()
            // A no-break space keeps each severity beside its weight when the line wraps.
            .map(|s| format!("{}\u{a0}{}", s.label(), def.weights.of(*s)))
            .collect::<Vec<_>>()
            .join(" · ");
        DefinitionCard {
            version: version.version,
            title: format!("Metric definition v{}", version.version),
            boundary: format!("Escapes: found {}", boundary_words(def, pipeline)),
            scope: format!("Counted: {}; left out: {}", list(&counted), list(&left_out)),
            weights,
            reopened: def.reopened.label().to_owned(),
            window: def.window.label().to_owned(),
            saved_at: version.created_at,
            definition_href: DEFINITION_HREF,
            versions_href: VERSIONS_HREF,
            version_href: version_href(version.version),
        }
    }
}

/// One scope switch in full.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeLine {
    pub label: &'static str,
    pub counted: bool,
}

/// One severity's weight.
#[derive(Debug, Clone, Serialize)]
pub struct WeightLine {
    pub label: &'static str,
    pub weight: u32,
}

/// Every field of one definition in words, for a definition list.
#[derive(Debug, Clone, Serialize)]
pub struct DefinitionDetail {
    /// "Defects found after System test count as escaped".
    pub boundary: String,
    pub scope: Vec<ScopeLine>,
    pub weights: Vec<WeightLine>,
    pub reopened: &'static str,
    pub window: &'static str,
}

impl DefinitionDetail {
    #[must_use]
    pub fn new(def: &MetricDefinition, pipeline: &Pipeline) -> DefinitionDetail {
        DefinitionDetail {
            boundary: format!(
                "Defects found {} count as escaped",
                boundary_words(def, pipeline)
            ),
            scope: ScopeSwitches::FIELDS
                .iter()
                .map(|(bit, _, label)| ScopeLine {
                    label,
                    counted: def.scope.includes(*bit),
                })
                .collect(),
            weights: Severity::ALL
                .iter()
                .map(|s| WeightLine {
                    label: s.label(),
                    weight: def.weights.of(*s),
                })
                .collect(),
            reopened: def.reopened.label(),
            window: def.window.label(),
        }
    }
}

/// One field that differs between two definitions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// "Boundary", "Weights", "Known issues", …
    pub what: String,
    pub before: String,
    pub after: String,
}

/// The fields in which `after` differs from `before`, in form order.
#[must_use]
pub fn differences(
    before: &MetricDefinition,
    after: &MetricDefinition,
    pipeline: &Pipeline,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |what: &str, b: String, a: String| {
        if b != a {
            out.push(Difference {
                what: what.to_owned(),
                before: b,
                after: a,
            });
        }
    };
    push(
        "Boundary",
        boundary_words(before, pipeline),
        boundary_words(after, pipeline),
    );
    push("Weights", weights_short(before), weights_short(after));
    let counted = |included: bool| if included { "counted" } else { "left out" };
    for ((_, _, line, b), (_, _, _, a)) in scope_words(&before.scope).zip(scope_words(&after.scope))
    {
        push(line, counted(b).to_owned(), counted(a).to_owned());
    }
    push(
        "Reopened defects",
        reopened_short(before.reopened).to_owned(),
        reopened_short(after.reopened).to_owned(),
    );
    push(
        "Default window",
        window_short(before.window),
        window_short(after.window),
    );
    out
}

/// "Boundary: after System test → after Staging; Weights: 8/4/2/1 → 10/5/2/1", or a
/// sentence saying nothing changed.
#[must_use]
pub fn differences_text(diffs: &[Difference]) -> String {
    if diffs.is_empty() {
        return "No field changed".to_owned();
    }
    diffs
        .iter()
        .map(|d| format!("{}: {} → {}", d.what, d.before, d.after))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use escapement_core::Boundary;
    use escapement_core::StageKey;

    use super::*;

    fn version(def: MetricDefinition) -> DefinitionVersion {
        DefinitionVersion {
            version: 4,
            definition: def,
            note: String::new(),
            actor: "Ada".to_owned(),
            created_at: None,
        }
    }

    #[test]
    fn the_card_says_the_default_definition_in_words() {
        let card = DefinitionCard::new(&version(MetricDefinition::default()), &Pipeline::default());
        assert_eq!(card.title, "Metric definition v4");
        assert_eq!(card.boundary, "Escapes: found after System test (QA)");
        assert_eq!(
            card.scope,
            "Counted: customer-found, cosmetic, data-migration; left out: unconfirmed tickets, known issues, test-environment problems"
        );
        assert_eq!(
            card.weights.replace('\u{a0}', " "),
            "Critical 8 · High 4 · Medium 2 · Low 1"
        );
        assert_eq!(card.version_href, "/settings/metrics/versions/4");
    }

    #[test]
    fn differences_name_each_changed_field_in_words() {
        let before = MetricDefinition::default();
        let mut after = before.clone();
        after.boundary = Boundary::after_stage(StageKey::parse("staging").unwrap());
        after.weights.critical = 10;
        after.weights.high = 5;
        after.scope.known_issues = true;
        let diffs = differences(&before, &after, &Pipeline::default());
        assert_eq!(
            differences_text(&diffs),
            "Boundary: after System test (QA) → after Staging; Weights: 8/4/2/1 → 10/5/2/1; Known issues: left out → counted"
        );
        assert_eq!(differences_text(&[]), "No field changed");
    }
}
