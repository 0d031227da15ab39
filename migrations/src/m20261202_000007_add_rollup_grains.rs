//! Coarse roll-up rows: `grain` says which dimensions a row counts together (bit 1 every
//! component, 2 every release, 4 every defect type; 0 is the full row), and leads the
//! unique keys so a page reads only the grain it needs. The rows of the first format are
//! removed; storage rebuilds the roll-up on start when its format is older than the code's.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COUNTS_KEY: [&str; 12] = [
    "grain",
    "team_id",
    "quarter",
    "component_id",
    "release_id",
    "severity",
    "defect_type",
    "discovery_stage",
    "expected_stage",
    "scope",
    "role",
    "mechanism",
];

const DURATIONS_KEY: [&str; 10] = [
    "grain",
    "team_id",
    "quarter",
    "component_id",
    "release_id",
    "severity",
    "defect_type",
    "scope",
    "kind",
    "bucket",
];

fn unique(
    name: &'static str,
    table: &'static str,
    columns: &[&'static str],
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table).unique();
    for c in columns {
        index.col(*c);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, old_index) in [
            ("defect_counts", "ux_defect_counts_group"),
            ("defect_durations", "ux_defect_durations_group"),
        ] {
            db.execute_unprepared(&format!("DELETE FROM {table}"))
                .await?;
            manager
                .drop_index(Index::drop().name(old_index).table(table).to_owned())
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(small_integer("grain").default(0))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(unique(
                "ux_defect_counts_grain",
                "defect_counts",
                &COUNTS_KEY,
            ))
            .await?;
        manager
            .create_index(unique(
                "ux_defect_durations_grain",
                "defect_durations",
                &DURATIONS_KEY,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, index, old_index, old_key) in [
            (
                "defect_counts",
                "ux_defect_counts_grain",
                "ux_defect_counts_group",
                &COUNTS_KEY[1..],
            ),
            (
                "defect_durations",
                "ux_defect_durations_grain",
                "ux_defect_durations_group",
                &DURATIONS_KEY[1..],
            ),
        ] {
            db.execute_unprepared(&format!("DELETE FROM {table}"))
                .await?;
            manager
                .drop_index(Index::drop().name(index).table(table).to_owned())
                .await?;
            db.execute_unprepared(&format!("ALTER TABLE {table} DROP COLUMN grain"))
                .await?;
            manager
                .create_index(unique(old_index, table, old_key))
                .await?;
        }
        Ok(())
    }
}
