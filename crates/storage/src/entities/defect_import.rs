//! An uploaded CSV file of defects: previewed with its mapping, then imported once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "defect_imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    pub created_by: Option<Uuid>,
    pub file_name: String,
    pub content: Vec<u8>,
    /// The mapping as JSON.
    pub mapping: String,
    /// `uploaded`, `running`, `done` or `failed`.
    pub status: String,
    /// What the import did (JSON of its report), once it ended.
    pub outcome: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
