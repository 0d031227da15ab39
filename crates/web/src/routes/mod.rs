//! The route table: every URL of the application is listed here, in one place.

mod api;
mod audit;
mod catalog;
mod defects;
mod health;
mod pipeline;
mod reviews;
mod session;
mod views;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;

use crate::AppState;
use crate::error::AppError;

const STYLESHEET: &str = include_str!("../../../../static/app.css");
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

async fn not_found() -> AppError {
    AppError::NotFound
}

/// Every route of the application.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/static/app.css", get(stylesheet))
        .route("/static/review.js", get(review_script))
        .merge(health::router())
        .merge(defects::router())
        .merge(reviews::router())
        .merge(catalog::router())
        .merge(pipeline::router())
        .merge(session::router())
        .merge(api::router())
        .merge(audit::router())
        .fallback(not_found)
}
