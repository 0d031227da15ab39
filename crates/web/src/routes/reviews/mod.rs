//! Escape reviews: the list and the unreviewed queue, the review form, the review page with
//! its state buttons, the guided steps of each escape, actions, history and exports.

mod actions;
mod export;
mod form;
mod history;
mod list;
pub(crate) mod record;

pub use list::PER_PAGE;
mod show;
mod steps;

use escapement_core::auth::Permission;
use escapement_core::review::{EscapeWork, Step, blame_findings};
use escapement_storage::reviews::{
    Review, ReviewEscape, ReviewRecord, get_review, review_document,
};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::page::Layout;
use crate::page::views::{Opt, team_options};
use crate::routes::table::{AccessLevel, Route};
use crate::state::AppState;
use escapement_storage::catalog::catalog;

/// The review pages: lists and forms for signed-in users, everything about one review at
/// its team's read or write level.
pub fn routes() -> Vec<Route> {
    use AccessLevel::{SignedIn, TeamRead, TeamWrite};
    vec![
        Route::get("/reviews", SignedIn, list::list_reviews),
        Route::post("/reviews", TeamWrite, form::create_review),
        Route::get("/reviews/new", TeamWrite, form::new_review_form),
        Route::get("/reviews/{review_id}", TeamRead, show::show_review),
        Route::post("/reviews/{review_id}", TeamWrite, form::update_review),
        Route::get(
            "/reviews/{review_id}/edit",
            TeamWrite,
            form::edit_review_form,
        ),
        Route::post(
            "/reviews/{review_id}/state",
            TeamWrite,
            show::change_review_state,
        ),
        Route::post(
            "/reviews/{review_id}/escapes",
            TeamWrite,
            show::add_review_escape,
        ),
        Route::post(
            "/reviews/{review_id}/escapes/new",
            TeamWrite,
            show::record_review_escape,
        ),
        Route::get(
            "/reviews/{review_id}/escapes/{escape_id}",
            TeamRead,
            steps::show_step,
        ),
        Route::post(
            "/reviews/{review_id}/escapes/{escape_id}/facts",
            TeamWrite,
            steps::save_facts,
        ),
        Route::post(
            "/reviews/{review_id}/escapes/{escape_id}/checklist",
            TeamWrite,
            steps::save_checklist_answers,
        ),
        Route::post(
            "/reviews/{review_id}/escapes/{escape_id}/analysis",
            TeamWrite,
            steps::save_analysis_answers,
        ),
        Route::post(
            "/reviews/{review_id}/escapes/{escape_id}/mechanism",
            TeamWrite,
            steps::save_mechanism,
        ),
        Route::post(
            "/reviews/{review_id}/escapes/{escape_id}/no-action",
            TeamWrite,
            steps::save_no_action,
        ),
        Route::post(
            "/reviews/{review_id}/escapes/{escape_id}/actions",
            TeamWrite,
            actions::create_action,
        ),
        Route::post(
            "/reviews/{review_id}/actions/{action_id}",
            TeamWrite,
            actions::update_action_details,
        ),
        Route::get(
            "/reviews/{review_id}/actions/{action_id}/edit",
            TeamWrite,
            actions::edit_action_form,
        ),
        Route::get(
            "/reviews/{review_id}/actions/{action_id}/delete",
            TeamWrite,
            actions::confirm_delete_action,
        ),
        Route::get(
            "/reviews/{review_id}/history",
            TeamRead,
            history::review_history,
        ),
        Route::get(
            "/reviews/{review_id}/export.md",
            TeamRead,
            export::export_markdown,
        ),
        Route::get("/reviews/{review_id}/print", TeamRead, export::print_review),
        Route::get("/escapes", SignedIn, super::escapes::unreviewed_queue),
        // Removals last: the access suite lets people in in table order.
        Route::post(
            "/reviews/{review_id}/actions/{action_id}/delete",
            TeamWrite,
            actions::delete_action_now,
        ),
        Route::post(
            "/reviews/{review_id}/escapes/{escape_id}/remove",
            TeamWrite,
            show::remove_review_escape,
        ),
    ]
}

