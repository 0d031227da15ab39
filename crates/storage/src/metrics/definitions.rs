//! The metric definition's versions: one row each, never changed once written. Until an
//! instance admin saves a change, version 1 is the defaults (with the boundary a pipeline
//! page may have set before versions existed); the first save writes that version 1 and
//! the change as version 2, so the history starts where the numbers did.

use chrono::{DateTime, Utc};
use escapement_core::metrics::{DefinitionChange, MetricDefinition};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult, SqlErr};
use serde::Serialize;
use uuid::Uuid;

use crate::{Actor, Result, StorageError};

/// One version of the metric definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinitionVersion {
    pub version: i32,
    pub definition: MetricDefinition,
    pub note: String,
    /// Who made it, as the history names them.
    pub actor: String,
    /// `None` for the built-in defaults nobody saved yet.
    pub created_at: Option<DateTime<Utc>>,
}

const TABLE: &str = "metric_definitions";
const DEFAULTS_NOTE: &str = "The defaults: boundary after system test, weights 8/4/2/1";

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Db(DbErr::Json(format!("metric_definitions.definition: {e}")))
}

fn version_of(row: &QueryResult) -> Result<DefinitionVersion> {
    let json: String = row.try_get("", "definition")?;
    Ok(DefinitionVersion {
        version: row.try_get("", "version")?,
        definition: serde_json::from_str(&json).map_err(corrupt)?,
        note: row.try_get("", "note")?,
        actor: row.try_get("", "actor")?,
        created_at: Some(row.try_get("", "created_at")?),
    })
}

fn select() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .from(TABLE)
        .columns(["version", "definition", "note", "actor", "created_at"])
        .to_owned()
}

/// Version 1 as it stands before anyone saved a definition: the defaults, with the
/// boundary the stage settings hold.
async fn implicit_first(db: &impl ConnectionTrait) -> Result<DefinitionVersion> {
    let stages = crate::settings::stage_settings(db).await?;
    Ok(DefinitionVersion {
        version: 1,
        definition: MetricDefinition {
            boundary: stages.boundary,
            ..MetricDefinition::default()
        },
        note: DEFAULTS_NOTE.to_owned(),
        actor: "Escapement".to_owned(),
        created_at: None,
    })
}

/// The definition in force: the newest version.
pub async fn current_definition(db: &impl ConnectionTrait) -> Result<DefinitionVersion> {
    // Readers take it from under every team's stamp (appending a version writes its
    // boundary, a setting, which renews them all); writers read it in their transaction.
    if !crate::rollup::reading() {
        return read_current(db).await;
    }
    CURRENT
        .get_owned(db, None, "definition", || read_current(db))
        .await
}

/// The definition in force, kept for readers (see [`current_definition`]).
static CURRENT: crate::rollup::Kept<std::sync::Arc<DefinitionVersion>> =
    crate::rollup::Kept::new(32);

/// [`current_definition`], read from the database.
async fn read_current(db: &impl ConnectionTrait) -> Result<DefinitionVersion> {
    let newest = db
        .query_one(
            &select()
                .order_by("version", Order::Desc)
                .limit(1)
                .to_owned(),
        )
        .await?;
    match newest {
        Some(row) => version_of(&row),
        None => implicit_first(db).await,
    }
}

/// One version, or `NotFound`.
pub async fn get_definition(db: &impl ConnectionTrait, version: i32) -> Result<DefinitionVersion> {
    let row = db
        .query_one(
            &select()
                .and_where(Expr::col("version").eq(version))
                .to_owned(),
        )
        .await?;
    match row {
        Some(row) => version_of(&row),
        None if version == 1 => {
            let first = implicit_first(db).await?;
            if current_definition(db).await?.version == 1 {
                Ok(first)
            } else {
                Err(StorageError::NotFound)
            }
        }
        None => Err(StorageError::NotFound),
    }
}

/// Every version, newest first.
pub async fn definition_history(db: &impl ConnectionTrait) -> Result<Vec<DefinitionVersion>> {
    let rows = db
        .query_all(&select().order_by("version", Order::Desc).to_owned())
        .await?;
    if rows.is_empty() {
        return Ok(vec![implicit_first(db).await?]);
    }
    rows.iter().map(version_of).collect()
}

async fn insert(
    db: &impl ConnectionTrait,
    version: &DefinitionVersion,
    user_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<()> {
    let json = serde_json::to_string(&version.definition).map_err(corrupt)?;
    let insert = Query::insert()
        .into_table(TABLE)
        .columns([
            "version",
            "definition",
            "note",
            "created_by",
            "actor",
            "created_at",
        ])
        .values_panic([
            version.version.into(),
            json.into(),
            version.note.clone().into(),
            user_id.into(),
            version.actor.clone().into(),
            at.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map_err(|e| match e {
        // Two admins saving at once: the second is based on a version that is gone.
        e if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            StorageError::Stale {
                current_version: version.version,
            }
        }
        e => e.into(),
    })?;
    Ok(())
}

/// Writes `change` as the version after `current` inside the caller's transaction,
/// writing the implicit version 1 first when nobody saved one yet.
pub(crate) async fn append(
    db: &impl ConnectionTrait,
    current: &DefinitionVersion,
    change: &DefinitionChange,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<DefinitionVersion> {
    if current.created_at.is_none() {
        insert(db, current, None, now).await?;
    }
    let next = DefinitionVersion {
        version: current.version + 1,
        definition: change.definition.clone(),
        note: change.note.clone(),
        actor: actor.name.to_string(),
        created_at: Some(now),
    };
    insert(db, &next, actor.user_id, now).await?;
    Ok(next)
}

/// Saves `change` as a new version if the definition is still at `expected_version`
/// (`Stale` otherwise). The boundary must fit the pipeline (checked by the form); the
/// stage settings take it too, so reviews and lists judge escapes by the same boundary.
/// New scope switches recompute the roll-up in the same transaction (a full scan: seconds
/// at a million defects); the boundary, weights, reopened policy and window do not.
pub async fn save_definition(
    db: &DatabaseConnection,
    expected_version: i32,
    change: &DefinitionChange,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<DefinitionVersion> {
    let txn = crate::begin_write(db).await?;
    let current = current_definition(&txn).await?;
    if current.version != expected_version {
        return Err(StorageError::Stale {
            current_version: current.version,
        });
    }
    let rescope = current.definition.scope != change.definition.scope;
    if rescope {
        // The roll-up stores scope as decided by the switches: new switches recompute it.
        crate::rollup::lock_exclusive(&txn).await?;
    }
    let next = append(&txn, &current, change, actor, now).await?;
    crate::settings::write_boundary(&txn, &next.definition.boundary).await?;
    if rescope {
        let delta = crate::rollup::scan(&txn).await?;
        crate::rollup::write_all(&txn, delta).await?;
    }
    txn.commit().await?;
    Ok(next)
}
