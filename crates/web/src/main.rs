//! The `escapement` binary: settings, database, migrations, then the chosen command.

use anyhow::Context;
use clap::Parser;
use escapement_web::config::{Cli, Command, DemoArgs};
use escapement_web::{AppState, app, serve};
use indicatif::{ProgressBar, ProgressStyle};
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
    let cli = Cli::parse();
    let db = escapement_storage::connect(&cli.database)
        .await
        .with_context(|| format!("cannot open the database {}", cli.database))?;
    escapement_storage::migrate(&db)
        .await
        .context("cannot migrate the database")?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let listener = TcpListener::bind(cli.bind)
                .await
                .with_context(|| format!("cannot listen on {}", cli.bind))?;
            let address = listener.local_addr()?;
            tracing::info!(%address, database = %cli.database, "Escapement is listening on http://{address}");
            let mut state = AppState::new(db);
            state.secure_cookies = cli
                .public_url
                .as_deref()
                .is_some_and(|url| url.starts_with("https://"));
            let base = cli
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{address}"));
            if escapement_storage::accounts::user_count(&state.db).await? == 0 {
                let token = escapement_web::auth::new_setup_token();
                // The one place a secret is printed: the operator needs this link once.
                println!(
                    "\nNo user exists yet. Create the first administrator here (the link works once):\n\n    {base}/setup?token={token}\n"
                );
                state.setup_token = Some(token.into());
            }
            serve(listener, app(state), shutdown_signal()).await?;
            tracing::info!("Escapement stopped");
        }
        Command::Migrate => tracing::info!(database = %cli.database, "the database is migrated"),
        Command::Demo(args) => demo(&db, &args).await?,
        Command::User(command) => {
            escapement_web::admin::run_user(
                &db,
                command,
                &mut std::io::stdin().lock(),
                &mut std::io::stdout(),
            )
            .await?
        }
        Command::Team(command) => {
            escapement_web::admin::run_team(&db, command, &mut std::io::stdout()).await?
        }
        Command::Token(command) => {
            escapement_web::admin::run_token(&db, command, &mut std::io::stdout()).await?
        }
        Command::Member(command) => {
            escapement_web::admin::run_member(&db, command, &mut std::io::stdout()).await?
        }
    }
    Ok(())
}

async fn demo(db: &escapement_storage::Db, args: &DemoArgs) -> anyhow::Result<()> {
    let bar = ProgressBar::new(args.defects);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} demo defects [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let password = escapement_web::auth::new_setup_token()[..20].to_owned();
    let report = escapement_web::demo::run_demo(db, args, &password, chrono::Utc::now(), |n| {
        bar.set_position(n);
        if n >= args.defects {
            // The reviews follow; the bar has nothing more to show.
            bar.finish_and_clear();
        }
    })
    .await;
    bar.finish_and_clear();
    escapement_web::demo::write_demo_report(&report?, &password, &mut std::io::stdout())?;
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
