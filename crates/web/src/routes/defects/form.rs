//! The defect form: new, create, edit and update, on the one form protocol: bad input
//! re-renders the form with the user's input kept (422); an edit based on an old version
//! re-renders it beside what is saved now (409), so nothing typed is lost.

use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::auth::Permission;
use escapement_core::{DefectDraft, DefectType, DetectedBy, Origin, Severity, ValidationErrors};
use escapement_storage::catalog::list_teams;
use escapement_storage::defects::{
    create_defect as insert_defect, get_defect, update_defect as save_defect,
};
use escapement_storage::settings::{StageSettings, stage_settings};
use serde::{Deserialize, Serialize};

use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, QueryParams};
use crate::page::choices::{CatalogChoices, catalog_choices};
use crate::page::form::{FormPage, Refusal, invalid, respond};
use crate::page::views::{
    ConflictField, FormErrors, Opt, conflicting, form_version, keyed_options, stage_options,
};
use crate::page::words::Words;
use crate::page::{Ctx, Done, Layout, Page, see_other_done};

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
    #[serde(flatten)]
    choices: CatalogChoices,
}

/// The new-defect form (no id) or the edit form of one defect.
struct DefectForm<'a> {
    ctx: &'a Ctx,
    stages: StageSettings,
    id: Option<uuid::Uuid>,
}

impl<'a> DefectForm<'a> {
    async fn new(ctx: &'a Ctx, id: Option<uuid::Uuid>) -> AppResult<DefectForm<'a>> {
        let stages = stage_settings(ctx.db()).await?;
        Ok(DefectForm { ctx, stages, id })
    }

    /// Where the form posts, the page's layout, its button and where Cancel goes.
    fn frame(&self, draft: &DefectDraft) -> (String, Layout, &'static str) {
        let trail = [("Defects", "/defects")];
        match self.id {
            None => {
                let layout = self.ctx.layout("Record a defect", "defects", &trail);
                ("/defects".to_owned(), layout, "Record defect")
            }
            Some(id) => {
                let href = format!("/defects/{id}");
                let trail = [trail[0], (draft.title.as_str(), href.as_str())];
                let layout = self.ctx.layout("Edit defect", "defects", &trail);
                (href, layout, "Save changes")
            }
        }
    }

    /// The page over `draft`, offering only teams the user may record defects for.
    async fn page(
        &self,
        draft: DefectDraft,
        errors: &ValidationErrors,
        conflict: Option<Vec<ConflictField>>,
    ) -> AppResult<Page> {
        let user = &self.ctx.user;
        let writable = |team_id| user.access(team_id).can(Permission::WriteDefects);
        let choices = catalog_choices(self.ctx.db(), writable).await?;
        let (action, layout, submit_label) = self.frame(&draft);
        Ok(Page::new(
            "defects/form.html",
            &DefectFormPage {
                layout,
                draft,
                errors: errors.into(),
                cancel_href: action.clone(),
                action,
                submit_label,
                conflict,
                severities: keyed_options::<Severity>(),
                defect_types: keyed_options::<DefectType>(),
                origins: keyed_options::<Origin>(),
                detected_bys: keyed_options::<DetectedBy>(),
                stages: stage_options(&self.stages.pipeline),
                choices,
            },
        ))
    }
}

impl FormPage for DefectForm<'_> {
    type Input = DefectDraft;

    async fn invalid(self, draft: DefectDraft, errors: ValidationErrors) -> AppResult<Page> {
        self.page(draft, &errors, None).await
    }

    async fn stale(self, mut draft: DefectDraft) -> AppResult<Page> {
        let id = self.id.ok_or(AppError::NotFound)?;
        let current = get_defect(self.ctx.db(), id).await?;
        let saved = DefectDraft::from_defect(&current.data);
        let words = Words::with_catalog(self.ctx.db()).await?;
        let conflict = words.conflicts(conflicting(FIELD_LABELS, &saved, &draft));
        // Resubmitting now is a deliberate overwrite of what is shown as saved.
        draft.version = current.version.to_string();
        self.page(draft, &ValidationErrors::new(), Some(conflict))
            .await
    }
}

