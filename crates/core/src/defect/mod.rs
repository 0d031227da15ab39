//! Defects: the raw form, its validation into a `NewDefect`, and the stored `Defect`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::form::DATETIME_INPUT_FORMAT;
use crate::stage::StageKey;
use crate::taxonomy::{DefectType, DetectedBy, Origin, Severity};

pub(crate) mod fields;
mod validate;

pub use crate::errors::{FieldError, ValidationErrors};

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

/// The longest title accepted, in characters, after trimming.
pub const TITLE_MAX_LEN: usize = 200;
/// The longest description accepted, in characters.
pub const DESCRIPTION_MAX_LEN: usize = 20_000;
/// The largest reopened count accepted.
pub const REOPENED_MAX: u32 = 1000;
/// The longest external ticket key accepted, in characters.
pub const EXTERNAL_KEY_MAX_LEN: usize = 64;
/// The longest incident link accepted, in characters.
pub const INCIDENT_LINK_MAX_LEN: usize = 2000;

/// Raw defect form input, every field a string exactly as typed.
///
/// Checkboxes are `Some(value)` when the browser sent them. `version` is the optimistic-lock
/// version the edit was based on; [`DefectDraft::validate`] carries it without checking it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DefectDraft {
    pub title: String,
    pub description: String,
    pub severity: String,
    pub defect_type: String,
    pub origin: String,
    pub discovery_stage: String,
    pub expected_catch_stage: String,
    pub detected_by: String,
    pub team_id: String,
    pub component_id: String,
    pub release_id: String,
    pub introduced_at: String,
    pub detected_at: String,
    pub resolved_at: String,
    pub reopened_count: String,
    pub confirmed: Option<String>,
    pub known_issue_accepted: Option<String>,
    pub cosmetic: Option<String>,
    pub test_environment: Option<String>,
    pub data_migration: Option<String>,
    pub external_key: String,
    pub incident_link: String,
    pub version: String,
}

/// Which scope rules of the metric definition a defect falls under.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeFlags {
    /// The defect is confirmed (not an unconfirmed support ticket).
    pub confirmed: bool,
    /// The defect is a known issue that was accepted for release.
    pub known_issue_accepted: bool,
    /// The defect is cosmetic.
    pub cosmetic: bool,
    /// The problem lies in a test environment, not the product.
    pub test_environment: bool,
    /// The defect came from a data migration.
    pub data_migration: bool,
}

/// A validated defect, ready to insert: every rule of [`DefectDraft::validate`] holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewDefect {
    /// Trimmed, 1..=200 characters.
    pub title: String,
    /// At most 20,000 characters, trailing whitespace removed.
    pub description: String,
    pub severity: Severity,
    pub defect_type: DefectType,
    pub origin: Origin,
    /// A stage of the pipeline it was validated against.
    pub discovery_stage: StageKey,
    /// A stage at or before `discovery_stage`, when the team named one.
    pub expected_catch_stage: Option<StageKey>,
    pub detected_by: DetectedBy,
    pub team_id: Uuid,
    pub component_id: Option<Uuid>,
    pub release_id: Option<Uuid>,
    /// At or before `detected_at`.
    pub introduced_at: Option<DateTime<Utc>>,
    /// Not more than a day after the validation time.
    pub detected_at: DateTime<Utc>,
    /// At or after `detected_at`, not more than a day after the validation time.
    pub resolved_at: Option<DateTime<Utc>>,
    /// 0..=1000.
    pub reopened_count: u32,
    pub scope: ScopeFlags,
    /// Trimmed, 1..=64 characters, no whitespace.
    pub external_key: Option<String>,
    /// Trimmed `http://` or `https://` link of at most 2000 characters, no whitespace.
    pub incident_link: Option<String>,
}

/// A stored defect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Defect {
    pub id: Uuid,
    pub data: NewDefect,
    /// Optimistic-lock version, bumped on every update.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn checkbox_value(on: bool) -> Option<String> {
    on.then(|| "on".to_owned())
}

fn datetime_value(at: DateTime<Utc>) -> String {
    at.format(DATETIME_INPUT_FORMAT).to_string()
}

impl DefectDraft {
    /// The form that shows `d` for editing: enums as keys, ids as hyphenated UUIDs, dates as
    /// `YYYY-MM-DDTHH:MM` (seconds dropped), flags as `Some("on")`/`None`, empty `version`.
    #[must_use]
    pub fn from_defect(d: &NewDefect) -> DefectDraft {
        DefectDraft {
            title: d.title.clone(),
            description: d.description.clone(),
            severity: d.severity.key().to_owned(),
            defect_type: d.defect_type.key().to_owned(),
            origin: d.origin.key().to_owned(),
            discovery_stage: d.discovery_stage.to_string(),
            expected_catch_stage: d
                .expected_catch_stage
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            detected_by: d.detected_by.key().to_owned(),
            team_id: d.team_id.to_string(),
            component_id: d.component_id.map(|id| id.to_string()).unwrap_or_default(),
            release_id: d.release_id.map(|id| id.to_string()).unwrap_or_default(),
            introduced_at: d.introduced_at.map(datetime_value).unwrap_or_default(),
            detected_at: datetime_value(d.detected_at),
            resolved_at: d.resolved_at.map(datetime_value).unwrap_or_default(),
            reopened_count: d.reopened_count.to_string(),
            confirmed: checkbox_value(d.scope.confirmed),
            known_issue_accepted: checkbox_value(d.scope.known_issue_accepted),
            cosmetic: checkbox_value(d.scope.cosmetic),
            test_environment: checkbox_value(d.scope.test_environment),
            data_migration: checkbox_value(d.scope.data_migration),
            external_key: d.external_key.clone().unwrap_or_default(),
            incident_link: d.incident_link.clone().unwrap_or_default(),
            version: String::new(),
        }
    }

    /// The edit form for a stored defect: [`DefectDraft::from_defect`] with its `version` filled.
    #[must_use]
    pub fn from_stored(d: &Defect) -> DefectDraft {
        DefectDraft {
            version: d.version.to_string(),
            ..DefectDraft::from_defect(&d.data)
        }
    }
}
