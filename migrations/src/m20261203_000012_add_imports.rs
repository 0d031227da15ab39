//! Importing defects from CSV: the mappings a team saved under a name, and each uploaded
//! file with its mapping, kept from the preview until the import it was confirmed for ends.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn team_fk(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_team"))
        .from(table, "team_id")
        .to("teams", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("import_mappings")
                    .col(uuid("id").primary_key())
                    .col(uuid("team_id"))
                    .col(string_len("name", 80))
                    .col(text("mapping"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut team_fk("import_mappings"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_import_mappings_team_name")
                    .table("import_mappings")
                    .col("team_id")
                    .col("name")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("defect_imports")
                    .col(uuid("id").primary_key())
                    .col(uuid("team_id"))
                    .col(uuid_null("created_by"))
                    .col(string_len("file_name", 255))
                    .col(blob("content"))
                    .col(text("mapping"))
                    .col(string_len("status", 16))
                    .col(text_null("outcome"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut team_fk("defect_imports"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_defect_imports_team_created")
                    .table("defect_imports")
                    .col("team_id")
                    .col("created_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["defect_imports", "import_mappings"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
