//! Escapement's domain: stages, classifications, defects and catalog entries, pure and synchronous.
//!
//! Nothing here performs IO or reads the clock: the current time and new ids are passed in.

pub mod auth;
pub mod backlog;
pub mod catalog;
pub mod defect;
pub mod errors;
pub mod form;
pub mod import;
pub mod metrics;
pub mod paging;
pub mod review;
pub mod stage;
pub mod taxonomy;

pub use catalog::*;
pub use defect::*;
pub use errors::{FieldError, ValidationErrors};
pub use paging::*;
pub use stage::*;
pub use taxonomy::*;
