//! `linear-csv`: a file Linear's CSV import takes. Linear creates an issue for every row and
//! updates none, so linked items are never written (see
//! [`Format::updates_linked`](super::Format::updates_linked)).
//!
//! Columns, in order: `Title`, `Description`, `Priority` (Urgent, High, Medium, Low), `Status`,
//! `Labels` (the labels in one cell, separated by `, `).
//!
//! Our statuses in Linear's default workflow:
//!
//! | Escapement | Linear |
//! |---|---|
//! | Proposed | Backlog |
//! | Accepted | Todo |
//! | In progress | In Progress |
//! | Done | Done |
//! | Won't do | Canceled |

use escapement_core::backlog::ExportItem;
use escapement_core::taxonomy::ActionStatus;

use super::text;

/// The header row.
pub const HEADER: [&str; 5] = ["Title", "Description", "Priority", "Status", "Labels"];

/// The status of Linear's default workflow that `status` maps to.
pub const fn status(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Proposed => "Backlog",
        ActionStatus::Accepted => "Todo",
        ActionStatus::InProgress => "In Progress",
        ActionStatus::Done => "Done",
        ActionStatus::WontDo => "Canceled",
    }
}

/// The row of `item`, in [`HEADER`]'s order, before formula protection.
pub fn record(item: &ExportItem) -> [String; 5] {
    [
        item.title.clone(),
        text::description(item),
        item.priority.linear().to_owned(),
        status(item.status).to_owned(),
        text::labels(item).join(", "),
    ]
}
