//! `escapement demo`: the demo data set, an editor and a lead per team (added through the
//! same audited use cases as any user and role), and the escape reviews the leads write,
//! with a progress bar and a report of what was written.

use std::io::Write;
use std::time::Instant;

use chrono::{DateTime, Utc};
use clap::Args;
use escapement_core::auth::{Email, Role, UserDraft};
use escapement_storage::Actor;
use escapement_storage::accounts::{add_user, find_user, grant_role};
use escapement_storage::catalog::list_teams;
use escapement_storage::demo::{
    DemoReviewSummary, DemoReviewer, DemoState, DemoSummary, checkpoint, clear_unfinished_demo,
    demo_state, finish_demo, load_demo, load_demo_reviews,
};
use escapement_storage::sea_orm::DatabaseConnection;
use indicatif::{ProgressBar, ProgressStyle};
use uuid::Uuid;

use super::support::{explain, storage};
use crate::auth::{hash_password, new_setup_token};

/// Options of `demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// How many defects to generate.
    #[arg(long, env = "ESCAPEMENT_DEMO_DEFECTS", default_value_t = 600)]
    pub defects: u64,
    /// Seed of the random generator, for a reproducible data set.
    #[arg(long, env = "ESCAPEMENT_DEMO_SEED", default_value_t = 2026)]
    pub seed: u64,
    /// Delete what an earlier demo that did not finish left here, then load the demo again.
    /// Refused unless the database holds such an unfinished demo.
    #[arg(long)]
    pub replace: bool,
}

/// One demo account: who, in which team, with which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub team_id: Uuid,
    pub team: String,
    pub role: Role,
}

/// The demo's instance admin: every team, the settings and the users.
pub const DEMO_ADMIN_EMAIL: &str = "demo.admin@example.com";

/// The demo's instance admin account, as the report prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAdmin {
    pub email: String,
    /// False when an account with that email was there already (an earlier, replaced demo
    /// keeps its admin): its password is unchanged.
    pub created: bool,
}

/// Adds the demo's instance admin with `password`, unless an account with its email exists.
pub async fn create_demo_admin(
    db: &DatabaseConnection,
    password: &str,
) -> anyhow::Result<DemoAdmin> {
    let email = Email::parse(DEMO_ADMIN_EMAIL).map_err(anyhow::Error::new)?;
    if find_user(db, &email).await.map_err(storage)?.is_some() {
        return Ok(DemoAdmin {
            email: DEMO_ADMIN_EMAIL.to_owned(),
            created: false,
        });
    }
    let draft = UserDraft {
        email: DEMO_ADMIN_EMAIL.to_owned(),
        display_name: "Demo administrator".to_owned(),
        password: password.to_owned(),
        password_confirmation: password.to_owned(),
    };
    let new = draft.validate().map_err(|e| explain(&e))?;
    let hash = hash_password(password)?;
    add_user(db, &new, &hash, true, Actor::COMMAND_LINE, Utc::now())
        .await
        .map_err(storage)?;
    Ok(DemoAdmin {
        email: DEMO_ADMIN_EMAIL.to_owned(),
        created: true,
    })
}

/// Adds an editor and a team admin to every team, all with `password`, for trying the
/// product as a team member would. Emails are `<team>.editor@example.com` and
/// `<team>.lead@example.com`; each user and role is logged as the command line's.
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
            let user = add_user(db, &new, &hash, false, Actor::COMMAND_LINE, Utc::now())
                .await
                .map_err(storage)?;
            grant_role(db, team.id, user.id, role, Actor::COMMAND_LINE, Utc::now())
                .await
                .map_err(storage)?;
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

/// Writes the demo reviews of every team that has a demo lead in `accounts`, the lead acting
/// for the team (so the history names a real user).
pub async fn create_demo_reviews(
    db: &DatabaseConnection,
    accounts: &[DemoAccount],
    seed: u64,
    now: DateTime<Utc>,
) -> anyhow::Result<DemoReviewSummary> {
    let reviewers: Vec<DemoReviewer> = accounts
        .iter()
        .filter(|a| a.role == Role::TeamAdmin)
        .map(|a| DemoReviewer {
            team_id: a.team_id,
            actor: Actor {
                user_id: Some(a.user_id),
                name: a.display_name.clone().into(),
                ..Actor::COMMAND_LINE
            },
        })
        .collect();
    load_demo_reviews(db, &reviewers, seed, now)
        .await
        .map_err(storage)
}

