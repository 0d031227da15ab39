//! One review as a Markdown document, for Confluence, Notion or a Git repository.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{Answer, Checklist, Participant, Question};
use crate::taxonomy::{ActionStatus, Effort, Mechanism, ReviewState};

/// A review with every name and label resolved, ready to be written out.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewDocument {
    pub title: String,
    pub team: String,
    pub state: ReviewState,
    pub incident_date: NaiveDate,
    pub incident_link: Option<String>,
    /// Markdown as the team wrote it.
    pub summary: String,
    pub participants: Vec<Participant>,
    pub escapes: Vec<EscapeDocument>,
    /// When the export was made.
    pub exported_at: DateTime<Utc>,
}

/// One escape of a [`ReviewDocument`].
#[derive(Debug, Clone, Serialize)]
pub struct EscapeDocument {
    pub title: String,
    pub external_key: Option<String>,
    pub severity: String,
    pub discovered_at_stage: String,
    pub expected_catch_stage: Option<String>,
    pub component: Option<String>,
    pub release: Option<String>,
    pub detected_at: DateTime<Utc>,
    pub checklist: Checklist,
    pub evidence: String,
    pub evidence_gap: String,
    pub primary: Option<Mechanism>,
    pub contributing: Vec<Mechanism>,
    pub actions: Vec<ActionDocument>,
    pub no_action_reason: Option<String>,
}

/// One improvement action of an [`EscapeDocument`].
#[derive(Debug, Clone, Serialize)]
pub struct ActionDocument {
    pub title: String,
    pub mechanism: Mechanism,
    pub component: Option<String>,
    pub target_layer: String,
    pub effort: Effort,
    pub owner_team: String,
    pub due_date: Option<NaiveDate>,
    pub status: ActionStatus,
    pub external_key: Option<String>,
}

/// Text for a table cell: pipes escaped, line breaks as spaces, empty as an en dash.
fn cell(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        "–".to_owned()
    } else {
        flat.replace('|', "\\|")
    }
}

fn or_dash(text: Option<&str>) -> &str {
    text.filter(|t| !t.trim().is_empty()).unwrap_or("–")
}

fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// Writes `doc` as Markdown: a heading block of facts, the summary, participants by role,
/// then one section per escape with its checklist table, analysis, mechanisms and actions.
#[must_use]
pub fn review_markdown(doc: &ReviewDocument) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(out, "# Escape review: {}\n", doc.title.trim());
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| Team | {} |", cell(&doc.team));
    let _ = writeln!(out, "| State | {} |", doc.state.label());
    let _ = writeln!(out, "| Incident date | {} |", date(doc.incident_date));
    let _ = writeln!(
        out,
        "| Incident link | {} |",
        cell(or_dash(doc.incident_link.as_deref()))
    );
    let _ = writeln!(out, "| Escapes covered | {} |", doc.escapes.len());
    let _ = writeln!(
        out,
        "| Exported | {} |\n",
        doc.exported_at.format("%-d %b %Y %H:%M UTC")
    );
    let _ = writeln!(out, "## Summary\n");
    let summary = doc.summary.trim();
    let _ = writeln!(
        out,
        "{}\n",
        if summary.is_empty() {
            "_No summary yet._"
        } else {
            summary
        }
    );
    let _ = writeln!(out, "## Participants\n");
    if doc.participants.is_empty() {
        let _ = writeln!(out, "_None listed._\n");
    } else {
        for p in &doc.participants {
            let _ = writeln!(out, "- {} ({})", p.name, p.role);
        }
        out.push('\n');
    }
    for (i, e) in doc.escapes.iter().enumerate() {
        write_escape(&mut out, i + 1, e);
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn write_escape(out: &mut String, number: usize, e: &EscapeDocument) {
    let key = e
        .external_key
        .as_deref()
        .map(|k| format!(" ({k})"))
        .unwrap_or_default();
    let _ = writeln!(out, "## Escape {number}: {}{key}\n", e.title.trim());
    let _ = writeln!(out, "- Severity: {}", e.severity);
    let _ = writeln!(out, "- Discovered at: {}", e.discovered_at_stage);
    let _ = writeln!(
        out,
        "- Should have been caught at: {}",
        or_dash(e.expected_catch_stage.as_deref())
    );
    let _ = writeln!(out, "- Component: {}", or_dash(e.component.as_deref()));
    let _ = writeln!(out, "- Release: {}", or_dash(e.release.as_deref()));
    let _ = writeln!(out, "- Detected: {}\n", date(e.detected_at.date_naive()));
    let _ = writeln!(out, "### Checklist\n");
    let _ = writeln!(out, "| Question | Answer | Note |\n|---|---|---|");
    for &q in Question::ALL {
        if !e.checklist.requires(q) && e.checklist.answer(q).is_none() {
            continue;
        }
        let answer = e
            .checklist
            .answer(q)
            .map_or("Not answered", |a: Answer| q.answer_label(a));
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(q.label()),
            answer,
            cell(e.checklist.note(q))
        );
    }
    let _ = writeln!(out, "\n### What would have caught it earlier\n");
    let _ = writeln!(out, "{}\n", or_dash(Some(e.evidence.trim())));
    let _ = writeln!(out, "### Why that evidence did not exist\n");
    let _ = writeln!(out, "{}\n", or_dash(Some(e.evidence_gap.trim())));
    let _ = writeln!(out, "### Mechanism\n");
    let _ = writeln!(
        out,
        "- Primary: {}",
        e.primary.map_or("not yet confirmed", Mechanism::label)
    );
    let contributing: Vec<&str> = e.contributing.iter().map(|m| m.label()).collect();
    let _ = writeln!(
        out,
        "- Contributing: {}\n",
        if contributing.is_empty() {
            "none".to_owned()
        } else {
            contributing.join("; ")
        }
    );
    let _ = writeln!(out, "### Improvement actions\n");
    if e.actions.is_empty() {
        match e
            .no_action_reason
            .as_deref()
            .filter(|r| !r.trim().is_empty())
        {
            Some(reason) => {
                let _ = writeln!(out, "No action needed: {}\n", reason.trim());
            }
            None => {
                let _ = writeln!(out, "_No action yet._\n");
            }
        }
    } else {
        let _ = writeln!(
            out,
            "| Action | Mechanism | Component | Layer | Effort | Owner | Due | Status |\n|---|---|---|---|---|---|---|---|"
        );
        for a in &e.actions {
            let title = match &a.external_key {
                Some(k) => format!("{} ({k})", a.title),
                None => a.title.clone(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(&title),
                a.mechanism.label(),
                cell(or_dash(a.component.as_deref())),
                cell(&a.target_layer),
                a.effort.label(),
                cell(&a.owner_team),
                a.due_date.map_or_else(|| "–".to_owned(), date),
                a.status.label()
            );
        }
        out.push('\n');
    }
}
