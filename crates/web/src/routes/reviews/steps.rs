//! Saving the guided steps of one escape. Each save carries the version its page showed:
//! bad input comes back with the input kept (422); a stale save comes back beside what the
//! other person saved (409), ready to merge and resubmit; a good save goes to the next step.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::ValidationErrors;
use escapement_core::auth::Permission;
use escapement_core::review::{
    AnalysisDraft, ClassificationDraft, Question, Step, answer_field, checklist_from_form,
    no_action_reason, note_field,
};
use escapement_storage::StorageError;
use escapement_storage::reviews::{
    AnalysisVersions, ReviewEscape, confirm_facts, get_escape, save_analysis, save_checklist,
    save_classification, save_no_action_reason,
};
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::step_page::{Input, StepConflict, changes_since, step_page};
use super::{actor, visible_review};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::AppResult;
use crate::extract::{IdPair, QueryParams};
use crate::render::{render, render_with_status};
use crate::routes::views::{conflicting, form_version};

/// `?step=checklist`; without it, the first step not yet done.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepQuery {
    step: String,
}

pub async fn show_step(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPair(id, escape_id): IdPair,
    QueryParams(query): QueryParams<StepQuery>,
) -> AppResult<Response> {
    let review = visible_review(&state, &user, id, None).await?;
    let escape = get_escape(&state.db, id, escape_id).await?;
    let step = Step::from_key(query.step.trim())
        .or_else(|| escape.work().next_step())
        .unwrap_or(Step::Facts);
    let page = step_page(
        &state,
        &user,
        &csrf,
        review,
        escape_id,
        step,
        Input::Saved,
        &ValidationErrors::new(),
        None,
    )
    .await?;
    render("reviews/step.html", &page)
}

/// Where a good save goes: the next step, or the review once the last step is done.
fn next_href(review_id: Uuid, escape_id: Uuid, step: Step) -> String {
    match step.next() {
        Some(next) => format!(
            "/reviews/{review_id}/escapes/{escape_id}?step={}",
            next.key()
        ),
        None => format!("/reviews/{review_id}"),
    }
}

/// The escape as the step's form type, for comparing with the user's input on a conflict.
type SavedAs<T> = fn(&ReviewEscape) -> T;

