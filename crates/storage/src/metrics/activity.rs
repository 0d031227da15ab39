//! What the teams did about their escapes in a window: reviews completed and improvement
//! actions opened, done and overdue, each counted in SQL (two queries, whatever the number of
//! rows) for the teams a reader may see.

use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::{ActionStatus, ReviewState};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SelectStatement};
use serde::Serialize;
use uuid::Uuid;

use crate::{Result, StorageError};

/// Which reviews and actions count: by team, and the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFilter {
    /// The teams the reader may see; `None` means every team (an instance admin).
    pub visible_teams: Option<Vec<Uuid>>,
    pub team: Option<Uuid>,
    /// The first instant of the window.
    pub from: DateTime<Utc>,
    /// The first instant after the window.
    pub until: DateTime<Utc>,
    /// Actions still open and due before this day are overdue.
    pub overdue_before: NaiveDate,
}

/// The counts of one window.
///
/// - `reviews_completed`: reviews of the teams moved to classified in the window (once
///   each, however often they were reopened and classified again);
/// - `actions_opened`: actions owned by the teams created in the window;
/// - `actions_done`: actions now done that became done in the window;
/// - `actions_overdue`: actions created before the window ended, neither done nor
///   dropped, with a due date before `overdue_before`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Activity {
    pub reviews_completed: u64,
    pub actions_opened: u64,
    pub actions_done: u64,
    pub actions_overdue: u64,
}

fn teams(select: &mut SelectStatement, column: (&'static str, &'static str), f: &ActivityFilter) {
    if let Some(teams) = &f.visible_teams {
        select.and_where(Expr::col(column).is_in(teams.iter().copied()));
    }
    if let Some(team) = f.team {
        select.and_where(Expr::col(column).eq(team));
    }
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// Reviews reaching classified in the window. The review history records every state
/// change with the state's label, which is where the moment of classification is kept.
async fn reviews_completed(db: &impl ConnectionTrait, f: &ActivityFilter) -> Result<u64> {
    let mut select = Query::select();
    select
        .from("reviews")
        .inner_join(
            "review_history",
            Expr::col(("review_history", "review_id")).equals(("reviews", "id")),
        )
        .expr(Func::count_distinct(Expr::col(("reviews", "id"))))
        .and_where(Expr::col(("review_history", "subject")).eq("Review"))
        .and_where(Expr::col(("review_history", "field")).eq("state"))
        .and_where(Expr::col(("review_history", "new_value")).eq(ReviewState::Classified.label()))
        .and_where(Expr::col(("review_history", "at")).gte(f.from))
        .and_where(Expr::col(("review_history", "at")).lt(f.until));
    teams(&mut select, ("reviews", "team_id"), f);
    let row = db.query_one(&select).await?;
    Ok(match row {
        Some(row) => count(row.try_get_by_index(0)?),
        None => 0,
    })
}

/// Opened, done and overdue actions, in one pass over the teams' actions.
async fn actions(db: &impl ConnectionTrait, f: &ActivityFilter) -> Result<(u64, u64, u64)> {
    let col = |name: &'static str| Expr::col(("improvement_actions", name));
    let within = |name: &'static str| col(name).gte(f.from).and(col(name).lt(f.until));
    let opened = within("created_at");
    let done = col("status")
        .eq(ActionStatus::Done.key())
        .and(within("done_at"));
    let overdue = col("status")
        .is_not_in([ActionStatus::Done.key(), ActionStatus::WontDo.key()])
        .and(col("due_date").lt(f.overdue_before))
        .and(col("created_at").lt(f.until));
    let mut select = Query::select();
    select.from("improvement_actions");
    for condition in [opened, done, overdue] {
        // COUNT skips the NULL of a row the condition does not hold for.
        select.expr(Func::count(Expr::case(condition, 1).finally(Expr::null())));
    }
    teams(&mut select, ("improvement_actions", "team_id"), f);
    let Some(row) = db.query_one(&select).await? else {
        return Ok((0, 0, 0));
    };
    let get = |i: usize| -> Result<u64> {
        row.try_get_by_index::<i64>(i)
            .map(count)
            .map_err(StorageError::from)
    };
    Ok((get(0)?, get(1)?, get(2)?))
}

/// The review and action counts `filter` selects.
pub async fn activity(db: &impl ConnectionTrait, filter: &ActivityFilter) -> Result<Activity> {
    let reviews_completed = reviews_completed(db, filter).await?;
    let (actions_opened, actions_done, actions_overdue) = actions(db, filter).await?;
    Ok(Activity {
        reviews_completed,
        actions_opened,
        actions_done,
        actions_overdue,
    })
}