/// The refusal for a team the user may not record defects for, worded like an unknown team
/// so that other teams' existence does not leak.
fn team_not_offered() -> Refusal {
    invalid("team_id", "Select a team from the list")
}

/// Pre-selections a link can pass to the new-defect form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewDefectQuery {
    team: String,
}

pub(super) async fn new_defect_form(
    ctx: Ctx,
    QueryParams(query): QueryParams<NewDefectQuery>,
) -> AppResult<Response> {
    let mut teams = list_teams(ctx.db()).await?;
    let teams_exist = !teams.is_empty();
    teams.retain(|t| ctx.user.access(t.id).can(Permission::WriteDefects));
    if teams.is_empty() {
        return Err(ctx
            .user
            .cannot_write_anywhere("record defects", teams_exist));
    }
    let team_id = match teams.as_slice() {
        [only] => Some(only),
        _ => teams.iter().find(|t| t.id.to_string() == query.team),
    };
    let draft = DefectDraft {
        detected_at: Utc::now().format("%Y-%m-%dT%H:%M").to_string(),
        origin: Origin::Unknown.key().to_owned(),
        confirmed: Some("on".to_owned()),
        team_id: team_id.map(|t| t.id.to_string()).unwrap_or_default(),
        ..DefectDraft::default()
    };
    let form = DefectForm::new(&ctx, None).await?;
    Ok(form
        .page(draft, &ValidationErrors::new(), None)
        .await?
        .into_response())
}

pub(super) async fn create_defect(
    ctx: Ctx,
    CsrfForm(draft): CsrfForm<DefectDraft>,
) -> AppResult<Response> {
    // Answer 404 (or 403) for a team out of reach before judging the rest of the form.
    ctx.user
        .require_named(&draft.team_id, Permission::WriteDefects)?;
    let form = DefectForm::new(&ctx, None).await?;
    let outcome: Result<_, Refusal> = async {
        let new = draft.validate(&form.stages.pipeline, Utc::now())?;
        Ok(insert_defect(ctx.db(), &new, Utc::now()).await?)
    }
    .await;
    respond(form, draft, outcome, |d| {
        see_other_done(&format!("/defects/{}", d.id), Done::DefectRecorded)
    })
    .await
}

pub(super) async fn edit_defect_form(ctx: Ctx, IdPath(id): IdPath) -> AppResult<Response> {
    let defect = get_defect(ctx.db(), id).await?;
    ctx.user
        .require(defect.data.team_id, Permission::WriteDefects)?;
    let mut draft = DefectDraft::from_defect(&defect.data);
    draft.version = defect.version.to_string();
    let form = DefectForm::new(&ctx, Some(id)).await?;
    Ok(form
        .page(draft, &ValidationErrors::new(), None)
        .await?
        .into_response())
}

pub(super) async fn update_defect(
    ctx: Ctx,
    IdPath(id): IdPath,
    CsrfForm(draft): CsrfForm<DefectDraft>,
) -> AppResult<Response> {
    // Answer 404 (or 403) before judging the input when the defect is out of reach.
    let existing = get_defect(ctx.db(), id).await?;
    ctx.user
        .require(existing.data.team_id, Permission::WriteDefects)?;
    let form = DefectForm::new(&ctx, Some(id)).await?;
    let outcome: Result<_, Refusal> = async {
        let new = draft.validate(&form.stages.pipeline, Utc::now())?;
        if !ctx.user.access(new.team_id).can(Permission::WriteDefects) {
            return Err(team_not_offered());
        }
        Ok(save_defect(ctx.db(), id, form_version(&draft.version), &new, Utc::now()).await?)
    }
    .await;
    respond(form, draft, outcome, |d| {
        see_other_done(&format!("/defects/{}", d.id), Done::DefectSaved)
    })
    .await
}
