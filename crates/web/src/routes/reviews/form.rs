//! The review details form: open a review (optionally with escapes picked from the team's
//! unreviewed queue) and edit its details. Bad input re-renders with the input kept (422);
//! an edit based on an old version shows what is saved now beside the input (409).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::auth::Permission;
use escapement_core::review::{ReviewDraft, participants_text};
use escapement_core::{Paging, ValidationErrors};
use escapement_storage::StorageError;
use escapement_storage::catalog::list_teams;
use escapement_storage::defects::{DefectFilter, get_defect};
use escapement_storage::reviews::{
    Review, create_review as insert_review, unreviewed_escapes, update_review as save_review,
};
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{actor, visible_review};
use crate::auth::CurrentUser;
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, QueryParams};
use crate::page::views::{ConflictField, FormErrors, Opt, conflicting, form_version, team_options};
use crate::page::{Layout, render};
use crate::state::AppState;

/// The review form as posted: the details, the escapes to cover and the version it was based on.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReviewForm {
    title: String,
    team_id: String,
    incident_date: String,
    incident_link: String,
    summary: String,
    participants: String,
    defects: Vec<String>,
    version: String,
}

impl ReviewForm {
    fn draft(&self) -> ReviewDraft {
        ReviewDraft {
            title: self.title.clone(),
            team_id: self.team_id.clone(),
            incident_date: self.incident_date.clone(),
            incident_link: self.incident_link.clone(),
            summary: self.summary.clone(),
            participants: self.participants.clone(),
        }
    }
}

/// An escape the new review can cover.
#[derive(Serialize)]
struct Candidate {
    id: String,
    title: String,
    severity: String,
    team_name: String,
    checked: bool,
}

#[derive(Serialize)]
struct ReviewFormPage {
    layout: Layout,
    form: ReviewForm,
    errors: FormErrors,
    action: String,
    submit_label: &'static str,
    cancel_href: String,
    editing: bool,
    teams: Vec<Opt>,
    candidates: Vec<Candidate>,
    conflict: Option<Vec<ConflictField>>,
}

const FIELDS: &[(&str, &str)] = &[
    ("title", "Title"),
    ("incident_date", "Incident date"),
    ("incident_link", "Incident link"),
    ("summary", "Summary"),
    ("participants", "Participants"),
];

async fn page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    editing: Option<&Review>,
    form: ReviewForm,
    errors: &ValidationErrors,
    conflict: Option<Vec<ConflictField>>,
) -> AppResult<ReviewFormPage> {
    let mut teams = list_teams(&state.db).await?;
    teams.retain(|t| user.access(t.id).can(Permission::WriteReviews));
    let mut candidates = Vec::new();
    if editing.is_none() {
        let stages = stage_settings(&state.db).await?;
        let filter = DefectFilter {
            visible_teams: Some(teams.iter().map(|t| t.id).collect()),
            ..DefectFilter::default()
        };
        let queue = unreviewed_escapes(&state.db, &filter, &stages, Paging::new(1, 100)).await?;
        candidates = queue
            .rows
            .into_iter()
            .map(|r| Candidate {
                checked: form.defects.contains(&r.id.to_string()),
                id: r.id.to_string(),
                title: r.title,
                severity: r.severity,
                team_name: r.team_name,
            })
            .collect();
    }
    let (layout, action, submit_label, cancel_href) = match editing {
        None => (
            Layout::new("Open a review", "reviews", csrf, &[("Reviews", "/reviews")]),
            "/reviews".to_owned(),
            "Open review",
            "/reviews".to_owned(),
        ),
        Some(r) => {
            let href = format!("/reviews/{}", r.id);
            (
                Layout::new(
                    "Edit review details",
                    "reviews",
                    csrf,
                    &[("Reviews", "/reviews"), (&r.title, &href)],
                ),
                href.clone(),
                "Save changes",
                href,
            )
        }
    };
    Ok(ReviewFormPage {
        layout,
        errors: errors.into(),
        action,
        submit_label,
        cancel_href,
        editing: editing.is_some(),
        teams: team_options(&teams),
        candidates,
        conflict,
        form,
    })
}

/// Pre-selections a link can pass: `?team=…&defect=…` (from the unreviewed queue).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewReviewQuery {
    team: String,
    defect: String,
}

