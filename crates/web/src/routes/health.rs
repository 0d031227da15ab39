//! `GET /healthz`: a real round trip to the database, for load balancers and monitors.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use serde_json::json;

use crate::AppState;

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

pub fn router() -> axum::Router<AppState> {
    Router::new().route("/healthz", get(health))
}
