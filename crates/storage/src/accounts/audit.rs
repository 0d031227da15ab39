//! The security audit log: appending an event and reading the log a page at a time.

use chrono::{DateTime, Utc};
use escapement_core::Paging;
use escapement_core::auth::AuditEvent;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::audit_event;
use crate::{Actor, Result, stored_key};

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub event: AuditEvent,
    pub actor_user_id: Option<Uuid>,
    pub subject: String,
    pub client_addr: Option<String>,
}

/// Appends one event to the audit log.
pub async fn record_event(
    db: &impl ConnectionTrait,
    event: AuditEvent,
    actor_user_id: Option<Uuid>,
    subject: &str,
    client_addr: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let row = audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now),
        event: Set(event.key().to_owned()),
        actor_user_id: Set(actor_user_id),
        subject: Set(subject.to_owned()),
        client_addr: Set(client_addr.map(str::to_owned)),
    };
    audit_event::Entity::insert(row).exec(db).await?;
    Ok(())
}

/// Appends one event by `actor` to the audit log: their user id and client address.
pub async fn log(
    db: &impl ConnectionTrait,
    event: AuditEvent,
    actor: &Actor,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    record_event(
        db,
        event,
        actor.user_id,
        subject,
        Some(&actor.client_addr),
        now,
    )
    .await
}

/// One page of the audit log, newest first, and the number of entries in all.
pub async fn list_events(
    db: &impl ConnectionTrait,
    paging: Paging,
) -> Result<(Vec<AuditEntry>, u64)> {
    let total = audit_event::Entity::find().count(db).await?;
    let rows = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::At)
        .order_by_desc(audit_event::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page())
        .all(db)
        .await?;
    let entries = rows
        .into_iter()
        .map(|m| {
            Ok(AuditEntry {
                event: stored_key::<AuditEvent>("audit_events.event", &m.event)?,
                id: m.id,
                at: m.at,
                actor_user_id: m.actor_user_id,
                subject: m.subject,
                client_addr: m.client_addr,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((entries, total))
}
