//! Writing defects: create and update, checking the references only the database knows
//! and the version the form was based on.

use chrono::{DateTime, Utc};
use escapement_core::{Defect, NewDefect, ValidationErrors};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::get_defect;
use crate::entities::{component, defect, release, team};
use crate::{Result, StorageError, unique_violation_as, versioned};

/// The columns a defect's own data fills, without id, timestamps of the row or version.
fn data_columns(d: &NewDefect) -> defect::ActiveModel {
    defect::ActiveModel {
        team_id: Set(d.team_id),
        component_id: Set(d.component_id),
        release_id: Set(d.release_id),
        title: Set(d.title.clone()),
        description: Set(d.description.clone()),
        severity: Set(d.severity.key().to_owned()),
        defect_type: Set(d.defect_type.key().to_owned()),
        origin: Set(d.origin.key().to_owned()),
        discovery_stage: Set(d.discovery_stage.as_str().to_owned()),
        expected_catch_stage: Set(d
            .expected_catch_stage
            .as_ref()
            .map(|s| s.as_str().to_owned())),
        detected_by: Set(d.detected_by.key().to_owned()),
        introduced_at: Set(d.introduced_at),
        detected_at: Set(d.detected_at),
        resolved_at: Set(d.resolved_at),
        reopened_count: Set(i32::try_from(d.reopened_count).unwrap_or(i32::MAX)),
        confirmed: Set(d.scope.confirmed),
        known_issue_accepted: Set(d.scope.known_issue_accepted),
        cosmetic: Set(d.scope.cosmetic),
        test_environment: Set(d.scope.test_environment),
        data_migration: Set(d.scope.data_migration),
        external_key: Set(d.external_key.clone()),
        incident_link: Set(d.incident_link.clone()),
        ..Default::default()
    }
}

/// A complete row for a new defect, for single and bulk inserts.
pub(crate) fn new_row(id: Uuid, d: &NewDefect, now: DateTime<Utc>) -> defect::ActiveModel {
    defect::ActiveModel {
        id: Set(id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..data_columns(d)
    }
}

/// Checks what only the database knows: the team exists, and the component and release
/// belong to that team.
async fn check_references(db: &impl ConnectionTrait, d: &NewDefect) -> Result<()> {
    let mut errors = ValidationErrors::new();
    if team::Entity::find_by_id(d.team_id).one(db).await?.is_none() {
        errors.push("team_id", "Select a team from the list");
    }
    if let Some(id) = d.component_id {
        let owner = component::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.team_id);
        if owner != Some(d.team_id) {
            errors.push("component_id", "Select a component of the chosen team");
        }
    }
    if let Some(id) = d.release_id {
        let owner = release::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|r| r.team_id);
        if owner != Some(d.team_id) {
            errors.push("release_id", "Select a release of the chosen team");
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StorageError::Invalid(errors))
    }
}

const EXTERNAL_KEY_TAKEN: &str = "This team already has a defect with this external key";

/// Records a new defect.
pub async fn create_defect(
    db: &impl ConnectionTrait,
    d: &NewDefect,
    now: DateTime<Utc>,
) -> Result<Defect> {
    check_references(db, d).await?;
    let model = defect::Entity::insert(new_row(Uuid::now_v7(), d, now))
        .exec_with_returning(db)
        .await
        .map_err(|e| unique_violation_as(e, "external_key", EXTERNAL_KEY_TAKEN))?;
    model.try_into()
}

/// Replaces a defect's data if it is still at `expected_version`; `Stale` otherwise.
pub async fn update_defect(
    db: &impl ConnectionTrait,
    id: Uuid,
    expected_version: i32,
    d: &NewDefect,
    now: DateTime<Utc>,
) -> Result<Defect> {
    check_references(db, d).await?;
    let changes = defect::ActiveModel {
        updated_at: Set(now),
        ..data_columns(d)
    };
    versioned::update::<defect::Entity>(
        db,
        defect::Column::Id,
        defect::Column::Version,
        id,
        expected_version,
        changes,
    )
    .await
    .map_err(|e| match e {
        StorageError::Db(err) => unique_violation_as(err, "external_key", EXTERNAL_KEY_TAKEN),
        other => other,
    })?;
    get_defect(db, id).await
}
