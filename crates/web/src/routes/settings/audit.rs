//! `GET /settings/audit`: the security audit log, for instance administrators.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use escapement_core::Paging;
use escapement_storage::accounts::list_events;
use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::AppResult;
use crate::extract::QueryParams;
use crate::page::{Layout, render};
use crate::routes::table::{AccessLevel, Route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    vec![Route::get(
        "/settings/audit",
        AccessLevel::InstanceAdmin,
        audit_log,
    )]
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AuditQuery {
    page: String,
}

#[derive(Serialize)]
struct Row {
    at: DateTime<Utc>,
    event: &'static str,
    subject: String,
    client_addr: Option<String>,
}

#[derive(Serialize)]
struct AuditPage {
    layout: Layout,
    rows: Vec<Row>,
    total: u64,
    page: u64,
    total_pages: u64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

async fn audit_log(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    QueryParams(query): QueryParams<AuditQuery>,
) -> AppResult<Response> {
    user.require_admin()?;
    let paging = Paging::from_query(Some(query.page.as_str()), 50);
    let (entries, total) = list_events(&state.db, paging).await?;
    let rows = entries
        .into_iter()
        .map(|e| Row {
            at: e.at,
            event: e.event.label(),
            subject: e.subject,
            client_addr: e.client_addr,
        })
        .collect();
    render(
        "settings/audit.html",
        &AuditPage {
            layout: Layout::new(
                "Security audit log",
                "settings",
                &csrf,
                &[("Settings", "/settings")],
            ),
            rows,
            total,
            page: paging.page(),
            total_pages: paging.total_pages(total),
            prev_href: paging
                .has_prev()
                .then(|| format!("/settings/audit?page={}", paging.page() - 1)),
            next_href: paging
                .has_next(total)
                .then(|| format!("/settings/audit?page={}", paging.page() + 1)),
        },
    )
}
