//! The metric definition form, as typed, and its validation into a [`MetricDefinition`].

use serde::{Deserialize, Serialize};

use super::definition::{
    DefaultWindow, MetricDefinition, ReopenedPolicy, ScopeSwitches, SeverityWeights,
};
use crate::errors::ValidationErrors;
use crate::form::{char_len, checkbox};
use crate::{Boundary, Pipeline};

/// The longest change note.
pub const NOTE_MAX_LEN: usize = 500;

/// The metric definition form, as typed. Checkboxes are present when ticked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricDefinitionDraft {
    pub boundary: String,
    pub customer_found: Option<String>,
    pub unconfirmed: Option<String>,
    pub known_issues: Option<String>,
    pub cosmetic: Option<String>,
    pub test_environment: Option<String>,
    pub data_migration: Option<String>,
    pub weight_critical: String,
    pub weight_high: String,
    pub weight_medium: String,
    pub weight_low: String,
    pub reopened: String,
    pub window: String,
    /// Why the definition changes; required, kept with the version.
    pub note: String,
    /// The version the form was based on.
    pub version: String,
}

/// A checked definition change: the new definition and its note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionChange {
    pub definition: MetricDefinition,
    pub note: String,
}

impl MetricDefinitionDraft {
    /// The form filled with `def`, based on `version`, with an empty note.
    #[must_use]
    pub fn of(def: &MetricDefinition, version: i32) -> MetricDefinitionDraft {
        let tick = |b: bool| b.then(|| "on".to_owned());
        MetricDefinitionDraft {
            boundary: def.boundary.after().as_str().to_owned(),
            customer_found: tick(def.scope.customer_found),
            unconfirmed: tick(def.scope.unconfirmed),
            known_issues: tick(def.scope.known_issues),
            cosmetic: tick(def.scope.cosmetic),
            test_environment: tick(def.scope.test_environment),
            data_migration: tick(def.scope.data_migration),
            weight_critical: def.weights.critical.to_string(),
            weight_high: def.weights.high.to_string(),
            weight_medium: def.weights.medium.to_string(),
            weight_low: def.weights.low.to_string(),
            reopened: def.reopened.key().to_owned(),
            window: def.window.key().to_owned(),
            note: String::new(),
            version: version.to_string(),
        }
    }

    /// Checks every field: the boundary is a stage of `pipeline` other than the last, each
    /// weight a whole number from 1 to 1000, the policies known values, and the note
    /// present and at most 500 characters.
    pub fn validate(&self, pipeline: &Pipeline) -> Result<DefinitionChange, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let boundary = match pipeline.get(self.boundary.trim()) {
            Some(stage) => {
                let b = Boundary::after_stage(stage.key.clone());
                if pipeline.check_boundary(&b).is_err() {
                    e.push(
                        "boundary",
                        "The boundary cannot be the last stage: nothing could escape past it",
                    );
                }
                b
            }
            None => {
                e.push(
                    "boundary",
                    "Select the stage after which defects count as escaped",
                );
                Boundary::default()
            }
        };
        // The message names the severity: the error summary lists all four weights alike.
        let mut weight = |field: &'static str, severity: &str, text: &str| -> u32 {
            match text.trim().parse::<u32>() {
                Ok(w) if (1..=SeverityWeights::MAX).contains(&w) => w,
                _ => {
                    e.push(
                        field,
                        format!("Enter the weight of {severity} defects as a whole number from 1 to 1000"),
                    );
                    1
                }
            }
        };
        let weights = SeverityWeights {
            critical: weight("weight_critical", "critical", &self.weight_critical),
            high: weight("weight_high", "high", &self.weight_high),
            medium: weight("weight_medium", "medium", &self.weight_medium),
            low: weight("weight_low", "low", &self.weight_low),
        };
        let reopened = ReopenedPolicy::from_key(self.reopened.trim()).unwrap_or_else(|| {
            e.push("reopened", "Select how reopened defects count");
            ReopenedPolicy::AsRecurring
        });
        let window = DefaultWindow::from_key(self.window.trim()).unwrap_or_else(|| {
            e.push("window", "Select the default window");
            DefaultWindow::PerQuarter
        });
        let note = self.note.trim();
        if note.is_empty() {
            e.push(
                "note",
                "Say why the definition changes: the note stays with the version",
            );
        } else if char_len(note) > NOTE_MAX_LEN {
            e.push("note", "The note must be 500 characters or fewer");
        }
        let scope = ScopeSwitches {
            customer_found: checkbox(self.customer_found.as_deref()),
            unconfirmed: checkbox(self.unconfirmed.as_deref()),
            known_issues: checkbox(self.known_issues.as_deref()),
            cosmetic: checkbox(self.cosmetic.as_deref()),
            test_environment: checkbox(self.test_environment.as_deref()),
            data_migration: checkbox(self.data_migration.as_deref()),
        };
        e.into_result(DefinitionChange {
            definition: MetricDefinition {
                boundary,
                scope,
                weights,
                reopened,
                window,
            },
            note: note.to_owned(),
        })
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn filled() -> MetricDefinitionDraft {
        let mut d = MetricDefinitionDraft::of(&MetricDefinition::default(), 3);
        d.note = "Count accepted known issues too".to_owned();
        d
    }

    #[test]
    fn the_default_definition_round_trips_through_the_form() {
        let change = filled().validate(&Pipeline::default()).unwrap();
        assert_eq!(change.definition, MetricDefinition::default());
        assert_eq!(change.note, "Count accepted known issues too");
    }

    #[test]
    fn unticked_boxes_switch_scope_off_and_ticked_ones_on() {
        let mut d = filled();
        d.customer_found = None;
        d.known_issues = Some("on".to_owned());
        let def = d.validate(&Pipeline::default()).unwrap().definition;
        assert!(!def.scope.customer_found);
        assert!(def.scope.known_issues);
    }

    #[test]
    fn every_bad_field_is_named() {
        let d = MetricDefinitionDraft {
            boundary: "production".to_owned(),
            weight_critical: "0".to_owned(),
            weight_high: "x".to_owned(),
            weight_medium: "1001".to_owned(),
            weight_low: "-1".to_owned(),
            reopened: "sometimes".to_owned(),
            window: "weekly".to_owned(),
            note: " ".to_owned(),
            ..MetricDefinitionDraft::default()
        };
        let e = d.validate(&Pipeline::default()).unwrap_err();
        for field in [
            "boundary",
            "weight_critical",
            "weight_high",
            "weight_medium",
            "weight_low",
            "reopened",
            "window",
            "note",
        ] {
            assert!(e.get(field).is_some(), "{field}");
        }
        assert!(e.get("boundary").unwrap().contains("last stage"));
        assert_eq!(
            e.get("weight_high"),
            Some("Enter the weight of high defects as a whole number from 1 to 1000")
        );
        let mut unknown = filled();
        unknown.boundary = "nowhere".to_owned();
        assert!(
            unknown
                .validate(&Pipeline::default())
                .unwrap_err()
                .get("boundary")
                .is_some()
        );
        let mut long = filled();
        long.note = "x".repeat(501);
        assert!(
            long.validate(&Pipeline::default())
                .unwrap_err()
                .get("note")
                .is_some()
        );
    }
}
