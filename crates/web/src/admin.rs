//! The administrative subcommands: users, teams and memberships from the command line, for
//! scripted set-up and for when nobody can sign in.

use std::io::{BufRead, Write};

use anyhow::{Context, anyhow, bail};
use chrono::Utc;
use clap::Subcommand;
use escapement_core::auth::{AuditEvent, Email, Role, UserDraft};
use escapement_core::{NewTeam, ValidationErrors};
use escapement_storage::StorageError;
use escapement_storage::accounts::{
    create_user, find_login, list_users, record_event, set_membership,
};
use escapement_storage::catalog::{create_team, list_teams};
use escapement_storage::sea_orm::DatabaseConnection;

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

/// `escapement team …`
#[derive(Debug, Clone, Subcommand)]
pub enum TeamCommand {
    /// Add a team.
    Add {
        /// The team's name.
        name: String,
    },
}

/// `escapement member …`
#[derive(Debug, Clone, Subcommand)]
pub enum MemberCommand {
    /// Give a user a role in a team (adds or changes the membership).
    Add {
        /// Team name.
        #[arg(long)]
        team: String,
        /// The user's email address.
        #[arg(long)]
        email: String,
        /// viewer, editor or team_admin.
        #[arg(long)]
        role: String,
    },
}

fn explain(errors: &ValidationErrors) -> anyhow::Error {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    anyhow!(lines.join("\n"))
}

/// A storage error as the command line shows it: field messages one per line, or the error.
pub(crate) fn storage(err: StorageError) -> anyhow::Error {
    match err {
        StorageError::Invalid(errors) => explain(&errors),
        other => anyhow::Error::new(other),
    }
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
            let user = create_user(db, &new, &hash, admin, Utc::now())
                .await
                .map_err(storage)?;
            record_event(
                db,
                AuditEvent::UserCreated,
                None,
                &user.email,
                Some("command line"),
                Utc::now(),
            )
            .await?;
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

/// Runs `escapement team …`.
pub async fn run_team(
    db: &DatabaseConnection,
    command: TeamCommand,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match command {
        TeamCommand::Add { name } => {
            let team: NewTeam = escapement_core::TeamDraft {
                name,
                version: String::new(),
            }
            .validate()
            .map_err(|e| explain(&e))?;
            let created = create_team(db, &team, Utc::now()).await.map_err(storage)?;
            writeln!(out, "Added team {}.", created.name)?;
        }
    }
    Ok(())
}

/// Runs `escapement member …`.
pub async fn run_member(
    db: &DatabaseConnection,
    command: MemberCommand,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match command {
        MemberCommand::Add { team, email, role } => {
            let role = Role::from_key(role.trim())
                .ok_or_else(|| anyhow!("role: use viewer, editor or team_admin"))?;
            let email = Email::parse(&email).map_err(|e| anyhow!("email: {e}"))?;
            let Some(team_record) = list_teams(db)
                .await?
                .into_iter()
                .find(|t| t.name == team.trim())
            else {
                bail!("team: no team is named `{}`", team.trim());
            };
            let Some((user, _)) = find_login(db, &email).await? else {
                bail!("email: no user has the address {}", email.as_str());
            };
            set_membership(db, team_record.id, user.id, role, Utc::now()).await?;
            record_event(
                db,
                AuditEvent::RoleChanged,
                None,
                &format!("{} is {} of {}", user.email, role.key(), team_record.name),
                Some("command line"),
                Utc::now(),
            )
            .await?;
            writeln!(
                out,
                "{} is now {} in {}.",
                user.email,
                role.label(),
                team_record.name
            )?;
        }
    }
    Ok(())
}

/// One demo account: who, in which team, with which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub user_id: uuid::Uuid,
    pub email: String,
    pub display_name: String,
    pub team_id: uuid::Uuid,
    pub team: String,
    pub role: Role,
}

/// Adds an editor and a team admin to every team, all with `password`, for trying the
/// product as a team member would. Emails are `<team>.editor@example.com` and
/// `<team>.lead@example.com`.
pub async fn create_demo_users(
    db: &DatabaseConnection,
    password: &str,
) -> anyhow::Result<Vec<DemoAccount>> {
    let hash = hash_password(password)?;
    let mut accounts = Vec::new();
    for team in list_teams(db).await? {
        let slug: String = team
            .name
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        for (suffix, role, name) in [
            ("editor", Role::Editor, "Editor"),
            ("lead", Role::TeamAdmin, "Team lead"),
        ] {
            let draft = UserDraft {
                email: format!("{slug}.{suffix}@example.com"),
                display_name: format!("{} {name}", team.name),
                password: password.to_owned(),
                password_confirmation: password.to_owned(),
            };
            let new = draft.validate().map_err(|e| explain(&e))?;
            let user = create_user(db, &new, &hash, false, Utc::now())
                .await
                .map_err(storage)?;
            set_membership(db, team.id, user.id, role, Utc::now()).await?;
            accounts.push(DemoAccount {
                user_id: user.id,
                email: user.email,
                display_name: user.display_name,
                team_id: team.id,
                team: team.name.clone(),
                role,
            });
        }
    }
    Ok(accounts)
}

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
        id: uuid::Uuid,
    },
}

async fn user_by_email(
    db: &DatabaseConnection,
    email: &str,
) -> anyhow::Result<escapement_storage::accounts::User> {
    let email = Email::parse(email).map_err(|e| anyhow!("email: {e}"))?;
    match find_login(db, &email).await? {
        Some((user, _)) => Ok(user),
        None => bail!("email: no user has the address {}", email.as_str()),
    }
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
            let user = user_by_email(db, &email).await?;
            let name =
                escapement_core::auth::TokenName::parse(&name).map_err(|e| anyhow!("name: {e}"))?;
            let token = crate::auth::new_api_token();
            let record = escapement_storage::accounts::create_token(
                db,
                user.id,
                &name,
                &crate::auth::api_token_hash(&token),
                now,
            )
            .await?;
            record_event(
                db,
                AuditEvent::TokenCreated,
                Some(user.id),
                &format!("{} for {}", record.name, user.email),
                Some("command line"),
                now,
            )
            .await?;
            writeln!(
                out,
                "Token {} for {} (shown once, store it now):\n{token}",
                record.id, user.email
            )?;
        }
        TokenCommand::List { email } => {
            let user = user_by_email(db, &email).await?;
            for token in escapement_storage::accounts::list_tokens(db, user.id).await? {
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
            let owner = escapement_storage::accounts::revoke_token_by_id(db, id, now)
                .await
                .map_err(|e| match e {
                    StorageError::NotFound => anyhow!("id: no active token has the id {id}"),
                    other => anyhow::Error::new(other),
                })?;
            record_event(
                db,
                AuditEvent::TokenRevoked,
                Some(owner),
                &id.to_string(),
                Some("command line"),
                now,
            )
            .await?;
            writeln!(out, "Revoked token {id}.")?;
        }
    }
    Ok(())
}
