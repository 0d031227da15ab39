//! One stamp per team, a random UUID replaced in the same transaction as every write that
//! changes the team's defects or the roll-up's rows for it. A reader that reads a team's
//! stamp before its counts can keep those counts for as long as the stamp stays the same:
//! the list counts are computed once per change, not once per request, on every server
//! that shares the database. Derived data, like the roll-up: a rebuild writes them again.
//! The teams that exist get their first stamps here.

use sea_orm_migration::prelude::*;
use uuid::Uuid;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("rollup_stamps")
                    .col(ColumnDef::new("team_id").uuid().not_null().primary_key())
                    .col(ColumnDef::new("stamp").uuid().not_null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let teams = db
            .query_all(&Query::select().column("id").from("teams").to_owned())
            .await?;
        for chunk in teams.chunks(500) {
            let mut insert = Query::insert();
            insert
                .into_table("rollup_stamps")
                .columns(["team_id", "stamp"]);
            for row in chunk {
                let team: Uuid = row.try_get_by_index(0)?;
                insert.values_panic([team.into(), Uuid::new_v4().into()]);
            }
            db.execute(&insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("rollup_stamps").to_owned())
            .await
    }
}
