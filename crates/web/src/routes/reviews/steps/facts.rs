//! Step 1, the facts: the defect's facts as recorded, confirmed before the discussion of
//! why it escaped; they are corrected on the defect form.

use chrono::{DateTime, Utc};
use escapement_core::review::Step;
use escapement_storage::reviews::ReviewEscape;
use serde::Serialize;

use super::frame::{StepKind, Workspace};
use crate::page::{Ctx, Done};

/// The facts step.
pub struct Facts;

#[derive(Serialize)]
struct Fact {
    label: &'static str,
    value: String,
    /// The address the value links to (the incident link).
    link: Option<String>,
}

#[derive(Serialize)]
pub struct FactsView {
    facts: Vec<Fact>,
    /// The defect's description, Markdown as written.
    description: String,
}

fn when(at: Option<DateTime<Utc>>, none: &str) -> String {
    at.map_or_else(
        || none.to_owned(),
        |t| t.format("%-d %b %Y, %H:%M UTC").to_string(),
    )
}

impl StepKind for Facts {
    const STEP: Step = Step::Facts;
    const DONE: Done = Done::FactsConfirmed;
    const TEMPLATE: &'static str = "reviews/steps/facts.html";
    /// Confirming the facts takes no input but the version.
    type Input = ();
    type View = FactsView;

    fn view(_: &Ctx, ws: &Workspace, _input: Option<&()>) -> FactsView {
        let d = &ws.escape().defect.data;
        let name = |n: &Option<String>| n.clone().unwrap_or_else(|| "Not set".to_owned());
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "None".to_owned());
        let facts = [
            ("Severity", d.severity.label().to_owned()),
            (
                "Discovery stage",
                ws.stages
                    .pipeline
                    .label_of(d.discovery_stage.as_str())
                    .to_owned(),
            ),
            ("Origin", d.origin.label().to_owned()),
            ("Defect type", d.defect_type.label().to_owned()),
            ("Component", name(&ws.read.component_name)),
            ("Release", name(&ws.read.release_name)),
            ("Introduced", when(d.introduced_at, "Unknown")),
            ("Detected", when(Some(d.detected_at), "")),
            ("Resolved", when(d.resolved_at, "Not yet")),
            ("Detected by", d.detected_by.label().to_owned()),
            ("Times reopened", d.reopened_count.to_string()),
            ("External key", or_none(&d.external_key)),
            ("Incident link", or_none(&d.incident_link)),
        ];
        let mut facts: Vec<Fact> = facts
            .into_iter()
            .map(|(label, value)| Fact {
                label,
                value,
                link: None,
            })
            .collect();
        if let Some(last) = facts.last_mut() {
            last.link.clone_from(&d.incident_link);
        }
        FactsView {
            facts,
            description: d.description.clone(),
        }
    }

    fn saved(_: &ReviewEscape) {}

    fn labels() -> Vec<(&'static str, String)> {
        Vec::new()
    }
}
