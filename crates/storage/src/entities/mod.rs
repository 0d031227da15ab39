//! sea-orm entities: one per table, plain mappings with no behaviour of their own.

pub mod component;
pub mod defect;
pub mod release;
pub mod setting;
pub mod team;
