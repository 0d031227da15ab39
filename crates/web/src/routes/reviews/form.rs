//! The review details form: open a review (optionally with escapes picked from the team's
//! unreviewed queue) and edit its details. Bad input re-renders with the input kept (422);
//! an edit based on an old version shows what is saved now beside the input (409).

use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::auth::Permission;
use escapement_core::defect::Defect;
use escapement_core::review::{ReviewDraft, participants_text};
use escapement_core::{Paging, ValidationErrors};
use escapement_storage::StorageError;
use escapement_storage::catalog::Team;
use escapement_storage::catalog::list_teams;
use escapement_storage::defects::{DefectFilter, get_defect};
use escapement_storage::reviews::{
    Review, create_review as insert_review, unreviewed_escapes, update_review as save_review,
};
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::visible_review;
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, QueryParams};
use crate::page::form::{FormPage, Refusal, respond};
use crate::page::views::{ConflictField, FormErrors, Opt, conflicting, form_version, team_options};
use crate::page::words::Words;
use crate::page::{Ctx, Done, Layout, Page, see_other_done};

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

/// The form opening a review (no review) or editing one review's details.
struct ReviewEdit<'a> {
    ctx: &'a Ctx,
    editing: Option<Review>,
}

impl ReviewEdit<'_> {
    /// The escapes a new review can cover: the unreviewed queue of the teams it may open in.
    async fn candidates(&self, teams: &[Team], form: &ReviewForm) -> AppResult<Vec<Candidate>> {
        let stages = stage_settings(self.ctx.db()).await?;
        let filter = DefectFilter {
            visible_teams: Some(teams.iter().map(|t| t.id).collect()),
            ..DefectFilter::default()
        };
        let queue =
            unreviewed_escapes(self.ctx.db(), &filter, &stages, Paging::new(1, 100)).await?;
        let candidates = queue.rows.into_iter().map(|r| Candidate {
            checked: form.defects.contains(&r.id.to_string()),
            id: r.id.to_string(),
            title: r.title,
            severity: r.severity,
            team_name: r.team_name,
        });
        Ok(candidates.collect())
    }

    fn frame(&self) -> (Layout, String, &'static str) {
        let trail = [("Reviews", "/reviews")];
        match &self.editing {
            None => (
                self.ctx.layout("Open a review", "reviews", &trail),
                "/reviews".to_owned(),
                "Open review",
            ),
            Some(r) => {
                let href = format!("/reviews/{}", r.id);
                let trail = [trail[0], (r.title.as_str(), href.as_str())];
                let layout = self.ctx.layout("Edit review details", "reviews", &trail);
                (layout, href, "Save changes")
            }
        }
    }

    async fn page(
        &self,
        form: ReviewForm,
        errors: &ValidationErrors,
        conflict: Option<Vec<ConflictField>>,
    ) -> AppResult<Page> {
        let mut teams = list_teams(self.ctx.db()).await?;
        teams.retain(|t| self.ctx.user.access(t.id).can(Permission::WriteReviews));
        let candidates = match self.editing {
            None => self.candidates(&teams, &form).await?,
            Some(_) => Vec::new(),
        };
        let (layout, action, submit_label) = self.frame();
        let page = ReviewFormPage {
            layout,
            errors: errors.into(),
            cancel_href: action.clone(),
            action,
            submit_label,
            editing: self.editing.is_some(),
            teams: team_options(&teams),
            candidates,
            conflict,
            form,
        };
        Ok(Page::new("reviews/form.html", &page))
    }
}

impl FormPage for ReviewEdit<'_> {
    type Input = ReviewForm;

    async fn invalid(self, form: ReviewForm, errors: ValidationErrors) -> AppResult<Page> {
        self.page(form, &rename_defect_field(errors), None).await
    }

    async fn stale(mut self, mut form: ReviewForm) -> AppResult<Page> {
        let id = self
            .editing
            .as_ref()
            .map(|r| r.id)
            .ok_or(AppError::NotFound)?;
        let current = visible_review(&self.ctx.state, &self.ctx.user, id, None).await?;
        let words = Words::with_catalog(self.ctx.db()).await?;
        let conflict = words.conflicts(conflicting(FIELDS, &form_of(&current), &form));
        // Resubmitting now is a deliberate overwrite of what is shown as saved.
        form.version = current.version.to_string();
        self.editing = Some(current);
        self.page(form, &ValidationErrors::new(), Some(conflict))
            .await
    }
}

/// Pre-selections a link can pass: `?team=…&defect=…` (from the unreviewed queue).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewReviewQuery {
    team: String,
    defect: String,
}

