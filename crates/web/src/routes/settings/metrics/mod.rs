//! `GET/POST /settings/metrics`: the metric definition in force. Every signed-in user may read
//! it, so whoever reads a number can see what it means; instance admins change it, and each
//! change is saved as a new version with its note. The history lives in [`versions`].

mod versions;

use axum::response::Response;
use chrono::Utc;
use escapement_core::metrics::{
    DefaultWindow, MetricDefinitionDraft, ReopenedPolicy, ScopeSwitches,
};
use escapement_core::{Pipeline, Severity, ValidationErrors};
use escapement_storage::metrics::{DefinitionVersion, current_definition, save_definition};
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};

use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::extract::QueryParams;
use crate::page::definition::{
    DEFINITION_HREF, DefinitionCard, DefinitionDetail, Difference, differences,
};
use crate::page::form::{FormPage, Refusal, respond};
use crate::page::views::{FormErrors, Opt, form_version, keyed_options};
use crate::page::{Ctx, Layout, Page, render, see_other};
use crate::routes::table::{AccessLevel, Route};

pub fn routes() -> Vec<Route> {
    let mut all = vec![
        Route::get(DEFINITION_HREF, AccessLevel::SignedIn, show_definition),
        Route::post(
            DEFINITION_HREF,
            AccessLevel::InstanceAdmin,
            update_definition,
        ),
    ];
    all.extend(versions::routes());
    all
}

const TEMPLATE: &str = "settings/metrics.html";

/// One scope checkbox.
#[derive(Debug, Clone, Serialize)]
struct ScopeBox {
    name: &'static str,
    label: &'static str,
    checked: bool,
}

/// One weight input.
#[derive(Debug, Clone, Serialize)]
struct WeightInput {
    name: &'static str,
    label: &'static str,
    value: String,
}

/// The form's fields, filled from a draft.
#[derive(Debug, Clone, Serialize)]
struct DefinitionFields {
    boundary: String,
    boundary_options: Vec<Opt>,
    scope: Vec<ScopeBox>,
    weights: Vec<WeightInput>,
    reopened: String,
    reopened_options: Vec<Opt>,
    window: String,
    window_options: Vec<Opt>,
    note: String,
    version: String,
}

impl DefinitionFields {
    fn new(draft: &MetricDefinitionDraft, pipeline: &Pipeline) -> DefinitionFields {
        let stages = pipeline.stages();
        let ticked = |name: &str| -> bool {
            let value = match name {
                "customer_found" => &draft.customer_found,
                "unconfirmed" => &draft.unconfirmed,
                "known_issues" => &draft.known_issues,
                "cosmetic" => &draft.cosmetic,
                "test_environment" => &draft.test_environment,
                "data_migration" => &draft.data_migration,
                _ => &None,
            };
            value.is_some()
        };
        let weight = |severity: Severity| match severity {
            Severity::Critical => ("weight_critical", &draft.weight_critical),
            Severity::High => ("weight_high", &draft.weight_high),
            Severity::Medium => ("weight_medium", &draft.weight_medium),
            Severity::Low => ("weight_low", &draft.weight_low),
        };
        DefinitionFields {
            boundary: draft.boundary.trim().to_owned(),
            // Nothing can escape past the last stage, so it is no boundary.
            boundary_options: stages[..stages.len().saturating_sub(1)]
                .iter()
                .map(|s| Opt {
                    value: s.key.as_str().to_owned(),
                    label: s.label.clone(),
                })
                .collect(),
            scope: ScopeSwitches::FIELDS
                .iter()
                .map(|(_, name, label)| ScopeBox {
                    name,
                    label,
                    checked: ticked(name),
                })
                .collect(),
            weights: Severity::ALL
                .iter()
                .map(|s| {
                    let (name, value) = weight(*s);
                    WeightInput {
                        name,
                        label: s.label(),
                        value: value.clone(),
                    }
                })
                .collect(),
            reopened: draft.reopened.trim().to_owned(),
            reopened_options: keyed_options::<ReopenedPolicy>(),
            window: draft.window.trim().to_owned(),
            window_options: keyed_options::<DefaultWindow>(),
            note: draft.note.clone(),
            version: draft.version.clone(),
        }
    }
}

