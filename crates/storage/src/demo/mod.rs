//! The demo: an empty database filled with three teams, their catalog and a realistic spread
//! of defects ([`load_demo`]), then the escape reviews each team's lead writes about them
//! ([`load_demo_reviews`]). Each load is one transaction, refuses a database that already
//! has that kind of data, and gives the same data for the same seed.

pub(crate) mod bulk;
mod catalog;
mod defects;
mod draw;
mod reviews;
mod state;

pub use crate::checkpoint;
pub use defects::{DemoSummary, load_demo};
pub use reviews::{DemoReviewSummary, DemoReviewer, MAX_REVIEWS_PER_TEAM, load_demo_reviews};
pub use state::{DemoState, clear_unfinished_demo, demo_state, finish_demo};