/// Turns the outcome of a save into the response every step gives.
#[expect(clippy::too_many_arguments, reason = "one outcome, spelled out")]
async fn respond<T: Serialize>(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    (review_id, escape_id, step): (Uuid, Uuid, Step),
    result: Result<(), StorageError>,
    input: (T, Input),
    fields: &[(&str, &str)],
    saved_as: SavedAs<T>,
    loaded_at: &str,
) -> AppResult<Response> {
    let review = visible_review(state, user, review_id, None).await?;
    match result {
        Ok(()) => Ok(Redirect::to(&next_href(review_id, escape_id, step)).into_response()),
        Err(StorageError::Invalid(errors)) => {
            let page = step_page(
                state, user, csrf, review, escape_id, step, input.1, &errors, None,
            )
            .await?;
            Err(render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "reviews/step.html",
                &page,
            ))
        }
        Err(StorageError::Stale { .. }) => {
            let current = get_escape(&state.db, review_id, escape_id).await?;
            let conflict = StepConflict {
                fields: conflicting(fields, &saved_as(&current), &input.0),
                changes: changes_since(state, review_id, &current.defect.data.title, loaded_at)
                    .await?,
            };
            // The page carries the current version: resubmitting is a deliberate overwrite.
            let page = step_page(
                state,
                user,
                csrf,
                review,
                escape_id,
                step,
                input.1,
                &ValidationErrors::new(),
                Some(conflict),
            )
            .await?;
            Err(render_with_status(
                StatusCode::CONFLICT,
                "reviews/step.html",
                &page,
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// A step form's bookkeeping fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Stamp {
    version: String,
    loaded_at: String,
}

pub async fn save_facts(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPair(id, escape_id): IdPair,
    CsrfForm(stamp): CsrfForm<Stamp>,
) -> AppResult<Response> {
    visible_review(&state, &user, id, Some(Permission::WriteReviews)).await?;
    let result = confirm_facts(
        &state.db,
        id,
        escape_id,
        form_version(&stamp.version),
        &actor(&user),
        Utc::now(),
    )
    .await;
    let saved: SavedAs<BTreeMap<String, String>> = |_| BTreeMap::new();
    respond(
        &state,
        &user,
        &csrf,
        (id, escape_id, Step::Facts),
        result,
        (BTreeMap::new(), Input::Saved),
        &[],
        saved,
        &stamp.loaded_at,
    )
    .await
}

fn checklist_map(e: &ReviewEscape) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for &q in Question::ALL {
        map.insert(
            answer_field(q).to_owned(),
            e.checklist
                .answer(q)
                .map(|a| a.key().to_owned())
                .unwrap_or_default(),
        );
        map.insert(note_field(q).to_owned(), e.checklist.note(q).to_owned());
    }
    map
}

pub async fn save_checklist_answers(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPair(id, escape_id): IdPair,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> AppResult<Response> {
    visible_review(&state, &user, id, Some(Permission::WriteReviews)).await?;
    let version = form_version(form.get("version").map_or("", String::as_str));
    let loaded_at = form.get("loaded_at").cloned().unwrap_or_default();
    let result = match checklist_from_form(&form) {
        Ok(checklist) => {
            save_checklist(
                &state.db,
                id,
                escape_id,
                version,
                &checklist,
                &actor(&user),
                Utc::now(),
            )
            .await
        }
        Err(errors) => Err(StorageError::Invalid(errors)),
    };
    let mut labels: Vec<(&str, String)> = Vec::new();
    for &q in Question::ALL {
        labels.push((answer_field(q), q.label().to_owned()));
        labels.push((note_field(q), format!("Note: {}", q.label())));
    }
    let fields: Vec<(&str, &str)> = labels.iter().map(|(f, l)| (*f, l.as_str())).collect();
    let mine: BTreeMap<String, String> = form
        .iter()
        .filter(|(k, _)| k.starts_with("answer_") || k.starts_with("note_"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    respond(
        &state,
        &user,
        &csrf,
        (id, escape_id, Step::Checklist),
        result,
        (mine.clone(), Input::Checklist(mine)),
        &fields,
        checklist_map,
        &loaded_at,
    )
    .await
}

/// The analysis form with its bookkeeping fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnalysisForm {
    expected_catch_stage: String,
    evidence: String,
    evidence_gap: String,
    version: String,
    defect_version: String,
    loaded_at: String,
}

fn analysis_of(e: &ReviewEscape) -> AnalysisDraft {
    AnalysisDraft {
        expected_catch_stage: e
            .defect
            .data
            .expected_catch_stage
            .as_ref()
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default(),
        evidence: e.evidence.clone(),
        evidence_gap: e.evidence_gap.clone(),
    }
}

pub async fn save_analysis_answers(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPair(id, escape_id): IdPair,
    CsrfForm(form): CsrfForm<AnalysisForm>,
) -> AppResult<Response> {
    visible_review(&state, &user, id, Some(Permission::WriteReviews)).await?;
    let draft = AnalysisDraft {
        expected_catch_stage: form.expected_catch_stage,
        evidence: form.evidence,
        evidence_gap: form.evidence_gap,
    };
    let stages = stage_settings(&state.db).await?;
    let result = match draft.validate(&stages.pipeline) {
        Ok(analysis) => {
            let based_on = AnalysisVersions {
                escape: form_version(&form.version),
                defect: form_version(&form.defect_version),
            };
            save_analysis(
                &state.db,
                id,
                escape_id,
                based_on,
                &analysis,
                &actor(&user),
                Utc::now(),
            )
            .await
        }
        Err(errors) => Err(StorageError::Invalid(errors)),
    };
    let fields = [
        ("expected_catch_stage", "Where it should have been caught"),
        (
            "evidence",
            "What evidence or test would have caught it earlier?",
        ),
        ("evidence_gap", "Why did that evidence not exist?"),
    ];
    respond(
        &state,
        &user,
        &csrf,
        (id, escape_id, Step::Analysis),
        result,
        (draft.clone(), Input::Analysis(draft)),
        &fields,
        analysis_of,
        &form.loaded_at,
    )
    .await
}

/// The mechanism form with its bookkeeping fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MechanismForm {
    primary: String,
    contributing: Vec<String>,
    version: String,
    loaded_at: String,
}

fn mechanism_of(e: &ReviewEscape) -> ClassificationDraft {
    ClassificationDraft {
        primary: e
            .classification
            .primary()
            .map(|m| m.key().to_owned())
            .unwrap_or_default(),
        contributing: e
            .classification
            .contributing()
            .iter()
            .map(|m| m.key().to_owned())
            .collect(),
    }
}

pub async fn save_mechanism(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPair(id, escape_id): IdPair,
    CsrfForm(form): CsrfForm<MechanismForm>,
) -> AppResult<Response> {
    visible_review(&state, &user, id, Some(Permission::WriteReviews)).await?;
    let draft = ClassificationDraft {
        primary: form.primary,
        contributing: form.contributing,
    };
    let result = match draft.validate() {
        Ok(c) => {
            save_classification(
                &state.db,
                id,
                escape_id,
                form_version(&form.version),
                &c,
                &actor(&user),
                Utc::now(),
            )
            .await
        }
        Err(errors) => Err(StorageError::Invalid(errors)),
    };
    let fields = [
        ("primary", "Primary mechanism"),
        ("contributing", "Contributing mechanisms"),
    ];
    respond(
        &state,
        &user,
        &csrf,
        (id, escape_id, Step::Mechanism),
        result,
        (draft.clone(), Input::Mechanism(draft)),
        &fields,
        mechanism_of,
        &form.loaded_at,
    )
    .await
}

/// The "no action is needed" form; an empty reason with `clear` set removes it.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NoActionForm {
    no_action_reason: String,
    #[serde(skip_serializing)]
    clear: String,
    #[serde(skip_serializing)]
    version: String,
    #[serde(skip_serializing)]
    loaded_at: String,
}

fn reason_of(e: &ReviewEscape) -> NoActionForm {
    NoActionForm {
        no_action_reason: e.no_action_reason.clone().unwrap_or_default(),
        ..NoActionForm::default()
    }
}

pub async fn save_no_action(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPair(id, escape_id): IdPair,
    CsrfForm(form): CsrfForm<NoActionForm>,
) -> AppResult<Response> {
    visible_review(&state, &user, id, Some(Permission::WriteReviews)).await?;
    let version = form_version(&form.version);
    let result = if form.clear.is_empty() {
        match no_action_reason(&form.no_action_reason) {
            Ok(reason) => {
                save_no_action_reason(
                    &state.db,
                    id,
                    escape_id,
                    version,
                    Some(&reason),
                    &actor(&user),
                    Utc::now(),
                )
                .await
            }
            Err(errors) => Err(StorageError::Invalid(errors)),
        }
    } else {
        save_no_action_reason(
            &state.db,
            id,
            escape_id,
            version,
            None,
            &actor(&user),
            Utc::now(),
        )
        .await
    };
    let fields = [("no_action_reason", "Why no action is needed")];
    let input = Input::NoAction(form.no_action_reason.clone());
    let loaded_at = form.loaded_at.clone();
    respond(
        &state,
        &user,
        &csrf,
        (id, escape_id, Step::Actions),
        result,
        (form, input),
        &fields,
        reason_of,
        &loaded_at,
    )
    .await
}
