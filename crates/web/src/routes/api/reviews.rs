//! `/api/v1/reviews`: the list with the review list's filters and cursor pagination, one
//! review with its escapes, their checklist answers, classifications and actions, and
//! starting a review, as the new-review form does.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::auth::Permission;
use escapement_core::review::{Answer, Question, ReviewDraft, participants_text};
use escapement_core::{
    ActionStatus, Effort, Mechanism, ReviewState, ValidationErrors, form::parse_date,
};
use escapement_storage::StorageError;
use escapement_storage::reviews::{
    Action, NamedEscape, Review, ReviewFilter, ReviewKey, ReviewRow, change_state, create_review,
    get_review, review_document, reviews_after, update_review,
};
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::cursor::{self, Page};
use super::defects::DefectOut;
use super::problem::{
    ApiError, ApiId, ApiJson, ApiQuery, ApiResult, ChangeProblems, CreateProblems, ListProblems,
    ReadProblems,
};
use super::schema::{keys, keys_or_null};
use crate::auth::CurrentUser;
use crate::state::AppState;

/// A review in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewSummary {
    pub id: Uuid,
    pub team_id: Uuid,
    pub team_name: String,
    pub title: String,
    pub incident_date: NaiveDate,
    #[schema(schema_with = keys::<ReviewState>)]
    pub state: String,
    /// How many escapes the review covers.
    pub escapes: u64,
    pub updated_at: DateTime<Utc>,
    pub html_url: String,
}

impl From<ReviewRow> for ReviewSummary {
    fn from(r: ReviewRow) -> Self {
        ReviewSummary {
            html_url: format!("/reviews/{}", r.id),
            id: r.id,
            team_id: r.team_id,
            team_name: r.team_name,
            title: r.title,
            incident_date: r.incident_date,
            state: r.state.key().to_owned(),
            escapes: r.escapes,
            updated_at: r.updated_at,
        }
    }
}

/// Someone who took part in the review, by the role they had in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantOut {
    pub name: String,
    pub role: String,
}

/// One checklist question and the team's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistAnswer {
    #[schema(schema_with = keys::<Question>)]
    pub question: String,
    /// The question in words.
    pub text: String,
    /// `null` while unanswered.
    #[schema(schema_with = keys_or_null::<Answer>)]
    pub answer: Option<String>,
    pub note: String,
}

/// Why the escape got past the stage that should have caught it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassificationOut {
    /// The primary escape mechanism, once chosen.
    #[schema(schema_with = keys_or_null::<Mechanism>)]
    pub primary: Option<String>,
    /// Contributing mechanisms, never the primary one.
    pub contributing: Vec<String>,
}

/// An improvement action as its review lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionSummary {
    pub id: Uuid,
    pub title: String,
    #[schema(schema_with = keys::<Mechanism>)]
    pub mechanism: String,
    pub owner_team_id: Uuid,
    pub component_id: Option<Uuid>,
    /// The stage key the action strengthens.
    pub target_layer: String,
    #[schema(schema_with = keys::<Effort>)]
    pub effort: String,
    pub due_date: Option<NaiveDate>,
    #[schema(schema_with = keys::<ActionStatus>)]
    pub status: String,
    pub external_key: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    pub version: i32,
    /// The action in the API, with its score.
    pub url: String,
}

impl From<Action> for ActionSummary {
    fn from(a: Action) -> Self {
        ActionSummary {
            url: format!("/api/v1/actions/{}", a.id),
            id: a.id,
            title: a.title,
            mechanism: a.mechanism.key().to_owned(),
            owner_team_id: a.owner_team_id,
            component_id: a.component_id,
            target_layer: a.target_layer.to_string(),
            effort: a.effort.key().to_owned(),
            due_date: a.due_date,
            status: a.status.key().to_owned(),
            external_key: a.external_key,
            done_at: a.done_at,
            version: a.version,
        }
    }
}

