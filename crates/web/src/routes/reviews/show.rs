//! The review page: details, the review checklist of what is missing, each escape with its
//! stepper, the state buttons (a refused move says exactly why), and adding or removing
//! escapes, picked from the team's queue or recorded on the spot.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::auth::Permission;
use escapement_core::review::{Missing, Transition, allows_edits};
use escapement_core::{
    ActionStatus, DefectDraft, DefectType, DetectedBy, Origin, Paging, ReviewState, Severity,
    ValidationErrors,
};
use escapement_storage::StorageError;
use escapement_storage::catalog::catalog;
use escapement_storage::defects::DefectFilter;
use escapement_storage::reviews::{
    Review, ReviewRecord, add_escape, change_state, record_escape, remove_escape, review_document,
    review_people, unreviewed_escapes,
};
use escapement_storage::settings::{StageSettings, stage_settings};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::record::{RecordView, is_overdue, record_view};
use super::{
    BlameHint, EscapeNav, blame_hints, escape_nav, review_layout, visible_record, visible_review,
};
use crate::auth::CurrentUser;
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::extract::{IdPair, IdPath};
use crate::page::form::{FormPage, Refusal, invalid, respond};
use crate::page::views::{FormErrors, Opt, form_version, keyed_options, stage_options};
use crate::page::{Done, Layout, Page, render, see_other, see_other_done};
use crate::state::AppState;

/// A state button.
#[derive(Serialize)]
struct Move {
    to: &'static str,
    label: &'static str,
    primary: bool,
}

#[derive(Serialize)]
struct ReviewPage {
    layout: Layout,
    review: Review,
    tab: &'static str,
    escapes: Vec<EscapeNav>,
    missing: Vec<Missing>,
    blocking: usize,
    moves: Vec<Move>,
    refused: Vec<String>,
    can_write: bool,
    editable: bool,
    candidates: std::sync::Arc<Picker>,
    add_errors: FormErrors,
    new_escape: DefectDraft,
    new_errors: FormErrors,
    severities: Vec<Opt>,
    defect_types: Vec<Opt>,
    detected_bys: Vec<Opt>,
    stages: Vec<Opt>,
    components: Vec<Opt>,
    blame: Vec<BlameHint>,
    /// A classified or closed review as a record to read; none while it is worked on.
    finished: Option<RecordView>,
    /// Actions not yet done or dropped, and how many of them are past their due date.
    open_actions: usize,
    overdue_actions: usize,
}

/// What a re-rendered review page must show besides the saved review.
#[derive(Default)]
struct Feedback {
    refused: Vec<String>,
    add_errors: ValidationErrors,
    new_escape: Option<DefectDraft>,
    new_errors: ValidationErrors,
}

/// The state buttons of `review`, for a user who may write it.
fn moves(review: &Review, can_write: bool) -> Vec<Move> {
    if !can_write {
        return Vec::new();
    }
    Transition::from(review.state)
        .into_iter()
        .map(|t| Move {
            to: t.to.key(),
            label: t.label(),
            primary: !t.is_reopening(),
        })
        .collect()
}

/// The add-an-escape pickers, kept under their team's stamp.
static PICKERS: escapement_storage::rollup::Kept<std::sync::Arc<Picker>> =
    escapement_storage::rollup::Kept::new(16);

/// The add-an-escape picker: how many escapes it offers, and its `<option>`s rendered once
/// (escaped by the template like every page) for every page that shows it until the next
/// change.
#[derive(Debug, Default, Clone, Serialize)]
struct Picker {
    offered: usize,
    options_html: String,
}

/// What the add-an-escape forms offer: the team's unreviewed escapes and its components.
async fn escape_choices(
    state: &AppState,
    team_id: Uuid,
    stages: &StageSettings,
) -> AppResult<(std::sync::Arc<Picker>, Vec<Opt>)> {
    let filter = DefectFilter {
        team_id: Some(team_id),
        ..DefectFilter::default()
    };
    // The queue's first 200, as options: kept under the team's stamp like the queue.
    let what = format!("picker {team_id} {stages:?}");
    let candidates = PICKERS
        .get(&state.db, Some(&[team_id]), &what, || async {
            let queue = unreviewed_escapes(&state.db, &filter, stages, Paging::new(1, 200)).await?;
            let options: Vec<Opt> = queue
                .rows
                .into_iter()
                .map(|r| Opt {
                    label: format!(
                        "{} ({})",
                        r.title,
                        Severity::from_key(&r.severity).map_or("", Severity::label)
                    ),
                    value: r.id.to_string(),
                })
                .collect();
            let options_html = crate::templates::render_fragment(
                "reviews/picker_options.html",
                &serde_json::json!({ "options": options }),
            )
            .map_err(|e| AppError::Internal(anyhow::anyhow!("the escape picker: {e}")))?;
            Ok::<_, AppError>(std::sync::Arc::new(Picker {
                offered: options.len(),
                options_html,
            }))
        })
        .await?;
    let components = catalog(&state.db)
        .await?
        .components
        .iter()
        .filter(|c| c.team_id == team_id)
        .map(|c| Opt {
            value: c.id.to_string(),
            label: c.name.clone(),
        })
        .collect();
    Ok((candidates, components))
}

