//! The review history: every change to a review, an escape's steps or an action, as
//! when, who, what, field, old → new.

use chrono::{DateTime, Utc};
use escapement_core::Paging;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::review_history;
use crate::{Actor, Result};

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    /// What changed: "Review", "Escape 'Coupon total wrong'", "Action 'Add a contract test'".
    pub subject: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
}

/// The changes one write makes, gathered before they are recorded.
pub(crate) struct Changes {
    subject: String,
    list: Vec<(String, String, String)>,
}

impl Changes {
    pub(crate) fn of(subject: impl Into<String>) -> Changes {
        Changes {
            subject: subject.into(),
            list: Vec::new(),
        }
    }

    /// Notes `field` going from `old` to `new`, when they differ.
    pub(crate) fn diff(
        &mut self,
        field: impl Into<String>,
        old: impl Into<String>,
        new: impl Into<String>,
    ) {
        let (old, new) = (old.into(), new.into());
        if old != new {
            self.list.push((field.into(), old, new));
        }
    }

    /// Notes an event with no old value ("added", "removed", …).
    pub(crate) fn event(&mut self, field: impl Into<String>, new: impl Into<String>) {
        self.list.push((field.into(), String::new(), new.into()));
    }

    /// Writes the gathered changes into the history of `review_id`.
    pub(crate) async fn record(
        self,
        db: &impl ConnectionTrait,
        review_id: Uuid,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if self.list.is_empty() {
            return Ok(());
        }
        let rows = self
            .list
            .into_iter()
            .map(|(field, old, new)| review_history::ActiveModel {
                id: Set(Uuid::now_v7()),
                review_id: Set(review_id),
                at: Set(now),
                user_id: Set(actor.user_id),
                actor: Set(actor.name.chars().take(120).collect()),
                subject: Set(self.subject.chars().take(300).collect()),
                field: Set(field.chars().take(200).collect()),
                old_value: Set(old),
                new_value: Set(new),
            });
        review_history::Entity::insert_many(rows).exec(db).await?;
        Ok(())
    }
}

fn entry(m: review_history::Model) -> HistoryEntry {
    HistoryEntry {
        at: m.at,
        actor: m.actor,
        subject: m.subject,
        field: m.field,
        old_value: m.old_value,
        new_value: m.new_value,
    }
}

/// One page of a review's history, newest first, and the number of entries.
pub async fn list_history(
    db: &impl ConnectionTrait,
    review_id: Uuid,
    paging: Paging,
) -> Result<(Vec<HistoryEntry>, u64)> {
    let total = crate::defects::count::<review_history::Entity>(
        db,
        sea_orm::Condition::all().add(review_history::Column::ReviewId.eq(review_id)),
    )
    .await?;
    let rows = review_history::Entity::find()
        .filter(review_history::Column::ReviewId.eq(review_id))
        .order_by_desc(review_history::Column::At)
        .order_by_desc(review_history::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page())
        .all(db)
        .await?;
    Ok((rows.into_iter().map(entry).collect(), total))
}

/// The newest changes recorded for `subject` in `review_id` after `since` (for a conflict
/// page: what the other person changed).
pub async fn last_change_of(
    db: &impl ConnectionTrait,
    review_id: Uuid,
    subject: &str,
    since: DateTime<Utc>,
) -> Result<Vec<HistoryEntry>> {
    let rows = review_history::Entity::find()
        .filter(review_history::Column::ReviewId.eq(review_id))
        .filter(review_history::Column::Subject.eq(subject))
        .filter(review_history::Column::At.gte(since))
        .order_by_desc(review_history::Column::At)
        .order_by_desc(review_history::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(entry).collect())
}

/// One field of a [`HistoryChange`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old_value: String,
    pub new_value: String,
}

/// One save: every field one write recorded about one subject, in recorded order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryChange {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub subject: String,
    pub fields: Vec<FieldChange>,
}

/// Which saves of a review to list: those about one of `subjects` (when given) whose subject
/// starts with `prefix` (when given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub subjects: Option<Vec<String>>,
    pub prefix: Option<String>,
}

