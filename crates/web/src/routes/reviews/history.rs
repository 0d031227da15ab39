//! `GET /reviews/{id}/history`: every recorded save, newest first, one entry per save with
//! the fields it changed, in words; filtered by escape (with its actions) and by kind.

use axum::extract::State;
use axum::response::Response;
use escapement_core::Paging;
use escapement_storage::reviews::{
    HistoryChange, HistoryFilter, Review, action_subject, escape_subject, list_history_changes,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::visible_record;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::AppResult;
use crate::extract::{IdPath, QueryParams};
use crate::page::views::Opt;
use crate::page::words::Words;
use crate::page::{Layout, render};
use crate::state::AppState;

const PER_PAGE: u64 = 50;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct HistoryQuery {
    page: String,
    escape: String,
    kind: String,
}

/// What a save was about, as the kind filter offers it: (key, label, subject prefix).
const KINDS: &[(&str, &str, &str)] = &[
    ("review", "The review's details and state", "Review"),
    ("escape", "Escapes' steps", "Escape '"),
    ("action", "Improvement actions", "Action '"),
];

/// One field of a save, in words.
#[derive(Serialize)]
struct ShownField {
    field: String,
    /// The field is a checklist question: its answer follows without a colon.
    question: bool,
    old_value: String,
    new_value: String,
}

/// One save as the page lists it.
#[derive(Serialize)]
struct ShownChange {
    at: String,
    actor: String,
    subject: String,
    fields: Vec<ShownField>,
}

#[derive(Serialize)]
struct HistoryPage {
    layout: Layout,
    review: Review,
    tab: &'static str,
    changes: Vec<ShownChange>,
    escapes: Vec<Opt>,
    kinds: Vec<Opt>,
    query: HistoryQuery,
    filtered: bool,
    total: u64,
    page: u64,
    total_pages: u64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// "Primary mechanism" from the recorded "primary mechanism".
fn sentence_case(field: &str) -> String {
    let mut chars = field.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn shown(words: &Words, change: HistoryChange) -> ShownChange {
    ShownChange {
        at: change.at.to_rfc3339(),
        actor: change.actor,
        subject: change.subject,
        fields: change
            .fields
            .into_iter()
            .map(|f| ShownField {
                question: f.field.ends_with('?'),
                old_value: words.field_value(&f.field, &f.old_value),
                new_value: words.field_value(&f.field, &f.new_value),
                field: sentence_case(&f.field),
            })
            .collect(),
    }
}

pub(super) async fn review_history(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    IdPath(id): IdPath,
    QueryParams(query): QueryParams<HistoryQuery>,
) -> AppResult<Response> {
    let record = visible_record(&state, &user, id).await?;
    let review = record.review.clone();
    let escapes: Vec<_> = record.escapes().collect();
    let mut filter = HistoryFilter::default();
    let chosen = Uuid::parse_str(query.escape.trim())
        .ok()
        .and_then(|e| escapes.iter().find(|x| x.id == e));
    if let Some(escape) = chosen {
        let mut subjects = vec![escape_subject(&escape.defect.data.title)];
        subjects.extend(escape.actions.iter().map(|a| action_subject(&a.title)));
        filter.subjects = Some(subjects);
    }
    let kind = KINDS.iter().find(|(key, ..)| *key == query.kind.trim());
    filter.prefix = kind.map(|(.., prefix)| (*prefix).to_owned());
    let query = HistoryQuery {
        page: query.page,
        escape: chosen.map(|e| e.id.to_string()).unwrap_or_default(),
        kind: kind.map(|(key, ..)| (*key).to_owned()).unwrap_or_default(),
    };
    let paging = Paging::from_query(Some(query.page.as_str()), PER_PAGE);
    let (changes, total) = list_history_changes(&state.db, id, &filter, paging).await?;
    let words = Words::stages(&state.db).await?;
    let review_href = format!("/reviews/{id}");
    let href = |page: u64| {
        let params = [
            ("escape", query.escape.as_str()),
            ("kind", query.kind.as_str()),
        ];
        let mut url = format!("/reviews/{id}/history?page={page}");
        for (name, value) in params.iter().filter(|(_, v)| !v.is_empty()) {
            url.push_str(&format!("&{name}={value}"));
        }
        url
    };
    let page = HistoryPage {
        layout: Layout::new(
            format!("History · {} · {}", review.title, review.team_name),
            "reviews",
            &csrf,
            &[("Reviews", "/reviews"), (&review.title, &review_href)],
        ),
        prev_href: paging.has_prev().then(|| href(paging.page() - 1)),
        next_href: paging.has_next(total).then(|| href(paging.page() + 1)),
        total_pages: paging.total_pages(total),
        page: paging.page(),
        tab: "history",
        changes: changes.into_iter().map(|c| shown(&words, c)).collect(),
        escapes: escapes
            .iter()
            .map(|e| Opt {
                value: e.id.to_string(),
                label: e.defect.data.title.clone(),
            })
            .collect(),
        kinds: KINDS
            .iter()
            .map(|(key, label, _)| Opt {
                value: (*key).to_owned(),
                label: (*label).to_owned(),
            })
            .collect(),
        filtered: !query.escape.is_empty() || !query.kind.is_empty(),
        query,
        total,
        review,
    };
    render("reviews/history.html", &page)
}
