//! The administrative subcommands, one module per command group: users, teams, members,
//! tokens, the demo, the metrics roll-up, the quarterly report and backup and restore, for scripted set-up,
//! reports and for when nobody can sign in. Every write goes through the same storage use
//! case as the web, with [`Actor::COMMAND_LINE`] as the actor, so the audit log records it
//! in the same transaction as the change.
//!
//! [`Actor::COMMAND_LINE`]: escapement_storage::Actor::COMMAND_LINE

mod backlog;
mod backup;
pub mod demo;
mod import;
mod members;
mod report;
mod rollup;
mod support;
mod teams;
mod tokens;
mod users;

pub use backlog::{
    DigestArgs, ExportBacklogArgs, ExportCommand, digest_markdown, run_digest, run_export,
};
pub use backup::{BackupArgs, RestoreArgs, run_backup, run_restore};
pub use demo::{DemoArgs, run_demo_command};
pub use import::{ImportCommand, ImportDefectsArgs, problems_of, run_import};
pub use members::{MemberCommand, run_member};
pub use report::{ReportArgs, ReportFormat, UsageError, run_report};
pub use rollup::{RollupCommand, run_rollup};
pub use teams::{TeamCommand, run_team};
pub use tokens::{TokenCommand, run_token};
pub use users::{UserCommand, run_user};
