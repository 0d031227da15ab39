//! The maintained roll-up the metrics and the list counts read instead of scanning defects:
//! `defect_counts` (defects, and contributing mechanisms of classified escapes, grouped by
//! every dimension a filter or a metric definition can use) and `defect_durations` (MTTD and
//! MTTR as bucketed counts with exact sums). Absent references are stored as the nil UUID
//! and absent stages as the empty string, so every group has exactly one row.
//! Also `metric_definitions`, one row per version of the metric definition, and
//! `stage_tallies`, pre-boundary counts entered per release.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The dimensions shared by both roll-up tables, in key order.
const SHARED_KEY: [&str; 6] = [
    "team_id",
    "quarter",
    "component_id",
    "release_id",
    "severity",
    "defect_type",
];

fn rollup_dimensions(table: &mut TableCreateStatement) {
    table
        .col(uuid("team_id"))
        .col(integer("quarter"))
        .col(uuid("component_id"))
        .col(uuid("release_id"))
        .col(string_len("severity", 16))
        .col(string_len("defect_type", 24));
}

fn unique_index(name: &str, table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table).unique();
    for column in columns {
        index.col(*column);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut counts = Table::create();
        counts.table("defect_counts");
        rollup_dimensions(&mut counts);
        counts
            .col(string_len("discovery_stage", 40))
            .col(string_len("expected_stage", 40))
            .col(small_integer("scope"))
            .col(string_len("role", 1))
            .col(string_len("mechanism", 32))
            .col(big_integer("n"));
        manager.create_table(counts).await?;
        let counts_key: Vec<&'static str> = SHARED_KEY
            .iter()
            .copied()
            .chain([
                "discovery_stage",
                "expected_stage",
                "scope",
                "role",
                "mechanism",
            ])
            .collect();
        manager
            .create_index(unique_index(
                "ux_defect_counts_group",
                "defect_counts",
                &counts_key,
            ))
            .await?;

        let mut durations = Table::create();
        durations.table("defect_durations");
        rollup_dimensions(&mut durations);
        durations
            .col(small_integer("scope"))
            .col(string_len("kind", 1))
            .col(small_integer("bucket"))
            .col(big_integer("n"))
            .col(big_integer("total_seconds"));
        manager.create_table(durations).await?;
        let durations_key: Vec<&'static str> = SHARED_KEY
            .iter()
            .copied()
            .chain(["scope", "kind", "bucket"])
            .collect();
        manager
            .create_index(unique_index(
                "ux_defect_durations_group",
                "defect_durations",
                &durations_key,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("metric_definitions")
                    .col(integer("version").primary_key())
                    .col(text("definition"))
                    .col(text("note"))
                    .col(uuid_null("created_by"))
                    .col(string_len("actor", 120))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;

        let mut tallies = Table::create();
        tallies
            .table("stage_tallies")
            .col(pk_uuid("id"))
            .col(uuid("team_id"))
            .col(uuid("release_id"))
            .col(string_len("stage", 40))
            .col(string_len("severity", 16))
            .col(big_integer("n"))
            .col(timestamp_with_time_zone("updated_at"))
            .col(integer("version").default(1))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_stage_tallies_team")
                    .from("stage_tallies", "team_id")
                    .to("teams", "id")
                    .on_delete(ForeignKeyAction::Restrict),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_stage_tallies_release")
                    .from("stage_tallies", "release_id")
                    .to("releases", "id")
                    .on_delete(ForeignKeyAction::Restrict),
            );
        manager.create_table(tallies).await?;
        manager
            .create_index(unique_index(
                "ux_stage_tallies_cell",
                "stage_tallies",
                &["team_id", "release_id", "stage", "severity"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "stage_tallies",
            "metric_definitions",
            "defect_durations",
            "defect_counts",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
