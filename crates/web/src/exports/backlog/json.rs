//! `json`: the backlog as JSON with a stable schema, `escapement.backlog.v1`, written one item
//! at a time (docs/backlog-export.md documents every field).
//!
//! ```text
//! {"schema":"escapement.backlog.v1","generated_at":"2026-12-02T09:00:00Z","definition_version":3,"items":[
//! {…},
//! {…}
//! ]}
//! ```

use std::io::{self, Write};

use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::backlog::{EscapeRef, ExportItem, Priority};
use serde::Serialize;
use uuid::Uuid;

use super::text;

/// The schema's name, the document's first field.
pub const SCHEMA: &str = "escapement.backlog.v1";

#[derive(Serialize)]
struct Head {
    schema: &'static str,
    generated_at: DateTime<Utc>,
    definition_version: i32,
}

/// One item as the schema has it: every classification by key and by label.
#[derive(Serialize)]
struct Item<'a> {
    id: Uuid,
    title: &'a str,
    mechanism: &'static str,
    mechanism_label: &'static str,
    typical_improvement: &'static str,
    component: Option<&'a str>,
    team: &'a str,
    target_layer: &'a str,
    effort: &'static str,
    effort_label: &'static str,
    status: &'static str,
    status_label: &'static str,
    due_date: Option<NaiveDate>,
    score: f64,
    /// Serialised as its snake_case key (`highest` … `lowest`).
    priority: Priority,
    priority_label: &'static str,
    external_key: Option<&'a str>,
    labels: Vec<String>,
    url: &'a str,
    escapes: Vec<Escape<'a>>,
}

#[derive(Serialize)]
struct Escape<'a> {
    defect_title: &'a str,
    severity: &'static str,
    severity_label: &'static str,
    discovered_at_stage: &'a str,
    discovered_on: NaiveDate,
    review_title: &'a str,
    url: &'a str,
}

impl<'a> Escape<'a> {
    fn of(e: &'a EscapeRef) -> Self {
        Escape {
            defect_title: &e.defect_title,
            severity: e.severity.key(),
            severity_label: e.severity.label(),
            discovered_at_stage: &e.discovered_at_stage,
            discovered_on: e.discovered_on,
            review_title: &e.review_title,
            url: &e.url,
        }
    }
}

impl<'a> Item<'a> {
    fn of(item: &'a ExportItem) -> Self {
        Item {
            id: item.id,
            title: &item.title,
            mechanism: item.mechanism.key(),
            mechanism_label: item.mechanism.label(),
            typical_improvement: item.mechanism.typical_improvement(),
            component: item.component.as_deref(),
            team: &item.team,
            target_layer: &item.target_layer,
            effort: item.effort.key(),
            effort_label: item.effort.label(),
            status: item.status.key(),
            status_label: item.status.label(),
            due_date: item.due_date,
            // JSON has no NaN or infinity; a score that is not finite is written as 0.
            score: if item.score.is_finite() {
                item.score
            } else {
                0.0
            },
            priority: item.priority,
            priority_label: item.priority.jira(),
            external_key: item.external_key.as_deref(),
            labels: text::labels(item),
            url: &item.url,
            escapes: item.escapes.iter().map(Escape::of).collect(),
        }
    }
}

/// Writes the document's head, up to the opening `[` of `items`.
pub fn start(
    out: &mut impl Write,
    generated_at: DateTime<Utc>,
    definition_version: i32,
) -> io::Result<()> {
    let head = serde_json::to_string(&Head {
        schema: SCHEMA,
        generated_at,
        definition_version,
    })?;
    // `head` is a JSON object: reopen it to append the items array.
    let open = head.strip_suffix('}').unwrap_or(&head);
    write!(out, "{open},\"items\":[")
}

/// Writes one item, on a line of its own; `first` says whether a comma must precede it.
pub fn item(out: &mut impl Write, item: &ExportItem, first: bool) -> io::Result<()> {
    out.write_all(if first { b"\n" } else { b",\n" })?;
    serde_json::to_writer(&mut *out, &Item::of(item))?;
    Ok(())
}

/// Closes the items array and the document.
pub fn finish(out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"\n]}\n")
}