#[derive(Serialize)]
struct DefinitionPage {
    layout: Layout,
    card: DefinitionCard,
    /// Whether the user may change the definition; everyone else reads `detail`.
    can_edit: bool,
    detail: DefinitionDetail,
    /// The version just saved, for the confirmation.
    saved: Option<i32>,
    form: DefinitionFields,
    errors: FormErrors,
    /// On a stale save: how what is saved now differs from the input (saved → yours).
    conflict: Option<Vec<Difference>>,
}

fn page(
    ctx: &Ctx,
    current: &DefinitionVersion,
    pipeline: &Pipeline,
    draft: &MetricDefinitionDraft,
) -> DefinitionPage {
    DefinitionPage {
        layout: ctx.layout(
            "Metric definition",
            "settings",
            &[("Settings", "/settings")],
        ),
        card: DefinitionCard::new(current, pipeline),
        can_edit: ctx.user.user.is_admin,
        detail: DefinitionDetail::new(&current.definition, pipeline),
        saved: None,
        form: DefinitionFields::new(draft, pipeline),
        errors: FormErrors::default(),
        conflict: None,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SavedQuery {
    saved: String,
}

async fn show_definition(
    ctx: Ctx,
    QueryParams(query): QueryParams<SavedQuery>,
) -> AppResult<Response> {
    let stages = stage_settings(ctx.db()).await?;
    let current = current_definition(ctx.db()).await?;
    let draft = MetricDefinitionDraft::of(&current.definition, current.version);
    let mut view = page(&ctx, &current, &stages.pipeline, &draft);
    // Only a version that exists is confirmed, so a pasted address cannot claim a save.
    view.saved = query
        .saved
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|v| (2..=current.version).contains(v));
    render(TEMPLATE, &view)
}

/// The form shown again after a refused save.
struct DefinitionForm<'a> {
    ctx: &'a Ctx,
    pipeline: Pipeline,
    current: DefinitionVersion,
}

impl FormPage for DefinitionForm<'_> {
    type Input = MetricDefinitionDraft;

    async fn invalid(
        self,
        draft: MetricDefinitionDraft,
        errors: ValidationErrors,
    ) -> AppResult<Page> {
        let mut view = page(self.ctx, &self.current, &self.pipeline, &draft);
        view.errors = (&errors).into();
        Ok(Page::new(TEMPLATE, &view))
    }

    async fn stale(self, mut draft: MetricDefinitionDraft) -> AppResult<Page> {
        // Read again: someone saved after this request began.
        let saved = current_definition(self.ctx.db()).await?;
        let conflict = draft
            .validate(&self.pipeline)
            .map(|yours| differences(&saved.definition, &yours.definition, &self.pipeline))
            .unwrap_or_default();
        // Carry the version saved now, so saving again is a deliberate choice.
        draft.version = saved.version.to_string();
        let mut view = page(self.ctx, &saved, &self.pipeline, &draft);
        view.conflict = Some(conflict);
        Ok(Page::new(TEMPLATE, &view))
    }
}

async fn update_definition(
    ctx: Ctx,
    CsrfForm(draft): CsrfForm<MetricDefinitionDraft>,
) -> AppResult<Response> {
    ctx.user.require_admin()?;
    let stages = stage_settings(ctx.db()).await?;
    let current = current_definition(ctx.db()).await?;
    let outcome: Result<DefinitionVersion, Refusal> = match draft.validate(&stages.pipeline) {
        Ok(change) => save_definition(
            ctx.db(),
            form_version(&draft.version),
            &change,
            &ctx.user.actor(),
            Utc::now(),
        )
        .await
        .map_err(Refusal::from),
        Err(errors) => Err(errors.into()),
    };
    let form = DefinitionForm {
        ctx: &ctx,
        pipeline: stages.pipeline,
        current,
    };
    respond(form, draft, outcome, |saved| {
        see_other(&format!("{DEFINITION_HREF}?saved={}", saved.version))
    })
    .await
}
