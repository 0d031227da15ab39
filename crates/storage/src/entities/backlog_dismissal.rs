//! A suggested backlog item a team dismissed, with its reason. The latest dismissal of a
//! cluster holds until an escape of the cluster is recorded after it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backlog_dismissals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    pub mechanism: String,
    pub component_id: Option<Uuid>,
    pub reason: String,
    pub dismissed_by: Option<Uuid>,
    pub dismissed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
