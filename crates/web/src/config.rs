//! Command line and environment settings (clap), each flag with its `ESCAPEMENT_` variable.

use std::net::{IpAddr, SocketAddr};

use clap::{Parser, Subcommand};

use crate::cli::{
    BackupArgs, DemoArgs, DigestArgs, ExportCommand, ImportCommand, MemberCommand, ReportArgs,
    RestoreArgs, RollupCommand, TeamCommand, TokenCommand, UserCommand,
};

/// Escapement: escape reviews, mechanism trends and an improvement backlog.
#[derive(Debug, Parser)]
#[command(name = "escapement", version, about = "Escapement: blameless escape reviews, mechanism trends and an improvement backlog.", long_about = None)]
pub struct Cli {
    /// Database URL: `sqlite://PATH` (created on first start) or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        global = true,
        env = "ESCAPEMENT_DATABASE_URL",
        default_value = "sqlite://escapement.db"
    )]
    pub database: String,

    /// Address and port `serve` listens on.
    #[arg(
        long,
        global = true,
        env = "ESCAPEMENT_BIND",
        default_value = "127.0.0.1:8080"
    )]
    pub bind: SocketAddr,

    /// The address people use to reach Escapement; an `https://` one marks cookies `Secure`
    /// and turns on HSTS.
    #[arg(long, global = true, env = "ESCAPEMENT_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// A reverse proxy whose `X-Forwarded-For` is believed (repeatable; the variable takes a
    /// comma-separated list). Without one, the peer's address is the client's.
    #[arg(
        long = "trusted-proxy",
        value_name = "ADDR",
        global = true,
        env = "ESCAPEMENT_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What the binary does; `serve` when none is given.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve the web application (the default).
    Serve,
    /// Apply pending database migrations and exit (for deployments that share one PostgreSQL).
    Migrate,
    /// Fill an empty database with realistic demo teams, components, releases and defects.
    Demo(DemoArgs),
    /// Manage users (add with --password-stdin, list).
    #[command(subcommand)]
    User(UserCommand),
    /// Manage teams.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Manage team memberships and roles.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Manage API tokens (create prints the token once).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import defects from a CSV file: a Jira or GitHub export, or the generic columns.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Check the metrics roll-up against a full scan (verify), or rebuild it.
    #[command(subcommand)]
    Rollup(RollupCommand),
    /// Write the quarterly report of all teams or one as Markdown or standalone HTML.
    Report(ReportArgs),
    /// Export the improvement backlog for Jira, Linear or GitHub, or as JSON or Markdown.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Print a team's overdue and soon-due actions as Markdown, for a weekly post.
    Digest(DigestArgs),
    /// Write every table to one versioned JSON file (gzip when it ends in `.gz`).
    Backup(BackupArgs),
    /// Load a backup into an empty database, in one transaction, and rebuild the roll-up.
    Restore(RestoreArgs),
}
