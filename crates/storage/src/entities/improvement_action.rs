//! An improvement action proposed by a review for one escape.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "improvement_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub review_id: Uuid,
    pub review_escape_id: Uuid,
    /// The team that owns the action.
    pub team_id: Uuid,
    pub title: String,
    pub mechanism: String,
    pub component_id: Option<Uuid>,
    pub target_layer: String,
    pub effort: String,
    pub due_date: Option<Date>,
    pub status: String,
    pub external_key: Option<String>,
    /// When the action last became done; empty while it is not.
    pub done_at: Option<DateTimeUtc>,
    /// Why the action will not be done (status won't do).
    pub status_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
