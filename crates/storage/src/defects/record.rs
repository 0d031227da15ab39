//! One defect: reading it as a core [`Defect`], and creating or updating it with its
//! references checked and optimistic locking.

use chrono::{DateTime, Utc};
use escapement_core::{
    Defect, DefectType, DetectedBy, Keyed, NewDefect, Origin, ScopeFlags, Severity, StageKey,
    ValidationErrors,
};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::entities::{component, defect, release, team};
use crate::rollup::track;
use crate::{Result, StorageError, taken_as, unique_violation_as, versioned};

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

/// The columns a defect's own data fills, without id, timestamps of the row or version.
pub(crate) fn data_columns(d: &NewDefect) -> defect::ActiveModel {
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

/// A complete row for a new defect.
fn new_row(id: Uuid, d: &NewDefect, now: DateTime<Utc>) -> defect::ActiveModel {
    defect::ActiveModel {
        id: Set(id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..data_columns(d)
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

/// Records a new defect, with its roll-up counts, in one write transaction.
pub async fn create_defect(
    db: &(impl ConnectionTrait + TransactionTrait),
    d: &NewDefect,
    now: DateTime<Utc>,
) -> Result<Defect> {
    let txn = crate::begin_write(db).await?;
    let defect = insert_defect(&txn, d, now).await?;
    txn.commit().await?;
    Ok(defect)
}

/// Inserts a new defect and adds it to the roll-up, inside the caller's transaction.
pub(crate) async fn insert_defect(
    db: &impl ConnectionTrait,
    d: &NewDefect,
    now: DateTime<Utc>,
) -> Result<Defect> {
    check_references(db, d).await?;
    let id = Uuid::now_v7();
    let tracked = track(db, &[id]).await?;
    let model = defect::Entity::insert(new_row(id, d, now))
        .exec_with_returning(db)
        .await
        .map_err(|e| unique_violation_as(e, "external_key", EXTERNAL_KEY_TAKEN))?;
    tracked.settle(db).await?;
    model.try_into()
}

/// Replaces a defect's data if it is still at `expected_version` (`Stale` otherwise), and
/// its roll-up counts with it, in one write transaction.
pub async fn update_defect(
    db: &(impl ConnectionTrait + TransactionTrait),
    id: Uuid,
    expected_version: i32,
    d: &NewDefect,
    now: DateTime<Utc>,
) -> Result<Defect> {
    let txn = crate::begin_write(db).await?;
    check_references(&txn, d).await?;
    let tracked = track(&txn, &[id]).await?;
    let changes = defect::ActiveModel {
        updated_at: Set(now),
        ..data_columns(d)
    };
    versioned::update::<defect::Entity>(
        &txn,
        defect::Column::Id,
        defect::Column::Version,
        id,
        expected_version,
        changes,
    )
    .await
    .map_err(|e| taken_as(e, "external_key", EXTERNAL_KEY_TAKEN))?;
    tracked.settle(&txn).await?;
    let defect = get_defect(&txn, id).await?;
    txn.commit().await?;
    Ok(defect)
}
