//! The JSON API (`/api/v1`), authenticated by `Authorization: Bearer <token>` or a session;
//! the only routes where a token is a credential (see `auth::middleware::API_PREFIX`).
//! Errors are RFC 9457 problem documents ([`problem`]); lists are cursor-paginated
//! ([`cursor`]); the OpenAPI 3.1 document is generated from the handlers' annotations
//! ([`ApiDoc`]) and served at `/api/v1/openapi.json`, with a page that reads it at
//! `/docs/api`.

mod backlog;
mod cursor;
mod defects;
mod docs;
mod metrics;
mod problem;
mod reviews;
mod schema;

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Json, Response};
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::routes::table::{AccessLevel, Route};
pub(crate) use problem::{ApiError, Problem};

pub fn routes() -> Vec<Route> {
    use AccessLevel::{Public, SignedIn, TeamRead, TeamWrite};
    vec![
        Route::get("/api/v1/me", SignedIn, me),
        Route::get("/api/v1/openapi.json", Public, openapi_json),
        Route::get("/docs/api", Public, docs::page),
        Route::get("/api/v1/defects", SignedIn, defects::list),
        Route::post("/api/v1/defects", TeamWrite, defects::create),
        Route::get("/api/v1/defects/{defect_id}", TeamRead, defects::show),
        Route::patch("/api/v1/defects/{defect_id}", TeamWrite, defects::update),
        Route::get("/api/v1/reviews", SignedIn, reviews::list),
        Route::post("/api/v1/reviews", TeamWrite, reviews::create),
        Route::get("/api/v1/reviews/{review_id}", TeamRead, reviews::show),
        Route::patch("/api/v1/reviews/{review_id}", TeamWrite, reviews::update),
        Route::post(
            "/api/v1/reviews/{review_id}/state",
            TeamWrite,
            reviews::move_state,
        ),
        Route::get("/api/v1/backlog", SignedIn, backlog::list),
        Route::get("/api/v1/actions/{action_id}", TeamRead, backlog::show),
        Route::patch("/api/v1/actions/{action_id}", TeamWrite, backlog::update),
        Route::get(
            "/api/v1/metrics/escape-rate",
            SignedIn,
            metrics::escape_rate,
        ),
        Route::get("/api/v1/metrics/mechanisms", SignedIn, metrics::mechanisms),
        Route::get("/api/v1/metrics/layer-matrix", SignedIn, metrics::matrix),
    ]
}

/// The OpenAPI document of the API, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Escapement API",
        version = "1",
        description = "Defects, escape reviews, the improvement backlog and the escape metrics of the teams the caller belongs to. Authenticate with `Authorization: Bearer <token>` (Settings → API tokens). Lists are cursor-paginated: pass `next_cursor` back as `cursor`. Changes carry the `version` they are based on; a stale one gets 409 with the current version. Errors are RFC 9457 problem documents (`application/problem+json`) with one entry per refused field."
    ),
    paths(
        me,
        defects::list,
        defects::create,
        defects::show,
        defects::update,
        reviews::list,
        reviews::create,
        reviews::show,
        reviews::update,
        reviews::move_state,
        backlog::list,
        backlog::show,
        backlog::update,
        metrics::escape_rate,
        metrics::mechanisms,
        metrics::matrix,
    ),
    components(schemas(Problem)),
    modifiers(&BearerToken),
    security(("bearer" = [])),
    tags(
        (name = "account", description = "Who the token belongs to"),
        (name = "defects", description = "Defects, with the defect list's filters"),
        (name = "reviews", description = "Escape reviews, their escapes, checklist answers, classifications and actions"),
        (name = "backlog", description = "The prioritised improvement backlog and its actions"),
        (name = "metrics", description = "Escape rate, mechanisms by quarter and the layer matrix, each with its definition version, counts and 95% interval"),
    )
)]
pub struct ApiDoc;

/// The bearer token scheme every operation uses.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document as JSON.
pub fn openapi_document() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

/// `GET /api/v1/openapi.json`: the OpenAPI 3.1 document.
async fn openapi_json() -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(openapi_document()),
    )
        .into_response()
}

/// A team the caller belongs to, and their role in it.
#[derive(Serialize, ToSchema)]
struct Membership {
    team_id: Uuid,
    /// `viewer`, `editor` or `team_admin`.
    role: &'static str,
}

/// The caller.
#[derive(Serialize, ToSchema)]
struct Me {
    id: Uuid,
    email: String,
    display_name: String,
    /// An instance administrator sees every team.
    is_admin: bool,
    memberships: Vec<Membership>,
}

/// Who the token (or session) belongs to, and their teams.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "account",
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    )
)]
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

/// Whether `path` is in the API's part of the URL tree, where answers are JSON.
pub(crate) fn is_api(path: &str) -> bool {
    path == "/api/v1" || crate::auth::is_api_path(path)
}

/// An API path no route answers: a JSON 404 (`application/problem+json`), not the HTML
/// page a browser gets, so a client can read why its request failed.
pub(crate) fn unknown_endpoint(uri: &Uri) -> Response {
    let problem = Problem {
        r#type: "about:blank".to_owned(),
        title: "Not Found".to_owned(),
        status: StatusCode::NOT_FOUND.as_u16(),
        detail: format!(
            "There is no API endpoint at {}. The API's endpoints start with /api/v1/, such as /api/v1/me; /api/v1/openapi.json lists them all.",
            uri.path()
        ),
        errors: Vec::new(),
        current_version: None,
    };
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, problem::PROBLEM_JSON)],
        Json(problem),
    )
        .into_response()
}

/// The 401 of an API path without a valid token or session.
pub(crate) fn unauthorized() -> Response {
    ApiError::Unauthorized.into_response()
}
