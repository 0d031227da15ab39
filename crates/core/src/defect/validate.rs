//! The rules that turn a `DefectDraft` into a `NewDefect`, with one plain message per field.

use chrono::{DateTime, TimeDelta, Utc};

use super::fields::{external_key, incident_link, keyed, optional_date, reopened};
use super::{
    DESCRIPTION_MAX_LEN, DefectDraft, NewDefect, ScopeFlags, TITLE_MAX_LEN, ValidationErrors,
};
use crate::form::{char_len, checkbox, optional_uuid, required_text, required_uuid};
use crate::stage::{Pipeline, StageKey};
use crate::taxonomy::Origin;

impl DefectDraft {
    /// Checks every field against `pipeline` and `now`, collecting all problems in form order,
    /// at most one per field. Never panics, whatever the strings hold.
    pub fn validate(
        &self,
        pipeline: &Pipeline,
        now: DateTime<Utc>,
    ) -> Result<NewDefect, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let title = required_text(
            &mut e,
            "title",
            &self.title,
            TITLE_MAX_LEN,
            "Enter a title",
            "Title must be 200 characters or fewer",
        );
        let description = self.description.trim_end();
        if char_len(description) > DESCRIPTION_MAX_LEN {
            e.push(
                "description",
                "Description must be 20,000 characters or fewer",
            );
        }
        let severity = keyed(
            &mut e,
            "severity",
            &self.severity,
            "Select a severity",
            "Select a severity from the list",
        );
        let defect_type = keyed(
            &mut e,
            "defect_type",
            &self.defect_type,
            "Select a defect type",
            "Select a defect type from the list",
        );
        let origin = if self.origin.trim().is_empty() {
            Some(Origin::Unknown)
        } else {
            keyed(
                &mut e,
                "origin",
                &self.origin,
                "",
                "Select an origin from the list",
            )
        };
        let (discovery_stage, expected_catch_stage) = self.stages(&mut e, pipeline);
        let detected_by = keyed(
            &mut e,
            "detected_by",
            &self.detected_by,
            "Select who or what detected the defect",
            "Select who or what detected the defect from the list",
        );
        let team_id = required_uuid(&mut e, "team_id", &self.team_id, "Select a team");
        let component_id = optional_uuid(
            &mut e,
            "component_id",
            &self.component_id,
            "Select a component from the list",
        );
        let release_id = optional_uuid(
            &mut e,
            "release_id",
            &self.release_id,
            "Select a release from the list",
        );
        let (introduced_at, detected_at, resolved_at) = self.dates(&mut e, now);
        let reopened_count = reopened(&mut e, &self.reopened_count);
        let scope = ScopeFlags {
            confirmed: checkbox(self.confirmed.as_deref()),
            known_issue_accepted: checkbox(self.known_issue_accepted.as_deref()),
            cosmetic: checkbox(self.cosmetic.as_deref()),
            test_environment: checkbox(self.test_environment.as_deref()),
            data_migration: checkbox(self.data_migration.as_deref()),
        };
        let external_key = external_key(&mut e, &self.external_key);
        let incident_link = incident_link(&mut e, &self.incident_link);

        // Every `None` below pushed an error, and optional fields are `None` on error too,
        // so an empty error list means every value is present and valid.
        match (
            title,
            severity,
            defect_type,
            origin,
            discovery_stage,
            detected_by,
            team_id,
            detected_at,
        ) {
            (
                Some(title),
                Some(severity),
                Some(defect_type),
                Some(origin),
                Some(discovery_stage),
                Some(detected_by),
                Some(team_id),
                Some(detected_at),
            ) if e.is_empty() => Ok(NewDefect {
                title,
                description: description.to_owned(),
                severity,
                defect_type,
                origin,
                discovery_stage,
                expected_catch_stage,
                detected_by,
                team_id,
                component_id,
                release_id,
                introduced_at,
                detected_at,
                resolved_at,
                reopened_count,
                scope,
                external_key,
                incident_link,
            }),
            _ => Err(e),
        }
    }

    fn stages(
        &self,
        e: &mut ValidationErrors,
        pipeline: &Pipeline,
    ) -> (Option<StageKey>, Option<StageKey>) {
        let discovery = self.discovery_stage.trim();
        let discovery = if discovery.is_empty() {
            e.push(
                "discovery_stage",
                "Select the stage where the defect was discovered",
            );
            None
        } else {
            let found = pipeline.get(discovery).map(|s| s.key.clone());
            if found.is_none() {
                e.push(
                    "discovery_stage",
                    "Select a discovery stage from the pipeline",
                );
            }
            found
        };
        let expected = self.expected_catch_stage.trim();
        if expected.is_empty() {
            return (discovery, None);
        }
        let Some(position) = pipeline.position(expected) else {
            e.push(
                "expected_catch_stage",
                "Select an expected catch stage from the pipeline",
            );
            return (discovery, None);
        };
        let discovered_at = discovery
            .as_ref()
            .and_then(|k| pipeline.position(k.as_str()));
        if discovered_at.is_some_and(|d| position > d) {
            e.push(
                "expected_catch_stage",
                "Expected catch stage cannot come after the discovery stage",
            );
            return (discovery, None);
        }
        (discovery, Some(pipeline.stages()[position].key.clone()))
    }

    #[expect(
        clippy::type_complexity,
        reason = "three dates, named by the caller's destructuring"
    )]
    fn dates(
        &self,
        e: &mut ValidationErrors,
        now: DateTime<Utc>,
    ) -> (
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    ) {
        let latest = now.checked_add_signed(TimeDelta::days(1)).unwrap_or(now);
        let introduced = optional_date(e, "introduced_at", &self.introduced_at, "Introduced date");
        let detected = if self.detected_at.trim().is_empty() {
            e.push("detected_at", "Enter the date the defect was detected");
            None
        } else {
            optional_date(e, "detected_at", &self.detected_at, "Detected date")
        };
        let detected = detected.filter(|&d| {
            if d > latest {
                e.push("detected_at", "Detected date cannot be in the future");
                false
            } else if introduced.is_some_and(|i| d < i) {
                e.push(
                    "detected_at",
                    "Detected date must be on or after the introduced date",
                );
                false
            } else {
                true
            }
        });
        let resolved =
            optional_date(e, "resolved_at", &self.resolved_at, "Resolved date").filter(|&r| {
                if r > latest {
                    e.push("resolved_at", "Resolved date cannot be in the future");
                    false
                } else if detected.is_some_and(|d| r < d) {
                    e.push(
                        "resolved_at",
                        "Resolved date must be on or after the detected date",
                    );
                    false
                } else {
                    true
                }
            });
        (introduced, detected, resolved)
    }
}
