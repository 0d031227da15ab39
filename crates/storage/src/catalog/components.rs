//! Components: the parts of the product a team owns, which defects and actions name.

use chrono::{DateTime, Utc};
use escapement_core::NewComponent;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use super::teams::require_team;
use crate::entities::component;
use crate::{Result, StorageError, taken_as, unique_violation_as, versioned};

/// A stored component; always belongs to exactly one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Component {
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub description: String,
    pub version: i32,
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

const COMPONENT_TAKEN: &str = "This team already has a component with this name";

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
    crate::rollup::renew_team(db, model.team_id).await?;
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
    .map_err(|e| taken_as(e, "name", COMPONENT_TAKEN))?;
    let component = get_component(db, id).await?;
    crate::rollup::renew_team(db, component.team_id).await?;
    Ok(component)
}
