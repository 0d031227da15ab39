//! The `escapement` binary: settings, database, migrations, then the chosen command.

use std::io::{stderr, stdin, stdout};
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use escapement_web::config::{Cli, Command};
use escapement_web::{AppState, app, cli, serve};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("ESCAPEMENT_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn")),
        )
        .init();
    let settings = Cli::parse();
    let db = escapement_storage::connect(&settings.database)
        .await
        .with_context(|| format!("cannot open the database {}", settings.database))?;
    escapement_storage::migrate(&db)
        .await
        .context("cannot migrate the database")?;
    match settings.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let listener = TcpListener::bind(settings.bind)
                .await
                .with_context(|| format!("cannot listen on {}", settings.bind))?;
            let address = listener.local_addr()?;
            tracing::info!(%address, database = %settings.database, "Escapement is listening on http://{address}");
            let mut state = AppState::new(db);
            state.secure_cookies = settings
                .public_url
                .as_deref()
                .is_some_and(|url| url.starts_with("https://"));
            state.trusted_proxies = settings.trusted_proxies.clone().into();
            state.public_url = settings
                .public_url
                .as_deref()
                .map(|url| Arc::from(url.trim_end_matches('/')));
            let base = settings
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{address}"));
            if escapement_storage::accounts::active_admin_count(&state.db).await? == 0 {
                let token = escapement_web::auth::new_setup_token();
                // The one place a secret is printed: the operator needs this link once.
                println!(
                    "\nNo instance administrator exists yet. Create one here (the link works once):\n\n    {base}/setup?token={token}\n"
                );
                state.setup_token = Some(token.into());
            }
            serve(listener, app(state), shutdown_signal()).await?;
            tracing::info!("Escapement stopped");
        }
        Command::Migrate => {
            tracing::info!(database = %settings.database, "the database is migrated")
        }
        Command::Demo(args) => cli::run_demo_command(&db, &args, &mut stdout()).await?,
        Command::User(command) => {
            cli::run_user(&db, command, &mut stdin().lock(), &mut stdout()).await?
        }
        Command::Team(command) => cli::run_team(&db, command, &mut stdout()).await?,
        Command::Token(command) => cli::run_token(&db, command, &mut stdout()).await?,
        Command::Member(command) => cli::run_member(&db, command, &mut stdout()).await?,
        Command::Import(command) => {
            let result = cli::run_import(&db, command, &mut stdout()).await;
            match result {
                Ok(true) => {}
                Ok(false) => std::process::exit(1),
                Err(e) => exit_on_usage(Err(e))?,
            }
        }
        Command::Rollup(command) => {
            if !cli::run_rollup(&db, command, &mut stdout()).await? {
                std::process::exit(1);
            }
        }
        Command::Export(command) => {
            let written = cli::run_export(
                &db,
                &command,
                settings.public_url.as_deref(),
                &mut std::io::stderr(),
            )
            .await;
            exit_on_usage(written)?;
        }
        Command::Digest(args) => {
            let written =
                cli::run_digest(&db, &args, settings.public_url.as_deref(), &mut stdout()).await;
            exit_on_usage(written)?;
        }
        Command::Backup(args) => {
            cli::run_backup(&db, &args, &mut stdout(), &mut stderr()).await?;
        }
        Command::Restore(args) => {
            cli::run_restore(&db, &args, &mut stdout(), &mut stderr()).await?;
        }
        Command::Report(args) => {
            let written =
                cli::run_report(&db, &args, settings.public_url.as_deref(), &mut stdout()).await;
            exit_on_usage(written)?;
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// A usage mistake (an unknown team, say) exits with status 2, as a malformed flag does.
fn exit_on_usage(result: anyhow::Result<()>) -> anyhow::Result<()> {
    if let Err(err) = result {
        if let Some(usage) = err.downcast_ref::<cli::UsageError>() {
            eprintln!("error: {usage}");
            std::process::exit(2);
        }
        return Err(err);
    }
    Ok(())
}
