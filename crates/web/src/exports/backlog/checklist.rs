//! `markdown`: the backlog as a Markdown checklist grouped by mechanism, to paste into
//! Confluence, Notion or a GitHub issue. Every text from people goes through
//! [`crate::markdown::literal`], so it shows as written and cannot add markup.
//!
//! ```text
//! # Improvement backlog
//!
//! Generated 2 Dec 2026 09:00 UTC · metric definition version 3
//!
//! ## No test existed
//!
//! - [ ] [Title](url) — score 12.5 (Medium), Checkout, due 25 Nov 2026, Proposed
//! - [x] [Title](url) — score 3.0 (Lowest), no component, no due date, Done, PAY-7
//! ```
//!
//! The caller passes the items sorted by mechanism (then score); a heading starts whenever the
//! mechanism changes, so the writer remembers one mechanism and nothing else.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use escapement_core::ActionStatus;
use escapement_core::Mechanism;
use escapement_core::backlog::ExportItem;

use super::text;
use crate::markdown::literal;

/// Writes the document's title and the line saying when and under which definition.
pub fn start(
    out: &mut impl Write,
    generated_at: DateTime<Utc>,
    definition_version: i32,
) -> io::Result<()> {
    writeln!(out, "# Improvement backlog\n")?;
    writeln!(
        out,
        "Generated {} · metric definition version {definition_version}",
        generated_at.format("%-d %b %Y %H:%M UTC")
    )
}

/// A link target that cannot end the link early: spaces, parentheses and angle brackets
/// percent-encoded.
fn target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes `item`, after a heading when its mechanism differs from `previous`' (the mechanism
/// of the item written before, if any).
pub fn item(
    out: &mut impl Write,
    item: &ExportItem,
    previous: Option<Mechanism>,
) -> io::Result<()> {
    if previous != Some(item.mechanism) {
        writeln!(out, "\n## {}\n", item.mechanism.label())?;
    }
    let done = if item.status == ActionStatus::Done {
        'x'
    } else {
        ' '
    };
    let component = item
        .component
        .as_deref()
        .map_or_else(|| "no component".to_owned(), literal);
    let due = item.due_date.map_or_else(
        || "no due date".to_owned(),
        |d| format!("due {}", text::date(d)),
    );
    write!(
        out,
        "- [{done}] [{}]({}) — score {} ({}), {component}, {due}, {}",
        literal(&item.title),
        target(&item.url),
        text::score(item.score),
        item.priority.jira(),
        item.status.label()
    )?;
    if let Some(key) = &item.external_key {
        write!(out, ", {}", literal(key))?;
    }
    writeln!(out)
}
