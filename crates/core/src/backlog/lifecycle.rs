//! Where an action may move on the backlog, when it is overdue, and the change form.
//!
//! proposed → accepted → in progress → done, or won't do (with a written reason) from any
//! open status. Done reopens to in progress; won't do goes back to proposed; accepted and in
//! progress may step back one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::errors::ValidationErrors;
use crate::form::{parse_date, required_uuid};
use crate::taxonomy::ActionStatus;

/// The longest reason for not doing an action, in characters.
pub const REASON_MAX_LEN: usize = 2000;
/// The longest tracker key.
pub const EXTERNAL_KEY_MAX_LEN: usize = 64;
/// How many days ahead a due date counts as soon.
pub const DUE_SOON_DAYS: i64 = 7;

/// Whether an action's status counts as open work (proposed, accepted, in progress).
#[must_use]
pub const fn is_open(status: ActionStatus) -> bool {
    matches!(
        status,
        ActionStatus::Proposed | ActionStatus::Accepted | ActionStatus::InProgress
    )
}

/// The statuses an action at `from` may move to (itself included: a save that changes only the
/// due date keeps the status).
#[must_use]
pub fn next_statuses(from: ActionStatus) -> &'static [ActionStatus] {
    use ActionStatus::{Accepted, Done, InProgress, Proposed, WontDo};
    match from {
        Proposed => &[Proposed, Accepted, WontDo],
        Accepted => &[Accepted, Proposed, InProgress, Done, WontDo],
        InProgress => &[InProgress, Accepted, Done, WontDo],
        Done => &[Done, InProgress],
        WontDo => &[WontDo, Proposed],
    }
}

/// Whether an action may move from `from` to `to`.
#[must_use]
pub fn can_move(from: ActionStatus, to: ActionStatus) -> bool {
    next_statuses(from).contains(&to)
}

/// How an action's due date stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "days", rename_all = "snake_case")]
pub enum DueState {
    /// Done, won't do, or no due date.
    None,
    /// Past its due date by this many days.
    Overdue(i64),
    /// Due today or within [`DUE_SOON_DAYS`] (days left).
    Soon(i64),
    /// Due later.
    Later(i64),
}

/// The due state of an action with `status` and `due` as of `today`.
#[must_use]
pub fn due_state(status: ActionStatus, due: Option<NaiveDate>, today: NaiveDate) -> DueState {
    match due {
        Some(due) if is_open(status) => {
            let days = (due - today).num_days();
            if days < 0 {
                DueState::Overdue(-days)
            } else if days <= DUE_SOON_DAYS {
                DueState::Soon(days)
            } else {
                DueState::Later(days)
            }
        }
        _ => DueState::None,
    }
}

/// Whether a tracker key looks like one: a Jira or Linear key (`PAY-123`), a GitHub issue
/// (`owner/repo#45` or `#45`), or a full link to one (`https://…`).
#[must_use]
pub fn is_tracker_key(key: &str) -> bool {
    fn jira(k: &str) -> bool {
        let Some((project, number)) = k.rsplit_once('-') else {
            return false;
        };
        project.starts_with(|c: char| c.is_ascii_alphabetic())
            && project
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
    }
    fn github(k: &str) -> bool {
        let Some((repo, number)) = k.rsplit_once('#') else {
            return false;
        };
        let repo_ok = repo.is_empty()
            || repo.split_once('/').is_some_and(|(owner, name)| {
                let part = |s: &str| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                };
                part(owner) && part(name)
            });
        repo_ok && !number.is_empty() && number.chars().all(|c| c.is_ascii_digit())
    }
    let link = (key.starts_with("https://") || key.starts_with("http://"))
        && key.len() > "https://".len()
        && !key.chars().any(|c| c.is_whitespace() || c.is_control());
    !key.is_empty() && key.len() <= EXTERNAL_KEY_MAX_LEN && (jira(key) || github(key) || link)
}

/// The backlog's change form for one action, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionChangeDraft {
    pub status: String,
    pub due_date: String,
    pub owner_team_id: String,
    pub external_key: String,
    pub reason: String,
}

/// A checked change of an action's status, due date, owner team and tracker key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionChange {
    pub status: ActionStatus,
    pub due_date: Option<NaiveDate>,
    pub owner_team_id: Uuid,
    pub external_key: Option<String>,
    /// Why the action will not be done; set exactly when the status is won't do.
    pub reason: Option<String>,
}

impl ActionChangeDraft {
    /// Checks the form against the action's current status.
    pub fn validate(&self, current: ActionStatus) -> Result<ActionChange, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let status = match ActionStatus::from_key(self.status.trim()) {
            Some(s) if can_move(current, s) => Some(s),
            Some(s) => {
                e.push(
                    "status",
                    format!(
                        "An action that is {} cannot move to {}",
                        current.label().to_lowercase(),
                        s.label().to_lowercase()
                    ),
                );
                None
            }
            None => {
                e.push("status", "Select a status from the list");
                None
            }
        };
        let due_date = if self.due_date.trim().is_empty() {
            None
        } else {
            let d = parse_date(&self.due_date);
            if d.is_none() {
                e.push("due_date", "Due date must be a real date, like 2026-03-15");
            }
            d
        };
        let owner_team_id = required_uuid(
            &mut e,
            "owner_team_id",
            &self.owner_team_id,
            "Select the team that owns the action",
        );
        let key = self.external_key.trim();
        let external_key = if key.is_empty() {
            None
        } else if key.chars().count() > EXTERNAL_KEY_MAX_LEN {
            e.push(
                "external_key",
                format!("Tracker key must be {EXTERNAL_KEY_MAX_LEN} characters or fewer"),
            );
            None
        } else if !is_tracker_key(key) {
            e.push(
                "external_key",
                "Tracker key must look like PAY-123, owner/repo#45 or a link to the issue",
            );
            None
        } else {
            Some(key.to_owned())
        };
        let reason_text = self.reason.trim();
        let reason = if status == Some(ActionStatus::WontDo) {
            if reason_text.is_empty() {
                e.push("reason", "Enter why the action will not be done");
            } else if reason_text.chars().count() > REASON_MAX_LEN {
                e.push(
                    "reason",
                    format!("Reason must be {REASON_MAX_LEN} characters or fewer"),
                );
            }
            Some(reason_text.to_owned())
        } else {
            None
        };
        match (status, owner_team_id) {
            (Some(status), Some(owner_team_id)) if e.is_empty() => Ok(ActionChange {
                status,
                due_date,
                owner_team_id,
                external_key,
                reason,
            }),
            _ => Err(e),
        }
    }
}
