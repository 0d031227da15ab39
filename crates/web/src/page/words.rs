//! Stored values as people read them: where a page shows a value it did not choose the words
//! for (a history entry recorded years ago, a conflict between two submitted forms), stage
//! and classification keys become their labels, catalog ids their names, ISO dates and times
//! the page's format, and yes/no flags words.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use escapement_core::{
    ActionStatus, DefectType, DetectedBy, Effort, Keyed, Mechanism, Origin, ReviewState, Severity,
};
use escapement_storage::catalog::catalog;
use escapement_storage::sea_orm::ConnectionTrait;
use escapement_storage::settings::stage_settings;
use uuid::Uuid;

use super::views::ConflictField;
use crate::error::AppResult;

/// The words for stored values: the pipeline's stage labels and, where loaded, the names of
/// teams, components and releases.
#[derive(Debug, Default)]
pub struct Words {
    stages: HashMap<String, String>,
    names: HashMap<Uuid, String>,
}

fn label_of<T: Keyed>(key: &str) -> Option<&'static str> {
    T::from_key(key).map(Keyed::label)
}

/// The label of `key` in any of the classifications people pick from.
fn classification_label(key: &str) -> Option<&'static str> {
    label_of::<Mechanism>(key)
        .or_else(|| label_of::<Severity>(key))
        .or_else(|| label_of::<DefectType>(key))
        .or_else(|| label_of::<Origin>(key))
        .or_else(|| label_of::<DetectedBy>(key))
        .or_else(|| label_of::<Effort>(key))
        .or_else(|| label_of::<ActionStatus>(key))
        .or_else(|| label_of::<ReviewState>(key))
}

/// "25 Nov 2026" or "25 Nov 2026, 14:03 UTC" from the ISO forms the app stores and posts.
fn readable_time(text: &str) -> Option<String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(
            at.with_timezone(&Utc)
                .format("%-d %b %Y, %H:%M UTC")
                .to_string(),
        );
    }
    if let Ok(at) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M") {
        return Some(at.format("%-d %b %Y, %H:%M UTC").to_string());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(|d| d.format("%-d %b %Y").to_string())
}

impl Words {
    /// The stage labels in force.
    pub async fn stages(db: &impl ConnectionTrait) -> AppResult<Words> {
        let settings = stage_settings(db).await?;
        let stages = settings
            .pipeline
            .stages()
            .iter()
            .map(|s| (s.key.as_str().to_owned(), s.label.clone()))
            .collect();
        Ok(Words {
            stages,
            names: HashMap::new(),
        })
    }

    /// The stage labels and every team's, component's and release's name (for a conflict
    /// between two forms, which hold ids).
    pub async fn with_catalog(db: &impl ConnectionTrait) -> AppResult<Words> {
        let mut words = Words::stages(db).await?;
        let all = catalog(db).await?;
        for team in &all.teams {
            words.names.insert(team.id, team.name.clone());
        }
        for component in &all.components {
            words.names.insert(component.id, component.name.clone());
        }
        for release in &all.releases {
            words.names.insert(release.id, release.name.clone());
        }
        Ok(words)
    }

    /// The words for one stored value, if it is a key, id, date or flag.
    fn one(&self, text: &str) -> Option<String> {
        if let Some(label) = self.stages.get(text) {
            return Some(label.clone());
        }
        if let Some(label) = classification_label(text) {
            return Some(label.to_owned());
        }
        if let Some(name) = Uuid::parse_str(text)
            .ok()
            .and_then(|id| self.names.get(&id))
        {
            return Some(name.clone());
        }
        match text {
            "true" | "on" => return Some("Yes".to_owned()),
            "false" | "no" => return Some("No".to_owned()),
            "yes" => return Some("Yes".to_owned()),
            "unknown" => return Some("Unknown".to_owned()),
            _ => {}
        }
        readable_time(text)
    }

    /// `raw` as people read it: a key, id, ISO date or flag in words, a list of them (joined
    /// by ", " or "; ") item by item, anything else as it is.
    #[must_use]
    pub fn value(&self, raw: &str) -> String {
        let text = raw.trim();
        if text.is_empty() {
            return String::new();
        }
        if let Some(words) = self.one(text) {
            return words;
        }
        for separator in [", ", "; "] {
            if text.contains(separator) {
                let items: Option<Vec<String>> = text
                    .split(separator)
                    .map(|item| self.one(item.trim()))
                    .collect();
                if let Some(items) = items {
                    return items.join(separator);
                }
            }
        }
        raw.to_owned()
    }

    /// The value of the history field `field` in words: a flag the history recorded as
    /// "yes"/"no" says what it means.
    #[must_use]
    pub fn field_value(&self, field: &str, raw: &str) -> String {
        match (field, raw.trim()) {
            ("facts confirmed", "yes") => "confirmed".to_owned(),
            ("facts confirmed", "no") => "not confirmed".to_owned(),
            _ => self.value(raw),
        }
    }

    /// The conflict rows with both sides in words.
    #[must_use]
    pub fn conflicts(&self, fields: Vec<ConflictField>) -> Vec<ConflictField> {
        fields
            .into_iter()
            .map(|c| ConflictField {
                saved: self.value(&c.saved),
                yours: self.value(&c.yours),
                label: c.label,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Words;

    fn words() -> Words {
        let mut words = Words::default();
        words.stages.insert(
            "integration_test".to_owned(),
            "Integration / API test".to_owned(),
        );
        words
    }

    #[test]
    fn keys_become_labels_and_lists_item_by_item() {
        let w = words();
        assert_eq!(w.value("integration_test"), "Integration / API test");
        assert_eq!(w.value("no_test"), "No test existed");
        assert_eq!(
            w.value("no_test, missed_review"),
            "No test existed, Human review missed it"
        );
    }

    #[test]
    fn iso_dates_and_times_read_as_the_pages_write_them() {
        let w = words();
        assert_eq!(w.value("2026-01-15"), "15 Jan 2026");
        assert_eq!(w.value("2026-02-01T09:00"), "1 Feb 2026, 09:00 UTC");
        assert_eq!(
            w.value("2026-02-01T09:00:00+00:00"),
            "1 Feb 2026, 09:00 UTC"
        );
    }

    #[test]
    fn free_text_is_left_as_written() {
        let w = words();
        assert_eq!(
            w.value("Coupons, again; and more"),
            "Coupons, again; and more"
        );
        assert_eq!(w.field_value("facts confirmed", "yes"), "confirmed");
        assert_eq!(w.field_value("facts confirmed", "no"), "not confirmed");
        assert_eq!(w.value("unknown"), "Unknown");
    }
}
