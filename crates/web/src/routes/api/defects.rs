//! `/api/v1/defects`: the list with the defect list's filters and cursor pagination, one
//! defect, create, and a partial update under the same version check as the edit form.

use axum::Json;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use escapement_core::auth::Permission;
use escapement_core::{
    Defect, DefectDraft, DefectType, DetectedBy, Origin, Severity, ValidationErrors,
};
use escapement_storage::defects::{
    DefectKey, create_defect as insert_defect, defects_after, get_defect, update_defect,
};
use escapement_storage::settings::{StageSettings, stage_settings};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::cursor::{self, Page};
use super::problem::{
    ApiError, ApiId, ApiJson, ApiQuery, ApiResult, ChangeProblems, CreateProblems, ListProblems,
    ReadProblems,
};
use super::schema::keys;
use crate::auth::CurrentUser;
use crate::routes::defects::{ListQuery, query_filter};
use crate::state::AppState;
use axum::extract::State;

/// A defect as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DefectOut {
    pub id: Uuid,
    pub team_id: Uuid,
    pub title: String,
    pub description: String,
    #[schema(schema_with = keys::<Severity>)]
    pub severity: String,
    #[schema(schema_with = keys::<DefectType>)]
    pub defect_type: String,
    #[schema(schema_with = keys::<Origin>)]
    pub origin: String,
    /// A stage key of the instance's pipeline.
    pub discovery_stage: String,
    /// Where it should have been caught (a stage key), when the team named one.
    pub expected_catch_stage: Option<String>,
    #[schema(schema_with = keys::<DetectedBy>)]
    pub detected_by: String,
    pub component_id: Option<Uuid>,
    pub release_id: Option<Uuid>,
    pub introduced_at: Option<DateTime<Utc>>,
    pub detected_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub reopened_count: u32,
    /// Confirmed as a defect (not an unconfirmed support ticket).
    pub confirmed: bool,
    pub known_issue_accepted: bool,
    pub cosmetic: bool,
    pub test_environment: bool,
    pub data_migration: bool,
    /// The tracker's key (`PAY-123`, `#41`), unique per team.
    pub external_key: Option<String>,
    pub incident_link: Option<String>,
    /// Found after the release boundary in force: an escape.
    pub escaped: bool,
    /// The optimistic-lock version: send it back with a change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The defect's page in the application.
    pub html_url: String,
}