/// One escaped defect of a review, with what the review found about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscapeOut {
    pub id: Uuid,
    /// 1 for the first escape added.
    pub position: i32,
    pub defect: DefectOut,
    pub component_name: Option<String>,
    pub release_name: Option<String>,
    pub facts_confirmed: bool,
    /// Every question, answered or not, in the checklist's order.
    pub checklist: Vec<ChecklistAnswer>,
    pub evidence: String,
    pub evidence_gap: String,
    pub classification: ClassificationOut,
    /// Why no action follows, when none does.
    pub no_action_reason: Option<String>,
    pub actions: Vec<ActionSummary>,
    /// The escape's own optimistic-lock version.
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// A review with its escapes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewOut {
    pub id: Uuid,
    pub team_id: Uuid,
    pub team_name: String,
    pub title: String,
    pub incident_date: NaiveDate,
    pub incident_link: Option<String>,
    pub summary: String,
    pub participants: Vec<ParticipantOut>,
    #[schema(schema_with = keys::<ReviewState>)]
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub escapes: Vec<EscapeOut>,
    pub html_url: String,
}

fn review_out(
    review: Review,
    escapes: Vec<NamedEscape>,
    stages: &escapement_storage::settings::StageSettings,
) -> ReviewOut {
    let escapes = escapes
        .into_iter()
        .map(|n| {
            let e = n.escape;
            let checklist = Question::ALL
                .iter()
                .map(|&q| ChecklistAnswer {
                    question: q.key().to_owned(),
                    text: q.label().to_owned(),
                    answer: e.checklist.answer(q).map(|a| a.key().to_owned()),
                    note: e.checklist.note(q).to_owned(),
                })
                .collect();
            EscapeOut {
                id: e.id,
                position: e.position,
                defect: DefectOut::of(e.defect, stages),
                component_name: n.component_name,
                release_name: n.release_name,
                facts_confirmed: e.facts_confirmed,
                checklist,
                evidence: e.evidence,
                evidence_gap: e.evidence_gap,
                classification: ClassificationOut {
                    primary: e.classification.primary().map(|m| m.key().to_owned()),
                    contributing: e
                        .classification
                        .contributing()
                        .iter()
                        .map(|m| m.key().to_owned())
                        .collect(),
                },
                no_action_reason: e.no_action_reason,
                actions: e.actions.into_iter().map(ActionSummary::from).collect(),
                version: e.version,
                updated_at: e.updated_at,
            }
        })
        .collect();
    ReviewOut {
        html_url: format!("/reviews/{}", review.id),
        id: review.id,
        team_id: review.team_id,
        team_name: review.team_name,
        title: review.title,
        incident_date: review.incident_date,
        incident_link: review.incident_link,
        summary: review.summary,
        participants: review
            .participants
            .into_iter()
            .map(|p| ParticipantOut {
                name: p.name,
                role: p.role,
            })
            .collect(),
        state: review.state.key().to_owned(),
        created_at: review.created_at,
        updated_at: review.updated_at,
        closed_at: review.closed_at,
        version: review.version,
        escapes,
    }
}

/// The review list's filters, a cursor and a page size.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ReviewListParams {
    /// A team's id.
    team: String,
    /// A state key: `draft`, `in_review`, `classified`, `closed`.
    state: String,
    /// Incident on or after this day (`YYYY-MM-DD`).
    from: String,
    /// Incident on or before this day (`YYYY-MM-DD`).
    to: String,
    /// The `next_cursor` of the previous page.
    cursor: String,
    /// Rows per page, 1 to 200 (50 when not given).
    limit: String,
}

fn uuid_param(raw: &str, field: &str) -> ApiResult<Option<Uuid>> {
    match raw.trim() {
        "" => Ok(None),
        text => Uuid::parse_str(text)
            .map(Some)
            .map_err(|_| ApiError::bad_field(field, "must be an id (a UUID)")),
    }
}

fn day_param(raw: &str, field: &str) -> ApiResult<Option<NaiveDate>> {
    match raw.trim() {
        "" => Ok(None),
        text => parse_date(text)
            .map(Some)
            .ok_or_else(|| ApiError::bad_field(field, "must be a day written YYYY-MM-DD")),
    }
}

