//! sea-orm entities: one per table, plain mappings with no behaviour of their own.

pub mod action_escape;
pub mod api_token;
pub mod audit_event;
pub mod backlog_dismissal;
pub mod component;
pub mod defect;
pub mod defect_import;
pub mod import_mapping;
pub mod improvement_action;
pub mod login_failure;
pub mod membership;
pub mod release;
pub mod review;
pub mod review_escape;
pub mod review_history;
pub mod session;
pub mod setting;
pub mod team;
pub mod user;
