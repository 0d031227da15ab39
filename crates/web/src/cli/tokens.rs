//! `escapement token …`: creating a user's API token (printed once), listing a user's
//! tokens without their values, and revoking one by id, each change audited.

use std::io::Write;

use anyhow::anyhow;
use chrono::Utc;
use clap::Subcommand;
use escapement_core::auth::TokenName;
use escapement_storage::accounts::{issue_token, list_tokens, revoke_any_token};
use escapement_storage::sea_orm::DatabaseConnection;
use escapement_storage::{Actor, StorageError};
use uuid::Uuid;

use super::support::{parse_email, storage, user_by_email};
use crate::auth::{api_token_hash, new_api_token};

/// `escapement token …`
#[derive(Debug, Clone, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it once.
    Create {
        /// The user's email address.
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "CI export".
        #[arg(long)]
        name: String,
    },
    /// List a user's tokens (never their values).
    List {
        /// The user's email address.
        #[arg(long)]
        email: String,
    },
    /// Revoke a token by its id.
    Revoke {
        /// The token's id, as `token list` shows it.
        id: Uuid,
    },
}

/// Runs `escapement token …`.
pub async fn run_token(
    db: &DatabaseConnection,
    command: TokenCommand,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let now = Utc::now();
    match command {
        TokenCommand::Create { email, name } => {
            let user = user_by_email(db, &parse_email(&email)?).await?;
            let name = TokenName::parse(&name).map_err(|e| anyhow!("name: {e}"))?;
            let token = new_api_token();
            let hash = api_token_hash(&token);
            let record = issue_token(db, user.id, &name, &hash, Actor::COMMAND_LINE, now)
                .await
                .map_err(storage)?;
            writeln!(
                out,
                "Token {} for {} (shown once, store it now):\n{token}",
                record.id, user.email
            )?;
        }
        TokenCommand::List { email } => {
            let user = user_by_email(db, &parse_email(&email)?).await?;
            for token in list_tokens(db, user.id).await? {
                let state = if token.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    token.id,
                    token.name,
                    token.created_at.format("%Y-%m-%d"),
                    state
                )?;
            }
        }
        TokenCommand::Revoke { id } => {
            revoke_any_token(db, id, Actor::COMMAND_LINE, now)
                .await
                .map_err(|e| match e {
                    StorageError::NotFound => anyhow!("id: no active token has the id {id}"),
                    other => storage(other),
                })?;
            writeln!(out, "Revoked token {id}.")?;
        }
    }
    Ok(())
}
