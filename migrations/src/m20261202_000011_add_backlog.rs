//! The improvement backlog: when an action was done and why one will not be, the escapes each
//! action addresses (many to many: an action may address escapes of several reviews), and the
//! suggestions a team dismissed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    name: &'static str,
    from: &'static str,
    column: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from, column)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table.to_owned());
    for column in columns {
        index.col((*column).to_owned());
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        for column in [
            timestamp_with_time_zone_null("done_at"),
            text_null("status_reason"),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table("improvement_actions")
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        // Actions done before this migration: their last change is the best date there is.
        db.execute_unprepared(
            "UPDATE improvement_actions SET done_at = updated_at WHERE status = 'done'",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("action_escapes")
                    .col(uuid("action_id"))
                    .col(uuid("review_escape_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("action_id").col("review_escape_id"))
                    .foreign_key(&mut fk(
                        "fk_action_escapes_action",
                        "action_escapes",
                        "action_id",
                        "improvement_actions",
                    ))
                    .foreign_key(&mut fk(
                        "fk_action_escapes_escape",
                        "action_escapes",
                        "review_escape_id",
                        "review_escapes",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_action_escapes_escape",
                "action_escapes",
                &["review_escape_id"],
            ))
            .await?;
        db.execute_unprepared(
            "INSERT INTO action_escapes (action_id, review_escape_id, created_at) \
             SELECT id, review_escape_id, created_at FROM improvement_actions",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("backlog_dismissals")
                    .col(pk_uuid("id"))
                    .col(uuid("team_id"))
                    .col(string_len("mechanism", 32))
                    .col(uuid_null("component_id"))
                    .col(text("reason"))
                    .col(uuid_null("dismissed_by"))
                    .col(timestamp_with_time_zone("dismissed_at"))
                    .foreign_key(&mut fk(
                        "fk_dismissals_team",
                        "backlog_dismissals",
                        "team_id",
                        "teams",
                    ))
                    .foreign_key(&mut fk(
                        "fk_dismissals_component",
                        "backlog_dismissals",
                        "component_id",
                        "components",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_dismissals_cluster",
                "backlog_dismissals",
                &["team_id", "mechanism", "dismissed_at"],
            ))
            .await?;
        // The open-action check of every suggestion and the effect of done actions.
        manager
            .create_index(index(
                "ix_actions_cluster",
                "improvement_actions",
                &["team_id", "mechanism", "component_id"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_actions_cluster")
                    .table("improvement_actions")
                    .to_owned(),
            )
            .await?;
        for table in ["backlog_dismissals", "action_escapes"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        let db = manager.get_connection();
        for column in ["status_reason", "done_at"] {
            db.execute_unprepared(&format!(
                "ALTER TABLE improvement_actions DROP COLUMN {column}"
            ))
            .await?;
        }
        Ok(())
    }
}
