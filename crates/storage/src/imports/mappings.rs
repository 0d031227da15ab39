//! Mappings a team saved under a name.

use chrono::{DateTime, Utc};
use escapement_core::ValidationErrors;
use escapement_core::form::char_len;
use escapement_core::import::{MAPPING_NAME_MAX_LEN, Mapping};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::import_mapping;
use crate::{Result, StorageError};

/// A mapping with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedMapping {
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub mapping: Mapping,
    pub updated_at: DateTime<Utc>,
}

fn read(m: import_mapping::Model) -> Result<SavedMapping> {
    let mapping = serde_json::from_str(&m.mapping).map_err(|e| {
        StorageError::Db(sea_orm::DbErr::Json(format!(
            "import mapping `{}`: {e}",
            m.name
        )))
    })?;
    Ok(SavedMapping {
        id: m.id,
        team_id: m.team_id,
        name: m.name,
        mapping,
        updated_at: m.updated_at,
    })
}

/// The team's saved mappings, by name.
pub async fn list_mappings(db: &impl ConnectionTrait, team_id: Uuid) -> Result<Vec<SavedMapping>> {
    import_mapping::Entity::find()
        .filter(import_mapping::Column::TeamId.eq(team_id))
        .order_by_asc(import_mapping::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// The team's mapping called `name`, or `NotFound`.
pub async fn get_mapping(
    db: &impl ConnectionTrait,
    team_id: Uuid,
    name: &str,
) -> Result<SavedMapping> {
    let found = import_mapping::Entity::find()
        .filter(import_mapping::Column::TeamId.eq(team_id))
        .filter(import_mapping::Column::Name.eq(name.trim()))
        .one(db)
        .await?
        .ok_or(StorageError::NotFound)?;
    read(found)
}

/// Saves `mapping` under `name` for the team, replacing a mapping of that name.
pub async fn save_mapping(
    db: &impl ConnectionTrait,
    team_id: Uuid,
    name: &str,
    mapping: &Mapping,
    now: DateTime<Utc>,
) -> Result<()> {
    let name = name.trim();
    let mut errors = ValidationErrors::new();
    if name.is_empty() {
        errors.push("mapping_name", "Enter a name to save the mapping under");
    } else if char_len(name) > MAPPING_NAME_MAX_LEN {
        errors.push(
            "mapping_name",
            format!("A mapping name must be {MAPPING_NAME_MAX_LEN} characters or fewer"),
        );
    }
    if !errors.is_empty() {
        return Err(StorageError::Invalid(errors));
    }
    let json = serde_json::to_string(mapping)
        .map_err(|e| StorageError::Db(sea_orm::DbErr::Json(e.to_string())))?;
    let row = import_mapping::ActiveModel {
        id: Set(Uuid::now_v7()),
        team_id: Set(team_id),
        name: Set(name.to_owned()),
        mapping: Set(json),
        created_at: Set(now),
        updated_at: Set(now),
    };
    import_mapping::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([import_mapping::Column::TeamId, import_mapping::Column::Name])
                .update_columns([
                    import_mapping::Column::Mapping,
                    import_mapping::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes the team's mapping called `name` (nothing when there is none).
pub async fn delete_mapping(db: &impl ConnectionTrait, team_id: Uuid, name: &str) -> Result<()> {
    import_mapping::Entity::delete_many()
        .filter(import_mapping::Column::TeamId.eq(team_id))
        .filter(import_mapping::Column::Name.eq(name.trim()))
        .exec(db)
        .await?;
    Ok(())
}
