//! `escapement demo`: the demo data set, an editor and a lead per team, and the escape
//! reviews the leads write, with a report of what was written.

use std::io::Write;
use std::time::Instant;

use chrono::{DateTime, Utc};
use escapement_core::auth::Role;
use escapement_storage::Actor;
use escapement_storage::demo::{DemoSummary, load_demo};
use escapement_storage::demo_reviews::{DemoReviewSummary, DemoReviewer, load_demo_reviews};
use escapement_storage::sea_orm::DatabaseConnection;

use crate::admin::{DemoAccount, create_demo_users, storage};
use crate::config::DemoArgs;

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
    let started = Instant::now();
    let data = load_demo(db, args.defects, args.seed, now, progress)
        .await
        .map_err(storage)?;
    let accounts = create_demo_users(db, password).await?;
    let data_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let reviews = create_demo_reviews(db, &accounts, args.seed, now).await?;
    Ok(DemoReport {
        data,
        data_seconds,
        accounts,
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
        "Demo loaded: {} teams, {} components, {} releases, {} defects in {:.1} s ({:.0} defects/s).",
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
