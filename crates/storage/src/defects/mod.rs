//! Defects: the filtered, paginated list (`list`), one defect and its page's read model
//! (`detail`), and create / update with optimistic locking (`write`). Whether a defect
//! escaped is computed from the pipeline and boundary in force.

mod detail;
mod list;
mod write;

use escapement_core::{
    Defect, DefectType, DetectedBy, Keyed, NewDefect, Origin, ScopeFlags, Severity, StageKey,
};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::entities::defect;
use crate::{Result, StorageError};

pub use detail::{CoveringReview, DefectDetail, defect_detail};
pub use list::list_defects;
pub(crate) use list::{Purpose, condition, count, names, resolve_names};
pub use write::{create_defect, update_defect};

/// The list filters; every `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefectFilter {
    /// The teams the reader may see; `None` means every team (an instance admin).
    pub visible_teams: Option<Vec<Uuid>>,
    pub team_id: Option<Uuid>,
    pub component_id: Option<Uuid>,
    pub release_id: Option<Uuid>,
    pub severity: Option<Severity>,
    pub discovery_stage: Option<StageKey>,
    pub escaped: Option<bool>,
    /// Case-insensitive text that the title must contain.
    pub text: Option<String>,
    /// Only defects that no escape review covers yet.
    pub unreviewed: bool,
}

fn parse_key<T: Keyed>(column: &str, value: &str) -> Result<T> {
    crate::stored_key(&format!("defects.{column}"), value)
}

fn parse_stage(column: &str, value: &str) -> Result<StageKey> {
    crate::stored_stage(&format!("defects.{column}"), value)
}

impl TryFrom<defect::Model> for Defect {
    type Error = StorageError;

    fn try_from(m: defect::Model) -> Result<Self> {
        let data = NewDefect {
            severity: parse_key::<Severity>("severity", &m.severity)?,
            defect_type: parse_key::<DefectType>("defect_type", &m.defect_type)?,
            origin: parse_key::<Origin>("origin", &m.origin)?,
            detected_by: parse_key::<DetectedBy>("detected_by", &m.detected_by)?,
            discovery_stage: parse_stage("discovery_stage", &m.discovery_stage)?,
            expected_catch_stage: m
                .expected_catch_stage
                .as_deref()
                .map(|s| parse_stage("expected_catch_stage", s))
                .transpose()?,
            title: m.title,
            description: m.description,
            team_id: m.team_id,
            component_id: m.component_id,
            release_id: m.release_id,
            introduced_at: m.introduced_at,
            detected_at: m.detected_at,
            resolved_at: m.resolved_at,
            reopened_count: u32::try_from(m.reopened_count).unwrap_or(0),
            scope: ScopeFlags {
                confirmed: m.confirmed,
                known_issue_accepted: m.known_issue_accepted,
                cosmetic: m.cosmetic,
                test_environment: m.test_environment,
                data_migration: m.data_migration,
            },
            external_key: m.external_key,
            incident_link: m.incident_link,
        };
        Ok(Defect {
            id: m.id,
            data,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// One defect, or `NotFound`.
pub async fn get_defect(db: &impl ConnectionTrait, id: Uuid) -> Result<Defect> {
    defect::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(StorageError::NotFound)?
        .try_into()
}
