//! A review as a record to read, shared by the page of a classified or closed review and the
//! print view: each escape with its facts, where it should have been caught, its checklist,
//! its mechanisms with the answers behind them, and its actions with status and due date.

use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::review::{EscapeDocument, Question, ReviewDocument};
use escapement_core::stage::Pipeline;
use escapement_core::{ActionStatus, Mechanism};
use escapement_storage::reviews::{ReviewRecord, last_move_to};
use escapement_storage::sea_orm::ConnectionTrait;
use serde::Serialize;
use uuid::Uuid;

use crate::error::AppResult;

/// One checklist question with its answer and note.
#[derive(Debug, Serialize)]
pub struct AnswerRow {
    question: String,
    answer: String,
    note: String,
    follow_up: bool,
}

/// A confirmed mechanism and the checklist answers that point to it.
#[derive(Debug, Serialize)]
pub struct MechanismRow {
    mechanism: Mechanism,
    because: Vec<String>,
}

/// An action as the record lists it, with whether it is past its due date and still open.
#[derive(Debug, Serialize)]
pub struct ActionRow {
    title: String,
    mechanism: Mechanism,
    target_layer: String,
    owner_team: String,
    due_date: Option<NaiveDate>,
    status: ActionStatus,
    overdue: bool,
}

/// One escape of the record.
#[derive(Debug, Serialize)]
pub struct EscapeRecord {
    #[serde(flatten)]
    doc: EscapeDocument,
    answers: Vec<AnswerRow>,
    primary_row: Option<MechanismRow>,
    contributing_rows: Vec<MechanismRow>,
    action_rows: Vec<ActionRow>,
}

/// Who moved the review into a state, and when.
#[derive(Debug, Serialize)]
pub struct StateMove {
    actor: String,
    at: DateTime<Utc>,
}

/// Whether an action due on `due` with `status` is overdue on `today`: still to be done
/// (not done, not dropped) and due before today.
#[must_use]
pub fn is_overdue(due: Option<NaiveDate>, status: ActionStatus, today: NaiveDate) -> bool {
    let open = !matches!(status, ActionStatus::Done | ActionStatus::WontDo);
    open && due.is_some_and(|d| d < today)
}

fn mechanism_row(e: &EscapeDocument, mechanism: Mechanism) -> MechanismRow {
    let because = e
        .checklist
        .suggestions()
        .into_iter()
        .filter(|s| s.mechanism == mechanism)
        .flat_map(|s| s.because.into_iter().map(|b| b.describe()))
        .collect();
    MechanismRow { mechanism, because }
}

/// The escapes of `doc` as a record read on `today`.
#[must_use]
pub fn escape_records(doc: &ReviewDocument, today: NaiveDate) -> Vec<EscapeRecord> {
    doc.escapes
        .iter()
        .map(|e| EscapeRecord {
            answers: Question::ALL
                .iter()
                .filter(|_| {
                    Question::ALL
                        .iter()
                        .any(|&q| e.checklist.answer(q).is_some())
                })
                .filter(|&&q| e.checklist.requires(q) || e.checklist.answer(q).is_some())
                .map(|&q| AnswerRow {
                    question: q.label().to_owned(),
                    answer: e
                        .checklist
                        .answer(q)
                        .map_or("Not answered", |a| q.answer_label(a))
                        .to_owned(),
                    note: e.checklist.note(q).to_owned(),
                    follow_up: q.is_follow_up(),
                })
                .collect(),
            primary_row: e.primary.map(|m| mechanism_row(e, m)),
            contributing_rows: e
                .contributing
                .iter()
                .map(|&m| mechanism_row(e, m))
                .collect(),
            action_rows: e
                .actions
                .iter()
                .map(|a| ActionRow {
                    title: a.title.clone(),
                    mechanism: a.mechanism,
                    target_layer: a.target_layer.clone(),
                    owner_team: a.owner_team.clone(),
                    due_date: a.due_date,
                    status: a.status,
                    overdue: is_overdue(a.due_date, a.status, today),
                })
                .collect(),
            doc: e.clone(),
        })
        .collect()
}

/// Who classified and who closed review `id`, and when, from its history.
pub async fn state_moves(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<(Option<StateMove>, Option<StateMove>)> {
    let found = |m: Option<(String, DateTime<Utc>)>| m.map(|(actor, at)| StateMove { actor, at });
    let classified = found(last_move_to(db, id, "Classified").await?);
    let closed = found(last_move_to(db, id, "Closed").await?);
    Ok((classified, closed))
}

/// The whole record: the escapes, and who classified and closed the review, and when.
#[derive(Debug, Serialize)]
pub struct RecordView {
    escapes: Vec<EscapeRecord>,
    classified: Option<StateMove>,
    closed: Option<StateMove>,
}

/// The record of the review `record` as read now.
pub async fn record_view(
    db: &impl ConnectionTrait,
    record: &ReviewRecord,
    pipeline: &Pipeline,
) -> AppResult<RecordView> {
    let now = Utc::now();
    let doc = record.document(pipeline, now);
    let (classified, closed) = state_moves(db, record.review.id).await?;
    Ok(RecordView {
        escapes: escape_records(&doc, now.date_naive()),
        classified,
        closed,
    })
}
