//! The defect form: new, create, edit and update. Bad input re-renders the form with the
//! user's input kept (422); an edit based on an old version re-renders it beside what is
//! saved now (409), so nothing typed is lost.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use escapement_core::{DefectDraft, DefectType, DetectedBy, Origin, Severity, ValidationErrors};
use escapement_storage::StorageError;
use escapement_storage::catalog::{list_components, list_releases, list_teams};
use escapement_storage::defects::{
    create_defect as insert_defect, get_defect, update_defect as save_defect,
};
use escapement_storage::settings::{StageSettings, stage_settings};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, QueryParams};
use crate::render::{Layout, render, render_with_status};
use crate::routes::views::{
    ConflictField, FormErrors, Opt, OptGroup, component_groups, conflicting, form_version,
    keyed_options, release_groups, stage_options, team_options,
};
use escapement_core::auth::Permission;

/// Labels of the form's fields, in form order, for the conflict summary.
const FIELD_LABELS: &[(&str, &str)] = &[
    ("title", "Title"),
    ("description", "Description"),
    ("team_id", "Team"),
    ("component_id", "Component"),
    ("release_id", "Release"),
    ("severity", "Severity"),
    ("defect_type", "Defect type"),
    ("origin", "Origin"),
    ("discovery_stage", "Discovery stage"),
    ("expected_catch_stage", "Expected catch stage"),
    ("detected_by", "Detected by"),
    ("introduced_at", "Introduced"),
    ("detected_at", "Detected"),
    ("resolved_at", "Resolved"),
    ("reopened_count", "Times reopened"),
    ("confirmed", "Confirmed"),
    ("known_issue_accepted", "Known issue, accepted for release"),
    ("cosmetic", "Cosmetic"),
    ("test_environment", "Test-environment problem"),
    ("data_migration", "Data migration"),
    ("external_key", "External key"),
    ("incident_link", "Incident link"),
];

#[derive(Serialize)]
struct DefectFormPage {
    layout: Layout,
    draft: DefectDraft,
    errors: FormErrors,
    action: String,
    submit_label: &'static str,
    cancel_href: String,
    conflict: Option<Vec<ConflictField>>,
    severities: Vec<Opt>,
    defect_types: Vec<Opt>,
    origins: Vec<Opt>,
    detected_bys: Vec<Opt>,
    stages: Vec<Opt>,
    teams: Vec<Opt>,
    components: Vec<OptGroup>,
    releases: Vec<OptGroup>,
}

/// Which form is being shown.
enum Mode {
    New,
    Edit(uuid::Uuid),
}

/// What every rendering of the form needs from the request.
struct FormContext<'a> {
    state: &'a AppState,
    user: &'a CurrentUser,
    stages: &'a StageSettings,
    csrf: &'a str,
}

async fn form_page(
    ctx: &FormContext<'_>,
    mode: Mode,
    draft: DefectDraft,
    errors: &ValidationErrors,
    conflict: Option<Vec<ConflictField>>,
) -> AppResult<DefectFormPage> {
    let FormContext {
        state,
        user,
        stages,
        csrf,
    } = *ctx;
    // Only teams the user may record defects for are offered.
    let writable = |team_id| user.access(team_id).can(Permission::WriteDefects);
    let mut teams = list_teams(&state.db).await?;
    teams.retain(|t| writable(t.id));
    let mut components = list_components(&state.db, None).await?;
    components.retain(|c| writable(c.team_id));
    let mut releases = list_releases(&state.db, None).await?;
    releases.retain(|r| writable(r.team_id));
    let (layout, action, submit_label, cancel_href) = match mode {
        Mode::New => (
            Layout::new(
                "Record a defect",
                "defects",
                csrf,
                &[("Defects", "/defects")],
            ),
            "/defects".to_owned(),
            "Record defect",
            "/defects".to_owned(),
        ),
        Mode::Edit(id) => {
            let href = format!("/defects/{id}");
            (
                Layout::new(
                    "Edit defect",
                    "defects",
                    csrf,
                    &[("Defects", "/defects"), (&draft.title, &href)],
                ),
                href.clone(),
                "Save changes",
                href,
            )
        }
    };
    Ok(DefectFormPage {
        layout,
        draft,
        errors: errors.into(),
        action,
        submit_label,
        cancel_href,
        conflict,
        severities: keyed_options::<Severity>(),
        defect_types: keyed_options::<DefectType>(),
        origins: keyed_options::<Origin>(),
        detected_bys: keyed_options::<DetectedBy>(),
        stages: stage_options(&stages.pipeline),
        teams: team_options(&teams),
        components: component_groups(&teams, &components),
        releases: release_groups(&teams, &releases),
    })
}

/// The error for a team the user may not record defects for, worded like an unknown team
/// so that other teams' existence does not leak.
fn team_not_offered() -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    errors.push("team_id", "Select a team from the list");
    errors
}

