//! Workspace settings: the stage pipeline and the escape boundary, stored as JSON.
//! A fresh database has neither row and uses the defaults from core.

use chrono::{DateTime, Utc};
use escapement_core::metrics::{DefinitionChange, MetricDefinition};
use escapement_core::{Boundary, Pipeline, ValidationErrors};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use serde::{Serialize, de::DeserializeOwned};

use crate::entities::{defect, setting};
use crate::{Actor, Result, StorageError};

const PIPELINE: &str = "pipeline";
const BOUNDARY: &str = "boundary";

/// The pipeline and boundary in force; always consistent with each other.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StageSettings {
    pub pipeline: Pipeline,
    pub boundary: Boundary,
}

async fn read<T: DeserializeOwned>(db: &impl ConnectionTrait, key: &str) -> Result<Option<T>> {
    let row = setting::Entity::find_by_id(key.to_owned()).one(db).await?;
    parse(key, row.as_ref().map(|r| r.value.as_str()))
}

/// The stored JSON `value` of setting `key`, if any, read as a `T`.
fn parse<T: DeserializeOwned>(key: &str, value: Option<&str>) -> Result<Option<T>> {
    let Some(value) = value else {
        return Ok(None);
    };
    serde_json::from_str(value)
        .map(Some)
        .map_err(|e| StorageError::Db(sea_orm::DbErr::Json(format!("setting `{key}`: {e}"))))
}

async fn write<T: Serialize>(db: &impl ConnectionTrait, key: &str, value: &T) -> Result<()> {
    let json = serde_json::to_string(value)
        .map_err(|e| StorageError::Db(sea_orm::DbErr::Json(e.to_string())))?;
    let row = setting::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(json),
        updated_at: Set(Utc::now()),
    };
    setting::Entity::insert(row)
        .on_conflict(
            OnConflict::column(setting::Column::Key)
                .update_columns([setting::Column::Value, setting::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(db)
        .await?;
    // The stage settings are kept under every team's stamp (see `stage_settings`).
    crate::rollup::renew_every(db).await?;
    Ok(())
}

const ROLLUP_FORMAT: &str = "rollup_format";
const DEMO: &str = "demo";

/// Where `escapement demo` stands in this database: `loading` from the moment its data
/// is committed until its accounts and reviews are written, then `complete`; `None` when
/// the demo never ran here.
pub(crate) async fn demo_state(db: &impl ConnectionTrait) -> Result<Option<String>> {
    read(db, DEMO).await
}

/// Records where the demo stands.
pub(crate) async fn set_demo_state(db: &impl ConnectionTrait, state: &str) -> Result<()> {
    write(db, DEMO, &state).await
}

/// The roll-up format the stored rows were written in (`None` before any).
pub(crate) async fn rollup_format(db: &impl ConnectionTrait) -> Result<Option<i32>> {
    read(db, ROLLUP_FORMAT).await
}

/// Records the roll-up format the stored rows are in.
pub(crate) async fn set_rollup_format(db: &impl ConnectionTrait, format: i32) -> Result<()> {
    write(db, ROLLUP_FORMAT, &format).await
}

/// Stores the boundary of a new metric definition version, inside its transaction.
pub(crate) async fn write_boundary(db: &impl ConnectionTrait, boundary: &Boundary) -> Result<()> {
    write(db, BOUNDARY, boundary).await
}

/// Reads the stage settings, falling back to the defaults for anything not yet saved.
/// A stored boundary that the stored pipeline no longer contains falls back to the default
/// boundary when that is valid, so a list page never fails over a settings mismatch.
pub async fn stage_settings(db: &impl ConnectionTrait) -> Result<StageSettings> {
    STAGES
        .get_owned(db, None, "stages", || read_stage_settings(db))
        .await
}

/// The stage settings, kept under every team's stamp: each write of a setting renews them
/// all. Every page reads them.
static STAGES: crate::rollup::Kept<std::sync::Arc<StageSettings>> = crate::rollup::Kept::new(32);

/// [`stage_settings`], read from the database.
async fn read_stage_settings(db: &impl ConnectionTrait) -> Result<StageSettings> {
    // Both in one statement.
    let rows = setting::Entity::find()
        .filter(setting::Column::Key.is_in([PIPELINE, BOUNDARY]))
        .all(db)
        .await?;
    let value = |key: &str| rows.iter().find(|r| r.key == key).map(|r| r.value.as_str());
    let pipeline: Pipeline = parse(PIPELINE, value(PIPELINE))?.unwrap_or_default();
    let boundary: Boundary = parse(BOUNDARY, value(BOUNDARY))?.unwrap_or_default();
    if pipeline.check_boundary(&boundary).is_ok() {
        return Ok(StageSettings { pipeline, boundary });
    }
    let boundary = pipeline
        .stages()
        .iter()
        .rev()
        .nth(1)
        .map(|stage| Boundary::after_stage(stage.key.clone()))
        .unwrap_or_default();
    Ok(StageSettings { pipeline, boundary })
}

/// Saves the pipeline and boundary together, in one transaction. Refused with a field
/// error on `stages` when a stage that defects still refer to would disappear.
///
/// A boundary that differs from the metric definition's makes a new definition version
/// (noted as set on the pipeline page), so every number still says which boundary it used.
pub async fn save_stage_settings(
    db: &DatabaseConnection,
    settings: &StageSettings,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    let keys: Vec<String> = settings
        .pipeline
        .stages()
        .iter()
        .map(|stage| stage.key.as_str().to_owned())
        .collect();
    let orphaned = defect::Entity::find()
        .filter(
            Condition::any()
                .add(defect::Column::DiscoveryStage.is_not_in(keys.clone()))
                .add(defect::Column::ExpectedCatchStage.is_not_in(keys)),
        )
        .count(&txn)
        .await?;
    if orphaned > 0 {
        let mut errors = ValidationErrors::new();
        errors.push(
            "stages",
            format!(
                "{orphaned} {} to a stage this pipeline removes: keep the stage or rename its label instead",
                if orphaned == 1 {
                    "defect refers"
                } else {
                    "defects refer"
                }
            ),
        );
        return Err(StorageError::Invalid(errors));
    }
    write(&txn, PIPELINE, &settings.pipeline).await?;
    let current = crate::metrics::current_definition(&txn).await?;
    if current.definition.boundary != settings.boundary {
        let change = DefinitionChange {
            definition: MetricDefinition {
                boundary: settings.boundary.clone(),
                ..current.definition.clone()
            },
            note: "Boundary moved on the pipeline page".to_owned(),
        };
        crate::metrics::append(&txn, &current, &change, actor, now).await?;
    }
    write(&txn, BOUNDARY, &settings.boundary).await?;
    txn.commit().await?;
    Ok(())
}
