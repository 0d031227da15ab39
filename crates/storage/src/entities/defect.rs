//! A defect as stored; whether it escaped is computed, never stored.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "defects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    pub component_id: Option<Uuid>,
    pub release_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub severity: String,
    pub defect_type: String,
    pub origin: String,
    pub discovery_stage: String,
    pub expected_catch_stage: Option<String>,
    pub detected_by: String,
    pub introduced_at: Option<DateTimeUtc>,
    pub detected_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub reopened_count: i32,
    pub confirmed: bool,
    pub known_issue_accepted: bool,
    pub cosmetic: bool,
    pub test_environment: bool,
    pub data_migration: bool,
    pub external_key: Option<String>,
    pub incident_link: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
