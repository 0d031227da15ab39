//! Metrics: the metric definition, the grouped counts they are computed from, and the
//! calculations over those counts. Pure: storage supplies the counts.

pub mod cells;
pub mod definition;
pub mod quarter;
pub mod rate;

pub use cells::*;
pub use definition::*;
pub use quarter::*;
pub use rate::*;
