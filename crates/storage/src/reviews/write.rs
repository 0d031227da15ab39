//! Writing reviews: creating one with its first escapes, editing its details, adding and
//! removing escapes, and moving it through its states. Each is one transaction.

use chrono::{DateTime, Utc};
use escapement_core::review::{
    Blocked, ReviewDetails, Transition, allows_edits, participants_text, transition,
};
use escapement_core::{ReviewState, ValidationErrors};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionSession,
    TransactionTrait,
};
use uuid::Uuid;

use super::Review;
use super::escapes::{get_escape, review_escapes};
use super::history::Changes;
use super::read::{get_review, to_review};
use crate::entities::{defect, review, review_escape};
use crate::rollup::track;
use crate::settings::stage_settings;
use crate::{Actor, Result, StorageError, unique_violation_as, versioned};

fn invalid(field: &'static str, message: &str) -> StorageError {
    let mut errors = ValidationErrors::new();
    errors.push(field, message);
    StorageError::Invalid(errors)
}

/// The review row, locked until the transaction ends: `SELECT … FOR UPDATE` on PostgreSQL
/// (SQLite's write transaction holds the database's write lock already). Every write that
/// can change whether a state's guard holds takes it first, and so does the state change
/// that checks the guard, so they run one after another per review.
async fn lock_review(db: &impl ConnectionTrait, review_id: Uuid) -> Result<review::Model> {
    review::Entity::find_by_id(review_id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(StorageError::NotFound)
}

/// The review row, locked (see `lock_review`), refused with the reason when its state does
/// not allow edits.
pub(super) async fn editable(db: &impl ConnectionTrait, review_id: Uuid) -> Result<review::Model> {
    let m = lock_review(db, review_id).await?;
    let state: ReviewState = crate::stored_key("reviews.state", &m.state)?;
    if !allows_edits(state) {
        return Err(StorageError::Blocked(Blocked {
            reasons: vec![format!(
                "This review is {}: reopen it to change it",
                state.label().to_lowercase()
            )],
        }));
    }
    Ok(m)
}

/// Marks the review as changed just now (without taking its version: edits to different
/// escapes must not conflict with each other), and renews its team's stamp: the review
/// list kept under it shows when each review last changed.
pub(crate) async fn touch(
    db: &impl ConnectionTrait,
    review_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let touched = review::Entity::update_many()
        .col_expr(review::Column::UpdatedAt, Expr::value(now))
        .filter(review::Column::Id.eq(review_id))
        .exec_with_returning(db)
        .await?;
    for review in touched {
        crate::rollup::renew_team(db, review.team_id).await?;
    }
    Ok(())
}

async fn insert_escape(
    db: &impl ConnectionTrait,
    review: &review::Model,
    defect_id: Uuid,
    changes: &mut Changes,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let d = defect::Entity::find_by_id(defect_id)
        .one(db)
        .await?
        .filter(|d| d.team_id == review.team_id)
        .ok_or_else(|| {
            invalid(
                "defect_id",
                "Select an escaped defect of this review's team",
            )
        })?;
    let stages = stage_settings(db).await?;
    if !stages
        .pipeline
        .is_escape(&stages.boundary, &d.discovery_stage)
        .unwrap_or(false)
    {
        return Err(invalid(
            "defect_id",
            "Only escapes can be reviewed: this defect was found before the boundary",
        ));
    }
    let last: Option<Option<i32>> = review_escape::Entity::find()
        .select_only()
        .expr(Func::max(Expr::col(review_escape::Column::Position)))
        .filter(review_escape::Column::ReviewId.eq(review.id))
        .into_tuple()
        .one(db)
        .await?;
    let id = Uuid::now_v7();
    review_escape::Entity::insert(review_escape::ActiveModel {
        id: Set(id),
        review_id: Set(review.id),
        defect_id: Set(defect_id),
        position: Set(last.flatten().unwrap_or(0) + 1),
        facts_confirmed: Set(false),
        checklist: Set("{}".to_owned()),
        evidence: Set(String::new()),
        evidence_gap: Set(String::new()),
        primary_mechanism: Set(None),
        contributing: Set(String::new()),
        no_action_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec(db)
    .await
    .map_err(|e| {
        unique_violation_as(e, "defect_id", "Another review already covers this escape")
    })?;
    changes.event("escape added", d.title);
    Ok(id)
}

/// Creates a draft review of `details` covering `defect_ids` (escapes of its team that no
/// other review covers), all or nothing.
pub async fn create_review(
    db: &(impl ConnectionTrait + TransactionTrait),
    details: &ReviewDetails,
    defect_ids: &[Uuid],
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Review> {
    let txn = crate::begin_write(db).await?;
    let team = crate::catalog::get_team(&txn, details.team_id)
        .await
        .map_err(|e| match e {
            StorageError::NotFound => invalid("team_id", "Select a team from the list"),
            other => other,
        })?;
    let model = review::Entity::insert(review::ActiveModel {
        id: Set(Uuid::now_v7()),
        team_id: Set(details.team_id),
        title: Set(details.title.clone()),
        incident_date: Set(details.incident_date),
        incident_link: Set(details.incident_link.clone()),
        summary: Set(details.summary.clone()),
        participants: Set(participants_json(details)?),
        state: Set(ReviewState::Draft.key().to_owned()),
        created_by: Set(actor.user_id),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_with_returning(&txn)
    .await?;
    let tracked = track(&txn, defect_ids).await?;
    let mut changes = Changes::of("Review");
    changes.event("created", details.title.clone());
    for &defect_id in defect_ids {
        insert_escape(&txn, &model, defect_id, &mut changes, now).await?;
    }
    tracked.settle(&txn).await?;
    crate::rollup::renew_team(&txn, model.team_id).await?;
    changes.record(&txn, model.id, actor, now).await?;
    let review = to_review(model, team.name)?;
    txn.commit().await?;
    Ok(review)
}

fn participants_json(details: &ReviewDetails) -> Result<String> {
    serde_json::to_string(&details.participants)
        .map_err(|e| StorageError::Db(sea_orm::DbErr::Custom(e.to_string())))
}

/// Replaces a review's details if it is still at `expected_version` (`Stale` otherwise);
/// the team of a review never changes.
pub async fn update_review(
    db: &(impl ConnectionTrait + TransactionTrait),
    id: Uuid,
    expected_version: i32,
    details: &ReviewDetails,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Review> {
    let txn = crate::begin_write(db).await?;
    let old = editable(&txn, id).await?;
    if details.team_id != old.team_id {
        return Err(invalid(
            "team_id",
            "A review stays with the team it was opened for",
        ));
    }
    let old = to_review(old, String::new())?;
    let mut changes = Changes::of("Review");
    changes.diff("title", &old.title, &details.title);
    changes.diff(
        "incident date",
        old.incident_date.to_string(),
        details.incident_date.to_string(),
    );
    changes.diff(
        "incident link",
        old.incident_link.clone().unwrap_or_default(),
        details.incident_link.clone().unwrap_or_default(),
    );
    changes.diff("summary", &old.summary, &details.summary);
    changes.diff(
        "participants",
        participants_text(&old.participants),
        participants_text(&details.participants),
    );
    versioned::update::<review::Entity>(
        &txn,
        review::Column::Id,
        review::Column::Version,
        id,
        expected_version,
        review::ActiveModel {
            title: Set(details.title.clone()),
            incident_date: Set(details.incident_date),
            incident_link: Set(details.incident_link.clone()),
            summary: Set(details.summary.clone()),
            participants: Set(participants_json(details)?),
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await?;
    changes.record(&txn, id, actor, now).await?;
    let review = get_review(&txn, id).await?;
    crate::rollup::renew_team(&txn, review.team_id).await?;
    txn.commit().await?;
    Ok(review)
}

/// Adds an escape of the review's team that no review covers yet; returns the new escape's id.
pub async fn add_escape(
    db: &(impl ConnectionTrait + TransactionTrait),
    review_id: Uuid,
    defect_id: Uuid,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let txn = crate::begin_write(db).await?;
    let review = editable(&txn, review_id).await?;
    let tracked = track(&txn, &[defect_id]).await?;
    let mut changes = Changes::of("Review");
    let id = insert_escape(&txn, &review, defect_id, &mut changes, now).await?;
    tracked.settle(&txn).await?;
    changes.record(&txn, review_id, actor, now).await?;
    touch(&txn, review_id, now).await?;
    txn.commit().await?;
    Ok(id)
}

/// Removes an escape (and its actions) from the review if it is still at
/// `expected_version` (`Stale` otherwise, and nothing is removed); the defect itself stays.
pub async fn remove_escape(
    db: &(impl ConnectionTrait + TransactionTrait),
    (review_id, escape_id, expected_version): (Uuid, Uuid, i32),
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    editable(&txn, review_id).await?;
    let escape = get_escape(&txn, review_id, escape_id).await?;
    if escape.version != expected_version {
        return Err(StorageError::Stale {
            current_version: escape.version,
        });
    }
    let tracked = track(&txn, &[escape.defect.id]).await?;
    review_escape::Entity::delete_many()
        .filter(review_escape::Column::Id.eq(escape_id))
        .filter(review_escape::Column::Version.eq(expected_version))
        .exec(&txn)
        .await?;
    tracked.settle(&txn).await?;
    let mut changes = Changes::of("Review");
    changes.diff("escape removed", escape.defect.data.title.clone(), "");
    changes.record(&txn, review_id, actor, now).await?;
    touch(&txn, review_id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Moves the review to `to` when the state machine allows it and the guard holds (with every
/// reason otherwise), if the review is still at `expected_version`.
pub async fn change_state(
    db: &(impl ConnectionTrait + TransactionTrait),
    id: Uuid,
    expected_version: i32,
    to: ReviewState,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Review> {
    let txn = crate::begin_write(db).await?;
    let current = to_review(lock_review(&txn, id).await?, String::new())?;
    if current.version != expected_version {
        return Err(StorageError::Stale {
            current_version: current.version,
        });
    }
    let escapes = review_escapes(&txn, id).await?;
    let works: Vec<_> = escapes.iter().map(super::ReviewEscape::work).collect();
    // Whether the escapes' mechanisms count depends on the state: the roll-up follows.
    let defect_ids: Vec<Uuid> = escapes.iter().map(|e| e.defect.id).collect();
    let tracked = track(&txn, &defect_ids).await?;
    transition(current.state, to, &works).map_err(StorageError::Blocked)?;
    let reopening = Transition::between(current.state, to).is_some_and(Transition::is_reopening);
    versioned::update::<review::Entity>(
        &txn,
        review::Column::Id,
        review::Column::Version,
        id,
        expected_version,
        review::ActiveModel {
            state: Set(to.key().to_owned()),
            closed_at: Set((to == ReviewState::Closed).then_some(now)),
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await?;
    let mut changes = Changes::of("Review");
    changes.diff(
        if reopening {
            "state (reopened)"
        } else {
            "state"
        },
        current.state.label(),
        to.label(),
    );
    changes.record(&txn, id, actor, now).await?;
    tracked.settle(&txn).await?;
    let review = get_review(&txn, id).await?;
    crate::rollup::renew_team(&txn, review.team_id).await?;
    txn.commit().await?;
    Ok(review)
}

/// Records a new escape of the review's team and adds it to the review, all or nothing;
/// returns the new defect's id and the new escape's id.
pub async fn record_escape(
    db: &(impl ConnectionTrait + TransactionTrait),
    review_id: Uuid,
    defect: &escapement_core::NewDefect,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(Uuid, Uuid)> {
    let txn = crate::begin_write(db).await?;
    let review = editable(&txn, review_id).await?;
    if defect.team_id != review.team_id {
        return Err(invalid(
            "team_id",
            "Record the escape for the review's team",
        ));
    }
    let created = crate::defects::insert_defect(&txn, defect, now).await?;
    // Only this transaction sees the new defect, so tracking it after the insert's
    // roll-up write cannot wait for anyone.
    let tracked = track(&txn, &[created.id]).await?;
    let mut changes = Changes::of("Review");
    let escape_id = match insert_escape(&txn, &review, created.id, &mut changes, now).await {
        Err(StorageError::Invalid(e)) if e.get("defect_id").is_some() => {
            return Err(invalid(
                "discovery_stage",
                "An escape is found after the boundary: choose a later discovery stage",
            ));
        }
        other => other?,
    };
    tracked.settle(&txn).await?;
    changes.record(&txn, review_id, actor, now).await?;
    touch(&txn, review_id, now).await?;
    txn.commit().await?;
    Ok((created.id, escape_id))
}