/// The escape a new review starts from (`?defect=`), when the user may open a review of it.
async fn starting_defect(
    ctx: &Ctx,
    writable: &[Uuid],
    query: &NewReviewQuery,
) -> AppResult<Option<Defect>> {
    let Ok(id) = Uuid::parse_str(query.defect.trim()) else {
        return Ok(None);
    };
    match get_defect(ctx.db(), id).await {
        Ok(d) if writable.contains(&d.data.team_id) => Ok(Some(d)),
        Ok(_) | Err(StorageError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// The new review form: started from an escape, its title, incident date (the escape's
/// detection date), incident link and team come from the escape; otherwise the only team
/// the user may open reviews in, else the team the link names, and today's date.
fn starting_form(writable: &[Uuid], query: &NewReviewQuery, defect: Option<Defect>) -> ReviewForm {
    let team = match (writable, &defect) {
        ([only], _) => Some(*only),
        (_, Some(d)) => Some(d.data.team_id),
        _ => writable
            .iter()
            .copied()
            .find(|t| t.to_string() == query.team.trim()),
    };
    let mut form = ReviewForm {
        team_id: team.map(|t| t.to_string()).unwrap_or_default(),
        incident_date: Utc::now().date_naive().to_string(),
        ..ReviewForm::default()
    };
    if let Some(d) = defect {
        form.title = d.data.title;
        form.incident_date = d.data.detected_at.date_naive().to_string();
        form.incident_link = d.data.incident_link.unwrap_or_default();
        form.defects = vec![d.id.to_string()];
    }
    form
}

pub(super) async fn new_review_form(
    ctx: Ctx,
    QueryParams(query): QueryParams<NewReviewQuery>,
) -> AppResult<Response> {
    let teams = list_teams(ctx.db()).await?;
    let writable: Vec<Uuid> = teams
        .iter()
        .map(|t| t.id)
        .filter(|&t| ctx.user.access(t).can(Permission::WriteReviews))
        .collect();
    if writable.is_empty() {
        return Err(ctx
            .user
            .cannot_write_anywhere("open reviews", !teams.is_empty()));
    }
    let defect = starting_defect(&ctx, &writable, &query).await?;
    let form = starting_form(&writable, &query, defect);
    let edit = ReviewEdit {
        ctx: &ctx,
        editing: None,
    };
    Ok(edit
        .page(form, &ValidationErrors::new(), None)
        .await?
        .into_response())
}

/// The escapes the form picked, or a message on `defects` when one is not an id.
fn picked_defects(form: &ReviewForm) -> Result<Vec<Uuid>, ValidationErrors> {
    let picked = form.defects.iter().filter(|d| !d.trim().is_empty());
    picked
        .map(|raw| Uuid::parse_str(raw.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            let mut errors = ValidationErrors::new();
            errors.push("defects", "Select escapes from the list");
            errors
        })
}

pub(super) async fn create_review(
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> AppResult<Response> {
    // Answer 404 (or 403) for a team out of reach before judging the rest of the form.
    ctx.user
        .require_named(&form.team_id, Permission::WriteReviews)?;
    let outcome: Result<Review, Refusal> = async {
        let (details, picked) = match (
            form.draft().validate(Utc::now().date_naive()),
            picked_defects(&form),
        ) {
            (Ok(details), Ok(picked)) => (details, picked),
            (Err(mut errors), Err(more)) => {
                errors.extend(more);
                return Err(errors.into());
            }
            (Err(errors), _) | (_, Err(errors)) => return Err(errors.into()),
        };
        Ok(insert_review(ctx.db(), &details, &picked, &ctx.user.actor(), Utc::now()).await?)
    }
    .await;
    let edit = ReviewEdit {
        ctx: &ctx,
        editing: None,
    };
    respond(edit, form, outcome, |r| {
        see_other_done(&format!("/reviews/{}", r.id), Done::ReviewStarted)
    })
    .await
}

/// Storage names the escape field `defect_id`; the form's checkbox group is `defects`.
fn rename_defect_field(errors: ValidationErrors) -> ValidationErrors {
    let mut out = ValidationErrors::new();
    for e in errors.iter() {
        let field = if e.field == "defect_id" {
            "defects"
        } else {
            e.field
        };
        out.push(field, e.message.clone());
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

pub(super) async fn edit_review_form(ctx: Ctx, IdPath(id): IdPath) -> AppResult<Response> {
    let review = visible_review(&ctx.state, &ctx.user, id, Some(Permission::WriteReviews)).await?;
    let form = form_of(&review);
    let edit = ReviewEdit {
        ctx: &ctx,
        editing: Some(review),
    };
    Ok(edit
        .page(form, &ValidationErrors::new(), None)
        .await?
        .into_response())
}

pub(super) async fn update_review(
    ctx: Ctx,
    IdPath(id): IdPath,
    CsrfForm(mut form): CsrfForm<ReviewForm>,
) -> AppResult<Response> {
    let review = visible_review(&ctx.state, &ctx.user, id, Some(Permission::WriteReviews)).await?;
    // The team of a review never changes; the form does not offer it.
    form.team_id = review.team_id.to_string();
    let outcome: Result<_, Refusal> = async {
        let details = form.draft().validate(Utc::now().date_naive())?;
        let (version, who) = (form_version(&form.version), ctx.user.actor());
        Ok(save_review(ctx.db(), id, version, &details, &who, Utc::now()).await?)
    }
    .await;
    let edit = ReviewEdit {
        ctx: &ctx,
        editing: Some(review),
    };
    respond(edit, form, outcome, |_| {
        see_other_done(&format!("/reviews/{id}"), Done::ReviewSaved)
    })
    .await
}
