//! Metrics storage: the versioned metric definition, and the grouped counts the metric
//! pages read from the roll-up.

mod definitions;

pub(crate) use definitions::append;
pub use definitions::{
    DefinitionVersion, current_definition, definition_history, get_definition, save_definition,
};
