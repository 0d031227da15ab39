//! One recorded change to a review, an escape's classification or an action.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub review_id: Uuid,
    pub at: DateTimeUtc,
    pub user_id: Option<Uuid>,
    /// The display name at the time of the change.
    pub actor: String,
    pub subject: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
