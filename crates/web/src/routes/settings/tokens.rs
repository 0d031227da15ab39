//! `/settings/tokens`: the signed-in user's own API tokens. The list shows names and dates,
//! never a token or its hash; a new token's value is shown once, on the page answering its
//! creation; only the owner can revoke a token (anyone else's answers 404).

use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use escapement_core::ValidationErrors;
use escapement_core::auth::TokenName;
use escapement_storage::accounts::{issue_token, list_tokens, revoke_own_token};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{api_token_hash, new_api_token};
use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::extract::IdPath;
use crate::page::form::{FormPage, Refusal, invalid, respond};
use crate::page::views::FormErrors;
use crate::page::{Ctx, Layout, Page, see_other};
use crate::routes::table::{AccessLevel, Route};

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

/// The tokens page of the signed-in user, with the add form.
struct TokensForm<'a> {
    ctx: &'a Ctx,
}

impl TokensForm<'_> {
    async fn page(
        &self,
        name: String,
        errors: &ValidationErrors,
        new_token: Option<NewToken>,
    ) -> AppResult<Page> {
        let tokens = list_tokens(self.ctx.db(), self.ctx.user.user.id)
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
        let page = TokensPage {
            layout: self
                .ctx
                .layout("API tokens", "settings", &[("Settings", "/settings")]),
            tokens,
            name,
            errors: errors.into(),
            new_token,
        };
        Ok(Page::new("settings/tokens.html", &page))
    }
}

impl FormPage for TokensForm<'_> {
    type Input = String;

    async fn invalid(self, name: String, errors: ValidationErrors) -> AppResult<Page> {
        self.page(name, &errors, None).await
    }

    async fn stale(self, name: String) -> AppResult<Page> {
        self.page(name, &ValidationErrors::new(), None).await
    }
}

async fn list_tokens_page(ctx: Ctx) -> AppResult<Response> {
    let form = TokensForm { ctx: &ctx };
    Ok(form
        .page(String::new(), &ValidationErrors::new(), None)
        .await?
        .into_response())
}

async fn create_token(ctx: Ctx, CsrfForm(form): CsrfForm<TokenForm>) -> AppResult<Response> {
    let user_id = ctx.user.user.id;
    let outcome: Result<Page, Refusal> = async {
        let name = TokenName::parse(&form.name).map_err(|p| invalid("name", &p.to_string()))?;
        let value = new_api_token();
        let actor = ctx.user.actor();
        let hash = api_token_hash(&value);
        let token = issue_token(ctx.db(), user_id, &name, &hash, actor, Utc::now()).await?;
        tracing::info!(user.id = %user_id, token.id = %token.id, "a user created an API token");
        let new_token = NewToken {
            name: token.name,
            value,
        };
        let form = TokensForm { ctx: &ctx };
        Ok(form
            .page(String::new(), &ValidationErrors::new(), Some(new_token))
            .await?)
    }
    .await;
    respond(
        TokensForm { ctx: &ctx },
        form.name,
        outcome,
        IntoResponse::into_response,
    )
    .await
}

async fn revoke_token(
    ctx: Ctx,
    IdPath(token_id): IdPath,
    CsrfForm(_): CsrfForm<TokenForm>,
) -> AppResult<Response> {
    let user_id = ctx.user.user.id;
    let actor = ctx.user.actor();
    revoke_own_token(ctx.db(), user_id, token_id, actor, Utc::now()).await?;
    tracing::info!(user.id = %user_id, token.id = %token_id, "a user revoked an API token");
    Ok(see_other("/settings/tokens"))
}
