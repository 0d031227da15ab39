//! `escapement rollup …`: checking the maintained roll-up against a full scan of the
//! defects, and rebuilding it, for operators.

use std::io::Write;

use clap::Subcommand;
use escapement_storage::rollup;
use escapement_storage::sea_orm::DatabaseConnection;

use super::support::storage;

/// `escapement rollup …`
#[derive(Debug, Clone, Subcommand)]
pub enum RollupCommand {
    /// Compare every grouped count with a full scan of the defects; exit 1 and list the
    /// differing groups when they differ.
    Verify,
    /// Recompute the roll-up from the defects and replace it, in one transaction.
    Rebuild,
}

/// Runs `escapement rollup …`; `Ok(false)` when verification found differences.
pub async fn run_rollup(
    db: &DatabaseConnection,
    command: RollupCommand,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    match command {
        RollupCommand::Verify => {
            let differences = rollup::verify(db).await.map_err(storage)?;
            if differences.is_empty() {
                writeln!(out, "The roll-up equals a full scan of the defects.")?;
                return Ok(true);
            }
            writeln!(
                out,
                "The roll-up differs from a full scan in {} group{}:",
                differences.len(),
                if differences.len() == 1 { "" } else { "s" }
            )?;
            for d in &differences {
                writeln!(
                    out,
                    "  {}: stored {:?}, scanned {:?}",
                    d.group, d.stored, d.scanned
                )?;
            }
            writeln!(out, "Run `escapement rollup rebuild` to replace it.")?;
            Ok(false)
        }
        RollupCommand::Rebuild => {
            let (counts, durations) = rollup::rebuild(db).await.map_err(storage)?;
            writeln!(
                out,
                "Rebuilt the roll-up: {counts} count rows and {durations} duration rows."
            )?;
            Ok(true)
        }
    }
}
