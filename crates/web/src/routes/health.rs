//! `GET /healthz`: a real round trip to the database, for load balancers and monitors.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use serde_json::json;

use crate::routes::table::{AccessLevel, Route};
use crate::state::AppState;

async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match escapement_storage::ping(&state.db).await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "database": "ok"})),
        ),
        Err(err) => {
            tracing::warn!(error = %err, "health check cannot reach the database");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "database": "unavailable"})),
            )
        }
    }
}

pub fn routes() -> Vec<Route> {
    vec![Route::get("/healthz", AccessLevel::Public, health)]
}
