//! Defects: the filtered, paginated list ([`list_defects`]), one defect with create and
//! update under optimistic locking ([`get_defect`], [`create_defect`], [`update_defect`]),
//! and the defect page's read model ([`defect_detail`]).

mod counts;
mod detail;
mod list;
mod record;

pub(crate) use counts::rollup_counts;
pub use detail::{CoveringReview, DefectDetail, defect_detail};
pub use list::{
    DefectFilter, DefectKey, DefectListPage, DefectRow, InScope, defects_after, list_defects,
};
pub(crate) use list::{Listed, Purpose, condition, count, kept_page, listed, names, resolve_names};
pub use record::{create_defect, get_defect, update_defect};
pub(crate) use record::{data_columns, insert_defect};
