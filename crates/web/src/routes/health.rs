//! `GET /healthz`: a real round trip to the database, for load balancers and monitors.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use serde_json::json;

use crate::routes::table::Route;
use crate::state::AppState;

/// The database is reachable (a round trip), or busy: every pooled connection is in use,
/// which means it is answering them, so health says so at once (200, `"database":"busy"`)
/// instead of queueing behind the load it is asked about. A round trip that finds no free
/// connection within the acquire timeout is busy too.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let busy = || {
        (
            StatusCode::OK,
            Json(json!({"status": "ok", "database": "busy"})),
        )
    };
    if escapement_storage::pool_saturated(&state.db) {
        return busy();
    }
    match escapement_storage::ping(&state.db).await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "database": "ok"})),
        ),
        Err(err) if escapement_storage::is_overloaded(&err) => busy(),
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
    vec![Route::sessionless("/healthz", health)]
}