/// What `escapement demo` wrote, for its report.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoReport {
    /// Teams, components, releases and defects written.
    pub data: DemoSummary,
    /// Seconds spent on the data set and the accounts.
    pub data_seconds: f64,
    /// An editor and a lead per team.
    pub accounts: Vec<DemoAccount>,
    /// The instance admin.
    pub admin: DemoAdmin,
    /// Reviews, covered escapes and actions written.
    pub reviews: DemoReviewSummary,
    /// Seconds spent on the reviews.
    pub reviews_seconds: f64,
}

/// Runs `escapement demo`: the demo data set (reporting defects written to `progress`), an
/// editor and a lead per team with `password`, then the demo reviews written by the leads.
pub async fn run_demo(
    db: &DatabaseConnection,
    args: &DemoArgs,
    password: &str,
    now: DateTime<Utc>,
    progress: impl FnMut(u64),
) -> anyhow::Result<DemoReport> {
    match (demo_state(db).await.map_err(storage)?, args.replace) {
        (DemoState::Unfinished, true) => clear_unfinished_demo(db).await.map_err(storage)?,
        (DemoState::Unfinished, false) => anyhow::bail!(
            "An earlier `escapement demo` did not finish in this database: it holds the demo's \
             defects but not all of its accounts and reviews. Run `escapement demo --replace` \
             to delete what it left and load the demo again."
        ),
        (_, true) => anyhow::bail!(
            "--replace only replaces a demo that did not finish, and this database holds none: \
             nothing was changed."
        ),
        (_, false) => {}
    }
    let started = Instant::now();
    let data = load_demo(db, args.defects, args.seed, now, progress)
        .await
        .map_err(storage)?;
    let accounts = create_demo_users(db, password).await?;
    let admin = create_demo_admin(db, password).await?;
    let data_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let reviews = create_demo_reviews(db, &accounts, args.seed, now).await?;
    finish_demo(db).await.map_err(storage)?;
    checkpoint(db).await.map_err(storage)?;
    Ok(DemoReport {
        data,
        data_seconds,
        accounts,
        admin,
        reviews,
        reviews_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Prints what `escapement demo` wrote and the demo accounts with their `password`.
pub fn write_demo_report(
    report: &DemoReport,
    password: &str,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let data = &report.data;
    writeln!(
        out,
        "Demo loaded: {} teams, {} components, {} releases, {} defects in {:.2} s ({:.0} defects/s).",
        data.teams,
        data.components,
        data.releases,
        data.defects,
        report.data_seconds,
        data.defects as f64 / report.data_seconds.max(f64::EPSILON)
    )?;
    let reviews = &report.reviews;
    writeln!(
        out,
        "Created {} reviews covering {} escapes with {} actions in {:.1} s.",
        reviews.reviews, reviews.escapes, reviews.actions, report.reviews_seconds
    )?;
    writeln!(out, "\nDemo accounts, all with the password {password}")?;
    let admin = &report.admin;
    let note = match admin.created {
        true => "every team, the settings and the users",
        false => "kept from an earlier demo: its password is unchanged",
    };
    writeln!(
        out,
        "    {:<32} {:<10} {note}",
        admin.email, "Instance admin"
    )?;
    for account in &report.accounts {
        writeln!(
            out,
            "    {:<32} {:<10} {}",
            account.email,
            account.role.label(),
            account.team
        )?;
    }
    Ok(())
}

/// Runs `escapement demo` in a terminal: a progress bar while defects are written, a fresh
/// random password for the demo accounts, and the report on `out`.
pub async fn run_demo_command(
    db: &DatabaseConnection,
    args: &DemoArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let bar = ProgressBar::new(args.defects);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} demo defects [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let password = new_setup_token()[..20].to_owned();
    let report = run_demo(db, args, &password, Utc::now(), |n| {
        bar.set_position(n);
        if n >= args.defects {
            // The reviews follow; the bar has nothing more to show.
            bar.finish_and_clear();
        }
    })
    .await;
    bar.finish_and_clear();
    write_demo_report(&report?, &password, out)?;
    Ok(())
}
