//! `/settings/tokens`: the signed-in user's own API tokens. The list shows names and dates,
//! never a token or its hash; a new token's value is shown once, on the page answering its
//! creation; only the owner can revoke a token (anyone else's answers 404).

use axum::extract::State;
use axum::http::{Extensions, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use escapement_core::ValidationErrors;
use escapement_core::auth::TokenName;
use escapement_storage::accounts::{issue_token, list_tokens, revoke_own_token};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::auth::{CurrentUser, actor, api_token_hash, client_addr, new_api_token};
use crate::csrf::{CsrfForm, CsrfToken};
use crate::error::AppResult;
use crate::extract::IdPath;
use crate::render::{Layout, render, render_with_status};
use crate::routes::table::{AccessLevel, Route};
use crate::routes::views::FormErrors;

pub fn routes() -> Vec<Route> {
    use AccessLevel::{Owner, SignedIn};
    vec![
        Route::get("/settings/tokens", SignedIn, list_tokens_page),
        Route::post("/settings/tokens", SignedIn, create_token),
        Route::post("/settings/tokens/{token_id}/revoke", Owner, revoke_token),
    ]
}

#[derive(Serialize)]
struct TokenRow {
    id: Uuid,
    name: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

/// A token just created: its value, shown this once.
#[derive(Serialize)]
struct NewToken {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenRow>,
    name: String,
    errors: FormErrors,
    new_token: Option<NewToken>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    name: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    name: String,
    errors: &ValidationErrors,
    new_token: Option<NewToken>,
) -> AppResult<TokensPage> {
    let tokens = list_tokens(&state.db, user.user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        })
        .collect();
    Ok(TokensPage {
        layout: Layout::new("API tokens", "settings", csrf, &[("Settings", "/settings")]),
        tokens,
        name,
        errors: errors.into(),
        new_token,
    })
}

async fn list_tokens_page(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let view = page(
        &state,
        &user,
        &csrf,
        String::new(),
        &ValidationErrors::new(),
        None,
    )
    .await?;
    render("settings/tokens.html", &view)
}

async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    extensions: Extensions,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> AppResult<Response> {
    let name = match TokenName::parse(&form.name) {
        Ok(name) => name,
        Err(problem) => {
            let mut errors = ValidationErrors::new();
            errors.push("name", problem.to_string());
            let view = page(&state, &user, &csrf, form.name, &errors, None).await?;
            return Err(render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "settings/tokens.html",
                &view,
            ));
        }
    };
    let value = new_api_token();
    let addr = client_addr(&extensions);
    let actor = actor(&user, &addr);
    let token = issue_token(
        &state.db,
        user.user.id,
        &name,
        &api_token_hash(&value),
        actor,
        Utc::now(),
    )
    .await?;
    tracing::info!(user.id = %user.user.id, token.id = %token.id, "a user created an API token");
    let new_token = NewToken {
        name: token.name,
        value,
    };
    let view = page(
        &state,
        &user,
        &csrf,
        String::new(),
        &ValidationErrors::new(),
        Some(new_token),
    )
    .await?;
    render("settings/tokens.html", &view)
}

async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(token_id): IdPath,
    extensions: Extensions,
    CsrfForm(_): CsrfForm<TokenForm>,
) -> AppResult<Response> {
    let addr = client_addr(&extensions);
    let actor = actor(&user, &addr);
    revoke_own_token(&state.db, user.user.id, token_id, actor, Utc::now()).await?;
    tracing::info!(user.id = %user.user.id, token.id = %token_id, "a user revoked an API token");
    Ok(Redirect::to("/settings/tokens").into_response())
}