impl HistoryFilter {
    fn condition(&self, review_id: Uuid) -> sea_orm::Condition {
        let mut cond =
            sea_orm::Condition::all().add(review_history::Column::ReviewId.eq(review_id));
        if let Some(subjects) = &self.subjects {
            cond = cond.add(review_history::Column::Subject.is_in(subjects.clone()));
        }
        if let Some(prefix) = &self.prefix {
            cond = cond.add(review_history::Column::Subject.starts_with(prefix.as_str()));
        }
        cond
    }
}

/// One page of a review's saves, newest first, each with its fields, and the number of saves
/// `filter` lets through. A save is the rows one write recorded: same time, actor, subject.
pub async fn list_history_changes(
    db: &impl ConnectionTrait,
    review_id: Uuid,
    filter: &HistoryFilter,
    paging: Paging,
) -> Result<(Vec<HistoryChange>, u64)> {
    let what = format!("history {review_id} {filter:?} {paging:?}");
    PAGES
        .get_owned(db, None, &what, || {
            read_changes(db, review_id, filter, paging)
        })
        .await
}

/// History pages, kept under every team's stamp: every write that records history (a
/// review's, a backlog write) renews its team's or every team's.
#[allow(clippy::type_complexity)]
static PAGES: crate::rollup::Kept<std::sync::Arc<(Vec<HistoryChange>, u64)>> =
    crate::rollup::Kept::new(32);

/// [`list_history_changes`], read from the database.
async fn read_changes(
    db: &impl ConnectionTrait,
    review_id: Uuid,
    filter: &HistoryFilter,
    paging: Paging,
) -> Result<(Vec<HistoryChange>, u64)> {
    use review_history::Column;
    let cond = filter.condition(review_id);
    let saves = || {
        review_history::Entity::find()
            .select_only()
            .column(Column::At)
            .column(Column::Actor)
            .column(Column::Subject)
            .filter(cond.clone())
            .group_by(Column::At)
            .group_by(Column::Actor)
            .group_by(Column::Subject)
    };
    let total = sea_orm::PaginatorTrait::count(saves(), db).await?;
    let keys: Vec<(DateTime<Utc>, String, String)> = saves()
        .order_by_desc(Column::At)
        .order_by_asc(Column::Subject)
        .order_by_asc(Column::Actor)
        .offset(paging.offset())
        .limit(paging.per_page())
        .into_tuple()
        .all(db)
        .await?;
    let (Some(newest), Some(oldest)) = (keys.first(), keys.last()) else {
        return Ok((Vec::new(), total));
    };
    let rows = review_history::Entity::find()
        .filter(cond.clone())
        .filter(Column::At.between(oldest.0, newest.0))
        .order_by_asc(Column::Id)
        .all(db)
        .await?;
    let changes = keys
        .into_iter()
        .map(|(at, actor, subject)| {
            let fields = rows
                .iter()
                .filter(|r| r.at == at && r.actor == actor && r.subject == subject)
                .map(|r| FieldChange {
                    field: r.field.clone(),
                    old_value: r.old_value.clone(),
                    new_value: r.new_value.clone(),
                })
                .collect();
            HistoryChange {
                at,
                actor,
                subject,
                fields,
            }
        })
        .collect();
    Ok((changes, total))
}

/// Who last moved review `review_id` into the state labelled `state_label`, and when, as its
/// history recorded it (the newest such move; none when it never was).
pub async fn last_move_to(
    db: &impl ConnectionTrait,
    review_id: Uuid,
    state_label: &str,
) -> Result<Option<(String, DateTime<Utc>)>> {
    let what = format!("moved {review_id} {state_label}");
    MOVES
        .get(db, None, &what, || read_move(db, review_id, state_label))
        .await
}

/// The last moves of reviews, kept under every team's stamp like the history pages.
static MOVES: crate::rollup::Kept<Option<(String, DateTime<Utc>)>> = crate::rollup::Kept::new(64);

/// [`last_move_to`], read from the database.
async fn read_move(
    db: &impl ConnectionTrait,
    review_id: Uuid,
    state_label: &str,
) -> Result<Option<(String, DateTime<Utc>)>> {
    use review_history::Column;
    let row = review_history::Entity::find()
        .filter(Column::ReviewId.eq(review_id))
        .filter(Column::Subject.eq("Review"))
        .filter(Column::Field.is_in(["state", "state (reopened)"]))
        .filter(Column::NewValue.eq(state_label))
        .order_by_desc(Column::At)
        .one(db)
        .await?;
    Ok(row.map(|r| (r.actor, r.at)))
}
