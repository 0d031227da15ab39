//! A backlog item as every export format takes it, and the priority band its score falls in.

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::taxonomy::{ActionStatus, Effort, Mechanism, Severity};

/// Where an item's priority score places it, from Jira's Highest to Lowest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Highest,
    High,
    Medium,
    Low,
    Lowest,
}

impl Priority {
    /// The bands' lower bounds on the priority score, highest first; below the last is Lowest.
    /// With the default weights, one fresh escape of Small effort lands in its severity's
    /// band: critical (8) Highest, high (4) High, medium (2) Medium, low (1) Low; age, larger
    /// effort and fewer quarters move an item down, more escapes and quarters up.
    pub const BANDS: [(f64, Priority); 4] = [
        (8.0, Priority::Highest),
        (4.0, Priority::High),
        (2.0, Priority::Medium),
        (1.0, Priority::Low),
    ];

    /// The band of a priority score.
    #[must_use]
    pub fn of_score(score: f64) -> Priority {
        Priority::BANDS
            .iter()
            .find(|(floor, _)| score >= *floor)
            .map_or(Priority::Lowest, |(_, p)| *p)
    }

    /// Jira's priority name.
    #[must_use]
    pub const fn jira(self) -> &'static str {
        match self {
            Priority::Highest => "Highest",
            Priority::High => "High",
            Priority::Medium => "Medium",
            Priority::Low => "Low",
            Priority::Lowest => "Lowest",
        }
    }

    /// Linear's priority name (Urgent, High, Medium, Low).
    #[must_use]
    pub const fn linear(self) -> &'static str {
        match self {
            Priority::Highest => "Urgent",
            Priority::High => "High",
            Priority::Medium => "Medium",
            Priority::Low | Priority::Lowest => "Low",
        }
    }
}

/// An escape an item addresses, as an export describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscapeRef {
    pub defect_title: String,
    pub severity: Severity,
    /// The discovery stage's label.
    pub discovered_at_stage: String,
    pub discovered_on: NaiveDate,
    pub review_title: String,
    /// An absolute link to the review page, when the instance's public URL is known; otherwise
    /// the path.
    pub url: String,
}

/// One backlog item (an improvement action) as the exports write it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportItem {
    pub id: Uuid,
    pub title: String,
    pub mechanism: Mechanism,
    pub component: Option<String>,
    pub team: String,
    /// The target layer's label.
    pub target_layer: String,
    pub effort: Effort,
    pub status: ActionStatus,
    pub due_date: Option<NaiveDate>,
    pub score: f64,
    pub priority: Priority,
    /// The tracker key the item was linked to after an import (`PAY-123`, `owner/repo#45`).
    pub external_key: Option<String>,
    pub escapes: Vec<EscapeRef>,
    /// An absolute link to the action's page (or its path when the public URL is unknown).
    pub url: String,
}