impl DefectOut {
    pub fn of(d: Defect, stages: &StageSettings) -> DefectOut {
        let n = d.data;
        let escaped = stages
            .pipeline
            .is_escape(&stages.boundary, n.discovery_stage.as_str())
            .unwrap_or(false);
        DefectOut {
            html_url: format!("/defects/{}", d.id),
            id: d.id,
            team_id: n.team_id,
            title: n.title,
            description: n.description,
            severity: n.severity.key().to_owned(),
            defect_type: n.defect_type.key().to_owned(),
            origin: n.origin.key().to_owned(),
            discovery_stage: n.discovery_stage.to_string(),
            expected_catch_stage: n.expected_catch_stage.map(|s| s.to_string()),
            detected_by: n.detected_by.key().to_owned(),
            component_id: n.component_id,
            release_id: n.release_id,
            introduced_at: n.introduced_at,
            detected_at: n.detected_at,
            resolved_at: n.resolved_at,
            reopened_count: n.reopened_count,
            confirmed: n.scope.confirmed,
            known_issue_accepted: n.scope.known_issue_accepted,
            cosmetic: n.scope.cosmetic,
            test_environment: n.scope.test_environment,
            data_migration: n.scope.data_migration,
            external_key: n.external_key,
            incident_link: n.incident_link,
            escaped,
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// The defect list's filters (as on the Defects page), a cursor and a page size.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DefectListParams {
    /// A team's id.
    team: String,
    /// A component's id, or `none` for defects without one.
    component: String,
    /// A release's id, or `none` for defects without one.
    release: String,
    /// A severity key: `critical`, `high`, `medium`, `low`.
    severity: String,
    /// A discovery stage key.
    stage: String,
    /// `yes` for escapes only, `no` for defects caught before release.
    escaped: String,
    /// Text the title contains (case ignored).
    q: String,
    /// First quarter (`2026-Q1`) or day (`2026-01-15`) of detection.
    from: String,
    /// Last quarter or day of detection.
    to: String,
    /// A defect type key.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    defect_type: String,
    /// Expected catch stage key, or `none` for "not named".
    expected: String,
    /// Primary mechanism key (escapes of classified or closed reviews).
    mechanism: String,
    /// Contributing mechanism key (escapes of classified or closed reviews).
    contributing: String,
    /// `in`: only what the current metric definition counts.
    scope: String,
    /// The `next_cursor` of the previous page.
    cursor: String,
    /// Rows per page, 1 to 200 (50 when not given).
    limit: String,
}

impl DefectListParams {
    fn list_query(&self) -> ListQuery {
        ListQuery {
            team: self.team.clone(),
            component: self.component.clone(),
            release: self.release.clone(),
            severity: self.severity.clone(),
            stage: self.stage.clone(),
            escaped: self.escaped.clone(),
            q: self.q.clone(),
            page: String::new(),
            from: self.from.clone(),
            to: self.to.clone(),
            defect_type: self.defect_type.clone(),
            expected: self.expected.clone(),
            mechanism: self.mechanism.clone(),
            contributing: self.contributing.clone(),
            scope: self.scope.clone(),
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("team", self.team.clone()),
            ("component", self.component.clone()),
            ("release", self.release.clone()),
            ("severity", self.severity.clone()),
            ("stage", self.stage.clone()),
            ("escaped", self.escaped.clone()),
            ("q", self.q.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            ("type", self.defect_type.clone()),
            ("expected", self.expected.clone()),
            ("mechanism", self.mechanism.clone()),
            ("contributing", self.contributing.clone()),
            ("scope", self.scope.clone()),
            ("limit", self.limit.clone()),
        ]
    }
}

/// Refuses a query whose filters the list would have ignored: an API client gets told.
pub fn refuse_notices(notices: Vec<String>) -> ApiResult<()> {
    if notices.is_empty() {
        return Ok(());
    }
    Err(ApiError::BadRequest {
        detail: notices
            .iter()
            .map(|n| n.replace(" and was ignored", ""))
            .collect::<Vec<_>>()
            .join(" "),
        errors: Vec::new(),
    })
}

/// The defects of the caller's teams, newest detection first.
#[utoipa::path(
    get,
    path = "/api/v1/defects",
    tag = "defects",
    params(DefectListParams),
    responses(
        (status = 200, description = "A page of defects", body = Page<DefectOut>),
        ListProblems,
    )
)]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(params): ApiQuery<DefectListParams>,
) -> ApiResult<Json<Page<DefectOut>>> {
    let limit = cursor::limit(&params.limit)?;
    let after = cursor::defect_key(&params.cursor)?;
    let mut notices = Vec::new();
    let mut filter = query_filter(&state.db, &params.list_query(), &mut notices).await?;
    refuse_notices(notices)?;
    filter.visible_teams = user.visible_teams();
    let stages = stage_settings(&state.db).await?;
    let rows = defects_after(&state.db, &filter, &stages, after, limit + 1).await?;
    Ok(Json(Page::of(
        rows,
        limit,
        |d: &Defect| {
            cursor::defect_cursor(DefectKey {
                detected_at: d.data.detected_at,
                id: d.id,
            })
        },
        |d| DefectOut::of(d, &stages),
        "/api/v1/defects",
        &params.pairs(),
    )))
}

/// One defect.
#[utoipa::path(
    get,
    path = "/api/v1/defects/{defect_id}",
    tag = "defects",
    params(("defect_id" = Uuid, Path, description = "The defect's id")),
    responses(
        (status = 200, description = "The defect", body = DefectOut),
        ReadProblems,
    )
)]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiId(id): ApiId,
) -> ApiResult<Json<DefectOut>> {
    let defect = get_defect(&state.db, id).await?;
    user.require(defect.data.team_id, Permission::Read)?;
    let stages = stage_settings(&state.db).await?;
    Ok(Json(DefectOut::of(defect, &stages)))
}

