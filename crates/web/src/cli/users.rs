//! `escapement user …`: adding a user (the password read from standard input, never from
//! the command line) and listing users. Adding is audited like the web's user creation.

use std::io::{BufRead, Write};

use anyhow::Context;
use chrono::Utc;
use clap::Subcommand;
use escapement_core::auth::UserDraft;
use escapement_storage::Actor;
use escapement_storage::accounts::{add_user, list_users};
use escapement_storage::sea_orm::DatabaseConnection;

use super::support::{explain, storage};
use crate::auth::hash_password;

/// `escapement user …`
#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from standard input (one line).
    Add {
        /// Email address, used to sign in.
        #[arg(long)]
        email: String,
        /// Name shown beside the user's edits.
        #[arg(long)]
        name: String,
        /// Make the user an instance admin.
        #[arg(long)]
        admin: bool,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List every user (email, name, admin flag).
    List,
}

/// Runs `escapement user …`, reading a password from `input` and reporting to `out`.
pub async fn run_user(
    db: &DatabaseConnection,
    command: UserCommand,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            email, name, admin, ..
        } => {
            let mut password = String::new();
            input
                .read_line(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_owned();
            let draft = UserDraft {
                email,
                display_name: name,
                password: password.clone(),
                password_confirmation: password.clone(),
            };
            let new = draft.validate().map_err(|e| explain(&e))?;
            let hash = hash_password(&password)?;
            let user = add_user(db, &new, &hash, admin, Actor::COMMAND_LINE, Utc::now())
                .await
                .map_err(storage)?;
            writeln!(
                out,
                "Added {} ({}){}.",
                user.email,
                user.display_name,
                if admin { " as an instance admin" } else { "" }
            )?;
        }
        UserCommand::List => {
            for user in list_users(db).await? {
                writeln!(
                    out,
                    "{}\t{}\t{}",
                    user.email,
                    user.display_name,
                    if user.is_admin { "admin" } else { "" }
                )?;
            }
        }
    }
    Ok(())
}
