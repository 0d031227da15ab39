//! Teams: every defect, component, release and review belongs to exactly one.

use chrono::{DateTime, Utc};
use escapement_core::{NewTeam, ValidationErrors};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::team;
use crate::{Result, StorageError, taken_as, unique_violation_as, versioned};

/// A stored team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    pub id: Uuid,
    pub name: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

impl From<team::Model> for Team {
    fn from(m: team::Model) -> Self {
        Team {
            id: m.id,
            name: m.name,
            version: m.version,
            created_at: m.created_at,
        }
    }
}

const TEAM_TAKEN: &str = "A team with this name already exists";

/// Every team, by name.
pub async fn list_teams(db: &impl ConnectionTrait) -> Result<Vec<Team>> {
    let rows = team::Entity::find()
        .order_by_asc(team::Column::Name)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Team::from).collect())
}

/// One team, or `NotFound`.
pub async fn get_team(db: &impl ConnectionTrait, id: Uuid) -> Result<Team> {
    team::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Team::from)
        .ok_or(StorageError::NotFound)
}

/// Adds a team; a taken name is a field error on `name`.
pub async fn create_team(
    db: &impl ConnectionTrait,
    new: &NewTeam,
    now: DateTime<Utc>,
) -> Result<Team> {
    let row = team::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(new.name.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    let model = team::Entity::insert(row)
        .exec_with_returning(db)
        .await
        .map_err(|e| unique_violation_as(e, "name", TEAM_TAKEN))?;
    crate::rollup::renew_team(db, model.id).await?;
    Ok(model.into())
}

/// Renames a team if it is still at `expected_version`.
pub async fn update_team(
    db: &impl ConnectionTrait,
    id: Uuid,
    expected_version: i32,
    new: &NewTeam,
    now: DateTime<Utc>,
) -> Result<Team> {
    let changes = team::ActiveModel {
        name: Set(new.name.clone()),
        updated_at: Set(now),
        ..Default::default()
    };
    versioned::update::<team::Entity>(
        db,
        team::Column::Id,
        team::Column::Version,
        id,
        expected_version,
        changes,
    )
    .await
    .map_err(|e| taken_as(e, "name", TEAM_TAKEN))?;
    crate::rollup::renew_team(db, id).await?;
    get_team(db, id).await
}

/// `Ok` when the team exists; otherwise a field error on `team_id` (the form's team list).
pub(super) async fn require_team(db: &impl ConnectionTrait, team_id: Uuid) -> Result<()> {
    match get_team(db, team_id).await {
        Err(StorageError::NotFound) => {
            let mut errors = ValidationErrors::new();
            errors.push("team_id", "Select a team from the list");
            Err(StorageError::Invalid(errors))
        }
        other => other.map(|_| ()),
    }
}
