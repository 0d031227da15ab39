//! The texts every format shares: dates and scores as people read them, the machine labels,
//! and the description of an item with the escapes it addresses.

use std::fmt::Write as _;

use chrono::NaiveDate;
use escapement_core::backlog::{ExportItem, slug};

/// A date as people read it: `25 Nov 2026`.
pub fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// A priority score with one decimal: `12.5`, `4.0`.
pub fn score(s: f64) -> String {
    format!("{s:.1}")
}

/// The label naming the item's mechanism by its key: `escape-mechanism:no_test`.
pub fn mechanism_label(item: &ExportItem) -> String {
    format!("escape-mechanism:{}", item.mechanism.key())
}

/// GitHub's limit on a label's length, which every format keeps to so labels agree.
pub const LABEL_MAX: usize = 50;

/// The label naming the item's component by its slug (`component:checkout-payments`), if it
/// has a component; cut to [`LABEL_MAX`] characters.
pub fn component_label(item: &ExportItem) -> Option<String> {
    item.component.as_deref().map(|c| {
        let mut label = format!("component:{}", slug(c));
        // The slug is ASCII, so any byte index is a character boundary.
        label.truncate(LABEL_MAX);
        while label.ends_with('-') {
            label.pop();
        }
        label
    })
}

/// The label that lets a later export from the tracker be matched back to the action:
/// `escapement:<action uuid>`.
pub fn action_label(item: &ExportItem) -> String {
    format!("escapement:{}", item.id)
}

/// The item's grouping labels, mechanism first: the same for every item of a mechanism and
/// component, so a tracker has at most mechanisms × components of them.
pub fn labels(item: &ExportItem) -> Vec<String> {
    let mut labels = vec![mechanism_label(item)];
    labels.extend(component_label(item));
    labels
}

/// The description of an item as a tracker shows it: plain text, one fact a line, then the
/// escapes it addresses and the link back.
///
/// ```text
/// <title>
///
/// Mechanism: <label> (typically: <typical improvement>)
/// Component: <name or –>
/// Team: <team>
/// Target layer: <label>
/// Effort: <label>
/// Due: <25 Nov 2026 or –>
/// Priority score: 12.5 (Medium)
///
/// Escapes addressed:
/// - <defect title> (<severity>), discovered at <stage> on <date>; review: <title> <url>
///
/// Back to Escapement: <url>
/// ```
pub fn description(item: &ExportItem) -> String {
    let mut out = String::with_capacity(512 + 160 * item.escapes.len());
    // Writing to a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(out, "{}\n", item.title);
    let _ = writeln!(
        out,
        "Mechanism: {} (typically: {})",
        item.mechanism.label(),
        item.mechanism.typical_improvement()
    );
    let _ = writeln!(
        out,
        "Component: {}",
        item.component.as_deref().unwrap_or("–")
    );
    let _ = writeln!(out, "Team: {}", item.team);
    let _ = writeln!(out, "Target layer: {}", item.target_layer);
    let _ = writeln!(out, "Effort: {}", item.effort.label());
    let _ = writeln!(
        out,
        "Due: {}",
        item.due_date.map_or_else(|| "–".to_owned(), date)
    );
    let _ = writeln!(
        out,
        "Priority score: {} ({})",
        score(item.score),
        item.priority.jira()
    );
    if item.escapes.is_empty() {
        let _ = writeln!(out, "\nEscapes addressed: none yet");
    } else {
        let _ = writeln!(out, "\nEscapes addressed:");
        for e in &item.escapes {
            let _ = writeln!(
                out,
                "- {} ({}), discovered at {} on {}; review: {} {}",
                e.defect_title,
                e.severity.label(),
                e.discovered_at_stage,
                date(e.discovered_on),
                e.review_title,
                e.url
            );
        }
    }
    let _ = write!(out, "\nBack to Escapement: {}", item.url);
    out
}