/// `Some(value)` for a field that is present, `null` included; with `#[serde(default)]` an
/// absent field stays `None`: "leave it as it is".
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A defect's fields for create and update. On create, what is left out takes the form's
/// default (origin `unknown`, confirmed, detected now); on update, what is left out stays as
/// it is and `null` clears a field that may be empty. The same rules as the defect form apply,
/// with the same messages.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DefectInput {
    /// 1 to 200 characters.
    pub title: Option<String>,
    /// Up to 20,000 characters.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[schema(schema_with = keys::<Severity>)]
    pub severity: Option<String>,
    #[schema(schema_with = keys::<DefectType>)]
    pub defect_type: Option<String>,
    #[schema(schema_with = keys::<Origin>)]
    pub origin: Option<String>,
    /// A stage key of the pipeline.
    pub discovery_stage: Option<String>,
    /// A stage at or before the discovery stage.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub expected_catch_stage: Option<Option<String>>,
    #[schema(schema_with = keys::<DetectedBy>)]
    pub detected_by: Option<String>,
    /// A team the caller may record defects for; may be left out when there is one.
    pub team_id: Option<Uuid>,
    /// A component of the team.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub component_id: Option<Option<Uuid>>,
    /// A release of the team.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub release_id: Option<Option<Uuid>>,
    /// RFC 3339, or `YYYY-MM-DD`; at or before `detected_at`.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub introduced_at: Option<Option<String>>,
    /// RFC 3339, or `YYYY-MM-DD`; not in the future.
    pub detected_at: Option<String>,
    /// RFC 3339, or `YYYY-MM-DD`; at or after `detected_at`.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub resolved_at: Option<Option<String>>,
    /// 0 to 1000.
    pub reopened_count: Option<u32>,
    pub confirmed: Option<bool>,
    pub known_issue_accepted: Option<bool>,
    pub cosmetic: Option<bool>,
    pub test_environment: Option<bool>,
    pub data_migration: Option<bool>,
    /// Up to 64 characters, no spaces; unique per team.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub external_key: Option<Option<String>>,
    /// An `http://` or `https://` link.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub incident_link: Option<Option<String>>,
    /// Update only, and required there: the version the change is based on.
    pub version: Option<i32>,
}

fn flag(on: bool) -> Option<String> {
    on.then(|| "on".to_owned())
}

fn set(target: &mut String, value: Option<String>) {
    if let Some(v) = value {
        *target = v;
    }
}

fn set_nullable<T: ToString>(target: &mut String, value: Option<Option<T>>) {
    if let Some(v) = value {
        *target = v.map(|v| v.to_string()).unwrap_or_default();
    }
}

fn set_flag(target: &mut Option<String>, value: Option<bool>) {
    if let Some(v) = value {
        *target = flag(v);
    }
}

impl DefectInput {
    /// `base` with every field this input gives.
    fn onto(self, mut base: DefectDraft) -> DefectDraft {
        set(&mut base.title, self.title);
        set_nullable(&mut base.description, self.description);
        set(&mut base.severity, self.severity);
        set(&mut base.defect_type, self.defect_type);
        set(&mut base.origin, self.origin);
        set(&mut base.discovery_stage, self.discovery_stage);
        set_nullable(&mut base.expected_catch_stage, self.expected_catch_stage);
        set(&mut base.detected_by, self.detected_by);
        set(&mut base.team_id, self.team_id.map(|t| t.to_string()));
        set_nullable(&mut base.component_id, self.component_id);
        set_nullable(&mut base.release_id, self.release_id);
        set_nullable(&mut base.introduced_at, self.introduced_at);
        set(&mut base.detected_at, self.detected_at);
        set_nullable(&mut base.resolved_at, self.resolved_at);
        set(
            &mut base.reopened_count,
            self.reopened_count.map(|n| n.to_string()),
        );
        set_flag(&mut base.confirmed, self.confirmed);
        set_flag(&mut base.known_issue_accepted, self.known_issue_accepted);
        set_flag(&mut base.cosmetic, self.cosmetic);
        set_flag(&mut base.test_environment, self.test_environment);
        set_flag(&mut base.data_migration, self.data_migration);
        set_nullable(&mut base.external_key, self.external_key);
        set_nullable(&mut base.incident_link, self.incident_link);
        base
    }
}