/// The reviews of the caller's teams, newest incident first.
#[utoipa::path(
    get,
    path = "/api/v1/reviews",
    tag = "reviews",
    params(ReviewListParams),
    responses(
        (status = 200, description = "A page of reviews", body = Page<ReviewSummary>),
        ListProblems,
    )
)]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(params): ApiQuery<ReviewListParams>,
) -> ApiResult<Json<Page<ReviewSummary>>> {
    let limit = cursor::limit(&params.limit)?;
    let after = cursor::review_key(&params.cursor)?;
    let review_state = match params.state.trim() {
        "" => None,
        key => Some(ReviewState::from_key(key).ok_or_else(|| {
            ApiError::bad_field(
                "state",
                "must be one of draft, in_review, classified, closed",
            )
        })?),
    };
    let filter = ReviewFilter {
        visible_teams: user.visible_teams(),
        team_id: uuid_param(&params.team, "team")?,
        state: review_state,
        from: day_param(&params.from, "from")?,
        to: day_param(&params.to, "to")?,
    };
    let rows = reviews_after(&state.db, &filter, after, limit + 1).await?;
    let pairs = [
        ("team", params.team.clone()),
        ("state", params.state.clone()),
        ("from", params.from.clone()),
        ("to", params.to.clone()),
        ("limit", params.limit.clone()),
    ];
    Ok(Json(Page::of(
        rows,
        limit,
        |r: &ReviewRow| {
            cursor::review_cursor(ReviewKey {
                incident_date: r.incident_date,
                id: r.id,
            })
        },
        ReviewSummary::from,
        "/api/v1/reviews",
        &pairs,
    )))
}

/// One review with its escapes, checklist answers, classifications and actions.
#[utoipa::path(
    get,
    path = "/api/v1/reviews/{review_id}",
    tag = "reviews",
    params(("review_id" = Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "The review", body = ReviewOut),
        ReadProblems,
    )
)]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiId(id): ApiId,
) -> ApiResult<Json<ReviewOut>> {
    let record = review_document(&state.db, id).await?;
    user.require(record.review.team_id, Permission::Read)?;
    let stages = stage_settings(&state.db).await?;
    Ok(Json(review_out(record.review, record.escapes, &stages)))
}

/// A new review: its details and the escapes it covers.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewInput {
    /// A team the caller may write reviews for.
    pub team_id: Option<Uuid>,
    /// 1 to 200 characters.
    pub title: String,
    /// `YYYY-MM-DD`, not in the future.
    pub incident_date: String,
    /// An `http://` or `https://` link, or empty.
    pub incident_link: String,
    pub summary: String,
    /// One person a line: `Name (role)` or `Name`.
    pub participants: Vec<String>,
    /// The escaped defects the review covers (at least one, of the team).
    pub defect_ids: Vec<Uuid>,
}

/// Starts a review in draft.
#[utoipa::path(
    post,
    path = "/api/v1/reviews",
    tag = "reviews",
    request_body = ReviewInput,
    responses(
        (status = 201, description = "The review as started", body = ReviewOut),
        CreateProblems,
    )
)]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    body: ApiJson,
) -> ApiResult<(StatusCode, Json<ReviewOut>)> {
    // Answer 404 (or 403) for a team out of reach before judging the rest of the body.
    if let Some(team) = body.id("team_id") {
        user.require(team, Permission::WriteReviews)?;
    }
    let input: ReviewInput = body.parse()?;
    let draft = ReviewDraft {
        title: input.title,
        team_id: input.team_id.map(|t| t.to_string()).unwrap_or_default(),
        incident_date: input.incident_date,
        incident_link: input.incident_link,
        summary: input.summary,
        participants: input.participants.join("\n"),
    };
    let mut errors = ValidationErrors::new();
    if input.defect_ids.is_empty() {
        errors.push("defect_ids", "Name at least one escaped defect");
    }
    let details = match draft.validate(Utc::now().date_naive()) {
        Ok(details) if errors.is_empty() => details,
        Ok(_) => return Err(errors.into()),
        Err(mut more) => {
            more.extend(errors);
            return Err(more.into());
        }
    };
    let review = create_review(
        &state.db,
        &details,
        &input.defect_ids,
        &user.actor(),
        Utc::now(),
    )
    .await
    .map_err(|e| match e {
        escapement_storage::StorageError::Invalid(errors) => {
            let mut out = ValidationErrors::new();
            for e in errors.iter() {
                let field = if e.field == "defect_id" {
                    "defect_ids"
                } else {
                    e.field
                };
                out.push(field, e.message.clone());
            }
            ApiError::from(out)
        }
        other => ApiError::from(other),
    })?;
    let record = review_document(&state.db, review.id).await?;
    let stages = stage_settings(&state.db).await?;
    Ok((
        StatusCode::CREATED,
        Json(review_out(record.review, record.escapes, &stages)),
    ))
}

