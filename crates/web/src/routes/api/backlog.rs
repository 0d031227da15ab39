//! `/api/v1/backlog` and `/api/v1/actions/{id}`: the prioritised backlog (actions and
//! suggested items, by score, with the backlog page's filters), one action with its score
//! and the escapes it addresses, and the backlog's change of an action (status, due date,
//! owner team, tracker key) under its version.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::auth::Permission;
use escapement_core::backlog::{ActionChangeDraft, DueState, Priority, Score};
use escapement_core::{ActionStatus, Effort, Mechanism, Paging, Severity, ValidationErrors};
use escapement_storage::backlog::{
    AddressedEscape, BacklogAction, BacklogItem, SuggestedItem, backlog_page, change_action,
};
use escapement_storage::metrics::current_definition;
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::cursor::{self, Page};
use super::defects::refuse_notices;
use super::problem::{
    ApiError, ApiId, ApiJson, ApiQuery, ApiResult, ChangeProblems, ListProblems, ReadProblems,
};
use super::schema::keys;
use crate::auth::CurrentUser;
use crate::routes::backlog::{BacklogQuery, to_filter, today, visible_action, weights};
use crate::state::AppState;

/// How an item's priority score was reached: severity-weighted escapes × recency ×
/// recurrence ÷ effort.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreOut {
    pub value: f64,
    /// The band the score falls in: `highest`, `high`, `medium`, `low`, `lowest`.
    pub priority: String,
    /// The breakdown in words, with the numbers.
    pub breakdown: String,
    pub escapes: u32,
    /// The sum of the escapes' severity weights (the metric definition's weights).
    pub weighted: u64,
    pub recency: f64,
    /// In how many quarters the escapes were discovered.
    pub quarters: u32,
    pub recurrence: f64,
    #[schema(schema_with = keys::<Effort>)]
    pub effort: String,
}

fn priority_key(p: Priority) -> &'static str {
    match p {
        Priority::Highest => "highest",
        Priority::High => "high",
        Priority::Medium => "medium",
        Priority::Low => "low",
        Priority::Lowest => "lowest",
    }
}

impl From<&Score> for ScoreOut {
    fn from(s: &Score) -> Self {
        ScoreOut {
            value: s.value,
            priority: priority_key(s.priority()).to_owned(),
            breakdown: s.breakdown(),
            escapes: s.escapes,
            weighted: s.weighted,
            recency: s.recency,
            quarters: s.quarters,
            recurrence: s.recurrence,
            effort: s.effort.key().to_owned(),
        }
    }
}

/// An escape an item addresses.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressedEscapeOut {
    pub review_escape_id: Uuid,
    pub review_id: Uuid,
    pub review_title: String,
    pub defect_id: Uuid,
    pub defect_title: String,
    #[schema(schema_with = keys::<Severity>)]
    pub severity: String,
    pub discovery_stage: String,
    pub discovered_on: NaiveDate,
}

impl From<&AddressedEscape> for AddressedEscapeOut {
    fn from(e: &AddressedEscape) -> Self {
        AddressedEscapeOut {
            review_escape_id: e.review_escape_id,
            review_id: e.review_id,
            review_title: e.review_title.clone(),
            defect_id: e.defect_id,
            defect_title: e.defect_title.clone(),
            severity: e.severity.key().to_owned(),
            discovery_stage: e.discovery_stage.to_string(),
            discovered_on: e.discovered_on,
        }
    }
}

/// An improvement action with its score.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionOut {
    pub id: Uuid,
    pub review_id: Uuid,
    pub review_title: String,
    /// The owner team.
    pub team_id: Uuid,
    pub team_name: String,
    pub title: String,
    #[schema(schema_with = keys::<Mechanism>)]
    pub mechanism: String,
    pub component_id: Option<Uuid>,
    pub component_name: Option<String>,
    /// The stage key the action strengthens.
    pub target_layer: String,
    #[schema(schema_with = keys::<Effort>)]
    pub effort: String,
    pub due_date: Option<NaiveDate>,
    /// Open and past its due date.
    pub overdue: bool,
    #[schema(schema_with = keys::<ActionStatus>)]
    pub status: String,
    /// Why it will not be done (status `wont_do`).
    pub status_reason: Option<String>,
    /// The tracker's key once exported (`PAY-123`, `owner/repo#12`, a link).
    pub external_key: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The optimistic-lock version: send it back with a change.
    pub version: i32,
    pub score: ScoreOut,
    pub escapes: Vec<AddressedEscapeOut>,
    pub html_url: String,
}

