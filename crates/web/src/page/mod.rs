//! The shape every page handler shares: [`Ctx`] gives a handler the state, the signed-in
//! user and the CSRF token in one extractor, and [`form`] is the one protocol of every form
//! submission (303 on success, the form again with 422 or 409 otherwise).

pub mod charts;
pub mod choices;
pub mod definition;
pub mod done;
pub mod fields;
pub mod form;
pub mod views;
pub mod words;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use escapement_storage::sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
pub use crate::templates::{Crumb, Layout, Page};
pub use done::Done;

/// What a signed-in page needs from every request.
pub struct Ctx {
    pub state: AppState,
    pub user: CurrentUser,
    /// The visitor's CSRF token, for the forms the page renders.
    pub csrf: String,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let CsrfToken(csrf) = CsrfToken::from_request_parts(parts, state).await?;
        Ok(Ctx {
            state: state.clone(),
            user,
            csrf,
        })
    }
}

impl Ctx {
    /// The database connection pool.
    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// The layout of a page titled `title` under the navigation entry `nav`, with
    /// breadcrumbs from `(label, href)` pairs; the page itself is appended.
    pub fn layout(
        &self,
        title: impl Into<String>,
        nav: &'static str,
        trail: &[(&str, &str)],
    ) -> Layout {
        Layout::new(title, nav, &self.csrf, trail)
    }
}

/// Renders `page` through `template` with status 200.
pub fn render<T: Serialize>(template: &'static str, page: &T) -> AppResult<Response> {
    let html = Page::new(template, page).render()?;
    Ok(axum::response::Html(html).into_response())
}

/// A 303 "see other" to `path`, the answer to every successful form submission.
pub fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// A 303 to `path` whose page confirms what `done` did.
pub fn see_other_done(path: &str, done: Done) -> Response {
    see_other(&done.on(path))
}
