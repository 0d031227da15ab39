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
