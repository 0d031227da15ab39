//! Reading reviews: one review, its escapes with their actions, and the filtered list.

use std::collections::HashMap;

use chrono::NaiveDate;
use escapement_core::review::{Checklist, Classification, Participant};
use escapement_core::{Mechanism, Paging, ReviewState};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use super::{Action, Review, ReviewEscape, ReviewRow};
use crate::defects::{count, names};
use crate::entities::{component, defect, improvement_action, review, review_escape, team};
use crate::{Result, StorageError, stored_key, stored_stage};

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

fn corrupt(what: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError::Db(DbErr::Type(format!("{what}: {e}")))
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

/// One review, or `NotFound`.
pub async fn get_review(db: &impl ConnectionTrait, id: Uuid) -> Result<Review> {
    let m = review::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(StorageError::NotFound)?;
    let team_name = team::Entity::find_by_id(m.team_id)
        .one(db)
        .await?
        .map(|t| t.name)
        .unwrap_or_default();
    to_review(m, team_name)
}

pub(super) fn contributing_keys(c: &Classification) -> String {
    c.contributing()
        .iter()
        .map(|m| m.key())
        .collect::<Vec<_>>()
        .join(",")
}

fn classification(m: &review_escape::Model) -> Result<Classification> {
    let primary = m
        .primary_mechanism
        .as_deref()
        .map(|k| stored_key::<Mechanism>("review_escapes.primary_mechanism", k))
        .transpose()?;
    let contributing = m
        .contributing
        .split(',')
        .filter(|k| !k.is_empty())
        .map(|k| stored_key::<Mechanism>("review_escapes.contributing", k))
        .collect::<Result<Vec<_>>>()?;
    Ok(Classification::new(primary, contributing))
}

async fn to_actions(
    db: &impl ConnectionTrait,
    models: Vec<improvement_action::Model>,
) -> Result<Vec<Action>> {
    let teams = names::<team::Entity, _>(
        db,
        team::Column::Id,
        team::Column::Name,
        models.iter().map(|m| m.team_id).collect(),
    )
    .await?;
    let components = names::<component::Entity, _>(
        db,
        component::Column::Id,
        component::Column::Name,
        models.iter().filter_map(|m| m.component_id).collect(),
    )
    .await?;
    models
        .into_iter()
        .map(|m| {
            Ok(Action {
                id: m.id,
                review_id: m.review_id,
                review_escape_id: m.review_escape_id,
                owner_team_id: m.team_id,
                owner_team_name: teams.get(&m.team_id).cloned().unwrap_or_default(),
                mechanism: stored_key("improvement_actions.mechanism", &m.mechanism)?,
                component_id: m.component_id,
                component_name: m.component_id.and_then(|id| components.get(&id).cloned()),
                target_layer: stored_stage("improvement_actions.target_layer", &m.target_layer)?,
                effort: stored_key("improvement_actions.effort", &m.effort)?,
                due_date: m.due_date,
                status: stored_key("improvement_actions.status", &m.status)?,
                external_key: m.external_key,
                version: m.version,
                title: m.title,
            })
        })
        .collect()
}

async fn to_escapes(
    db: &impl ConnectionTrait,
    models: Vec<review_escape::Model>,
) -> Result<Vec<ReviewEscape>> {
    if models.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let defects: HashMap<Uuid, defect::Model> = defect::Entity::find()
        .filter(defect::Column::Id.is_in(models.iter().map(|m| m.defect_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let action_models = improvement_action::Entity::find()
        .filter(improvement_action::Column::ReviewEscapeId.is_in(ids))
        .order_by_asc(improvement_action::Column::CreatedAt)
        .order_by_asc(improvement_action::Column::Id)
        .all(db)
        .await?;
    let mut actions: HashMap<Uuid, Vec<Action>> = HashMap::new();
    for a in to_actions(db, action_models).await? {
        actions.entry(a.review_escape_id).or_default().push(a);
    }
    models
        .into_iter()
        .map(|m| {
            let defect = defects
                .get(&m.defect_id)
                .cloned()
                .ok_or(StorageError::NotFound)?
                .try_into()?;
            let checklist: Checklist = serde_json::from_str(&m.checklist)
                .map_err(|e| corrupt("review_escapes.checklist", e))?;
            Ok(ReviewEscape {
                id: m.id,
                review_id: m.review_id,
                defect,
                position: m.position,
                facts_confirmed: m.facts_confirmed,
                classification: classification(&m)?,
                checklist,
                evidence: m.evidence,
                evidence_gap: m.evidence_gap,
                no_action_reason: m.no_action_reason,
                version: m.version,
                updated_at: m.updated_at,
                actions: actions.remove(&m.id).unwrap_or_default(),
            })
        })
        .collect()
}

/// The escapes of a review in the order they were added, each with its defect and actions.
pub async fn review_escapes(
    db: &impl ConnectionTrait,
    review_id: Uuid,
) -> Result<Vec<ReviewEscape>> {
    let models = review_escape::Entity::find()
        .filter(review_escape::Column::ReviewId.eq(review_id))
        .order_by_asc(review_escape::Column::Position)
        .all(db)
        .await?;
    to_escapes(db, models).await
}

/// One escape of `review_id`, or `NotFound` (also when it belongs to another review).
pub async fn get_escape(
    db: &impl ConnectionTrait,
    review_id: Uuid,
    escape_id: Uuid,
) -> Result<ReviewEscape> {
    let m = review_escape::Entity::find_by_id(escape_id)
        .filter(review_escape::Column::ReviewId.eq(review_id))
        .one(db)
        .await?
        .ok_or(StorageError::NotFound)?;
    to_escapes(db, vec![m])
        .await?
        .pop()
        .ok_or(StorageError::NotFound)
}

/// One action of `review_id`, or `NotFound` (also when it belongs to another review).
pub async fn get_action(
    db: &impl ConnectionTrait,
    review_id: Uuid,
    action_id: Uuid,
) -> Result<Action> {
    let m = improvement_action::Entity::find_by_id(action_id)
        .filter(improvement_action::Column::ReviewId.eq(review_id))
        .one(db)
        .await?
        .ok_or(StorageError::NotFound)?;
    to_actions(db, vec![m])
        .await?
        .pop()
        .ok_or(StorageError::NotFound)
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
    let total = count::<review::Entity>(db, list_condition(filter)).await?;
    let models = review::Entity::find()
        .filter(list_condition(filter))
        .order_by_desc(review::Column::IncidentDate)
        .order_by_desc(review::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page())
        .all(db)
        .await?;
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
    Ok(ReviewListPage { rows, total })
}
