//! The guided, blameless escape review: its checklist and suggestion rules, the progress of
//! each escape, the state machine with its guards, the blameless guard, the review's forms
//! and its Markdown export.

mod blame;
mod checklist;
mod drafts;
pub mod fields;
mod markdown;
mod progress;
mod state;

pub use blame::{BLAME_PHRASES, BlameFinding, BlameKind, blame_findings};
pub use checklist::{Answer, Because, Checklist, Entry, Question, Suggestion};
pub use drafts::*;
pub use fields::FieldLabel;
pub use markdown::{ActionDocument, EscapeDocument, ReviewDocument, review_markdown};
pub use progress::{Classification, EscapeWork, Missing, Step};
pub use state::{Blocked, Transition, allows_edits, transition};

#[cfg(test)]
mod tests;