/// The record-an-escape form: as the user typed it, or as it first shows.
fn new_escape(typed: Option<DefectDraft>, stages: &StageSettings) -> DefectDraft {
    typed.unwrap_or_else(|| DefectDraft {
        detected_at: Utc::now().format("%Y-%m-%dT%H:%M").to_string(),
        // An escape is found late: the last stage of the pipeline is the likeliest.
        discovery_stage: stages
            .pipeline
            .stages()
            .last()
            .map(|s| s.key.as_str().to_owned())
            .unwrap_or_default(),
        detected_by: DetectedBy::Customer.key().to_owned(),
        ..DefectDraft::default()
    })
}

async fn review_page(
    state: &AppState,
    (user, csrf): (&CurrentUser, &str),
    record: ReviewRecord,
    feedback: Feedback,
) -> AppResult<ReviewPage> {
    let review = record.review.clone();
    let missing: Vec<Missing> = record.escapes().flat_map(|e| e.work().missing()).collect();
    let can_write = user.access(review.team_id).can(Permission::WriteReviews);
    let editable = can_write && allows_edits(review.state);
    let stages = stage_settings(&state.db).await?;
    let (candidates, components) = match editable {
        true => escape_choices(state, review.team_id, &stages).await?,
        false => Default::default(),
    };
    let people = review_people(&state.db, review.id).await?;
    let finished = match review.state {
        ReviewState::Classified | ReviewState::Closed => {
            Some(record_view(&state.db, &record, &stages.pipeline).await?)
        }
        ReviewState::Draft | ReviewState::InReview => None,
    };
    let today = Utc::now().date_naive();
    let open: Vec<_> = record
        .escapes()
        .flat_map(|e| e.actions.iter())
        .filter(|a| !matches!(a.status, ActionStatus::Done | ActionStatus::WontDo))
        .collect();
    Ok(ReviewPage {
        open_actions: open.len(),
        overdue_actions: open
            .iter()
            .filter(|a| is_overdue(a.due_date, a.status, today))
            .count(),
        finished,
        layout: review_layout(&review, csrf),
        tab: "overview",
        escapes: escape_nav(record.escapes()),
        blocking: missing.iter().filter(|m| m.blocks_classification).count(),
        missing,
        moves: moves(&review, can_write),
        refused: feedback.refused,
        can_write,
        editable,
        candidates,
        add_errors: (&feedback.add_errors).into(),
        new_escape: new_escape(feedback.new_escape, &stages),
        new_errors: (&feedback.new_errors).into(),
        severities: keyed_options::<Severity>(),
        defect_types: keyed_options::<DefectType>(),
        detected_bys: keyed_options::<DetectedBy>(),
        stages: stage_options(&stages.pipeline),
        components,
        blame: blame_hints(&[("Summary", review.summary.as_str())], &people),
        review,
    })
}

pub(super) async fn show_review(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let record = visible_record(&state, &user, id).await?;
    let page = review_page(&state, (&user, &csrf), record, Feedback::default()).await?;
    render("reviews/show.html", &page)
}

/// The state form: where to move and the version the page showed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StateForm {
    to: String,
    version: String,
}

pub(super) async fn change_review_state(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
    CsrfForm(form): CsrfForm<StateForm>,
) -> AppResult<Response> {
    let review = visible_review(&state, &user, id, Some(Permission::WriteReviews)).await?;
    let to = ReviewState::from_key(form.to.trim())
        .ok_or_else(|| AppError::BadRequest(format!("“{}” is not a review state", form.to)))?;
    let refused = match change_state(
        &state.db,
        id,
        form_version(&form.version),
        to,
        &user.actor(),
        Utc::now(),
    )
    .await
    {
        Ok(_) => {
            let done = moved(review.state, to);
            return Ok(see_other_done(&format!("/reviews/{id}"), done));
        }
        Err(StorageError::Blocked(blocked)) => blocked.reasons,
        Err(StorageError::Stale { .. }) => vec![
            "Someone else changed this review while you were looking at it. Check the page below as it is now and try again.".to_owned(),
        ],
        Err(other) => return Err(other.into()),
    };
    // Show the review as it is now, with the buttons of its current state.
    let record = review_document(&state.db, review.id).await?;
    let feedback = Feedback {
        refused,
        ..Feedback::default()
    };
    let page = review_page(&state, (&user, &csrf), record, feedback).await?;
    Err(AppError::conflict("reviews/show.html", &page))
}

