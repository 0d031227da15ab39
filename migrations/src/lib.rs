//! Schema migrations for Escapement, applied in order on SQLite and PostgreSQL.
//!
//! Migrations name their tables and columns themselves and never import the storage
//! entities, so an old migration keeps meaning what it meant when it was merged.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_catalog;
mod m20261125_000002_create_defects;
mod m20261126_000003_create_accounts;
mod m20261126_000004_create_reviews;
mod m20261126_000005_add_users_deactivated_at;
mod m20261202_000006_create_rollup;
mod m20261202_000007_add_rollup_grains;
mod m20261202_000010_add_title_search;
mod m20261202_000011_add_backlog;
mod m20261203_000012_add_imports;
mod m20261203_000013_add_queue_index;
mod m20261203_000014_add_rollup_stamps;
mod m20261203_000015_widen_team_detected_index;

/// Every migration of the application, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_catalog::Migration),
            Box::new(m20261125_000002_create_defects::Migration),
            Box::new(m20261126_000003_create_accounts::Migration),
            Box::new(m20261126_000004_create_reviews::Migration),
            Box::new(m20261126_000005_add_users_deactivated_at::Migration),
            Box::new(m20261202_000006_create_rollup::Migration),
            Box::new(m20261202_000007_add_rollup_grains::Migration),
            Box::new(m20261202_000010_add_title_search::Migration),
            Box::new(m20261202_000011_add_backlog::Migration),
            Box::new(m20261203_000012_add_imports::Migration),
            Box::new(m20261203_000013_add_queue_index::Migration),
            Box::new(m20261203_000014_add_rollup_stamps::Migration),
            Box::new(m20261203_000015_widen_team_detected_index::Migration),
        ]
    }
}
