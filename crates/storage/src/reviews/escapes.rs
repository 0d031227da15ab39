//! Reading the escapes of a review and their actions: each escape joined with its defect and
//! the defect's component and release names, each action with its owner team and component
//! names, so any number of escapes takes two queries.

use std::collections::HashMap;

use escapement_core::Mechanism;
use escapement_core::review::{Checklist, Classification};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, IdenStatic,
    Iterable, JoinType, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use super::{Action, ReviewEscape};
use crate::entities::{component, defect, improvement_action, release, review_escape, team};
use crate::{Result, StorageError, link, stored_key, stored_stage};

/// One escape of a review with the names of its defect's component and release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedEscape {
    pub escape: ReviewEscape,
    pub component_name: Option<String>,
    pub release_name: Option<String>,
}

pub(super) fn corrupt(what: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError::Db(DbErr::Type(format!("{what}: {e}")))
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

/// An action's row with the names it refers to.
#[derive(FromQueryResult)]
struct ActionRow {
    #[sea_orm(nested)]
    action: improvement_action::Model,
    owner_team_name: Option<String>,
    component_name: Option<String>,
}

impl TryFrom<ActionRow> for Action {
    type Error = StorageError;

    fn try_from(row: ActionRow) -> Result<Action> {
        let m = row.action;
        Ok(Action {
            id: m.id,
            review_id: m.review_id,
            review_escape_id: m.review_escape_id,
            owner_team_id: m.team_id,
            owner_team_name: row.owner_team_name.unwrap_or_default(),
            mechanism: stored_key("improvement_actions.mechanism", &m.mechanism)?,
            component_id: m.component_id,
            component_name: row.component_name,
            target_layer: stored_stage("improvement_actions.target_layer", &m.target_layer)?,
            effort: stored_key("improvement_actions.effort", &m.effort)?,
            due_date: m.due_date,
            status: stored_key("improvement_actions.status", &m.status)?,
            external_key: m.external_key,
            done_at: m.done_at,
            version: m.version,
            title: m.title,
        })
    }
}

/// The actions matching `cond`, oldest first, with their names: one query.
async fn actions(db: &impl ConnectionTrait, cond: Condition) -> Result<Vec<Action>> {
    use improvement_action::Column as A;
    improvement_action::Entity::find()
        .filter(cond)
        .join(JoinType::LeftJoin, link(A::TeamId, team::Column::Id))
        .join(
            JoinType::LeftJoin,
            link(A::ComponentId, component::Column::Id),
        )
        .column_as(team::Column::Name, "owner_team_name")
        .column_as(component::Column::Name, "component_name")
        .order_by_asc(A::CreatedAt)
        .order_by_asc(A::Id)
        .into_model::<ActionRow>()
        .all(db)
        .await?
        .into_iter()
        .map(Action::try_from)
        .collect()
}

/// An escape's row, its defect's row (columns prefixed `d_`) and the defect's names.
#[derive(FromQueryResult)]
struct EscapeRow {
    #[sea_orm(nested)]
    escape: review_escape::Model,
    #[sea_orm(nested(prefix = "d_"))]
    defect: defect::Model,
    component_name: Option<String>,
    release_name: Option<String>,
}

impl EscapeRow {
    fn into_named(self, actions: Vec<Action>) -> Result<NamedEscape> {
        let m = self.escape;
        let checklist: Checklist = serde_json::from_str(&m.checklist)
            .map_err(|e| corrupt("review_escapes.checklist", e))?;
        let escape = ReviewEscape {
            id: m.id,
            review_id: m.review_id,
            defect: self.defect.try_into()?,
            position: m.position,
            facts_confirmed: m.facts_confirmed,
            classification: classification(&m)?,
            checklist,
            evidence: m.evidence,
            evidence_gap: m.evidence_gap,
            no_action_reason: m.no_action_reason,
            version: m.version,
            updated_at: m.updated_at,
            actions,
        };
        Ok(NamedEscape {
            escape,
            component_name: self.component_name,
            release_name: self.release_name,
        })
    }
}

/// The escapes matching `cond` in the order they were added, each with its defect, names
/// and actions: two queries whatever their number (escapes joined with defects, components
/// and releases; then their actions), on the review and action indexes.
pub(super) async fn named_escapes(
    db: &impl ConnectionTrait,
    cond: Condition,
) -> Result<Vec<NamedEscape>> {
    use defect::Column as D;
    let mut query = review_escape::Entity::find()
        .filter(cond)
        .join(
            JoinType::InnerJoin,
            link(review_escape::Column::DefectId, D::Id),
        )
        .join(
            JoinType::LeftJoin,
            link(D::ComponentId, component::Column::Id),
        )
        .join(JoinType::LeftJoin, link(D::ReleaseId, release::Column::Id));
    for column in D::iter() {
        query = query.column_as(column, format!("d_{}", column.as_str()));
    }
    let rows = query
        .column_as(component::Column::Name, "component_name")
        .column_as(release::Column::Name, "release_name")
        .order_by_asc(review_escape::Column::Position)
        .into_model::<EscapeRow>()
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids = rows.iter().map(|r| r.escape.id);
    let mut by_escape: HashMap<Uuid, Vec<Action>> = HashMap::new();
    let cond = Condition::all().add(improvement_action::Column::ReviewEscapeId.is_in(ids));
    for a in actions(db, cond).await? {
        by_escape.entry(a.review_escape_id).or_default().push(a);
    }
    rows.into_iter()
        .map(|r| {
            let actions = by_escape.remove(&r.escape.id).unwrap_or_default();
            r.into_named(actions)
        })
        .collect()
}

/// The escapes of a review in the order they were added, each with its defect and actions:
/// two queries whatever their number.
pub async fn review_escapes(
    db: &impl ConnectionTrait,
    review_id: Uuid,
) -> Result<Vec<ReviewEscape>> {
    let cond = Condition::all().add(review_escape::Column::ReviewId.eq(review_id));
    let named = named_escapes(db, cond).await?;
    Ok(named.into_iter().map(|n| n.escape).collect())
}

/// One escape of `review_id`, or `NotFound` (also when it belongs to another review).
pub async fn get_escape(
    db: &impl ConnectionTrait,
    review_id: Uuid,
    escape_id: Uuid,
) -> Result<ReviewEscape> {
    let cond = Condition::all()
        .add(review_escape::Column::Id.eq(escape_id))
        .add(review_escape::Column::ReviewId.eq(review_id));
    named_escapes(db, cond)
        .await?
        .pop()
        .map(|n| n.escape)
        .ok_or(StorageError::NotFound)
}

/// One action of `review_id`, or `NotFound` (also when it belongs to another review).
pub async fn get_action(
    db: &impl ConnectionTrait,
    review_id: Uuid,
    action_id: Uuid,
) -> Result<Action> {
    let cond = Condition::all()
        .add(improvement_action::Column::Id.eq(action_id))
        .add(improvement_action::Column::ReviewId.eq(review_id));
    actions(db, cond).await?.pop().ok_or(StorageError::NotFound)
}