/// The review `id` if the user may see its team (404 otherwise, as if it did not exist),
/// and, when `permission` is given, may do that there (403 otherwise).
async fn visible_review(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    permission: Option<Permission>,
) -> AppResult<Review> {
    let review = get_review(&state.db, id).await?;
    match permission {
        Some(p) => user.require(review.team_id, p)?,
        None => user.require(review.team_id, Permission::Read)?,
    }
    Ok(review)
}

/// The review `id` with everything its page and exports show, if the user may see its
/// team (404 otherwise, as if it did not exist).
async fn visible_record(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<ReviewRecord> {
    let record = review_document(&state.db, id).await?;
    user.require(record.review.team_id, Permission::Read)?;
    Ok(record)
}

/// The frame of a page about one review: its title and team, under the review list.
fn review_layout(review: &Review, csrf: &str) -> Layout {
    let title = format!("{} · {}", review.title, review.team_name);
    Layout::new(title, "reviews", csrf, &[("Reviews", "/reviews")])
}

/// One step of an escape's stepper.
#[derive(Debug, Serialize)]
struct StepMark {
    key: &'static str,
    label: &'static str,
    done: bool,
    current: bool,
}

fn step_marks(work: &EscapeWork) -> Vec<StepMark> {
    Step::ALL
        .iter()
        .map(|&s| StepMark {
            key: s.key(),
            label: s.label(),
            done: work.is_done(s),
            current: false,
        })
        .collect()
}

/// One escape in the review's stepper: its title, step marks and where to continue.
#[derive(Debug, Serialize)]
struct EscapeNav {
    id: Uuid,
    title: String,
    severity: String,
    marks: Vec<StepMark>,
    next_step: &'static str,
    complete: bool,
    /// The version the page shows, sent back by the remove form.
    version: i32,
}

fn escape_nav<'a>(escapes: impl IntoIterator<Item = &'a ReviewEscape>) -> Vec<EscapeNav> {
    escapes
        .into_iter()
        .map(|e| {
            let work = e.work();
            EscapeNav {
                id: e.id,
                title: e.defect.data.title.clone(),
                severity: e.defect.data.severity.key().to_owned(),
                marks: step_marks(&work),
                next_step: work.next_step().unwrap_or(Step::Facts).key(),
                complete: work.next_step().is_none(),
                version: e.version,
            }
        })
        .collect()
}

/// A blameless hint on one narrative field.
#[derive(Debug, Serialize)]
struct BlameHint {
    field: &'static str,
    text: String,
    question: &'static str,
}

/// Blameless hints for `(field label, text)` pairs, naming the team's members and the
/// review's participants as people not to point at.
fn blame_hints(fields: &[(&'static str, &str)], people: &[String]) -> Vec<BlameHint> {
    let names: Vec<&str> = people.iter().map(String::as_str).collect();
    fields
        .iter()
        .flat_map(|(field, text)| {
            blame_findings(text, &names).into_iter().map(|f| BlameHint {
                field,
                text: f.text,
                question: f.question,
            })
        })
        .collect()
}

/// What an action form offers: the components of the teams the user sees, each labelled
/// with its team, and those teams as owners.
async fn action_choices(state: &AppState, user: &CurrentUser) -> AppResult<(Vec<Opt>, Vec<Opt>)> {
    let all = catalog(&state.db).await?;
    let teams: Vec<_> = all
        .teams
        .iter()
        .filter(|t| user.sees(t.id))
        .cloned()
        .collect();
    let components = all
        .components
        .iter()
        .filter(|c| user.sees(c.team_id))
        .map(|c| Opt {
            value: c.id.to_string(),
            label: format!(
                "{} ({})",
                c.name,
                teams
                    .iter()
                    .find(|t| t.id == c.team_id)
                    .map_or("", |t| t.name.as_str())
            ),
        })
        .collect();
    Ok((components, team_options(&teams)))
}
