//! `escapement member …`: giving a user a role in a team, through the same audited use case
//! as the team's members page.

use std::io::Write;

use anyhow::anyhow;
use chrono::Utc;
use clap::Subcommand;
use escapement_core::auth::Role;
use escapement_storage::Actor;
use escapement_storage::accounts::grant_role;
use escapement_storage::sea_orm::DatabaseConnection;

use super::support::{parse_email, storage, team_by_name, user_by_email};

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
            let email = parse_email(&email)?;
            let team = team_by_name(db, &team).await?;
            let user = user_by_email(db, &email).await?;
            grant_role(db, team.id, user.id, role, Actor::COMMAND_LINE, Utc::now())
                .await
                .map_err(storage)?;
            writeln!(
                out,
                "{} is now {} in {}.",
                user.email,
                role.label(),
                team.name
            )?;
        }
    }
    Ok(())
}
