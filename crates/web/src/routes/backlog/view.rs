//! What a backlog row shows: labels, dates in words and the score's breakdown, from the
//! storage's actions and suggestions.

use escapement_core::Pipeline;
use escapement_core::backlog::{DueState, Effect, Score, Verdict};
use escapement_storage::backlog::{AddressedEscape, BacklogAction, SuggestedItem};
use serde::Serialize;

/// A date as people read it: "25 Nov 2026".
pub(super) fn day(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn plural(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// An escape an item addresses, linked to its review.
#[derive(Debug, Clone, Serialize)]
pub(super) struct EscapeLink {
    pub href: String,
    pub defect_href: String,
    pub title: String,
    pub severity: &'static str,
    pub stage: String,
    pub discovered_on: String,
    pub review_title: String,
}

pub(super) fn escape_links(list: &[AddressedEscape], pipeline: &Pipeline) -> Vec<EscapeLink> {
    list.iter()
        .map(|e| EscapeLink {
            href: format!("/reviews/{}/escapes/{}", e.review_id, e.review_escape_id),
            defect_href: format!("/defects/{}", e.defect_id),
            title: e.defect_title.clone(),
            severity: e.severity.key(),
            stage: pipeline.label_of(e.discovery_stage.as_str()).to_owned(),
            discovered_on: day(e.discovered_on),
            review_title: e.review_title.clone(),
        })
        .collect()
}

/// A score and its parts, as numbers a reader can check.
#[derive(Debug, Clone, Serialize)]
pub(super) struct ScoreView {
    pub value: String,
    pub priority: &'static str,
    pub weighted: u64,
    pub recency: String,
    pub recurrence: String,
    pub quarters: u32,
    pub effort: &'static str,
    pub divisor: String,
    pub breakdown: String,
}

pub(super) fn score_view(s: &Score) -> ScoreView {
    ScoreView {
        value: format!("{:.1}", s.value),
        priority: s.priority().jira(),
        weighted: s.weighted,
        recency: format!("{:.2}", s.recency),
        recurrence: format!("{:.1}", s.recurrence),
        quarters: s.quarters,
        effort: s.effort.label(),
        divisor: format!(
            "{}",
            escapement_core::backlog::score::effort_divisor(s.effort)
        ),
        breakdown: s.breakdown(),
    }
}

/// The due date in words and how it stands.
#[derive(Debug, Clone, Serialize)]
pub(super) struct DueView {
    pub date: String,
    /// `overdue`, `soon`, `later` or `none`.
    pub kind: &'static str,
    pub text: String,
}

pub(super) fn due_view(date: Option<chrono::NaiveDate>, due: DueState) -> Option<DueView> {
    let date = date?;
    let (kind, text) = match due {
        DueState::Overdue(d) => ("overdue", format!("{} overdue", plural(d, "day", "days"))),
        DueState::Soon(0) => ("soon", "due today".to_owned()),
        DueState::Soon(d) => ("soon", format!("due in {}", plural(d, "day", "days"))),
        DueState::Later(d) => ("later", format!("due in {}", plural(d, "day", "days"))),
        DueState::None => ("none", String::new()),
    };
    Some(DueView {
        date: day(date),
        kind,
        text,
    })
}

/// Did it work, in words.
#[derive(Debug, Clone, Serialize)]
pub(super) struct EffectView {
    pub verdict: &'static str,
    pub kind: &'static str,
    pub text: String,
}

pub(super) fn effect_view(e: &Effect) -> EffectView {
    let kind = match e.verdict {
        Verdict::NoRecurrence => "good",
        Verdict::Fewer => "better",
        Verdict::NotFewer => "worse",
        Verdict::NoEscapes | Verdict::TooEarly => "neutral",
    };
    let text = if e.verdict == Verdict::TooEarly {
        format!(
            "Done {}; {} since, fewer than the 14 needed to compare.",
            day(e.done_on),
            plural(i64::try_from(e.window_days).unwrap_or(0), "day", "days")
        )
    } else {
        format!(
            "{} in the {} before it was done ({} to {}), {} in the {} after (to {}).",
            plural(e.before, "escape", "escapes"),
            plural(i64::try_from(e.window_days).unwrap_or(0), "day", "days"),
            day(e.before_from),
            day(e.done_on.pred_opt().unwrap_or(e.done_on)),
            e.after,
            plural(i64::try_from(e.window_days).unwrap_or(0), "day", "days"),
            day(e.after_to),
        )
    };
    EffectView {
        verdict: e.verdict.label(),
        kind,
        text,
    }
}

/// One row of the backlog.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Row {
    /// `action` or `suggestion`.
    pub kind: &'static str,
    pub href: Option<String>,
    pub title: String,
    pub mechanism: &'static str,
    pub mechanism_label: &'static str,
    pub component: Option<String>,
    pub team: String,
    pub layer: Option<String>,
    pub status: Option<&'static str>,
    pub status_label: &'static str,
    pub due: Option<DueView>,
    pub score: ScoreView,
    /// Done or won't do: the score no longer ranks anything and is not shown.
    pub closed: bool,
    pub escapes: Vec<EscapeLink>,
    pub external_key: Option<String>,
    pub effect: Option<EffectView>,
    /// For a suggestion: what the accept and dismiss forms send.
    pub team_id: String,
    pub component_id: String,
    pub dismissed_before: Option<String>,
    pub can_write: bool,
}

pub(super) fn action_row(a: &BacklogAction, pipeline: &Pipeline, can_write: bool) -> Row {
    Row {
        kind: "action",
        href: Some(format!("/backlog/actions/{}", a.id)),
        title: a.title.clone(),
        mechanism: a.mechanism.key(),
        mechanism_label: a.mechanism.label(),
        component: a.component_name.clone(),
        team: a.team_name.clone(),
        layer: Some(pipeline.label_of(a.target_layer.as_str()).to_owned()),
        status: Some(a.status.key()),
        status_label: a.status.label(),
        due: due_view(a.due_date, a.due),
        score: score_view(&a.score),
        closed: matches!(
            a.status,
            escapement_core::ActionStatus::Done | escapement_core::ActionStatus::WontDo
        ),
        escapes: escape_links(&a.escapes, pipeline),
        external_key: a.external_key.clone(),
        effect: a.effect.as_ref().map(effect_view),
        team_id: a.team_id.to_string(),
        component_id: a.component_id.map(|c| c.to_string()).unwrap_or_default(),
        dismissed_before: None,
        can_write,
    }
}

pub(super) fn suggestion_row(s: &SuggestedItem, pipeline: &Pipeline, can_write: bool) -> Row {
    Row {
        kind: "suggestion",
        href: None,
        title: s.text.to_owned(),
        mechanism: s.key.mechanism.key(),
        mechanism_label: s.key.mechanism.label(),
        component: s.component_name.clone(),
        team: s.team_name.clone(),
        layer: None,
        status: None,
        status_label: "Suggested",
        due: None,
        score: score_view(&s.score),
        closed: false,
        escapes: escape_links(&s.escapes, pipeline),
        external_key: None,
        effect: None,
        team_id: s.key.team_id.to_string(),
        component_id: s
            .key
            .component_id
            .map(|c| c.to_string())
            .unwrap_or_default(),
        dismissed_before: s.dismissed_before.map(|at| day(at.date_naive())),
        can_write,
    }
}
