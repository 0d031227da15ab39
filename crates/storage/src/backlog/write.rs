//! The backlog's writes. They change an action's status, due date, owner team and tracker key
//! outside its review's edit lock (a classified review stays read-only; its actions keep
//! moving), with the same version check and history entries as the review's own writes.

use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::backlog::lifecycle::can_move;
use escapement_core::backlog::{ActionChange, ClusterKey};
use escapement_core::metrics::definition::SeverityWeights;
use escapement_core::{ActionStatus, Effort, StageKey, ValidationErrors};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionSession,
    TransactionTrait,
};
use serde::Serialize;
use uuid::Uuid;

use super::read::{escapes_by_ids, suggestion_for};
use super::{done_at, link_escapes};
use crate::entities::{backlog_dismissal, defect, improvement_action, review_escape, team};
use crate::reviews::{Changes, action_subject, touch};
use crate::{Actor, Result, StorageError, stored_key, versioned};

fn invalid(field: &'static str, message: impl Into<String>) -> StorageError {
    let mut e = ValidationErrors::new();
    e.push(field, message);
    StorageError::Invalid(e)
}

async fn team_name(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<String>> {
    Ok(team::Entity::find_by_id(id).one(db).await?.map(|t| t.name))
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_default()
}

/// Applies a backlog change to an action still at `expected_version`; `Stale` otherwise.
/// Every field that changes is written to the history of the action's review.
pub async fn change_action(
    db: &(impl ConnectionTrait + TransactionTrait),
    (action_id, expected_version): (Uuid, i32),
    change: &ActionChange,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    let old = improvement_action::Entity::find_by_id(action_id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound)?;
    if old.version != expected_version {
        return Err(StorageError::Stale {
            current_version: old.version,
        });
    }
    let old_status: ActionStatus = stored_key("improvement_actions.status", &old.status)?;
    if !can_move(old_status, change.status) {
        return Err(invalid(
            "status",
            format!(
                "An action that is {} cannot move to {}",
                old_status.label().to_lowercase(),
                change.status.label().to_lowercase()
            ),
        ));
    }
    let Some(new_team) = team_name(&txn, change.owner_team_id).await? else {
        return Err(invalid("owner_team_id", "Select a team from the list"));
    };
    let old_team = team_name(&txn, old.team_id).await?.unwrap_or_default();
    // A component belongs to one team: moving the action to another team leaves it without.
    let component_id = if change.owner_team_id == old.team_id {
        old.component_id
    } else {
        None
    };
    versioned::update::<improvement_action::Entity>(
        &txn,
        improvement_action::Column::Id,
        improvement_action::Column::Version,
        action_id,
        expected_version,
        improvement_action::ActiveModel {
            status: Set(change.status.key().to_owned()),
            due_date: Set(change.due_date),
            team_id: Set(change.owner_team_id),
            component_id: Set(component_id),
            external_key: Set(change.external_key.clone()),
            status_reason: Set(change.reason.clone()),
            done_at: Set(done_at(Some((old_status, old.done_at)), change.status, now)),
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await?;
    let mut changes = Changes::of(action_subject(&old.title));
    changes.diff("status", old_status.label(), change.status.label());
    changes.diff(
        "reason for not doing it",
        old.status_reason.clone().unwrap_or_default(),
        change.reason.clone().unwrap_or_default(),
    );
    changes.diff(
        "due date",
        date_text(old.due_date),
        date_text(change.due_date),
    );
    changes.diff("owner team", old_team, new_team);
    changes.diff(
        "tracker key",
        old.external_key.clone().unwrap_or_default(),
        change.external_key.clone().unwrap_or_default(),
    );
    changes.record(&txn, old.review_id, actor, now).await?;
    touch(&txn, old.review_id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The layer most of the escapes' defects should have been caught at, or `fallback`.
async fn usual_catch_stage(
    db: &impl ConnectionTrait,
    escapes: &[Uuid],
    fallback: &StageKey,
) -> Result<StageKey> {
    let stages: Vec<Option<String>> = review_escape::Entity::find()
        .select_only()
        .column_as(defect::Column::ExpectedCatchStage, "stage")
        .join(
            sea_orm::JoinType::InnerJoin,
            crate::link(review_escape::Column::DefectId, defect::Column::Id),
        )
        .filter(review_escape::Column::Id.is_in(escapes.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let mut counts: Vec<(String, usize)> = Vec::new();
    for s in stages.into_iter().flatten() {
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(counts
        .into_iter()
        .find_map(|(k, _)| StageKey::parse(&k).ok())
        .unwrap_or_else(|| fallback.clone()))
}

/// Turns the suggestion for `key` into an accepted action addressing every escape of the
/// cluster, owned by the cluster's team and kept with the review of its newest escape.
/// Refused when an open action already addresses the cluster or it is no longer suggested.
pub async fn accept_suggestion(
    db: &(impl ConnectionTrait + TransactionTrait),
    key: ClusterKey,
    (weights, fallback_layer): (&SeverityWeights, &StageKey),
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let txn = crate::begin_write(db).await?;
    let Some(suggestion) = suggestion_for(&txn, key, weights, now.date_naive()).await? else {
        return Err(StorageError::Blocked(escapement_core::review::Blocked {
            reasons: vec![
                "This cluster is no longer suggested: an open action addresses it, or it was \
                 dismissed, or its escapes left the last four quarters"
                    .to_owned(),
            ],
        }));
    };
    let escapes = escapes_by_ids(&txn, &suggestion.escape_ids).await?;
    let Some(home) = escapes.first() else {
        return Err(StorageError::NotFound);
    };
    let layer = usual_catch_stage(&txn, &suggestion.escape_ids, fallback_layer).await?;
    let component = match key.component_id {
        Some(id) => crate::entities::component::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .map(|c| c.name),
        None => None,
    };
    let text = suggestion.text;
    let mut title = format!(
        "{}{}",
        text.chars()
            .next()
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default(),
        text.chars().skip(1).collect::<String>()
    );
    if let Some(name) = &component {
        title = format!("{title} ({name})");
    }
    let title: String = title.chars().take(200).collect();
    let id = Uuid::now_v7();
    improvement_action::Entity::insert(improvement_action::ActiveModel {
        id: Set(id),
        review_id: Set(home.review_id),
        review_escape_id: Set(home.review_escape_id),
        team_id: Set(key.team_id),
        title: Set(title.clone()),
        mechanism: Set(key.mechanism.key().to_owned()),
        component_id: Set(key.component_id),
        target_layer: Set(layer.as_str().to_owned()),
        effort: Set(Effort::M.key().to_owned()),
        due_date: Set(None),
        status: Set(ActionStatus::Accepted.key().to_owned()),
        external_key: Set(None),
        done_at: Set(None),
        status_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec(&txn)
    .await?;
    link_escapes(&txn, id, &suggestion.escape_ids, now).await?;
    let mut changes = Changes::of(action_subject(&title));
    changes.event(
        "added from a backlog suggestion",
        format!(
            "{} · {} escapes",
            key.mechanism.label(),
            suggestion.escape_ids.len()
        ),
    );
    changes.event("status", ActionStatus::Accepted.label());
    changes.record(&txn, home.review_id, actor, now).await?;
    // Review documents kept under the stamps show actions and links.
    crate::rollup::renew_every(&txn).await?;
    txn.commit().await?;
    Ok(id)
}

/// Dismisses the suggestion for `key` with a reason; it stays away until an escape of the
/// cluster is recorded after now.
pub async fn dismiss_suggestion(
    db: &(impl ConnectionTrait + TransactionTrait),
    key: ClusterKey,
    reason: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    if team_name(&txn, key.team_id).await?.is_none() {
        return Err(StorageError::NotFound);
    }
    backlog_dismissal::Entity::insert(backlog_dismissal::ActiveModel {
        id: Set(Uuid::now_v7()),
        team_id: Set(key.team_id),
        mechanism: Set(key.mechanism.key().to_owned()),
        component_id: Set(key.component_id),
        reason: Set(reason.to_owned()),
        dismissed_by: Set(actor.user_id),
        dismissed_at: Set(now),
    })
    .exec(&txn)
    .await?;
    // Review documents kept under the stamps show actions and links.
    crate::rollup::renew_every(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Records that the action (still at `expected_version`) also addresses `escapes`, which must
/// be escapes of its owner team; bumps its version and writes the history.
pub async fn add_escapes(
    db: &(impl ConnectionTrait + TransactionTrait),
    (action_id, expected_version): (Uuid, i32),
    escapes: &[Uuid],
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    if escapes.is_empty() {
        return Err(invalid("escape_ids", "Select at least one escape"));
    }
    let txn = crate::begin_write(db).await?;
    let old = improvement_action::Entity::find_by_id(action_id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound)?;
    let found = escapes_by_ids(&txn, escapes).await?;
    let teams: Vec<(Uuid, Uuid)> = review_escape::Entity::find()
        .select_only()
        .column(review_escape::Column::Id)
        .column_as(defect::Column::TeamId, "team_id")
        .join(
            sea_orm::JoinType::InnerJoin,
            crate::link(review_escape::Column::DefectId, defect::Column::Id),
        )
        .filter(review_escape::Column::Id.is_in(escapes.iter().copied()))
        .into_tuple()
        .all(&txn)
        .await?;
    if found.len() != escapes.len() || teams.iter().any(|(_, t)| *t != old.team_id) {
        return Err(invalid(
            "escape_ids",
            "Select escapes of the team that owns the action",
        ));
    }
    versioned::update::<improvement_action::Entity>(
        &txn,
        improvement_action::Column::Id,
        improvement_action::Column::Version,
        action_id,
        expected_version,
        improvement_action::ActiveModel {
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await?;
    link_escapes(&txn, action_id, escapes, now).await?;
    let mut changes = Changes::of(action_subject(&old.title));
    for e in &found {
        changes.event("also addresses", e.defect_title.clone());
    }
    changes.record(&txn, old.review_id, actor, now).await?;
    // Review documents kept under the stamps show actions and links.
    crate::rollup::renew_every(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// A tracker key to set on an action, pasted back or read from a tracker's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLink {
    pub action_id: Uuid,
    pub external_key: String,
}

/// What linking one key did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LinkOutcome {
    Linked {
        action_id: Uuid,
        title: String,
        external_key: String,
    },
    Unchanged {
        action_id: Uuid,
        title: String,
        external_key: String,
    },
    /// No action with that id among the teams the user may change.
    Unknown { action_id: Uuid },
}

/// Sets each tracker key on its action, all in one transaction. An action outside `teams`
/// (the teams the user may change; `None` for every team) refuses the whole paste, naming the
/// rows, and links nothing.
pub async fn link_keys(
    db: &(impl ConnectionTrait + TransactionTrait),
    links: &[KeyLink],
    teams: Option<&[Uuid]>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<LinkOutcome>> {
    let txn = crate::begin_write(db).await?;
    let mut out = Vec::with_capacity(links.len());
    let mut unknown = Vec::new();
    for (row, link) in links.iter().enumerate() {
        let found = improvement_action::Entity::find_by_id(link.action_id)
            .one(&txn)
            .await?
            .filter(|a| teams.is_none_or(|t| t.contains(&a.team_id)));
        let Some(a) = found else {
            unknown.push(row + 1);
            continue;
        };
        if a.external_key.as_deref() == Some(link.external_key.as_str()) {
            out.push(LinkOutcome::Unchanged {
                action_id: a.id,
                title: a.title,
                external_key: link.external_key.clone(),
            });
            continue;
        }
        versioned::update::<improvement_action::Entity>(
            &txn,
            improvement_action::Column::Id,
            improvement_action::Column::Version,
            a.id,
            a.version,
            improvement_action::ActiveModel {
                external_key: Set(Some(link.external_key.clone())),
                updated_at: Set(now),
                ..Default::default()
            },
        )
        .await?;
        let mut changes = Changes::of(action_subject(&a.title));
        changes.diff(
            "tracker key",
            a.external_key.clone().unwrap_or_default(),
            link.external_key.clone(),
        );
        changes.record(&txn, a.review_id, actor, now).await?;
        out.push(LinkOutcome::Linked {
            action_id: a.id,
            title: a.title,
            external_key: link.external_key.clone(),
        });
    }
    if !unknown.is_empty() {
        let rows: Vec<String> = unknown.iter().take(10).map(ToString::to_string).collect();
        return Err(invalid(
            "keys",
            format!(
                "Link {} {} names no action of this team. Nothing was linked.",
                if unknown.len() == 1 {
                    "number"
                } else {
                    "numbers"
                },
                rows.join(", ")
            ),
        ));
    }
    // Review documents kept under the stamps show actions and links.
    crate::rollup::renew_every(&txn).await?;
    txn.commit().await?;
    Ok(out)
}
