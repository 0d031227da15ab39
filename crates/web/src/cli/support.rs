//! What every command shares: storage errors and field messages as the command line shows
//! them, and finding the user or team a flag names.

use anyhow::{anyhow, bail};
use escapement_core::ValidationErrors;
use escapement_core::auth::Email;
use escapement_storage::StorageError;
use escapement_storage::accounts::{User, find_user};
use escapement_storage::catalog::{Team, list_teams};
use escapement_storage::sea_orm::DatabaseConnection;

/// Field messages one per line, as `field: message`.
pub(crate) fn explain(errors: &ValidationErrors) -> anyhow::Error {
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

/// The email address an `--email` flag gives, or an error naming the flag.
pub(crate) fn parse_email(raw: &str) -> anyhow::Result<Email> {
    Email::parse(raw).map_err(|e| anyhow!("email: {e}"))
}

/// The user with the email address `email`, or an error naming the `email` flag.
pub(crate) async fn user_by_email(db: &DatabaseConnection, email: &Email) -> anyhow::Result<User> {
    match find_user(db, email).await? {
        Some(user) => Ok(user),
        None => bail!("email: no user has the address {}", email.as_str()),
    }
}

/// The team named `name` (surrounding spaces ignored), or an error naming the `team` flag.
pub(crate) async fn team_by_name(db: &DatabaseConnection, name: &str) -> anyhow::Result<Team> {
    let name = name.trim();
    match list_teams(db).await?.into_iter().find(|t| t.name == name) {
        Some(team) => Ok(team),
        None => bail!("team: no team is named `{name}`"),
    }
}
