//! Saving the guided steps of one escape: facts confirmed, checklist, analysis, mechanism,
//! and the reason for no action. Each save checks the version the user's form was based on.

use escapement_core::review::{Analysis, Checklist, Classification, Question};
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};
use uuid::Uuid;

use super::escapes::{contributing_keys, get_escape};
use super::history::Changes;
use super::write::{editable, touch};
use super::{ReviewEscape, StepWrite};
use crate::entities::{defect, review_escape};
use crate::rollup::{Tracked, track};
use crate::{Result, StorageError, versioned};

/// The history subject of an escape: `Escape 'Coupon total wrong'`.
#[must_use]
pub fn escape_subject(title: &str) -> String {
    format!("Escape '{title}'")
}

async fn begin<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    review_id: Uuid,
    escape_id: Uuid,
) -> Result<(C::Transaction, ReviewEscape, Tracked)> {
    let txn = crate::begin_write(db).await?;
    editable(&txn, review_id).await?;
    let escape = get_escape(&txn, review_id, escape_id).await?;
    // A step may change the defect (the analysis sets its expected catch stage): the
    // roll-up follows in the same transaction.
    let tracked = track(&txn, &[escape.defect.id]).await?;
    Ok((txn, escape, tracked))
}

async fn finish(
    txn: impl ConnectionTrait + TransactionSession,
    tracked: Tracked,
    escape: &ReviewEscape,
    w: &StepWrite<'_>,
    mut update: review_escape::ActiveModel,
    changes: Changes,
) -> Result<()> {
    let StepWrite {
        review_id,
        expected_version,
        actor,
        now,
        ..
    } = *w;
    update.updated_at = Set(now);
    versioned::update::<review_escape::Entity>(
        &txn,
        review_escape::Column::Id,
        review_escape::Column::Version,
        escape.id,
        expected_version,
        update,
    )
    .await?;
    changes.record(&txn, review_id, actor, now).await?;
    touch(&txn, review_id, now).await?;
    tracked.settle(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Records that the team checked the escape's facts.
pub async fn confirm_facts(
    db: &(impl ConnectionTrait + TransactionTrait),
    w: &StepWrite<'_>,
) -> Result<()> {
    let StepWrite {
        review_id,
        escape_id,
        ..
    } = *w;
    let (txn, escape, tracked) = begin(db, review_id, escape_id).await?;
    let mut changes = Changes::of(escape_subject(&escape.defect.data.title));
    changes.diff(
        "facts confirmed",
        yes_no(escape.facts_confirmed),
        yes_no(true),
    );
    let update = review_escape::ActiveModel {
        facts_confirmed: Set(true),
        ..Default::default()
    };
    finish(txn, tracked, &escape, w, update, changes).await
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Replaces the checklist answers and notes.
pub async fn save_checklist(
    db: &(impl ConnectionTrait + TransactionTrait),
    w: &StepWrite<'_>,
    checklist: &Checklist,
) -> Result<()> {
    let StepWrite {
        review_id,
        escape_id,
        ..
    } = *w;
    let (txn, escape, tracked) = begin(db, review_id, escape_id).await?;
    let mut changes = Changes::of(escape_subject(&escape.defect.data.title));
    for &q in Question::ALL {
        let answer = |c: &Checklist| {
            c.answer(q)
                .map(|a| q.answer_label(a))
                .unwrap_or_default()
                .to_owned()
        };
        changes.diff(q.label(), answer(&escape.checklist), answer(checklist));
        changes.diff(
            format!("note: {}", q.label()),
            escape.checklist.note(q),
            checklist.note(q),
        );
    }
    let json = serde_json::to_string(checklist)
        .map_err(|e| StorageError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
    let update = review_escape::ActiveModel {
        checklist: Set(json),
        ..Default::default()
    };
    finish(txn, tracked, &escape, w, update, changes).await
}

/// Saves where it should have been caught (on the defect itself, so every report agrees),
/// what evidence would have caught it, and why that evidence did not exist; `Stale` unless
/// the escape and, when the stage changes, the defect (at `defect_version`) are unchanged.
pub async fn save_analysis(
    db: &(impl ConnectionTrait + TransactionTrait),
    w: &StepWrite<'_>,
    defect_version: i32,
    analysis: &Analysis,
) -> Result<()> {
    let StepWrite {
        review_id,
        escape_id,
        now,
        ..
    } = *w;
    let (txn, escape, tracked) = begin(db, review_id, escape_id).await?;
    let data = &escape.defect.data;
    let mut changes = Changes::of(escape_subject(&data.title));
    let stage = |s: Option<&escapement_core::StageKey>| {
        s.map(|k| k.as_str().to_owned()).unwrap_or_default()
    };
    changes.diff(
        "expected catch stage",
        stage(data.expected_catch_stage.as_ref()),
        stage(analysis.expected_catch_stage.as_ref()),
    );
    changes.diff(
        "evidence that would have caught it",
        &escape.evidence,
        &analysis.evidence,
    );
    changes.diff(
        "why that evidence did not exist",
        &escape.evidence_gap,
        &analysis.evidence_gap,
    );
    // The stage the form shows may be older than the defect's (edited on the defect form
    // meanwhile): writing it needs the defect's version, as the defect form does.
    if data.expected_catch_stage != analysis.expected_catch_stage {
        let stage = analysis.expected_catch_stage.as_ref();
        versioned::update::<defect::Entity>(
            &txn,
            defect::Column::Id,
            defect::Column::Version,
            escape.defect.id,
            defect_version,
            defect::ActiveModel {
                expected_catch_stage: Set(stage.map(|k| k.as_str().to_owned())),
                updated_at: Set(now),
                ..Default::default()
            },
        )
        .await?;
    }
    let update = review_escape::ActiveModel {
        evidence: Set(analysis.evidence.clone()),
        evidence_gap: Set(analysis.evidence_gap.clone()),
        ..Default::default()
    };
    finish(txn, tracked, &escape, w, update, changes).await
}

fn mechanisms_text(c: &Classification) -> String {
    c.contributing()
        .iter()
        .map(|m| m.label())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Confirms the primary and contributing mechanisms.
pub async fn save_classification(
    db: &(impl ConnectionTrait + TransactionTrait),
    w: &StepWrite<'_>,
    classification: &Classification,
) -> Result<()> {
    let StepWrite {
        review_id,
        escape_id,
        ..
    } = *w;
    let (txn, escape, tracked) = begin(db, review_id, escape_id).await?;
    let mut changes = Changes::of(escape_subject(&escape.defect.data.title));
    let primary = |c: &Classification| {
        c.primary()
            .map(|m| m.label().to_owned())
            .unwrap_or_default()
    };
    changes.diff(
        "primary mechanism",
        primary(&escape.classification),
        primary(classification),
    );
    changes.diff(
        "contributing mechanisms",
        mechanisms_text(&escape.classification),
        mechanisms_text(classification),
    );
    let update = review_escape::ActiveModel {
        primary_mechanism: Set(classification.primary().map(|m| m.key().to_owned())),
        contributing: Set(contributing_keys(classification)),
        ..Default::default()
    };
    finish(txn, tracked, &escape, w, update, changes).await
}

/// Sets (or, with `None`, clears) the written reason why the escape needs no action.
pub async fn save_no_action_reason(
    db: &(impl ConnectionTrait + TransactionTrait),
    w: &StepWrite<'_>,
    reason: Option<&str>,
) -> Result<()> {
    let StepWrite {
        review_id,
        escape_id,
        ..
    } = *w;
    let (txn, escape, tracked) = begin(db, review_id, escape_id).await?;
    let mut changes = Changes::of(escape_subject(&escape.defect.data.title));
    changes.diff(
        "reason no action is needed",
        escape.no_action_reason.clone().unwrap_or_default(),
        reason.unwrap_or_default(),
    );
    let update = review_escape::ActiveModel {
        no_action_reason: Set(reason.map(str::to_owned)),
        ..Default::default()
    };
    finish(txn, tracked, &escape, w, update, changes).await
}
