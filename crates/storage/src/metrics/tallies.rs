//! Pre-boundary tallies: counts a team enters per release, stage and severity instead of
//! logging every early defect. They join the denominators of the metrics, dated by their
//! release's quarter.

use chrono::{DateTime, Utc};
use escapement_core::metrics::{Quarter, TallyCell, TallyChange};
use escapement_core::{Severity, StageKey};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::release;
use crate::rollup::CountFilter;
use crate::{Result, StorageError, begin_write, stored_key, stored_stage};

const TABLE: &str = "stage_tallies";

/// The tallies `filter` selects: by visible team, team, release and quarter range or period
/// (of the release date). Tallies have no component or defect type, so a filter on either selects
/// none; severity filters them like defects.
pub async fn tally_cells(
    db: &impl ConnectionTrait,
    filter: &CountFilter,
) -> Result<Vec<TallyCell>> {
    if filter.component.is_some() || filter.defect_type.is_some() {
        return Ok(Vec::new());
    }
    let mut select = Query::select();
    select
        .from("stage_tallies")
        .inner_join(
            "releases",
            Expr::col(("releases", "id")).equals(("stage_tallies", "release_id")),
        )
        .columns([
            ("stage_tallies", "team_id"),
            ("stage_tallies", "release_id"),
            ("stage_tallies", "stage"),
            ("stage_tallies", "severity"),
            ("stage_tallies", "n"),
        ])
        .column(("releases", "released_on"));
    if let Some(teams) = &filter.visible_teams {
        select.and_where(Expr::col(("stage_tallies", "team_id")).is_in(teams.iter().copied()));
    }
    if let Some(team) = filter.team {
        select.and_where(Expr::col(("stage_tallies", "team_id")).eq(team));
    }
    match filter.release {
        Some(Some(release)) => {
            select.and_where(Expr::col(("stage_tallies", "release_id")).eq(release));
        }
        Some(None) => return Ok(Vec::new()),
        None => {}
    }
    if let Some(severity) = filter.severity {
        select.and_where(Expr::col(("stage_tallies", "severity")).eq(severity.key()));
    }
    if let Some(period) = filter.period {
        select.and_where(
            Expr::col(("releases", "released_on")).between(period.first(), period.last()),
        );
    } else if let Some((first, last)) = filter.quarters {
        select.and_where(
            Expr::col(("releases", "released_on")).between(first.first_day(), last.last_day()),
        );
    }
    let rows = db.query_all(&select).await?;
    rows.iter()
        .map(|row| {
            let stage: String = row.try_get("", "stage")?;
            let severity: String = row.try_get("", "severity")?;
            let n: i64 = row.try_get("", "n")?;
            let released_on: chrono::NaiveDate = row.try_get("", "released_on")?;
            let release: Uuid = row.try_get("", "release_id")?;
            Ok(TallyCell {
                team: row.try_get("", "team_id")?,
                release: Some(release),
                quarter: Quarter::of_date(released_on),
                stage: stored_stage("stage_tallies.stage", &stage)?,
                severity: stored_key::<Severity>("stage_tallies.severity", &severity)?,
                count: u64::try_from(n)
                    .map_err(|_| StorageError::Db(DbErr::Type("stage_tallies.n".to_owned())))?,
            })
        })
        .collect()
}

/// The tallies stored for one release, whatever their stage (a stage after the boundary or
/// since removed included), in no particular order.
pub async fn release_tallies(
    db: &impl ConnectionTrait,
    release_id: Uuid,
) -> Result<Vec<TallyCell>> {
    let filter = CountFilter {
        release: Some(Some(release_id)),
        ..CountFilter::default()
    };
    tally_cells(db, &filter).await
}

/// A cell someone else changed since the user opened the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TallyConflict {
    pub stage: StageKey,
    pub severity: Severity,
    /// The count stored now.
    pub stored: u64,
    /// The count the user saw; `None` when their form did not say.
    pub seen: Option<u64>,
}

/// What [`save_tallies`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TallySave {
    /// Every change is written.
    Saved,
    /// Nothing is written: these cells changed since the user saw them.
    Conflict(Vec<TallyConflict>),
}

