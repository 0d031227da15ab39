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

/// The most bytes of escapes a description lists: Jira refuses a description over 32,767
/// characters (GitHub a body over 65,536), so the list stops before and says how many more
/// the item's page shows.
pub const ESCAPES_BUDGET: usize = 30_000;

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
/// - … and 12 more escapes on the item's page        (past [`ESCAPES_BUDGET`])
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
        let listed_from = out.len();
        for (i, e) in item.escapes.iter().enumerate() {
            if out.len() - listed_from > ESCAPES_BUDGET {
                let more = item.escapes.len() - i;
                let _ = writeln!(out, "- … and {more} more escapes on the item's page");
                break;
            }
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

#[cfg(test)]
mod tests {
    use escapement_core::backlog::{EscapeRef, ExportItem, Priority};
    use escapement_core::{ActionStatus, Effort, Mechanism, Severity};

    use super::{ESCAPES_BUDGET, description};

    #[test]
    fn a_long_list_of_escapes_stops_within_the_trackers_limits() {
        let on = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let escape = EscapeRef {
            defect_title: "x".repeat(500),
            severity: Severity::High,
            discovered_at_stage: "Production".to_owned(),
            discovered_on: on,
            review_title: "Review".to_owned(),
            url: "/reviews/1".to_owned(),
        };
        let item = ExportItem {
            id: uuid::Uuid::nil(),
            title: "Many".to_owned(),
            mechanism: Mechanism::NoTest,
            component: None,
            team: "T".to_owned(),
            target_layer: "Unit".to_owned(),
            effort: Effort::S,
            status: ActionStatus::Proposed,
            due_date: None,
            score: 1.0,
            priority: Priority::Lowest,
            external_key: None,
            escapes: vec![escape; 1_000],
            url: "/actions/1".to_owned(),
        };
        let text = description(&item);
        assert!(text.chars().count() < 32_767, "{}", text.len());
        assert!(text.len() > ESCAPES_BUDGET);
        let listed = text.lines().filter(|l| l.starts_with("- x")).count();
        assert!(text.contains(&format!("- … and {} more escapes", 1_000 - listed)));
        assert!(text.ends_with("Back to Escapement: /actions/1"));
    }
}
