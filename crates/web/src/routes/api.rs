//! The JSON API (`/api/v1`), authenticated by `Authorization: Bearer <token>` or a session;
//! the only routes where a token is a credential (see `auth::middleware::API_PREFIX`).

use axum::response::Json;
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
