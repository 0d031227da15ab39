//! Improvement actions of a review: added to one escape, edited with a version check, deleted.

use chrono::{DateTime, Utc};
use escapement_core::ValidationErrors;
use escapement_core::review::NewAction;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use super::escapes::{get_action, get_escape};
use super::history::Changes;
use super::write::{editable, touch};
use super::{Action, Actor};
use crate::entities::{component, improvement_action};
use crate::{Result, StorageError, versioned};

/// The history subject of an action: `Action 'Add a contract test'`.
#[must_use]
pub fn action_subject(title: &str) -> String {
    format!("Action '{title}'")
}

/// The owner team exists and the component belongs to the owner team.
async fn check_references(db: &impl ConnectionTrait, a: &NewAction) -> Result<()> {
    let mut errors = ValidationErrors::new();
    if crate::catalog::get_team(db, a.owner_team_id).await.is_err() {
        errors.push("owner_team_id", "Select a team from the list");
    }
    if let Some(id) = a.component_id {
        let owner = component::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.team_id);
        if owner != Some(a.owner_team_id) {
            errors.push("component_id", "Select a component of the owner team");
        }
    }
    errors.into_result(()).map_err(StorageError::Invalid)
}

fn columns(a: &NewAction) -> improvement_action::ActiveModel {
    improvement_action::ActiveModel {
        team_id: Set(a.owner_team_id),
        title: Set(a.title.clone()),
        mechanism: Set(a.mechanism.key().to_owned()),
        component_id: Set(a.component_id),
        target_layer: Set(a.target_layer.as_str().to_owned()),
        effort: Set(a.effort.key().to_owned()),
        due_date: Set(a.due_date),
        status: Set(a.status.key().to_owned()),
        ..Default::default()
    }
}

fn describe(changes: &mut Changes, old: Option<&NewAction>, new: &NewAction, names: (&str, &str)) {
    let text = |a: Option<&NewAction>, f: fn(&NewAction) -> String| a.map(f).unwrap_or_default();
    changes.diff("title", text(old, |a| a.title.clone()), new.title.clone());
    changes.diff(
        "mechanism",
        text(old, |a| a.mechanism.label().to_owned()),
        new.mechanism.label(),
    );
    changes.diff("component", names.0, names.1);
    changes.diff(
        "target layer",
        text(old, |a| a.target_layer.as_str().to_owned()),
        new.target_layer.as_str(),
    );
    changes.diff(
        "effort",
        text(old, |a| a.effort.label().to_owned()),
        new.effort.label(),
    );
    changes.diff(
        "due date",
        text(old, |a| {
            a.due_date.map(|d| d.to_string()).unwrap_or_default()
        }),
        new.due_date.map(|d| d.to_string()).unwrap_or_default(),
    );
    changes.diff(
        "status",
        text(old, |a| a.status.label().to_owned()),
        new.status.label(),
    );
}

async fn component_name(db: &impl ConnectionTrait, id: Option<Uuid>) -> Result<String> {
    Ok(match id {
        Some(id) => component::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.name)
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// Adds an action for one escape of the review; returns it.
pub async fn add_action(
    db: &(impl ConnectionTrait + TransactionTrait),
    review_id: Uuid,
    escape_id: Uuid,
    a: &NewAction,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Action> {
    let txn = crate::begin_write(db).await?;
    editable(&txn, review_id).await?;
    get_escape(&txn, review_id, escape_id).await?;
    check_references(&txn, a).await?;
    let id = Uuid::now_v7();
    improvement_action::Entity::insert(improvement_action::ActiveModel {
        id: Set(id),
        review_id: Set(review_id),
        review_escape_id: Set(escape_id),
        external_key: Set(None),
        done_at: Set(crate::backlog::done_at(None, a.status, now)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..columns(a)
    })
    .exec(&txn)
    .await?;
    crate::backlog::link_escapes(&txn, id, &[escape_id], now).await?;
    let mut changes = Changes::of(action_subject(&a.title));
    let name = component_name(&txn, a.component_id).await?;
    describe(&mut changes, None, a, ("", &name));
    changes.record(&txn, review_id, actor, now).await?;
    touch(&txn, review_id, now).await?;
    let action = get_action(&txn, review_id, id).await?;
    txn.commit().await?;
    Ok(action)
}

/// Replaces an action's data if it is still at `expected_version`; `Stale` otherwise.
pub async fn update_action(
    db: &(impl ConnectionTrait + TransactionTrait),
    (review_id, action_id, expected_version): (Uuid, Uuid, i32),
    a: &NewAction,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Action> {
    let txn = crate::begin_write(db).await?;
    editable(&txn, review_id).await?;
    let old = get_action(&txn, review_id, action_id).await?;
    check_references(&txn, a).await?;
    versioned::update::<improvement_action::Entity>(
        &txn,
        improvement_action::Column::Id,
        improvement_action::Column::Version,
        action_id,
        expected_version,
        improvement_action::ActiveModel {
            updated_at: Set(now),
            done_at: Set(crate::backlog::done_at(
                Some((old.status, old.done_at)),
                a.status,
                now,
            )),
            ..columns(a)
        },
    )
    .await?;
    let mut changes = Changes::of(action_subject(&old.title));
    let name = component_name(&txn, a.component_id).await?;
    describe(
        &mut changes,
        Some(&old.data()),
        a,
        (old.component_name.as_deref().unwrap_or_default(), &name),
    );
    changes.record(&txn, review_id, actor, now).await?;
    touch(&txn, review_id, now).await?;
    let action = get_action(&txn, review_id, action_id).await?;
    txn.commit().await?;
    Ok(action)
}

/// Deletes an action of the review if it is still at `expected_version`, the version the
/// user saw (`Stale` otherwise, and nothing is deleted).
pub async fn delete_action(
    db: &(impl ConnectionTrait + TransactionTrait),
    (review_id, action_id, expected_version): (Uuid, Uuid, i32),
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    editable(&txn, review_id).await?;
    let old = get_action(&txn, review_id, action_id).await?;
    if old.version != expected_version {
        return Err(StorageError::Stale {
            current_version: old.version,
        });
    }
    improvement_action::Entity::delete_many()
        .filter(improvement_action::Column::Id.eq(action_id))
        .filter(improvement_action::Column::Version.eq(expected_version))
        .exec(&txn)
        .await?;
    let mut changes = Changes::of(action_subject(&old.title));
    changes.diff("action deleted", old.title.clone(), "");
    changes.record(&txn, review_id, actor, now).await?;
    touch(&txn, review_id, now).await?;
    txn.commit().await?;
    Ok(())
}
