//! `GET/POST /settings/pipeline`: the stages of the delivery pipeline (rename, reorder, add,
//! remove an unused one) and the escape boundary. Changing the boundary re-classifies every
//! defect at once, because escapes are computed, never stored.

use axum::response::Response;
use chrono::Utc;
use escapement_core::{Boundary, Pipeline, Stage, StageKey, ValidationErrors};
use escapement_storage::settings::{StageSettings, save_stage_settings, stage_settings};
use serde::Serialize;

use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::page::form::{FormPage, Refusal, respond};
use crate::page::views::FormErrors;
use crate::page::{Ctx, Done, Layout, Page, render, see_other_done};
use crate::routes::table::{AccessLevel, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/settings/pipeline", AccessLevel::SignedIn, edit_pipeline),
        Route::post(
            "/settings/pipeline",
            AccessLevel::InstanceAdmin,
            update_pipeline,
        ),
    ]
}

#[derive(Debug, Clone, Serialize)]
struct StageRow {
    key: String,
    label: String,
    position: String,
    remove: bool,
}

#[derive(Serialize)]
struct PipelinePage {
    layout: Layout,
    stages: Vec<StageRow>,
    boundary: String,
    new_key: String,
    new_label: String,
    new_position: String,
    errors: FormErrors,
    /// Only an instance admin changes the pipeline; everyone else reads it.
    can_edit: bool,
}

fn page(ctx: &Ctx, settings: &StageSettings) -> PipelinePage {
    PipelinePage {
        layout: ctx.layout(
            "Pipeline and boundary",
            "settings",
            &[("Settings", "/settings")],
        ),
        stages: settings
            .pipeline
            .stages()
            .iter()
            .enumerate()
            .map(|(i, s)| StageRow {
                key: s.key.as_str().to_owned(),
                label: s.label.clone(),
                position: (i + 1).to_string(),
                remove: false,
            })
            .collect(),
        boundary: settings.boundary.after().as_str().to_owned(),
        new_key: String::new(),
        new_label: String::new(),
        new_position: String::new(),
        errors: FormErrors::default(),
        can_edit: ctx.user.user.is_admin,
    }
}

async fn edit_pipeline(ctx: Ctx) -> AppResult<Response> {
    let settings = stage_settings(ctx.db()).await?;
    render("settings/pipeline.html", &page(&ctx, &settings))
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

/// Reads the submitted form back into the page (so input is kept) and, when it is valid,
/// into new settings.
fn parse(
    form: &[(String, String)],
    current: &StageSettings,
    into: &mut PipelinePage,
) -> Result<StageSettings, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut ordered: Vec<(f64, Stage)> = Vec::new();
    for row in &mut into.stages {
        row.label = field(form, &format!("label_{}", row.key)).to_owned();
        row.position = field(form, &format!("position_{}", row.key)).to_owned();
        row.remove = !field(form, &format!("remove_{}", row.key)).is_empty();
        let position = match row.position.parse::<f64>() {
            Ok(p) if p.is_finite() => p,
            _ => {
                errors.push(
                    "stages",
                    format!("Enter a number for the position of {}", row.key),
                );
                continue;
            }
        };
        if let (false, Some(stage)) = (row.remove, current.pipeline.get(&row.key)) {
            ordered.push((
                position,
                Stage {
                    key: stage.key.clone(),
                    label: row.label.clone(),
                },
            ));
        }
    }
    into.new_key = field(form, "new_key").to_owned();
    into.new_label = field(form, "new_label").to_owned();
    into.new_position = field(form, "new_position").to_owned();
    into.boundary = field(form, "boundary").to_owned();
    if !into.new_key.is_empty() || !into.new_label.is_empty() {
        match StageKey::parse(&into.new_key) {
            Ok(key) => {
                // Without a position the new stage goes last.
                let position = into.new_position.parse::<f64>().unwrap_or(f64::MAX);
                ordered.push((
                    position - 0.5,
                    Stage {
                        key,
                        label: into.new_label.clone(),
                    },
                ));
            }
            Err(_) => errors.push(
                "new_key",
                "Enter a key of lowercase letters, digits and underscores, starting with a letter",
            ),
        }
    }
    ordered.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pipeline = match Pipeline::new(ordered.into_iter().map(|(_, s)| s).collect()) {
        Ok(pipeline) => Some(pipeline),
        Err(e) => {
            errors.push("stages", e.to_string());
            None
        }
    };
    let boundary = StageKey::parse(&into.boundary).map(Boundary::after_stage);
    match (pipeline, boundary) {
        (Some(pipeline), Ok(boundary)) if errors.is_empty() => {
            match pipeline.check_boundary(&boundary) {
                Ok(()) => Ok(StageSettings { pipeline, boundary }),
                Err(e) => {
                    errors.push("boundary", e.to_string());
                    Err(errors)
                }
            }
        }
        (_, Err(_)) => {
            errors.push(
                "boundary",
                "Select the stage after which a defect counts as escaped",
            );
            Err(errors)
        }
        _ => Err(errors),
    }
}

impl FormPage for PipelinePage {
    type Input = ();

    async fn invalid(mut self, (): (), errors: ValidationErrors) -> AppResult<Page> {
        self.errors = (&errors).into();
        Ok(Page::new("settings/pipeline.html", &self))
    }

    async fn stale(self, (): ()) -> AppResult<Page> {
        Ok(Page::new("settings/pipeline.html", &self))
    }
}

async fn update_pipeline(
    ctx: Ctx,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.user.require_admin()?;
    let current = stage_settings(ctx.db()).await?;
    let mut view = page(&ctx, &current);
    let outcome: Result<(), Refusal> = match parse(&form, &current, &mut view) {
        Ok(settings) => save_stage_settings(ctx.db(), &settings, &ctx.user.actor(), Utc::now())
            .await
            .map_err(Refusal::from),
        Err(errors) => Err(errors.into()),
    };
    respond(view, (), outcome, |()| {
        see_other_done("/settings/pipeline", Done::PipelineSaved)
    })
    .await
}