/// The confirmation of a move from `from` to `to`.
fn moved(from: ReviewState, to: ReviewState) -> Done {
    match (from, to) {
        (ReviewState::Closed, _) => Done::Reopened,
        (ReviewState::Draft, ReviewState::InReview) => Done::SentToReview,
        (_, ReviewState::InReview) => Done::BackToReview,
        (_, ReviewState::Draft) => Done::BackToDraft,
        (_, ReviewState::Classified) => Done::Classified,
        (_, ReviewState::Closed) => Done::Closed,
    }
}

/// The "add an escape from the queue" form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddEscapeForm {
    defect_id: String,
}

/// The review page shown again after a refused escape form; the input is the draft of the
/// on-the-spot escape form, or none for the add-from-the-queue form.
struct EscapeForms<'a> {
    state: &'a AppState,
    user: &'a CurrentUser,
    csrf: &'a str,
    review_id: Uuid,
}

impl FormPage for EscapeForms<'_> {
    type Input = Option<DefectDraft>;

    async fn invalid(
        self,
        draft: Option<DefectDraft>,
        errors: ValidationErrors,
    ) -> AppResult<Page> {
        let feedback = match draft {
            None => Feedback {
                add_errors: errors,
                ..Feedback::default()
            },
            Some(draft) => Feedback {
                new_escape: Some(draft),
                new_errors: errors,
                ..Feedback::default()
            },
        };
        let record = review_document(&self.state.db, self.review_id).await?;
        let page = review_page(self.state, (self.user, self.csrf), record, feedback).await?;
        Ok(Page::new("reviews/show.html", &page))
    }

    async fn stale(self, draft: Option<DefectDraft>) -> AppResult<Page> {
        self.invalid(draft, ValidationErrors::new()).await
    }
}

/// Where an escape just added to a review goes: its first step.
fn first_step(review_id: Uuid, escape_id: Uuid) -> Response {
    see_other(&format!(
        "/reviews/{review_id}/escapes/{escape_id}?step=facts"
    ))
}

pub(super) async fn add_review_escape(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
    CsrfForm(form): CsrfForm<AddEscapeForm>,
) -> AppResult<Response> {
    visible_review(&state, &user, id, Some(Permission::WriteReviews)).await?;
    let outcome: Result<Uuid, Refusal> = async {
        let defect_id = Uuid::parse_str(form.defect_id.trim())
            .map_err(|_| invalid("defect_id", "Select an escape to add"))?;
        Ok(add_escape(&state.db, id, defect_id, &user.actor(), Utc::now()).await?)
    }
    .await;
    let forms = EscapeForms {
        state: &state,
        user: &user,
        csrf: &csrf,
        review_id: id,
    };
    respond(forms, None, outcome, |escape_id| first_step(id, escape_id)).await
}

pub(super) async fn record_review_escape(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
    CsrfForm(mut draft): CsrfForm<DefectDraft>,
) -> AppResult<Response> {
    let review = visible_review(&state, &user, id, Some(Permission::WriteReviews)).await?;
    user.require(review.team_id, Permission::WriteDefects)?;
    draft.team_id = review.team_id.to_string();
    draft.confirmed = Some("on".to_owned());
    if draft.origin.trim().is_empty() {
        draft.origin = Origin::Unknown.key().to_owned();
    }
    let outcome: Result<Uuid, Refusal> = async {
        let stages = stage_settings(&state.db).await?;
        let new = draft.validate(&stages.pipeline, Utc::now())?;
        Ok(
            record_escape(&state.db, id, &new, &user.actor(), Utc::now())
                .await?
                .1,
        )
    }
    .await;
    let forms = EscapeForms {
        state: &state,
        user: &user,
        csrf: &csrf,
        review_id: id,
    };
    respond(forms, Some(draft), outcome, |escape_id| {
        first_step(id, escape_id)
    })
    .await
}

/// A form with its CSRF token and the version of the row the page showed (a delete).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VersionForm {
    pub version: String,
}

pub(super) async fn remove_review_escape(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPair(id, escape_id): IdPair,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> AppResult<Response> {
    visible_review(&state, &user, id, Some(Permission::WriteReviews)).await?;
    let version = form_version(&form.version);
    let actor = user.actor();
    let removed = remove_escape(&state.db, (id, escape_id, version), &actor, Utc::now());
    match removed.await {
        Err(StorageError::Stale { .. }) => return Err(AppError::Refused(
            "Someone changed this escape after you opened the page, so it was not removed. Look at it again, and remove it if you still mean to.".to_owned(),
        )),
        other => other?,
    }
    Ok(Redirect::to(&format!("/reviews/{id}")).into_response())
}