/// A change of a review's details; what is left out stays as it is. The team never changes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewChangeInput {
    pub title: Option<String>,
    /// `YYYY-MM-DD`, not in the future.
    pub incident_date: Option<String>,
    /// An `http://` or `https://` link; an empty string clears it.
    pub incident_link: Option<String>,
    pub summary: Option<String>,
    /// One person a line: `Name (role)` or `Name`; replaces the list.
    pub participants: Option<Vec<String>>,
    /// Required: the version the change is based on.
    pub version: Option<i32>,
}

fn required_version(version: Option<i32>) -> ApiResult<i32> {
    version.ok_or_else(|| {
        let mut e = ValidationErrors::new();
        e.push(
            "version",
            "Send the version the change is based on (the review's `version`)",
        );
        e.into()
    })
}

/// The review `id` with everything the API shows of it, for the caller.
async fn read_review(state: &AppState, id: Uuid) -> ApiResult<ReviewOut> {
    let record = review_document(&state.db, id).await?;
    let stages = stage_settings(&state.db).await?;
    Ok(review_out(record.review, record.escapes, &stages))
}

/// Changes a review's details (title, incident date and link, summary, participants), as
/// the review's edit form does, while the review is open for editing.
#[utoipa::path(
    patch,
    path = "/api/v1/reviews/{review_id}",
    tag = "reviews",
    params(("review_id" = Uuid, Path, description = "The review's id")),
    request_body = ReviewChangeInput,
    responses(
        (status = 200, description = "The review as saved", body = ReviewOut),
        ChangeProblems,
    )
)]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiId(id): ApiId,
    body: ApiJson,
) -> ApiResult<Json<ReviewOut>> {
    let review = get_review(&state.db, id).await?;
    user.require(review.team_id, Permission::WriteReviews)?;
    let input: ReviewChangeInput = body.parse()?;
    let version = required_version(input.version)?;
    let draft = ReviewDraft {
        title: input.title.unwrap_or(review.title),
        team_id: review.team_id.to_string(),
        incident_date: input
            .incident_date
            .unwrap_or_else(|| review.incident_date.to_string()),
        incident_link: input
            .incident_link
            .unwrap_or_else(|| review.incident_link.unwrap_or_default()),
        summary: input.summary.unwrap_or(review.summary),
        participants: input.participants.map_or_else(
            || participants_text(&review.participants),
            |lines| lines.join("\n"),
        ),
    };
    let details = draft.validate(Utc::now().date_naive())?;
    update_review(&state.db, id, version, &details, &user.actor(), Utc::now()).await?;
    Ok(Json(read_review(&state, id).await?))
}

/// A move of a review to another state.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StateChangeInput {
    /// The state to move to: draft → in review → classified → closed, and back as the
    /// review page allows.
    #[schema(schema_with = keys::<ReviewState>)]
    pub to: String,
    /// Required: the review's version the move is based on.
    pub version: Option<i32>,
}

/// Moves a review to another state, when the workflow allows it: classifying needs every
/// escape classified with an action or a reason for none, as on the review page. A refusal
/// lists every reason.
#[utoipa::path(
    post,
    path = "/api/v1/reviews/{review_id}/state",
    tag = "reviews",
    params(("review_id" = Uuid, Path, description = "The review's id")),
    request_body = StateChangeInput,
    responses(
        (status = 200, description = "The review in its new state", body = ReviewOut),
        ChangeProblems,
    )
)]
pub async fn move_state(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiId(id): ApiId,
    body: ApiJson,
) -> ApiResult<Json<ReviewOut>> {
    let review = get_review(&state.db, id).await?;
    user.require(review.team_id, Permission::WriteReviews)?;
    let input: StateChangeInput = body.parse()?;
    let mut errors = ValidationErrors::new();
    let to = ReviewState::from_key(input.to.trim());
    if to.is_none() {
        errors.push("to", "Name a state: draft, in_review, classified or closed");
    }
    if input.version.is_none() {
        errors.push(
            "version",
            "Send the version the move is based on (the review's `version`)",
        );
    }
    let (Some(to), Some(version)) = (to, input.version) else {
        return Err(errors.into());
    };
    match change_state(&state.db, id, version, to, &user.actor(), Utc::now()).await {
        Ok(_) => Ok(Json(read_review(&state, id).await?)),
        Err(StorageError::Blocked(blocked)) => Err(ApiError::Blocked(blocked.reasons)),
        Err(other) => Err(other.into()),
    }
}
