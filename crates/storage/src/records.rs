//! Plain records that storage returns for the catalog (teams, components, releases) and
//! for defect lists; no database types leak out of this crate.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

/// A stored team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    pub id: Uuid,
    pub name: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

/// A stored component; always belongs to exactly one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Component {
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub description: String,
    pub version: i32,
}

/// A stored release; always belongs to exactly one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Release {
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub released_on: NaiveDate,
    pub version: i32,
}

/// One line of the defect list, with the names it refers to already resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefectRow {
    pub id: Uuid,
    pub title: String,
    pub severity: String,
    pub defect_type: String,
    pub discovery_stage: String,
    pub team_name: String,
    pub component_name: Option<String>,
    pub release_name: Option<String>,
    pub detected_at: DateTime<Utc>,
    pub external_key: Option<String>,
}

/// One page of defects and the counts behind the whole filtered list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefectListPage {
    pub rows: Vec<DefectRow>,
    /// Defects matching the filter.
    pub total: u64,
    /// Of those, how many are escapes under the boundary in force.
    pub escaped: u64,
}
