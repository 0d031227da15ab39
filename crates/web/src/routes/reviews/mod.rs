//! Escape reviews: the list and the unreviewed queue, the review form, the review page with
//! its state buttons, the guided steps of each escape, actions, history and exports.

mod actions;
mod export;
mod form;
mod history;
mod list;
mod show;
mod step_page;
mod steps;

use axum::Router;
use axum::routing::{get, post};
use escapement_core::auth::Permission;
use escapement_core::review::{EscapeWork, Step, blame_findings};
use escapement_storage::reviews::{Actor, Review, ReviewEscape, get_review};
use serde::Serialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/reviews",
            get(list::list_reviews).post(form::create_review),
        )
        .route("/reviews/new", get(form::new_review_form))
        .route(
            "/reviews/{id}",
            get(show::show_review).post(form::update_review),
        )
        .route("/reviews/{id}/edit", get(form::edit_review_form))
        .route("/reviews/{id}/state", post(show::change_review_state))
        .route("/reviews/{id}/escapes", post(show::add_review_escape))
        .route(
            "/reviews/{id}/escapes/new",
            post(show::record_review_escape),
        )
        .route("/reviews/{id}/escapes/{escape_id}", get(steps::show_step))
        .route(
            "/reviews/{id}/escapes/{escape_id}/remove",
            post(show::remove_review_escape),
        )
        .route(
            "/reviews/{id}/escapes/{escape_id}/facts",
            post(steps::save_facts),
        )
        .route(
            "/reviews/{id}/escapes/{escape_id}/checklist",
            post(steps::save_checklist_answers),
        )
        .route(
            "/reviews/{id}/escapes/{escape_id}/analysis",
            post(steps::save_analysis_answers),
        )
        .route(
            "/reviews/{id}/escapes/{escape_id}/mechanism",
            post(steps::save_mechanism),
        )
        .route(
            "/reviews/{id}/escapes/{escape_id}/no-action",
            post(steps::save_no_action),
        )
        .route(
            "/reviews/{id}/escapes/{escape_id}/actions",
            post(actions::create_action),
        )
        .route(
            "/reviews/{id}/actions/{action_id}",
            post(actions::update_action_details),
        )
        .route(
            "/reviews/{id}/actions/{action_id}/edit",
            get(actions::edit_action_form),
        )
        .route(
            "/reviews/{id}/actions/{action_id}/delete",
            post(actions::delete_action_now),
        )
        .route("/reviews/{id}/history", get(history::review_history))
        .route("/reviews/{id}/export.md", get(export::export_markdown))
        .route("/reviews/{id}/print", get(export::print_review))
        .route("/escapes", get(list::unreviewed_queue))
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

/// The signed-in user as the history records them.
fn actor(user: &CurrentUser) -> Actor {
    Actor {
        user_id: user.user.id,
        name: user.user.display_name.clone(),
    }
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
}

fn escape_nav(escapes: &[ReviewEscape]) -> Vec<EscapeNav> {
    escapes
        .iter()
        .map(|e| {
            let work = e.work();
            EscapeNav {
                id: e.id,
                title: e.defect.data.title.clone(),
                severity: e.defect.data.severity.key().to_owned(),
                marks: step_marks(&work),
                next_step: work.next_step().unwrap_or(Step::Facts).key(),
                complete: work.next_step().is_none(),
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

/// Names the blameless guard treats as people: team members and listed participants.
async fn people_of(state: &AppState, review: &Review) -> AppResult<Vec<String>> {
    let mut names =
        escapement_storage::reviews::team_member_names(&state.db, review.team_id).await?;
    names.extend(review.participants.iter().map(|p| p.name.clone()));
    Ok(names)
}
