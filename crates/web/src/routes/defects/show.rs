//! `GET /defects/{id}`: the facts of one defect and where it sits in the pipeline.

use axum::extract::State;
use axum::response::Response;
use escapement_core::Defect;
use escapement_core::auth::Permission;
use escapement_storage::defects::{DefectDetail, defect_detail};
use escapement_storage::settings::{StageSettings, stage_settings};
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

/// Every stage of the pipeline, marked where the defect was found, where it was expected
/// to be caught and whether it lies past the boundary.
fn strip(defect: &Defect, stages: &StageSettings) -> Vec<StripStage> {
    let discovered = defect.data.discovery_stage.as_str();
    let expected = defect.data.expected_catch_stage.as_ref();
    let escaped_keys = stages.pipeline.escaped_stage_keys(&stages.boundary);
    stages
        .pipeline
        .stages()
        .iter()
        .map(|s| StripStage {
            label: s.label.clone(),
            discovered: s.key.as_str() == discovered,
            expected: Some(&s.key) == expected,
            after_boundary: escaped_keys.contains(&&s.key),
        })
        .collect()
}

impl DefectShowPage {
    fn new(detail: DefectDetail, stages: &StageSettings, csrf: &str, can_review: bool) -> Self {
        let (pipeline, data) = (&stages.pipeline, &detail.defect.data);
        let discovered = data.discovery_stage.as_str();
        let boundary = stages.boundary.after().as_str();
        DefectShowPage {
            layout: Layout::new(
                data.title.clone(),
                "defects",
                csrf,
                &[("Defects", "/defects")],
            ),
            escaped: pipeline
                .is_escape(&stages.boundary, discovered)
                .unwrap_or(false),
            discovery_label: pipeline.label_of(discovered).to_owned(),
            expected_label: data
                .expected_catch_stage
                .as_ref()
                .map(|k| pipeline.label_of(k.as_str()).to_owned()),
            boundary_label: pipeline.label_of(boundary).to_owned(),
            strip: strip(&detail.defect, stages),
            review: detail.review.map(|r| (r.id, r.title, r.state.key())),
            team_name: detail.team_name,
            component_name: detail.component_name,
            release_name: detail.release_name,
            can_review,
            defect: detail.defect,
        }
    }
}

pub(super) async fn show_defect(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let detail = defect_detail(&state.db, id).await?;
    let team_id = detail.defect.data.team_id;
    if !user.sees(team_id) {
        return Err(AppError::NotFound);
    }
    let stages = stage_settings(&state.db).await?;
    let can_review = user.access(team_id).can(Permission::WriteReviews);
    let page = DefectShowPage::new(detail, &stages, &csrf, can_review);
    render("defects/show.html", &page)
}