impl From<&BacklogAction> for ActionOut {
    fn from(a: &BacklogAction) -> Self {
        ActionOut {
            html_url: format!("/backlog/actions/{}", a.id),
            id: a.id,
            review_id: a.review_id,
            review_title: a.review_title.clone(),
            team_id: a.team_id,
            team_name: a.team_name.clone(),
            title: a.title.clone(),
            mechanism: a.mechanism.key().to_owned(),
            component_id: a.component_id,
            component_name: a.component_name.clone(),
            target_layer: a.target_layer.to_string(),
            effort: a.effort.key().to_owned(),
            due_date: a.due_date,
            overdue: matches!(a.due, DueState::Overdue(_)),
            status: a.status.key().to_owned(),
            status_reason: a.status_reason.clone(),
            external_key: a.external_key.clone(),
            done_at: a.done_at,
            created_at: a.created_at,
            version: a.version,
            score: ScoreOut::from(&a.score),
            escapes: a.escapes.iter().map(AddressedEscapeOut::from).collect(),
        }
    }
}

/// A suggested item: two or more recent escapes of one team, mechanism and component that
/// no open action addresses.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionOut {
    pub team_id: Uuid,
    pub team_name: String,
    #[schema(schema_with = keys::<Mechanism>)]
    pub mechanism: String,
    pub component_id: Option<Uuid>,
    pub component_name: Option<String>,
    /// What the suggestion proposes, in words.
    pub text: String,
    pub score: ScoreOut,
    pub escapes: Vec<AddressedEscapeOut>,
}

impl From<&SuggestedItem> for SuggestionOut {
    fn from(s: &SuggestedItem) -> Self {
        SuggestionOut {
            team_id: s.key.team_id,
            team_name: s.team_name.clone(),
            mechanism: s.key.mechanism.key().to_owned(),
            component_id: s.key.component_id,
            component_name: s.component_name.clone(),
            text: s.text.to_owned(),
            score: ScoreOut::from(&s.score),
            escapes: s.escapes.iter().map(AddressedEscapeOut::from).collect(),
        }
    }
}

/// A backlog row: an action, or a suggested item.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BacklogItemOut {
    Action(Box<ActionOut>),
    Suggestion(Box<SuggestionOut>),
}

/// The backlog page's filters, a cursor and a page size.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct BacklogParams {
    /// A team's id.
    team: String,
    /// A mechanism key.
    mechanism: String,
    /// A component's id.
    component: String,
    /// `open` (the default: open actions and suggestions), `all`, `suggested`, `overdue`,
    /// or an action status key.
    status: String,
    /// A target layer (stage key).
    layer: String,
    /// The `next_cursor` of the previous page.
    cursor: String,
    /// Rows per page, 1 to 200 (50 when not given).
    limit: String,
}