/// Pre-selections a link can pass to the new-defect form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewDefectQuery {
    team: String,
}

pub async fn new_defect_form(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    QueryParams(query): QueryParams<NewDefectQuery>,
) -> AppResult<Response> {
    let stages = stage_settings(&state.db).await?;
    let ctx = FormContext {
        state: &state,
        user: &user,
        stages: &stages,
        csrf: &csrf,
    };
    let mut teams = list_teams(&state.db).await?;
    teams.retain(|t| user.access(t.id).can(Permission::WriteDefects));
    if teams.is_empty() {
        return Err(AppError::Forbidden("You cannot record defects: your role in your teams is read-only. A team admin can change your role.".to_owned()));
    }
    let team_id = match teams.as_slice() {
        [only] => only.id.to_string(),
        _ => teams
            .iter()
            .find(|t| t.id.to_string() == query.team)
            .map(|t| t.id.to_string())
            .unwrap_or_default(),
    };
    let draft = DefectDraft {
        detected_at: Utc::now().format("%Y-%m-%dT%H:%M").to_string(),
        origin: Origin::Unknown.key().to_owned(),
        confirmed: Some("on".to_owned()),
        team_id,
        ..DefectDraft::default()
    };
    let page = form_page(&ctx, Mode::New, draft, &ValidationErrors::new(), None).await?;
    render("defects/form.html", &page)
}

pub async fn create_defect(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(draft): CsrfForm<DefectDraft>,
) -> AppResult<Response> {
    let stages = stage_settings(&state.db).await?;
    let ctx = FormContext {
        state: &state,
        user: &user,
        stages: &stages,
        csrf: &csrf,
    };
    // Answer 404 (or 403) for a team out of reach before judging the rest of the form.
    user.require_named(&draft.team_id, Permission::WriteDefects)?;
    let result = match draft.validate(&stages.pipeline, Utc::now()) {
        Ok(new) => insert_defect(&state.db, &new, Utc::now()).await,
        Err(errors) => Err(StorageError::Invalid(errors)),
    };
    match result {
        Ok(defect) => Ok(Redirect::to(&format!("/defects/{}", defect.id)).into_response()),
        Err(StorageError::Invalid(errors)) => {
            let page = form_page(&ctx, Mode::New, draft, &errors, None).await?;
            Err(render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "defects/form.html",
                &page,
            ))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn edit_defect_form(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let stages = stage_settings(&state.db).await?;
    let ctx = FormContext {
        state: &state,
        user: &user,
        stages: &stages,
        csrf: &csrf,
    };
    let defect = get_defect(&state.db, id).await?;
    user.require(defect.data.team_id, Permission::WriteDefects)?;
    let mut draft = DefectDraft::from_defect(&defect.data);
    draft.version = defect.version.to_string();
    let page = form_page(&ctx, Mode::Edit(id), draft, &ValidationErrors::new(), None).await?;
    render("defects/form.html", &page)
}

pub async fn update_defect(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
    CsrfForm(mut draft): CsrfForm<DefectDraft>,
) -> AppResult<Response> {
    let stages = stage_settings(&state.db).await?;
    let ctx = FormContext {
        state: &state,
        user: &user,
        stages: &stages,
        csrf: &csrf,
    };
    // Answer 404 (or 403) before judging the input when the defect is out of reach.
    let existing = get_defect(&state.db, id).await?;
    user.require(existing.data.team_id, Permission::WriteDefects)?;
    let result = match draft.validate(&stages.pipeline, Utc::now()) {
        Ok(new) if !user.access(new.team_id).can(Permission::WriteDefects) => {
            Err(StorageError::Invalid(team_not_offered()))
        }
        Ok(new) => {
            save_defect(
                &state.db,
                id,
                form_version(&draft.version),
                &new,
                Utc::now(),
            )
            .await
        }
        Err(errors) => Err(StorageError::Invalid(errors)),
    };
    match result {
        Ok(defect) => Ok(Redirect::to(&format!("/defects/{}", defect.id)).into_response()),
        Err(StorageError::Invalid(errors)) => {
            let page = form_page(&ctx, Mode::Edit(id), draft, &errors, None).await?;
            Err(render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "defects/form.html",
                &page,
            ))
        }
        Err(StorageError::Stale { .. }) => {
            let current = get_defect(&state.db, id).await?;
            let conflict = conflicting(
                FIELD_LABELS,
                &DefectDraft::from_defect(&current.data),
                &draft,
            );
            // Resubmitting now is a deliberate overwrite of what is shown as saved.
            draft.version = current.version.to_string();
            let page = form_page(
                &ctx,
                Mode::Edit(id),
                draft,
                &ValidationErrors::new(),
                Some(conflict),
            )
            .await?;
            Err(render_with_status(
                StatusCode::CONFLICT,
                "defects/form.html",
                &page,
            ))
        }
        Err(other) => Err(AppError::from(other)),
    }
}
