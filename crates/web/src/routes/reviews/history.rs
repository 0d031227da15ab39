//! `GET /reviews/{id}/history`: every recorded change, newest first, paginated.

use axum::extract::State;
use axum::response::Response;
use escapement_core::Paging;
use escapement_storage::reviews::{HistoryEntry, Review, list_history};
use serde::{Deserialize, Serialize};

use super::visible_review;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::AppResult;
use crate::extract::{IdPath, QueryParams};
use crate::page::{Layout, render};
use crate::state::AppState;

const PER_PAGE: u64 = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HistoryQuery {
    page: String,
}

#[derive(Serialize)]
struct HistoryPage {
    layout: Layout,
    review: Review,
    tab: &'static str,
    entries: Vec<HistoryEntry>,
    total: u64,
    page: u64,
    total_pages: u64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

pub(super) async fn review_history(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
    QueryParams(query): QueryParams<HistoryQuery>,
) -> AppResult<Response> {
    let review = visible_review(&state, &user, id, None).await?;
    let paging = Paging::from_query(Some(query.page.as_str()), PER_PAGE);
    let (entries, total) = list_history(&state.db, id, paging).await?;
    let review_href = format!("/reviews/{id}");
    let page = HistoryPage {
        layout: Layout::new(
            format!("History · {} · {}", review.title, review.team_name),
            "reviews",
            &csrf,
            &[("Reviews", "/reviews"), (&review.title, &review_href)],
        ),
        prev_href: paging
            .has_prev()
            .then(|| format!("/reviews/{id}/history?page={}", paging.page() - 1)),
        next_href: paging
            .has_next(total)
            .then(|| format!("/reviews/{id}/history?page={}", paging.page() + 1)),
        total_pages: paging.total_pages(total),
        page: paging.page(),
        tab: "history",
        entries,
        total,
        review,
    };
    render("reviews/history.html", &page)
}
