//! Exports of one review: Markdown (for Confluence, Notion or a Git repository) and a
//! print-friendly page.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::review::{ReviewDocument, review_markdown};
use escapement_storage::reviews::Review;
use escapement_storage::settings::stage_settings;
use serde::Serialize;
use uuid::Uuid;

use super::record::{RecordView, record_view};
use super::{review_layout, visible_record};
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::AppResult;
use crate::extract::IdPath;
use crate::markdown::to_safe_markdown;
use crate::page::{Layout, render};
use crate::state::AppState;

/// The review `id` as it is exported, if the user may see it.
async fn document(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<(Review, ReviewDocument)> {
    let record = visible_record(state, user, id).await?;
    let stages = stage_settings(&state.db).await?;
    let doc = record.document(&stages.pipeline, Utc::now());
    Ok((record.review, doc))
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

pub(super) async fn export_markdown(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let (review, doc) = document(&state, &user, id).await?;
    // The document is Markdown, with the team's own Markdown and text in it: a wiki that
    // renders it must not run their raw HTML or script links, as the page does not.
    let markdown = to_safe_markdown(&review_markdown(&doc));
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
    record: RecordView,
}

pub(super) async fn print_review(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
) -> AppResult<Response> {
    let record = visible_record(&state, &user, id).await?;
    let stages = stage_settings(&state.db).await?;
    let doc = record.document(&stages.pipeline, Utc::now());
    let view = record_view(&state.db, &record, &stages.pipeline).await?;
    let review = record.review;
    let page = PrintPage {
        layout: review_layout(&review, &csrf),
        review,
        doc,
        record: view,
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
