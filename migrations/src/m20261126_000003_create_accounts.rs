//! Accounts: users, team memberships, server-side sessions, API tokens, the security audit
//! log and recent login failures (for throttling).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000001_create_catalog::audit_columns;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table.to_owned());
    for column in columns {
        index.col(ToString::to_string(column));
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut users = Table::create();
        users
            .table("users")
            .col(pk_uuid("id"))
            .col(string_len_uniq("email", 254))
            .col(string_len("display_name", 100))
            .col(text("password_hash"))
            .col(boolean("is_admin").default(false));
        audit_columns(&mut users);
        manager.create_table(users).await?;

        let mut memberships = Table::create();
        memberships
            .table("memberships")
            .col(uuid("team_id"))
            .col(uuid("user_id"))
            .col(string_len("role", 16))
            .primary_key(Index::create().col("team_id").col("user_id"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_memberships_team")
                    .from("memberships", "team_id")
                    .to("teams", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_memberships_user")
                    .from("memberships", "user_id")
                    .to("users", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            );
        audit_columns(&mut memberships);
        manager.create_table(memberships).await?;
        manager
            .create_index(index("ix_memberships_user", "memberships", &["user_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(string_len("id", 64).primary_key())
                    .col(uuid_null("user_id"))
                    .col(text("data"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("last_seen_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sessions_user")
                            .from("sessions", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_sessions_expires", "sessions", &["expires_at"]))
            .await?;
        manager
            .create_index(index("ix_sessions_user", "sessions", &["user_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("api_tokens")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string_len("name", 80))
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_tokens_user")
                            .from("api_tokens", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_api_tokens_user", "api_tokens", &["user_id"]))
            .await?;

        // No foreign keys: the audit trail outlives the users it mentions.
        manager
            .create_table(
                Table::create()
                    .table("audit_events")
                    .col(pk_uuid("id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(string_len("event", 32))
                    .col(uuid_null("actor_user_id"))
                    .col(text("subject"))
                    .col(string_len_null("client_addr", 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_audit_events_at", "audit_events", &["at", "id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("login_failures")
                    .col(pk_uuid("id"))
                    .col(string_len("account", 254))
                    .col(string_len("client_addr", 64))
                    .col(timestamp_with_time_zone("at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_login_failures_account",
                "login_failures",
                &["account", "at"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_login_failures_client",
                "login_failures",
                &["client_addr", "at"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "login_failures",
            "audit_events",
            "api_tokens",
            "sessions",
            "memberships",
            "users",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
