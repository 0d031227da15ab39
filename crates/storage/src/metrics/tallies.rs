//! Pre-boundary tallies: counts a team enters per release, stage and severity instead of
//! logging every early defect. They join the denominators of the metrics, dated by their
//! release's quarter.

use escapement_core::Severity;
use escapement_core::metrics::{Quarter, TallyCell};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use crate::rollup::CountFilter;
use crate::{Result, StorageError, stored_key, stored_stage};

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
