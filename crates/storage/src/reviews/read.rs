//! Reading reviews: one review with its team's name, and the filtered list. The escapes
//! and actions are read in `escapes`, whole pages in `documents`.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use escapement_core::review::Participant;
use escapement_core::{Paging, ReviewState};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use super::escapes::corrupt;
use super::{Review, ReviewRow};
use crate::defects::{count, names};
use crate::entities::{review, review_escape, team};
use crate::{Result, StorageError, link, stored_key};

/// The review list filters; every `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    /// The teams the reader may see; `None` means every team (an instance admin).
    pub visible_teams: Option<Vec<Uuid>>,
    pub team_id: Option<Uuid>,
    pub state: Option<ReviewState>,
    /// Incident on or after this date.
    pub from: Option<NaiveDate>,
    /// Incident on or before this date.
    pub to: Option<NaiveDate>,
}

/// One page of reviews and the number of matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewListPage {
    pub rows: Vec<ReviewRow>,
    pub total: u64,
}

pub(super) fn to_review(m: review::Model, team_name: String) -> Result<Review> {
    let participants: Vec<Participant> =
        serde_json::from_str(&m.participants).map_err(|e| corrupt("reviews.participants", e))?;
    Ok(Review {
        id: m.id,
        team_id: m.team_id,
        team_name,
        title: m.title,
        incident_date: m.incident_date,
        incident_link: m.incident_link,
        summary: m.summary,
        participants,
        state: stored_key("reviews.state", &m.state)?,
        created_at: m.created_at,
        updated_at: m.updated_at,
        closed_at: m.closed_at,
        version: m.version,
    })
}

/// A review's row with its team's name.
#[derive(FromQueryResult)]
struct ReviewWithTeam {
    #[sea_orm(nested)]
    review: review::Model,
    team_name: Option<String>,
}

/// One review with its team's name, or `NotFound`: one query.
pub async fn get_review(db: &impl ConnectionTrait, id: Uuid) -> Result<Review> {
    let row = review::Entity::find_by_id(id)
        .join(
            JoinType::LeftJoin,
            link(review::Column::TeamId, team::Column::Id),
        )
        .column_as(team::Column::Name, "team_name")
        .into_model::<ReviewWithTeam>()
        .one(db)
        .await?
        .ok_or(StorageError::NotFound)?;
    to_review(row.review, row.team_name.unwrap_or_default())
}

fn list_condition(filter: &ReviewFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(teams) = &filter.visible_teams {
        cond = cond.add(review::Column::TeamId.is_in(teams.iter().copied()));
    }
    if let Some(id) = filter.team_id {
        cond = cond.add(review::Column::TeamId.eq(id));
    }
    if let Some(state) = filter.state {
        cond = cond.add(review::Column::State.eq(state.key()));
    }
    if let Some(from) = filter.from {
        cond = cond.add(review::Column::IncidentDate.gte(from));
    }
    if let Some(to) = filter.to {
        cond = cond.add(review::Column::IncidentDate.lte(to));
    }
    cond
}

/// One page of the reviews matching `filter`, newest incident first, with the match count.
pub async fn list_reviews(
    db: &impl ConnectionTrait,
    filter: &ReviewFilter,
    paging: Paging,
) -> Result<ReviewListPage> {
    let teams = crate::rollup::counted_teams(filter.team_id, filter.visible_teams.as_deref());
    let what = format!("reviews {filter:?} {paging:?}");
    PAGES
        .get_owned(db, teams.as_deref(), &what, || {
            read_reviews(db, filter, paging)
        })
        .await
}

/// Pages of the review list, kept under the stamps of their teams: every review write
/// renews its team's (see `touch`), and a rename of a team renews that team's.
static PAGES: crate::rollup::Kept<Arc<ReviewListPage>> = crate::rollup::Kept::new(64);

/// [`list_reviews`], read from the database.
async fn read_reviews(
    db: &impl ConnectionTrait,
    filter: &ReviewFilter,
    paging: Paging,
) -> Result<ReviewListPage> {
    let total = count::<review::Entity>(db, list_condition(filter)).await?;
    let models = review::Entity::find()
        .filter(list_condition(filter))
        .order_by_desc(review::Column::IncidentDate)
        .order_by_desc(review::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page())
        .all(db)
        .await?;
    let rows = review_rows(db, models).await?;
    Ok(ReviewListPage { rows, total })
}

/// Where a keyset page of reviews starts: after the review with this incident date and id,
/// in the list's order (newest incident first, then id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewKey {
    pub incident_date: NaiveDate,
    pub id: Uuid,
}

/// Up to `limit` reviews matching `filter` after `after`, in [`list_reviews`]' order: a
/// keyset page, which costs the same however deep it is.
pub async fn reviews_after(
    db: &impl ConnectionTrait,
    filter: &ReviewFilter,
    after: Option<ReviewKey>,
    limit: u64,
) -> Result<Vec<ReviewRow>> {
    let mut cond = list_condition(filter);
    if let Some(key) = after {
        cond = cond.add(
            Condition::any()
                .add(review::Column::IncidentDate.lt(key.incident_date))
                .add(
                    Condition::all()
                        .add(review::Column::IncidentDate.eq(key.incident_date))
                        .add(review::Column::Id.lt(key.id)),
                ),
        );
    }
    let models = review::Entity::find()
        .filter(cond)
        .order_by_desc(review::Column::IncidentDate)
        .order_by_desc(review::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    review_rows(db, models).await
}

/// The list rows of `models`, with their teams' names and escape counts: two queries.
async fn review_rows(
    db: &impl ConnectionTrait,
    models: Vec<review::Model>,
) -> Result<Vec<ReviewRow>> {
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let counts: HashMap<Uuid, i64> = if ids.is_empty() {
        HashMap::new()
    } else {
        review_escape::Entity::find()
            .select_only()
            .column(review_escape::Column::ReviewId)
            .expr(Expr::cust("COUNT(*)"))
            .filter(review_escape::Column::ReviewId.is_in(ids))
            .group_by(review_escape::Column::ReviewId)
            .into_tuple::<(Uuid, i64)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let teams = names::<team::Entity, _>(
        db,
        team::Column::Id,
        team::Column::Name,
        models.iter().map(|m| m.team_id).collect(),
    )
    .await?;
    let rows = models
        .into_iter()
        .map(|m| {
            Ok(ReviewRow {
                id: m.id,
                team_id: m.team_id,
                team_name: teams.get(&m.team_id).cloned().unwrap_or_default(),
                incident_date: m.incident_date,
                state: stored_key("reviews.state", &m.state)?,
                escapes: counts
                    .get(&m.id)
                    .map_or(0, |&n| u64::try_from(n).unwrap_or(0)),
                updated_at: m.updated_at,
                title: m.title,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(rows)
}
