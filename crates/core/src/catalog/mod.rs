//! Teams, components and releases: their raw forms and the validated values to insert.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::errors::ValidationErrors;
use crate::form::{char_len, parse_date, required_text, required_uuid};

#[cfg(test)]
mod tests;

/// The longest team, component or release name accepted, in characters, after trimming.
pub const CATALOG_NAME_MAX_LEN: usize = 80;
/// The longest component description accepted, in characters, after trimming.
pub const COMPONENT_DESCRIPTION_MAX_LEN: usize = 2000;

/// Raw team form input; `version` is the optimistic-lock version an edit was based on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TeamDraft {
    pub name: String,
    pub version: String,
}

/// A validated team: `name` is trimmed, 1..=80 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTeam {
    pub name: String,
}

impl TeamDraft {
    /// Checks the form; every problem is reported, one per field.
    pub fn validate(&self) -> Result<NewTeam, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = name(&mut e, &self.name, "team");
        match name {
            Some(name) if e.is_empty() => Ok(NewTeam { name }),
            _ => Err(e),
        }
    }

    /// The form that shows `team` for editing (empty `version`).
    #[must_use]
    pub fn from_team(team: &NewTeam) -> TeamDraft {
        TeamDraft {
            name: team.name.clone(),
            version: String::new(),
        }
    }
}

/// Raw component form input; `version` is the optimistic-lock version an edit was based on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ComponentDraft {
    pub name: String,
    pub team_id: String,
    pub description: String,
    pub version: String,
}

/// A validated component: trimmed 1..=80 character name, an owning team, and a trimmed
/// description of at most 2,000 characters (possibly empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewComponent {
    pub name: String,
    pub team_id: Uuid,
    pub description: String,
}

impl ComponentDraft {
    /// Checks the form; every problem is reported, one per field, in form order.
    pub fn validate(&self) -> Result<NewComponent, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = name(&mut e, &self.name, "component");
        let team_id = required_uuid(&mut e, "team_id", &self.team_id, "Select a team");
        let description = self.description.trim();
        if char_len(description) > COMPONENT_DESCRIPTION_MAX_LEN {
            e.push(
                "description",
                "Description must be 2,000 characters or fewer",
            );
        }
        match (name, team_id) {
            (Some(name), Some(team_id)) if e.is_empty() => Ok(NewComponent {
                name,
                team_id,
                description: description.to_owned(),
            }),
            _ => Err(e),
        }
    }

    /// The form that shows `component` for editing (empty `version`).
    #[must_use]
    pub fn from_component(component: &NewComponent) -> ComponentDraft {
        ComponentDraft {
            name: component.name.clone(),
            team_id: component.team_id.to_string(),
            description: component.description.clone(),
            version: String::new(),
        }
    }
}

/// Raw release form input; `version` is the optimistic-lock version an edit was based on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleaseDraft {
    pub name: String,
    pub team_id: String,
    pub released_on: String,
    pub version: String,
}

/// A validated release: trimmed 1..=80 character name, an owning team and a release date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewRelease {
    pub name: String,
    pub team_id: Uuid,
    pub released_on: NaiveDate,
}

impl ReleaseDraft {
    /// Checks the form; every problem is reported, one per field, in form order.
    pub fn validate(&self) -> Result<NewRelease, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = name(&mut e, &self.name, "release");
        let team_id = required_uuid(&mut e, "team_id", &self.team_id, "Select a team");
        let released_on = if self.released_on.trim().is_empty() {
            e.push("released_on", "Enter the release date");
            None
        } else {
            let parsed = parse_date(&self.released_on);
            if parsed.is_none() {
                e.push(
                    "released_on",
                    "Release date must be a real date, like 2024-03-15",
                );
            }
            parsed
        };
        match (name, team_id, released_on) {
            (Some(name), Some(team_id), Some(released_on)) if e.is_empty() => Ok(NewRelease {
                name,
                team_id,
                released_on,
            }),
            _ => Err(e),
        }
    }

    /// The form that shows `release` for editing (date as `YYYY-MM-DD`, empty `version`).
    #[must_use]
    pub fn from_release(release: &NewRelease) -> ReleaseDraft {
        ReleaseDraft {
            name: release.name.clone(),
            team_id: release.team_id.to_string(),
            released_on: release.released_on.format("%Y-%m-%d").to_string(),
            version: String::new(),
        }
    }
}

/// The shared name rule: trimmed, 1..=80 characters, messages naming the kind of thing.
fn name(e: &mut ValidationErrors, text: &str, kind: &str) -> Option<String> {
    required_text(
        e,
        "name",
        text,
        CATALOG_NAME_MAX_LEN,
        &format!("Enter a {kind} name"),
        &format!("{} name must be 80 characters or fewer", capitalized(kind)),
    )
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
