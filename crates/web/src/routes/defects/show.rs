//! `GET /defects/{id}`: the facts of one defect and where it sits in the pipeline.

use axum::extract::State;
use axum::response::Response;
use escapement_core::Defect;
use escapement_storage::catalog::{get_component, get_release, get_team};
use escapement_storage::defects::get_defect;
use escapement_storage::reviews::review_of_defect;
use escapement_storage::settings::stage_settings;
use serde::Serialize;

use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::AppError;
use crate::error::AppResult;
use crate::extract::IdPath;
use crate::page::{Layout, render};
use crate::state::AppState;

/// One stage of the pipeline strip, with what happened there.
#[derive(Serialize)]
struct StripStage {
    label: String,
    discovered: bool,
    expected: bool,
    after_boundary: bool,
}

#[derive(Serialize)]
struct DefectShowPage {
    layout: Layout,
    defect: Defect,
    escaped: bool,
    discovery_label: String,
    expected_label: Option<String>,
    boundary_label: String,
    team_name: String,
    component_name: Option<String>,
    release_name: Option<String>,
    strip: Vec<StripStage>,
    /// The review covering this defect: id, title and state key.
    review: Option<(uuid::Uuid, String, &'static str)>,
    can_review: bool,
}

pub async fn show_defect(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let defect = get_defect(&state.db, id).await?;
    if !user.sees(defect.data.team_id) {
        return Err(AppError::NotFound);
    }
    let stages = stage_settings(&state.db).await?;
    let team = get_team(&state.db, defect.data.team_id).await?;
    let component_name = match defect.data.component_id {
        Some(id) => Some(get_component(&state.db, id).await?.name),
        None => None,
    };
    let release_name = match defect.data.release_id {
        Some(id) => Some(get_release(&state.db, id).await?.name),
        None => None,
    };
    let pipeline = &stages.pipeline;
    let discovered = defect.data.discovery_stage.as_str();
    let expected = defect
        .data
        .expected_catch_stage
        .as_ref()
        .map(|s| s.as_str());
    let escaped_keys = pipeline.escaped_stage_keys(&stages.boundary);
    let strip = pipeline
        .stages()
        .iter()
        .map(|s| StripStage {
            label: s.label.clone(),
            discovered: s.key.as_str() == discovered,
            expected: Some(s.key.as_str()) == expected,
            after_boundary: escaped_keys.contains(&&s.key),
        })
        .collect();
    let review = review_of_defect(&state.db, id)
        .await?
        .map(|(id, title, state)| (id, title, state.key()));
    let can_review = user
        .access(defect.data.team_id)
        .can(escapement_core::auth::Permission::WriteReviews);
    let page = DefectShowPage {
        review,
        can_review,
        layout: Layout::new(
            defect.data.title.clone(),
            "defects",
            &csrf,
            &[("Defects", "/defects")],
        ),
        escaped: pipeline
            .is_escape(&stages.boundary, discovered)
            .unwrap_or(false),
        discovery_label: pipeline.label_of(discovered).to_owned(),
        expected_label: expected.map(|k| pipeline.label_of(k).to_owned()),
        boundary_label: pipeline
            .label_of(stages.boundary.after().as_str())
            .to_owned(),
        team_name: team.name,
        component_name,
        release_name,
        strip,
        defect,
    };
    render("defects/show.html", &page)
}
