//! The JSON API (`/api/v1`), authenticated by `Authorization: Bearer <token>` or a session;
//! the only routes where a token is a credential (see `auth::middleware::API_PREFIX`).

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Json, Response};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::routes::table::{AccessLevel, Route};

pub fn routes() -> Vec<Route> {
    vec![Route::get("/api/v1/me", AccessLevel::SignedIn, me)]
}

#[derive(Serialize)]
struct Membership {
    team_id: Uuid,
    role: &'static str,
}

#[derive(Serialize)]
struct Me {
    id: Uuid,
    email: String,
    display_name: String,
    is_admin: bool,
    memberships: Vec<Membership>,
}

/// `GET /api/v1/me`: who the token (or session) belongs to, and their teams.
async fn me(user: CurrentUser) -> Json<Me> {
    Json(Me {
        id: user.user.id,
        email: user.user.email.clone(),
        display_name: user.user.display_name.clone(),
        is_admin: user.user.is_admin,
        memberships: user
            .memberships
            .iter()
            .map(|(team_id, role)| Membership {
                team_id: *team_id,
                role: role.key(),
            })
            .collect(),
    })
}

/// An RFC 9457 problem document.
#[derive(Serialize)]
struct Problem {
    r#type: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
}

/// Whether `path` is in the API's part of the URL tree, where answers are JSON.
pub(crate) fn is_api(path: &str) -> bool {
    path == "/api/v1" || crate::auth::is_api_path(path)
}

/// An API path no route answers: a JSON 404 (`application/problem+json`), not the HTML
/// page a browser gets, so a client can read why its request failed.
pub(crate) fn unknown_endpoint(uri: &Uri) -> Response {
    let problem = Problem {
        r#type: "about:blank",
        title: "Not Found",
        status: StatusCode::NOT_FOUND.as_u16(),
        detail: format!(
            "There is no API endpoint at {}. The API's endpoints start with /api/v1/, such as /api/v1/me.",
            uri.path()
        ),
    };
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/problem+json")],
        Json(problem),
    )
        .into_response()
}
