//! The forms of a review, as typed, and the rules that turn them into checked values: the
//! review's details here, the checklist, the analysis and mechanism, and the actions in
//! their own modules.

mod actions;
mod analysis;
mod checklist;

pub use actions::*;
pub use analysis::*;
pub use checklist::*;

use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::defect::fields::incident_link;
use crate::errors::ValidationErrors;
use crate::form::{char_len, parse_date, required_text, required_uuid};

/// Longest review or action title, in characters.
pub const REVIEW_TITLE_MAX_LEN: usize = 200;
/// Longest Markdown summary or narrative field, in characters.
pub const NARRATIVE_MAX_LEN: usize = 20_000;
/// Longest checklist note, in characters.
pub const NOTE_MAX_LEN: usize = 2_000;
/// Most participants one review lists.
pub const PARTICIPANTS_MAX: usize = 50;
/// Longest participant name or role, in characters.
pub const PARTICIPANT_MAX_LEN: usize = 100;

/// A person who took part in a review, with their role in it (not a rank).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// The name as written.
    pub name: String,
    /// The role in the review ("facilitator", "QA", …), or "participant" when none was given.
    pub role: String,
}

/// Reads participant lines, one per line: `Name (role)` or just `Name`. Blank lines are
/// skipped; the result is sorted by role, then name, so no order reads as a ranking.
pub fn parse_participants(text: &str) -> Result<Vec<Participant>, String> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, role) = match line.strip_suffix(')').and_then(|l| l.rsplit_once('(')) {
            Some((name, role)) => (name.trim(), role.trim()),
            None => (line, ""),
        };
        if name.is_empty() {
            return Err(format!("Write a name before the role in “{line}”"));
        }
        if char_len(name) > PARTICIPANT_MAX_LEN || char_len(role) > PARTICIPANT_MAX_LEN {
            return Err(format!(
                "Names and roles must be {PARTICIPANT_MAX_LEN} characters or fewer"
            ));
        }
        out.push(Participant {
            name: name.to_owned(),
            role: if role.is_empty() { "participant" } else { role }.to_owned(),
        });
    }
    if out.len() > PARTICIPANTS_MAX {
        return Err(format!("List at most {PARTICIPANTS_MAX} participants"));
    }
    out.sort_by(|a, b| {
        (a.role.to_lowercase(), a.name.to_lowercase())
            .cmp(&(b.role.to_lowercase(), b.name.to_lowercase()))
    });
    Ok(out)
}

/// Writes participants back as the lines [`parse_participants`] reads.
#[must_use]
pub fn participants_text(participants: &[Participant]) -> String {
    participants
        .iter()
        .map(|p| format!("{} ({})", p.name, p.role))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The review details form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewDraft {
    pub title: String,
    pub team_id: String,
    pub incident_date: String,
    pub incident_link: String,
    pub summary: String,
    pub participants: String,
}

/// Checked review details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDetails {
    pub title: String,
    pub team_id: Uuid,
    pub incident_date: NaiveDate,
    pub incident_link: Option<String>,
    /// Markdown, rendered safely by the web layer.
    pub summary: String,
    pub participants: Vec<Participant>,
}

impl ReviewDraft {
    /// Checks every field; `today` bounds the incident date (at most one day ahead, for time zones).
    pub fn validate(&self, today: NaiveDate) -> Result<ReviewDetails, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let title = required_text(
            &mut e,
            "title",
            &self.title,
            REVIEW_TITLE_MAX_LEN,
            "Enter a title",
            "Title must be 200 characters or fewer",
        );
        let team_id = required_uuid(&mut e, "team_id", &self.team_id, "Select a team");
        let incident_date = if self.incident_date.trim().is_empty() {
            e.push("incident_date", "Enter the incident date");
            None
        } else {
            match parse_date(&self.incident_date) {
                None => {
                    e.push(
                        "incident_date",
                        "Incident date must be a real date, like 2026-03-15",
                    );
                    None
                }
                Some(d) if d > today + TimeDelta::days(1) => {
                    e.push("incident_date", "Incident date must not be in the future");
                    None
                }
                Some(d) => Some(d),
            }
        };
        let link = incident_link(&mut e, &self.incident_link);
        let summary = self.summary.trim_end();
        if char_len(summary) > NARRATIVE_MAX_LEN {
            e.push("summary", "Summary must be 20,000 characters or fewer");
        }
        let participants = parse_participants(&self.participants).unwrap_or_else(|message| {
            e.push("participants", message);
            Vec::new()
        });
        match (title, team_id, incident_date) {
            (Some(title), Some(team_id), Some(incident_date)) if e.is_empty() => {
                Ok(ReviewDetails {
                    title,
                    team_id,
                    incident_date,
                    incident_link: link,
                    summary: summary.to_owned(),
                    participants,
                })
            }
            _ => Err(e),
        }
    }
}
