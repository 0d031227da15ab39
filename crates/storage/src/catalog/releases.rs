//! Releases: a team's dated versions, which defects are found in.

use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::NewRelease;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use super::teams::require_team;
use crate::entities::release;
use crate::{Result, StorageError, taken_as, unique_violation_as, versioned};

/// A stored release; always belongs to exactly one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Release {
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub released_on: NaiveDate,
    pub version: i32,
}

impl From<release::Model> for Release {
    fn from(m: release::Model) -> Self {
        Release {
            id: m.id,
            team_id: m.team_id,
            name: m.name,
            released_on: m.released_on,
            version: m.version,
        }
    }
}

const RELEASE_TAKEN: &str = "This team already has a release with this name";

/// Releases, newest first, of one team or of all.
pub async fn list_releases(
    db: &impl ConnectionTrait,
    team_id: Option<Uuid>,
) -> Result<Vec<Release>> {
    let mut query = release::Entity::find()
        .order_by_desc(release::Column::ReleasedOn)
        .order_by_asc(release::Column::Name);
    if let Some(team_id) = team_id {
        query = query.filter(release::Column::TeamId.eq(team_id));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .map(Release::from)
        .collect())
}

/// One release, or `NotFound`.
pub async fn get_release(db: &impl ConnectionTrait, id: Uuid) -> Result<Release> {
    release::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Release::from)
        .ok_or(StorageError::NotFound)
}

/// Adds a release to an existing team.
pub async fn create_release(
    db: &impl ConnectionTrait,
    new: &NewRelease,
    now: DateTime<Utc>,
) -> Result<Release> {
    require_team(db, new.team_id).await?;
    let row = release::ActiveModel {
        id: Set(Uuid::now_v7()),
        team_id: Set(new.team_id),
        name: Set(new.name.clone()),
        released_on: Set(new.released_on),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    let model = release::Entity::insert(row)
        .exec_with_returning(db)
        .await
        .map_err(|e| unique_violation_as(e, "name", RELEASE_TAKEN))?;
    crate::rollup::renew_team(db, model.team_id).await?;
    Ok(model.into())
}

/// Changes a release's name and date if it is still at `expected_version`.
pub async fn update_release(
    db: &impl ConnectionTrait,
    id: Uuid,
    expected_version: i32,
    new: &NewRelease,
    now: DateTime<Utc>,
) -> Result<Release> {
    let changes = release::ActiveModel {
        name: Set(new.name.clone()),
        released_on: Set(new.released_on),
        updated_at: Set(now),
        ..Default::default()
    };
    versioned::update::<release::Entity>(
        db,
        release::Column::Id,
        release::Column::Version,
        id,
        expected_version,
        changes,
    )
    .await
    .map_err(|e| taken_as(e, "name", RELEASE_TAKEN))?;
    let release = get_release(db, id).await?;
    crate::rollup::renew_team(db, release.team_id).await?;
    Ok(release)
}