/// The backlog of the caller's teams, highest priority score first. The definition version
/// whose severity weights scored it is in the `X-Definition-Version` header.
#[utoipa::path(
    get,
    path = "/api/v1/backlog",
    tag = "backlog",
    params(BacklogParams),
    responses(
        (status = 200, description = "A page of the backlog", body = Page<BacklogItemOut>,
            headers(("X-Definition-Version" = i32, description = "The metric definition version whose weights scored the items"))),
        ListProblems,
    )
)]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(params): ApiQuery<BacklogParams>,
) -> ApiResult<([(&'static str, String); 1], Json<Page<BacklogItemOut>>)> {
    let limit = cursor::limit(&params.limit)?;
    let offset = cursor::rank_offset(&params.cursor)?;
    if offset % limit != 0 {
        return Err(ApiError::bad_field(
            "cursor",
            "was given out for another limit; send the limit of the previous page",
        ));
    }
    let stages = stage_settings(&state.db).await?;
    let definition = current_definition(&state.db).await?;
    let query = BacklogQuery {
        team: params.team.clone(),
        mechanism: params.mechanism.clone(),
        component: params.component.clone(),
        status: params.status.clone(),
        layer: params.layer.clone(),
        page: String::new(),
        dismissed: String::new(),
    };
    let mut notices = Vec::new();
    let (mut filter, team) = to_filter(&query, &stages.pipeline, &mut notices);
    refuse_notices(notices)?;
    filter.teams = match (team, user.visible_teams()) {
        (Some(t), _) if user.sees(t) => Some(vec![t]),
        (Some(_), _) => Some(Vec::new()),
        (None, visible) => visible,
    };
    let paging = Paging::new(offset / limit + 1, limit);
    let page = backlog_page(
        &state.db,
        &filter,
        &definition.definition.weights,
        today(),
        paging,
    )
    .await?;
    let total = page.actions
        + if filter.status.shows_suggestions() {
            page.suggestions
        } else {
            0
        };
    let end = offset + page.items.len() as u64;
    let next_cursor = (end < total && !page.items.is_empty()).then(|| cursor::rank_cursor(end));
    let pairs = [
        ("team", params.team.clone()),
        ("mechanism", params.mechanism.clone()),
        ("component", params.component.clone()),
        ("status", params.status.clone()),
        ("layer", params.layer.clone()),
        ("limit", params.limit.clone()),
    ];
    let next = next_cursor
        .as_ref()
        .map(|c| cursor::next_href("/api/v1/backlog", &pairs, c));
    let items = page
        .items
        .iter()
        .map(|item| match item {
            BacklogItem::Action(a) => BacklogItemOut::Action(Box::new(ActionOut::from(&**a))),
            BacklogItem::Suggestion(s) => {
                BacklogItemOut::Suggestion(Box::new(SuggestionOut::from(&**s)))
            }
        })
        .collect();
    Ok((
        [("x-definition-version", definition.version.to_string())],
        Json(Page {
            items,
            next_cursor,
            next,
        }),
    ))
}

/// One action, with its score and the escapes it addresses.
#[utoipa::path(
    get,
    path = "/api/v1/actions/{action_id}",
    tag = "backlog",
    params(("action_id" = Uuid, Path, description = "The action's id")),
    responses(
        (status = 200, description = "The action", body = ActionOut),
        ReadProblems,
    )
)]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiId(id): ApiId,
) -> ApiResult<Json<ActionOut>> {
    let action = visible_action(&state, &user, id, None).await?;
    Ok(Json(ActionOut::from(&action)))
}

/// A change of an action as the backlog makes it; what is left out stays as it is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ActionChangeInput {
    /// The next status; only the moves the backlog allows (proposed → accepted → in progress
    /// → done; won't do, with a reason, from an open status; done reopens).
    #[schema(schema_with = keys::<ActionStatus>)]
    pub status: Option<String>,
    /// `YYYY-MM-DD`; an empty string clears it.
    pub due_date: Option<String>,
    /// A team the caller may change actions of.
    pub owner_team_id: Option<Uuid>,
    /// The tracker's key; an empty string clears it.
    pub external_key: Option<String>,
    /// Why it will not be done: required with `wont_do`.
    pub reason: Option<String>,
    /// Required: the version the change is based on.
    pub version: Option<i32>,
}

/// Changes an action's status, due date, owner team or tracker key.
#[utoipa::path(
    patch,
    path = "/api/v1/actions/{action_id}",
    tag = "backlog",
    params(("action_id" = Uuid, Path, description = "The action's id")),
    request_body = ActionChangeInput,
    responses(
        (status = 200, description = "The action as saved", body = ActionOut),
        ChangeProblems,
    )
)]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiId(id): ApiId,
    body: ApiJson,
) -> ApiResult<Json<ActionOut>> {
    let action = visible_action(&state, &user, id, Some(Permission::WriteActions)).await?;
    let input: ActionChangeInput = body.parse()?;
    let Some(version) = input.version else {
        let mut e = ValidationErrors::new();
        e.push(
            "version",
            "Send the version the change is based on (the action's `version`)",
        );
        return Err(e.into());
    };
    let draft = ActionChangeDraft {
        status: input
            .status
            .unwrap_or_else(|| action.status.key().to_owned()),
        due_date: input
            .due_date
            .unwrap_or_else(|| action.due_date.map(|d| d.to_string()).unwrap_or_default()),
        owner_team_id: input.owner_team_id.unwrap_or(action.team_id).to_string(),
        external_key: input
            .external_key
            .unwrap_or_else(|| action.external_key.clone().unwrap_or_default()),
        reason: input
            .reason
            .unwrap_or_else(|| action.status_reason.clone().unwrap_or_default()),
    };
    let change = draft.validate(action.status)?;
    if user
        .require(change.owner_team_id, Permission::WriteActions)
        .is_err()
    {
        let mut e = ValidationErrors::new();
        e.push("owner_team_id", "Name a team you can change actions of");
        return Err(e.into());
    }
    change_action(&state.db, (id, version), &change, &user.actor(), Utc::now()).await?;
    let (w, _) = weights(&state).await?;
    let saved = escapement_storage::backlog::action_detail(&state.db, id, &w, today()).await?;
    Ok(Json(ActionOut::from(&saved)))
}