/// The form over `d` with its times to the second and beyond (the form's own show minutes),
/// so that an update which leaves them out keeps them exactly.
fn full_times(d: &escapement_core::NewDefect) -> DefectDraft {
    let time = |t: DateTime<Utc>| t.to_rfc3339();
    DefectDraft {
        introduced_at: d.introduced_at.map(time).unwrap_or_default(),
        detected_at: time(d.detected_at),
        resolved_at: d.resolved_at.map(time).unwrap_or_default(),
        ..DefectDraft::from_defect(d)
    }
}

/// The teams the caller may record defects for.
async fn writable_teams(state: &AppState, user: &CurrentUser) -> ApiResult<Vec<Uuid>> {
    let teams = escapement_storage::catalog::list_teams(&state.db).await?;
    Ok(teams
        .into_iter()
        .filter(|t| user.access(t.id).can(Permission::WriteDefects))
        .map(|t| t.id)
        .collect())
}

/// Records a defect.
#[utoipa::path(
    post,
    path = "/api/v1/defects",
    tag = "defects",
    request_body = DefectInput,
    responses(
        (status = 201, description = "The defect as recorded", body = DefectOut),
        CreateProblems,
    )
)]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    body: ApiJson,
) -> ApiResult<(StatusCode, Json<DefectOut>)> {
    // Answer 404 (or 403) for a team out of reach before judging the rest of the body.
    if let Some(team) = body.id("team_id") {
        user.require(team, Permission::WriteDefects)?;
    }
    let input: DefectInput = body.parse()?;
    if input.version.is_some() {
        let mut e = ValidationErrors::new();
        e.push("version", "A new defect has no version: leave it out");
        return Err(e.into());
    }
    let mut base = DefectDraft {
        detected_at: Utc::now().to_rfc3339(),
        origin: Origin::Unknown.key().to_owned(),
        confirmed: flag(true),
        ..DefectDraft::default()
    };
    if input.team_id.is_none()
        && let [only] = writable_teams(&state, &user).await?.as_slice()
    {
        base.team_id = only.to_string();
    }
    let draft = input.onto(base);
    let stages = stage_settings(&state.db).await?;
    let new = draft.validate(&stages.pipeline, Utc::now())?;
    user.require(new.team_id, Permission::WriteDefects)?;
    let defect = insert_defect(&state.db, &new, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(DefectOut::of(defect, &stages))))
}

/// Changes the fields the body gives; the rest stay. `version` is required: a change based
/// on an older version is refused with 409 and the current version.
#[utoipa::path(
    patch,
    path = "/api/v1/defects/{defect_id}",
    tag = "defects",
    params(("defect_id" = Uuid, Path, description = "The defect's id")),
    request_body = DefectInput,
    responses(
        (status = 200, description = "The defect as saved", body = DefectOut),
        ChangeProblems,
    )
)]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiId(id): ApiId,
    body: ApiJson,
) -> ApiResult<Json<DefectOut>> {
    let existing = get_defect(&state.db, id).await?;
    user.require(existing.data.team_id, Permission::WriteDefects)?;
    if let Some(team) = body.id("team_id") {
        user.require(team, Permission::WriteDefects)?;
    }
    let input: DefectInput = body.parse()?;
    let Some(version) = input.version else {
        let mut e = ValidationErrors::new();
        e.push(
            "version",
            "Send the version the change is based on (the defect's `version`)",
        );
        return Err(e.into());
    };
    if let Some(team) = input.team_id {
        user.require(team, Permission::WriteDefects)?;
    }
    let draft = input.onto(full_times(&existing.data));
    let stages = stage_settings(&state.db).await?;
    let new = draft.validate(&stages.pipeline, Utc::now())?;
    let saved = update_defect(&state.db, id, version, &new, Utc::now()).await?;
    Ok(Json(DefectOut::of(saved, &stages)))
}