/// Writes `changes` to the tallies of `release_id` (owned by `team_id`) in one transaction,
/// or nothing at all when any changed cell's stored count differs from the one its change
/// saw. A count of 0 deletes the cell's row; a changed row takes version + 1 and `now`.
pub async fn save_tallies(
    db: &DatabaseConnection,
    release_id: Uuid,
    team_id: Uuid,
    changes: &[TallyChange],
    now: DateTime<Utc>,
) -> Result<TallySave> {
    let txn = begin_write(db).await?;
    // Serialises the tally saves of one release on PostgreSQL (SQLite's write transaction
    // holds the database already), so two saves cannot both pass the check.
    release::Entity::find_by_id(release_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound)?;
    let mut stored = Vec::with_capacity(changes.len());
    let mut conflicts = Vec::new();
    for change in changes {
        let row = stored_cell(&txn, release_id, team_id, change).await?;
        let n = row.map_or(0, |(_, n)| n);
        if change.seen != Some(n) {
            conflicts.push(TallyConflict {
                stage: change.stage.clone(),
                severity: change.severity,
                stored: n,
                seen: change.seen,
            });
        }
        stored.push(row);
    }
    if !conflicts.is_empty() {
        return Ok(TallySave::Conflict(conflicts));
    }
    for (change, row) in changes.iter().zip(stored) {
        write_cell(&txn, release_id, team_id, change, row, now).await?;
    }
    // Dashboards kept under the stamps show rates over these tallies.
    crate::rollup::renew_every(&txn).await?;
    txn.commit().await?;
    Ok(TallySave::Saved)
}

/// The id and count of one stored cell.
async fn stored_cell(
    db: &impl ConnectionTrait,
    release_id: Uuid,
    team_id: Uuid,
    change: &TallyChange,
) -> Result<Option<(Uuid, u64)>> {
    let mut select = Query::select();
    select
        .from(TABLE)
        .columns(["id", "n"])
        .and_where(Expr::col("team_id").eq(team_id))
        .and_where(Expr::col("release_id").eq(release_id))
        .and_where(Expr::col("stage").eq(change.stage.as_str()))
        .and_where(Expr::col("severity").eq(change.severity.key()));
    let Some(row) = db.query_one(&select).await? else {
        return Ok(None);
    };
    let id: Uuid = row.try_get("", "id")?;
    let n: i64 = row.try_get("", "n")?;
    let n = u64::try_from(n)
        .map_err(|_| StorageError::Db(DbErr::Type("stage_tallies.n".to_owned())))?;
    Ok(Some((id, n)))
}

async fn write_cell(
    db: &impl ConnectionTrait,
    release_id: Uuid,
    team_id: Uuid,
    change: &TallyChange,
    row: Option<(Uuid, u64)>,
    now: DateTime<Utc>,
) -> Result<()> {
    // Counts are at most TALLY_MAX, far inside i64.
    let n = i64::try_from(change.count)
        .map_err(|_| StorageError::Db(DbErr::Type("stage_tallies.n".to_owned())))?;
    match (row, change.count) {
        (None, 0) => {}
        (Some((id, _)), 0) => {
            let mut delete = Query::delete();
            delete.from_table(TABLE).and_where(Expr::col("id").eq(id));
            db.execute(&delete).await?;
        }
        (Some((id, _)), _) => {
            let mut update = Query::update();
            update
                .table(TABLE)
                .value("n", n)
                .value("updated_at", now)
                .value("version", Expr::col("version").add(1))
                .and_where(Expr::col("id").eq(id));
            db.execute(&update).await?;
        }
        (None, _) => {
            let mut insert = Query::insert();
            insert
                .into_table(TABLE)
                .columns([
                    "id",
                    "team_id",
                    "release_id",
                    "stage",
                    "severity",
                    "n",
                    "updated_at",
                    "version",
                ])
                .values_panic([
                    Uuid::now_v7().into(),
                    team_id.into(),
                    release_id.into(),
                    change.stage.as_str().into(),
                    change.severity.key().into(),
                    n.into(),
                    now.into(),
                    1.into(),
                ]);
            db.execute(&insert).await?;
        }
    }
    Ok(())
}
