//! Teams, components and releases: the catalog that defects refer to.

use chrono::{DateTime, Utc};
use escapement_core::{NewComponent, NewRelease, NewTeam, ValidationErrors};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::entities::{component, release, team};
use crate::records::{Component, Release, Team};
use crate::{Result, StorageError, unique_violation_as, versioned};

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

impl From<component::Model> for Component {
    fn from(m: component::Model) -> Self {
        Component {
            id: m.id,
            team_id: m.team_id,
            name: m.name,
            description: m.description,
            version: m.version,
        }
    }
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

const TEAM_TAKEN: &str = "A team with this name already exists";
const COMPONENT_TAKEN: &str = "This team already has a component with this name";
const RELEASE_TAKEN: &str = "This team already has a release with this name";

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
    .map_err(|e| match e {
        StorageError::Db(db_err) => unique_violation_as(db_err, "name", TEAM_TAKEN),
        other => other,
    })?;
    get_team(db, id).await
}

/// Components by name, of one team or of all.
pub async fn list_components(
    db: &impl ConnectionTrait,
    team_id: Option<Uuid>,
) -> Result<Vec<Component>> {
    let mut query = component::Entity::find().order_by_asc(component::Column::Name);
    if let Some(team_id) = team_id {
        query = query.filter(component::Column::TeamId.eq(team_id));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .map(Component::from)
        .collect())
}

/// One component, or `NotFound`.
pub async fn get_component(db: &impl ConnectionTrait, id: Uuid) -> Result<Component> {
    component::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Component::from)
        .ok_or(StorageError::NotFound)
}

async fn require_team(db: &impl ConnectionTrait, team_id: Uuid) -> Result<()> {
    match get_team(db, team_id).await {
        Err(StorageError::NotFound) => {
            let mut errors = ValidationErrors::new();
            errors.push("team_id", "Select a team from the list");
            Err(StorageError::Invalid(errors))
        }
        other => other.map(|_| ()),
    }
}

/// Adds a component to an existing team.
pub async fn create_component(
    db: &impl ConnectionTrait,
    new: &NewComponent,
    now: DateTime<Utc>,
) -> Result<Component> {
    require_team(db, new.team_id).await?;
    let row = component::ActiveModel {
        id: Set(Uuid::now_v7()),
        team_id: Set(new.team_id),
        name: Set(new.name.clone()),
        description: Set(new.description.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    let model = component::Entity::insert(row)
        .exec_with_returning(db)
        .await
        .map_err(|e| unique_violation_as(e, "name", COMPONENT_TAKEN))?;
    Ok(model.into())
}

/// Changes a component if it is still at `expected_version`. Its team stays as it is:
/// moving a component would silently move its defects' history between teams.
pub async fn update_component(
    db: &impl ConnectionTrait,
    id: Uuid,
    expected_version: i32,
    new: &NewComponent,
    now: DateTime<Utc>,
) -> Result<Component> {
    let changes = component::ActiveModel {
        name: Set(new.name.clone()),
        description: Set(new.description.clone()),
        updated_at: Set(now),
        ..Default::default()
    };
    versioned::update::<component::Entity>(
        db,
        component::Column::Id,
        component::Column::Version,
        id,
        expected_version,
        changes,
    )
    .await
    .map_err(|e| match e {
        StorageError::Db(db_err) => unique_violation_as(db_err, "name", COMPONENT_TAKEN),
        other => other,
    })?;
    get_component(db, id).await
}

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
    .map_err(|e| match e {
        StorageError::Db(db_err) => unique_violation_as(db_err, "name", RELEASE_TAKEN),
        other => other,
    })?;
    get_release(db, id).await
}
