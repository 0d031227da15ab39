//! One escaped defect covered by a review, with the guided steps' answers.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_escapes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub review_id: Uuid,
    pub defect_id: Uuid,
    pub position: i32,
    pub facts_confirmed: bool,
    /// JSON checklist keyed by question.
    pub checklist: String,
    pub evidence: String,
    pub evidence_gap: String,
    pub primary_mechanism: Option<String>,
    /// Comma-separated mechanism keys.
    pub contributing: String,
    pub no_action_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