pub async fn new_review_form(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    QueryParams(query): QueryParams<NewReviewQuery>,
) -> AppResult<Response> {
    let writable: Vec<Uuid> = list_teams(&state.db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .filter(|&t| user.access(t).can(Permission::WriteReviews))
        .collect();
    if writable.is_empty() {
        return Err(AppError::Forbidden("You cannot open reviews: your role in your teams is read-only. A team admin can change your role.".to_owned()));
    }
    // A review started from an escape belongs to that escape's team.
    let defect_team = match Uuid::parse_str(query.defect.trim()) {
        Ok(id) => match get_defect(&state.db, id).await {
            Ok(d) => Some(d.data.team_id.to_string()),
            Err(StorageError::NotFound) => None,
            Err(other) => return Err(other.into()),
        },
        Err(_) => None,
    };
    let wanted = defect_team.unwrap_or(query.team);
    let team_id = match writable.as_slice() {
        [only] => only.to_string(),
        _ => writable
            .iter()
            .map(Uuid::to_string)
            .find(|t| *t == wanted)
            .unwrap_or_default(),
    };
    let form = ReviewForm {
        team_id,
        incident_date: Utc::now().date_naive().to_string(),
        defects: Some(query.defect)
            .filter(|d| !d.is_empty())
            .into_iter()
            .collect(),
        ..ReviewForm::default()
    };
    let page = page(
        &state,
        &user,
        &csrf,
        None,
        form,
        &ValidationErrors::new(),
        None,
    )
    .await?;
    render("reviews/form.html", &page)
}

pub async fn create_review(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> AppResult<Response> {
    let mut defect_ids = Vec::new();
    let mut errors = ValidationErrors::new();
    for raw in form.defects.iter().filter(|d| !d.trim().is_empty()) {
        match Uuid::parse_str(raw.trim()) {
            Ok(id) => defect_ids.push(id),
            Err(_) => {
                errors.push("defects", "Select escapes from the list");
                break;
            }
        }
    }
    // Answer 404 (or 403) for a team out of reach before judging the rest of the form.
    user.require_named(&form.team_id, Permission::WriteReviews)?;
    let result = match form.draft().validate(Utc::now().date_naive()) {
        Ok(_) if !errors.is_empty() => Err(StorageError::Invalid(errors)),
        Ok(details) => {
            insert_review(&state.db, &details, &defect_ids, &actor(&user), Utc::now()).await
        }
        Err(mut e) => {
            e.extend(errors);
            Err(StorageError::Invalid(e))
        }
    };
    match result {
        Ok(review) => Ok(Redirect::to(&format!("/reviews/{}", review.id)).into_response()),
        Err(StorageError::Invalid(errors)) => {
            let errors = rename_defect_field(errors);
            let page = page(&state, &user, &csrf, None, form, &errors, None).await?;
            Err(AppError::invalid("reviews/form.html", &page))
        }
        Err(other) => Err(other.into()),
    }
}

/// Storage names the escape field `defect_id`; the form's checkbox group is `defects`.
fn rename_defect_field(errors: ValidationErrors) -> ValidationErrors {
    let mut out = ValidationErrors::new();
    for e in errors.iter() {
        out.push(
            if e.field == "defect_id" {
                "defects"
            } else {
                e.field
            },
            e.message.clone(),
        );
    }
    out
}

fn form_of(review: &Review) -> ReviewForm {
    ReviewForm {
        title: review.title.clone(),
        team_id: review.team_id.to_string(),
        incident_date: review.incident_date.to_string(),
        incident_link: review.incident_link.clone().unwrap_or_default(),
        summary: review.summary.clone(),
        participants: participants_text(&review.participants),
        defects: Vec::new(),
        version: review.version.to_string(),
    }
}

pub async fn edit_review_form(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let review = visible_review(&state, &user, id, Some(Permission::WriteReviews)).await?;
    let form = form_of(&review);
    let page = page(
        &state,
        &user,
        &csrf,
        Some(&review),
        form,
        &ValidationErrors::new(),
        None,
    )
    .await?;
    render("reviews/form.html", &page)
}

pub async fn update_review(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
    CsrfForm(mut form): CsrfForm<ReviewForm>,
) -> AppResult<Response> {
    let review = visible_review(&state, &user, id, Some(Permission::WriteReviews)).await?;
    // The team of a review never changes; the form does not offer it.
    form.team_id = review.team_id.to_string();
    let result = match form.draft().validate(Utc::now().date_naive()) {
        Ok(details) => {
            save_review(
                &state.db,
                id,
                form_version(&form.version),
                &details,
                &actor(&user),
                Utc::now(),
            )
            .await
        }
        Err(errors) => Err(StorageError::Invalid(errors)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}")).into_response()),
        Err(StorageError::Invalid(errors)) => {
            let page = page(&state, &user, &csrf, Some(&review), form, &errors, None).await?;
            Err(AppError::invalid("reviews/form.html", &page))
        }
        Err(StorageError::Stale { .. }) => {
            let current = visible_review(&state, &user, id, None).await?;
            let saved = form_of(&current);
            let conflict = conflicting(FIELDS, &saved, &form);
            // Resubmitting now is a deliberate overwrite of what is shown as saved.
            form.version = current.version.to_string();
            let page = page(
                &state,
                &user,
                &csrf,
                Some(&current),
                form,
                &ValidationErrors::new(),
                Some(conflict),
            )
            .await?;
            Err(AppError::conflict("reviews/form.html", &page))
        }
        Err(other) => Err(other.into()),
    }
}
