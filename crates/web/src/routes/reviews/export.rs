//! Exports of one review: Markdown (for Confluence, Notion or a Git repository) and a
//! print-friendly page.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::review::{ActionDocument, EscapeDocument, ReviewDocument, review_markdown};
use escapement_storage::catalog::{get_component, get_release};
use escapement_storage::reviews::{Review, review_escapes};
use escapement_storage::settings::stage_settings;
use serde::Serialize;

use super::visible_review;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::AppResult;
use crate::extract::IdPath;
use crate::page::{Layout, render};
use crate::state::AppState;

/// The review with every name and label resolved.
async fn document(state: &AppState, review: &Review) -> AppResult<ReviewDocument> {
    let stages = stage_settings(&state.db).await?;
    let label = |key: &str| stages.pipeline.label_of(key).to_owned();
    let mut escapes = Vec::new();
    for e in review_escapes(&state.db, review.id).await? {
        let d = &e.defect.data;
        let component = match d.component_id {
            Some(id) => Some(get_component(&state.db, id).await?.name),
            None => None,
        };
        let release = match d.release_id {
            Some(id) => Some(get_release(&state.db, id).await?.name),
            None => None,
        };
        escapes.push(EscapeDocument {
            title: d.title.clone(),
            external_key: d.external_key.clone(),
            severity: d.severity.label().to_owned(),
            discovered_at_stage: label(d.discovery_stage.as_str()),
            expected_catch_stage: d.expected_catch_stage.as_ref().map(|k| label(k.as_str())),
            component,
            release,
            detected_at: d.detected_at,
            checklist: e.checklist.clone(),
            evidence: e.evidence.clone(),
            evidence_gap: e.evidence_gap.clone(),
            primary: e.classification.primary(),
            contributing: e.classification.contributing().iter().copied().collect(),
            actions: e
                .actions
                .iter()
                .map(|a| ActionDocument {
                    title: a.title.clone(),
                    mechanism: a.mechanism,
                    component: a.component_name.clone(),
                    target_layer: label(a.target_layer.as_str()),
                    effort: a.effort,
                    owner_team: a.owner_team_name.clone(),
                    due_date: a.due_date,
                    status: a.status,
                    external_key: a.external_key.clone(),
                })
                .collect(),
            no_action_reason: e.no_action_reason.clone(),
        });
    }
    Ok(ReviewDocument {
        title: review.title.clone(),
        team: review.team_name.clone(),
        state: review.state,
        incident_date: review.incident_date,
        incident_link: review.incident_link.clone(),
        summary: review.summary.clone(),
        participants: review.participants.clone(),
        escapes,
        exported_at: Utc::now(),
    })
}

/// A file name from the title: letters, digits and dashes only.
fn file_name(title: &str) -> String {
    let slug: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!(
        "escape-review-{}.md",
        if slug.is_empty() { "untitled" } else { &slug }
    )
}

pub async fn export_markdown(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let review = visible_review(&state, &user, id, None).await?;
    let markdown = review_markdown(&document(&state, &review).await?);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&review.title)),
            ),
        ],
        markdown,
    )
        .into_response())
}

#[derive(Serialize)]
struct PrintPage {
    layout: Layout,
    review: Review,
    doc: ReviewDocument,
}

pub async fn print_review(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let review = visible_review(&state, &user, id, None).await?;
    let doc = document(&state, &review).await?;
    let page = PrintPage {
        layout: Layout::new(
            format!("{} · {}", review.title, review.team_name),
            "reviews",
            &csrf,
            &[("Reviews", "/reviews")],
        ),
        review,
        doc,
    };
    render("reviews/print.html", &page)
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(
            file_name("Checkout outage: \"coupons\" / 2x"),
            "escape-review-checkout-outage-coupons-2x.md"
        );
        assert_eq!(file_name("!!!"), "escape-review-untitled.md");
    }
}
