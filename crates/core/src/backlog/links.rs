//! Tracker keys pasted back: each row of what the user pastes (plain lines, or the rows of a
//! tracker's CSV export) names one action and the key its issue got.
//!
//! The action is found by the marker the exports write: the label `escapement:<id>`, the
//! link `…/backlog/actions/<id>`, or a bare id. The key is, in order: the cell under a key
//! column of the export's header (`Issue key`, `Key`, `ID`, `Identifier`, `number`, `url`),
//! or else the first cell that reads as a tracker key. A GitHub issue link becomes
//! `owner/repo#45`; a bare GitHub number becomes `#45`.

use uuid::Uuid;

use super::lifecycle::is_tracker_key;

/// Header names (compared without case) of the column holding an issue's key.
pub const KEY_COLUMNS: &[&str] = &["issue key", "key", "id", "identifier", "number", "url"];

/// Why a row gave no link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    /// No action id in the row.
    NoAction,
    /// An action id but no tracker key.
    NoKey,
}

impl RowProblem {
    #[must_use]
    pub const fn message(&self) -> &'static str {
        match self {
            RowProblem::NoAction => {
                "names no action: it needs the escapement:<id> label or the link to the action"
            }
            RowProblem::NoKey => "names no tracker key like PAY-123 or owner/repo#45",
        }
    }
}

/// The action id a cell carries, if any.
fn action_in(cell: &str) -> Option<Uuid> {
    for marker in ["escapement:", "/backlog/actions/"] {
        if let Some(at) = cell.find(marker) {
            let rest = &cell[at + marker.len()..];
            let id: String = rest
                .chars()
                .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
                .collect();
            if let Ok(id) = Uuid::parse_str(&id) {
                return Some(id);
            }
        }
    }
    Uuid::parse_str(cell.trim()).ok()
}

/// A cell as a tracker key: the key itself, a GitHub issue link as `owner/repo#45`, a bare
/// number as `#45` (only under a `number` column).
fn key_in(cell: &str, column: Option<&str>) -> Option<String> {
    let cell = cell.trim();
    if cell.is_empty() || action_in(cell).is_some() {
        return None;
    }
    if let Some(rest) = cell.strip_prefix("https://github.com/") {
        let parts: Vec<&str> = rest.split('/').collect();
        if let [owner, repo, "issues" | "pull", number, ..] = parts.as_slice()
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
        {
            return Some(format!("{owner}/{repo}#{number}"));
        }
    }
    if column == Some("number") && cell.chars().all(|c| c.is_ascii_digit()) {
        return Some(format!("#{cell}"));
    }
    is_tracker_key(cell).then(|| cell.to_owned())
}

/// The (action, key) one row names. `header` is the export's header row when there is one.
pub fn link_of(header: Option<&[String]>, cells: &[String]) -> Result<(Uuid, String), RowProblem> {
    let action = cells
        .iter()
        .find_map(|c| action_in(c))
        .ok_or(RowProblem::NoAction)?;
    let columns: Vec<Option<String>> = (0..cells.len())
        .map(|i| {
            header
                .and_then(|h| h.get(i))
                .map(|name| name.trim().to_lowercase())
        })
        .collect();
    // A key column of the header first, in the order of KEY_COLUMNS.
    for wanted in KEY_COLUMNS {
        for (i, cell) in cells.iter().enumerate() {
            if columns[i].as_deref() == Some(*wanted)
                && let Some(key) = key_in(cell, Some(wanted))
            {
                return Ok((action, key));
            }
        }
    }
    // Plain lines, or an export without a known key column: the first cell that is a key.
    // A Jira label (`escape-mechanism:no_test`) reads as no key, having no digits after `-`.
    cells
        .iter()
        .find_map(|c| key_in(c, None))
        .map(|key| (action, key))
        .ok_or(RowProblem::NoKey)
}

/// Whether `first` reads as the header row of a tracker export (it names a key column and
/// holds no action id).
#[must_use]
pub fn is_header(first: &[String]) -> bool {
    first.iter().all(|c| action_in(c).is_none())
        && first
            .iter()
            .any(|c| KEY_COLUMNS.contains(&c.trim().to_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    const ID: &str = "0192f3a4-1b2c-7d3e-8f40-123456789abc";

    #[test]
    fn a_jira_export_row_links_by_its_label_and_issue_key() {
        let header = cells(&["Summary", "Issue key", "Labels", "Labels", "Labels"]);
        assert!(is_header(&header));
        let row = cells(&[
            "Add a contract test",
            "PAY-123",
            "escape-mechanism:no_test",
            "component:checkout",
            &format!("escapement:{ID}"),
        ]);
        let (id, key) = link_of(Some(&header), &row).expect("a link");
        assert_eq!(id.to_string(), ID);
        assert_eq!(key, "PAY-123");
    }

    #[test]
    fn a_github_export_row_links_by_its_url_or_number() {
        let header = cells(&["number", "title", "url", "labels"]);
        let row = cells(&[
            "45",
            "Add a contract test",
            "https://github.com/acme/shop/issues/45",
            &format!("escapement:{ID},escape-mechanism:no_test"),
        ]);
        assert_eq!(link_of(Some(&header), &row).expect("a link").1, "#45");
        let header = cells(&["title", "url", "labels"]);
        let row = cells(&[
            "Add a contract test",
            "https://github.com/acme/shop/issues/45",
            &format!("escapement:{ID}"),
        ]);
        assert_eq!(
            link_of(Some(&header), &row).expect("a link").1,
            "acme/shop#45"
        );
    }

    #[test]
    fn a_pasted_line_names_the_action_and_the_key() {
        let line = cells(&[
            &format!("https://esc.example.com/backlog/actions/{ID}"),
            "ENG-7",
        ]);
        assert_eq!(link_of(None, &line).expect("a link").1, "ENG-7");
        let line = cells(&[ID, "acme/shop#12"]);
        assert_eq!(link_of(None, &line).expect("a link").1, "acme/shop#12");
        assert!(!is_header(&line));
    }

    #[test]
    fn rows_without_an_action_or_a_key_say_which() {
        assert_eq!(link_of(None, &cells(&["PAY-1"])), Err(RowProblem::NoAction));
        assert_eq!(
            link_of(None, &cells(&[ID, "escape-mechanism:no_test"])),
            Err(RowProblem::NoKey)
        );
    }
}
