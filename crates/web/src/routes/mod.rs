//! The route table: every URL of the application is one entry of [`entries`], listed here in
//! one place with who may use it; the router is folded from the same entries.

mod api;
mod backlog;
mod dashboard;
mod defects;
mod escapes;
mod health;
mod imports;
pub(crate) mod reports;
mod reviews;
mod session;
mod settings;
mod table;

use axum::Router;
use axum::http::{Uri, header};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::any;

pub use api::openapi_document;
pub(crate) use api::unauthorized as api_unauthorized;
pub use table::{AccessLevel, DEFAULT_BODY_LIMIT, RouteInfo};

use crate::auth::require_login;
use crate::error::AppError;
use crate::state::AppState;
use table::Route;

/// The one stylesheet, also inlined into the command line's standalone reports.
pub(crate) const STYLESHEET: &str = include_str!("../../../../static/app.css");
const REVIEW_SCRIPT: &str = include_str!("../../../../static/review.js");

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

async fn review_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        REVIEW_SCRIPT,
    )
}

async fn home() -> Redirect {
    Redirect::to("/reviews")
}

/// A path no route answers: the HTML "Page not found", or a JSON problem under the API.
async fn not_found(uri: Uri) -> Response {
    if api::is_api(uri.path()) {
        api::unknown_endpoint(&uri)
    } else {
        AppError::NotFound.into_response()
    }
}

/// Every route of the application, with its access level.
fn entries() -> Vec<Route> {
    let mut all = vec![
        Route::get("/", AccessLevel::SignedIn, home),
        Route::asset("/static/app.css", stylesheet),
        Route::asset("/static/review.js", review_script),
    ];
    for module in [
        health::routes(),
        session::routes(),
        imports::routes(),
        defects::routes(),
        dashboard::routes(),
        backlog::routes(),
        reports::routes(),
        reviews::routes(),
        settings::routes(),
        api::routes(),
    ] {
        all.extend(module);
    }
    all
}

/// The method, path pattern and access level of every route, in table order.
pub fn table() -> Vec<RouteInfo> {
    entries().iter().map(|r| r.info().clone()).collect()
}

/// The router of the pages: every entry but the static files behind the guards of its
/// access level; an unknown path needs a signed-in user too, so it reveals nothing to a
/// visitor. The application wraps it in the session and CSRF layers.
pub fn router() -> Router<AppState> {
    entries()
        .into_iter()
        .filter(|route| !route.is_asset())
        .fold(Router::new(), |router, route| {
            let path = route.info().path;
            router.route(path, route.guarded())
        })
        .fallback(any(not_found).layer(from_fn(require_login)))
}

/// The router of the static files, which the application serves outside the session and
/// CSRF layers: they read no session and set no cookie.
pub fn assets() -> Router<AppState> {
    entries()
        .into_iter()
        .filter(Route::is_asset)
        .fold(Router::new(), |router, route| {
            let path = route.info().path;
            router.route(path, route.guarded())
        })
}
