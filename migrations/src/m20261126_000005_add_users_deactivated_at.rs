//! Deactivating accounts: `users.deactivated_at`, empty while the account may sign in. A
//! deactivated user keeps their row, so their name stays on everything they did.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(timestamp_with_time_zone_null("deactivated_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Plain SQL: SQLite (3.35 and later) and PostgreSQL both drop a column this way.
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE users DROP COLUMN deactivated_at")
            .await?;
        Ok(())
    }
}
