//! `escapement team …`: adding a team, one row written by the same storage function as the
//! web's team form (teams have no audit event).

use std::io::Write;

use chrono::Utc;
use clap::Subcommand;
use escapement_core::{NewTeam, TeamDraft};
use escapement_storage::catalog::create_team;
use escapement_storage::sea_orm::DatabaseConnection;

use super::support::{explain, storage};

/// `escapement team …`
#[derive(Debug, Clone, Subcommand)]
pub enum TeamCommand {
    /// Add a team.
    Add {
        /// The team's name.
        name: String,
    },
}

/// Runs `escapement team …`.
pub async fn run_team(
    db: &DatabaseConnection,
    command: TeamCommand,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match command {
        TeamCommand::Add { name } => {
            let team: NewTeam = TeamDraft {
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
