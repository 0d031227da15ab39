//! Settings, teams, components and releases.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Created, updated and version columns every mutable table carries.
pub(crate) fn audit_columns(table: &mut TableCreateStatement) {
    table
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .col(integer("version").default(1));
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("settings")
                    .col(string_len("key", 64).primary_key())
                    .col(text("value"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;

        let mut teams = Table::create();
        teams
            .table("teams")
            .col(pk_uuid("id"))
            .col(string_len_uniq("name", 80));
        audit_columns(&mut teams);
        manager.create_table(teams).await?;

        let mut components = Table::create();
        components
            .table("components")
            .col(pk_uuid("id"))
            .col(uuid("team_id"))
            .col(string_len("name", 80))
            .col(text("description").default(""))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_components_team")
                    .from("components", "team_id")
                    .to("teams", "id")
                    .on_delete(ForeignKeyAction::Restrict),
            );
        audit_columns(&mut components);
        manager.create_table(components).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_components_team_name")
                    .table("components")
                    .col("team_id")
                    .col("name")
                    .unique()
                    .to_owned(),
            )
            .await?;

        let mut releases = Table::create();
        releases
            .table("releases")
            .col(pk_uuid("id"))
            .col(uuid("team_id"))
            .col(string_len("name", 80))
            .col(date("released_on"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_releases_team")
                    .from("releases", "team_id")
                    .to("teams", "id")
                    .on_delete(ForeignKeyAction::Restrict),
            );
        audit_columns(&mut releases);
        manager.create_table(releases).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_releases_team_name")
                    .table("releases")
                    .col("team_id")
                    .col("name")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_releases_released_on")
                    .table("releases")
                    .col("released_on")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["releases", "components", "teams", "settings"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
