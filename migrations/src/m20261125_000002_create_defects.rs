//! Defects, with an index behind every list filter.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000001_create_catalog::audit_columns;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index name, columns): each list filter combined with the list's sort order.
const INDEXES: &[(&str, &[&str])] = &[
    ("ix_defects_detected", &["detected_at", "id"]),
    ("ix_defects_team_detected", &["team_id", "detected_at"]),
    (
        "ix_defects_component_detected",
        &["component_id", "detected_at"],
    ),
    (
        "ix_defects_release_detected",
        &["release_id", "detected_at"],
    ),
    ("ix_defects_severity_detected", &["severity", "detected_at"]),
    (
        "ix_defects_stage_detected",
        &["discovery_stage", "detected_at"],
    ),
    // Counts by any mix of team, stage, severity, component and release read this index
    // alone instead of visiting every matching row.
    (
        "ix_defects_team_facets",
        &[
            "team_id",
            "discovery_stage",
            "severity",
            "component_id",
            "release_id",
        ],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut defects = Table::create();
        defects
            .table("defects")
            .col(pk_uuid("id"))
            .col(uuid("team_id"))
            .col(uuid_null("component_id"))
            .col(uuid_null("release_id"))
            .col(string_len("title", 200))
            .col(text("description").default(""))
            .col(string_len("severity", 16))
            .col(string_len("defect_type", 24))
            .col(string_len("origin", 24))
            .col(string_len("discovery_stage", 40))
            .col(string_len_null("expected_catch_stage", 40))
            .col(string_len("detected_by", 24))
            .col(timestamp_with_time_zone_null("introduced_at"))
            .col(timestamp_with_time_zone("detected_at"))
            .col(timestamp_with_time_zone_null("resolved_at"))
            .col(integer("reopened_count").default(0))
            .col(boolean("confirmed").default(true))
            .col(boolean("known_issue_accepted").default(false))
            .col(boolean("cosmetic").default(false))
            .col(boolean("test_environment").default(false))
            .col(boolean("data_migration").default(false))
            .col(string_len_null("external_key", 64))
            .col(text_null("incident_link"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_defects_team")
                    .from("defects", "team_id")
                    .to("teams", "id")
                    .on_delete(ForeignKeyAction::Restrict),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_defects_component")
                    .from("defects", "component_id")
                    .to("components", "id")
                    .on_delete(ForeignKeyAction::Restrict),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_defects_release")
                    .from("defects", "release_id")
                    .to("releases", "id")
                    .on_delete(ForeignKeyAction::Restrict),
            );
        audit_columns(&mut defects);
        manager.create_table(defects).await?;

        manager
            .create_index(
                Index::create()
                    .name("ux_defects_team_external_key")
                    .table("defects")
                    .col("team_id")
                    .col("external_key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, columns) in INDEXES {
            let mut index = Index::create();
            index.name(*name).table("defects");
            for column in *columns {
                index.col(*column);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("defects").to_owned())
            .await
    }
}
