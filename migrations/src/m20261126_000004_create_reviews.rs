//! Escape reviews, the escapes each covers, improvement actions and the change history.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000001_create_catalog::audit_columns;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, index name, columns, unique): every list and lookup of the review pages.
const INDEXES: &[(&str, &str, &[&str], bool)] = &[
    (
        "reviews",
        "ix_reviews_team_incident",
        &["team_id", "incident_date"],
        false,
    ),
    (
        "reviews",
        "ix_reviews_state_incident",
        &["state", "incident_date"],
        false,
    ),
    (
        "reviews",
        "ix_reviews_incident",
        &["incident_date", "id"],
        false,
    ),
    // One review per escape: the unreviewed queue and the metrics read this.
    (
        "review_escapes",
        "ux_review_escapes_defect",
        &["defect_id"],
        true,
    ),
    (
        "review_escapes",
        "ix_review_escapes_review",
        &["review_id", "position"],
        false,
    ),
    (
        "review_escapes",
        "ix_review_escapes_primary",
        &["primary_mechanism"],
        false,
    ),
    (
        "improvement_actions",
        "ix_actions_escape",
        &["review_escape_id", "created_at"],
        false,
    ),
    (
        "improvement_actions",
        "ix_actions_team_status",
        &["team_id", "status"],
        false,
    ),
    (
        "improvement_actions",
        "ix_actions_review",
        &["review_id"],
        false,
    ),
    (
        "review_history",
        "ix_review_history_review",
        &["review_id", "at"],
        false,
    ),
];

fn fk(
    name: &'static str,
    from: &'static str,
    column: &'static str,
    to: &'static str,
    action: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from, column)
        .to(to, "id")
        .on_delete(action)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut reviews = Table::create();
        reviews
            .table("reviews")
            .col(pk_uuid("id"))
            .col(uuid("team_id"))
            .col(string_len("title", 200))
            .col(date("incident_date"))
            .col(text_null("incident_link"))
            .col(text("summary").default(""))
            .col(text("participants").default("[]"))
            .col(string_len("state", 16))
            .col(uuid_null("created_by"))
            .col(timestamp_with_time_zone_null("closed_at"))
            .foreign_key(&mut fk(
                "fk_reviews_team",
                "reviews",
                "team_id",
                "teams",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                "fk_reviews_created_by",
                "reviews",
                "created_by",
                "users",
                ForeignKeyAction::SetNull,
            ));
        audit_columns(&mut reviews);
        manager.create_table(reviews).await?;

        let mut escapes = Table::create();
        escapes
            .table("review_escapes")
            .col(pk_uuid("id"))
            .col(uuid("review_id"))
            .col(uuid("defect_id"))
            .col(integer("position"))
            .col(boolean("facts_confirmed").default(false))
            .col(text("checklist").default("{}"))
            .col(text("evidence").default(""))
            .col(text("evidence_gap").default(""))
            .col(string_len_null("primary_mechanism", 32))
            .col(string_len("contributing", 255).default(""))
            .col(text_null("no_action_reason"))
            .foreign_key(&mut fk(
                "fk_review_escapes_review",
                "review_escapes",
                "review_id",
                "reviews",
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                "fk_review_escapes_defect",
                "review_escapes",
                "defect_id",
                "defects",
                ForeignKeyAction::Restrict,
            ));
        audit_columns(&mut escapes);
        manager.create_table(escapes).await?;

        let mut actions = Table::create();
        actions
            .table("improvement_actions")
            .col(pk_uuid("id"))
            .col(uuid("review_id"))
            .col(uuid("review_escape_id"))
            .col(uuid("team_id"))
            .col(string_len("title", 200))
            .col(string_len("mechanism", 32))
            .col(uuid_null("component_id"))
            .col(string_len("target_layer", 40))
            .col(string_len("effort", 2))
            .col(date_null("due_date"))
            .col(string_len("status", 16))
            .col(string_len_null("external_key", 64))
            .foreign_key(&mut fk(
                "fk_actions_review",
                "improvement_actions",
                "review_id",
                "reviews",
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                "fk_actions_escape",
                "improvement_actions",
                "review_escape_id",
                "review_escapes",
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                "fk_actions_team",
                "improvement_actions",
                "team_id",
                "teams",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                "fk_actions_component",
                "improvement_actions",
                "component_id",
                "components",
                ForeignKeyAction::Restrict,
            ));
        audit_columns(&mut actions);
        manager.create_table(actions).await?;

        manager
            .create_table(
                Table::create()
                    .table("review_history")
                    .col(pk_uuid("id"))
                    .col(uuid("review_id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(uuid_null("user_id"))
                    .col(string_len("actor", 120))
                    .col(string_len("subject", 300))
                    .col(string_len("field", 200))
                    .col(text("old_value"))
                    .col(text("new_value"))
                    .foreign_key(&mut fk(
                        "fk_review_history_review",
                        "review_history",
                        "review_id",
                        "reviews",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_review_history_user",
                        "review_history",
                        "user_id",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        for (table, name, columns, unique) in INDEXES {
            let mut index = Index::create();
            index.name(*name).table(*table);
            for column in *columns {
                index.col(*column);
            }
            if *unique {
                index.unique();
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "review_history",
            "improvement_actions",
            "review_escapes",
            "reviews",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
