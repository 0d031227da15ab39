//! Defects: the filtered, paginated list ([`list_defects`]) and one defect with create and
//! update under optimistic locking ([`get_defect`], [`create_defect`], [`update_defect`]).

mod list;
mod record;

pub use list::{DefectFilter, DefectListPage, DefectRow, list_defects};
pub(crate) use list::{Purpose, condition, count, names, resolve_names};
pub use record::{create_defect, get_defect, update_defect};
