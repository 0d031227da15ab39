//! The guided step page of one escape: the stepper of every escape on the left, the current
//! step on the right, filled from what is saved or from the user's own input on a re-render.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use escapement_core::auth::Permission;
use escapement_core::review::{
    ActionDraft, AnalysisDraft, Answer, ClassificationDraft, Question, Step, allows_edits,
    answer_field, note_field,
};
use escapement_core::{ActionStatus, Effort, Mechanism, ValidationErrors};
use escapement_storage::catalog::{get_component, get_release};
use escapement_storage::reviews::{
    Action, HistoryEntry, Review, ReviewEscape, escape_subject, last_change_of, review_escapes,
};
use escapement_storage::settings::stage_settings;
use serde::Serialize;
use uuid::Uuid;

use super::{
    BlameHint, EscapeNav, StepMark, action_choices, blame_hints, escape_nav, people_of, step_marks,
};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::render::Layout;
use crate::routes::views::{ConflictField, FormErrors, Opt, keyed_options, stage_options};

/// The user's own input of the step being re-rendered, or `Saved` to show what is stored.
pub(super) enum Input {
    Saved,
    Checklist(BTreeMap<String, String>),
    Analysis(AnalysisDraft),
    Mechanism(ClassificationDraft),
    Action(ActionDraft),
    NoAction(String),
}

/// A write refused because the escape changed meanwhile: the fields that differ and what
/// the history says the other person did.
#[derive(Serialize)]
pub(super) struct StepConflict {
    pub fields: Vec<ConflictField>,
    pub changes: Vec<HistoryEntry>,
}

#[derive(Serialize)]
struct Fact {
    label: &'static str,
    value: String,
}

#[derive(Serialize)]
struct QuestionView {
    key: &'static str,
    label: &'static str,
    hint: &'static str,
    follow_up: bool,
    answer_field: &'static str,
    note_field: &'static str,
    answer: String,
    note: String,
    options: Vec<Opt>,
}

#[derive(Serialize)]
struct SuggestionView {
    key: &'static str,
    label: &'static str,
    weight: u32,
    because: Vec<String>,
}

#[derive(Serialize)]
struct MechanismOpt {
    value: &'static str,
    label: &'static str,
    improvement: &'static str,
    suggested: bool,
}

/// An action with its layer's label.
#[derive(Serialize)]
struct ActionView {
    #[serde(flatten)]
    action: Action,
    layer_label: String,
}

#[derive(Serialize)]
pub(super) struct StepPage {
    layout: Layout,
    review: Review,
    editable: bool,
    escapes: Vec<EscapeNav>,
    current: Uuid,
    escape_id: Uuid,
    version: i32,
    title: String,
    defect_id: Uuid,
    /// The defect's version, which the analysis form carries for the stage it saves there.
    defect_version: i32,
    severity: String,
    facts: Vec<Fact>,
    step: &'static str,
    step_label: &'static str,
    steps: Vec<StepMark>,
    questions: Vec<QuestionView>,
    analysis: AnalysisDraft,
    stages: Vec<Opt>,
    suggestions: Vec<SuggestionView>,
    mechanism: ClassificationDraft,
    mechanisms: Vec<MechanismOpt>,
    actions: Vec<ActionView>,
    action: ActionDraft,
    efforts: Vec<Opt>,
    statuses: Vec<Opt>,
    components: Vec<Opt>,
    owner_teams: Vec<Opt>,
    no_action_reason: String,
    errors: FormErrors,
    conflict: Option<StepConflict>,
    blame: Vec<BlameHint>,
    loaded_at: String,
}

fn question_views(
    saved: &escapement_core::review::Checklist,
    input: Option<&BTreeMap<String, String>>,
) -> Vec<QuestionView> {
    Question::ALL
        .iter()
        .map(|&q| {
            let (answer, note) = match input {
                Some(map) => (
                    map.get(answer_field(q)).cloned().unwrap_or_default(),
                    map.get(note_field(q)).cloned().unwrap_or_default(),
                ),
                None => (
                    saved
                        .answer(q)
                        .map(|a| a.key().to_owned())
                        .unwrap_or_default(),
                    saved.note(q).to_owned(),
                ),
            };
            QuestionView {
                key: q.key(),
                label: q.label(),
                hint: q.hint(),
                follow_up: q.is_follow_up(),
                answer_field: answer_field(q),
                note_field: note_field(q),
                answer,
                note,
                options: Answer::ALL
                    .iter()
                    .map(|&a| Opt {
                        value: a.key().to_owned(),
                        label: q.answer_label(a).to_owned(),
                    })
                    .collect(),
            }
        })
        .collect()
}

async fn facts(
    state: &AppState,
    escape: &ReviewEscape,
    pipeline: &escapement_core::Pipeline,
) -> AppResult<Vec<Fact>> {
    let d = &escape.defect.data;
    let component = match d.component_id {
        Some(id) => get_component(&state.db, id)
            .await
            .map(|c| c.name)
            .unwrap_or_default(),
        None => "Not set".to_owned(),
    };
    let release = match d.release_id {
        Some(id) => get_release(&state.db, id)
            .await
            .map(|r| r.name)
            .unwrap_or_default(),
        None => "Not set".to_owned(),
    };
    let when = |at: Option<DateTime<Utc>>, none: &str| {
        at.map_or_else(
            || none.to_owned(),
            |t| t.format("%-d %b %Y, %H:%M UTC").to_string(),
        )
    };
    Ok(vec![
        Fact {
            label: "Severity",
            value: d.severity.label().to_owned(),
        },
        Fact {
            label: "Discovery stage",
            value: pipeline.label_of(d.discovery_stage.as_str()).to_owned(),
        },
        Fact {
            label: "Origin",
            value: d.origin.label().to_owned(),
        },
        Fact {
            label: "Defect type",
            value: d.defect_type.label().to_owned(),
        },
        Fact {
            label: "Component",
            value: component,
        },
        Fact {
            label: "Release",
            value: release,
        },
        Fact {
            label: "Introduced",
            value: when(d.introduced_at, "Unknown"),
        },
        Fact {
            label: "Detected",
            value: when(Some(d.detected_at), ""),
        },
        Fact {
            label: "Resolved",
            value: when(d.resolved_at, "Not yet"),
        },
        Fact {
            label: "Detected by",
            value: d.detected_by.label().to_owned(),
        },
        Fact {
            label: "Times reopened",
            value: d.reopened_count.to_string(),
        },
        Fact {
            label: "External key",
            value: d.external_key.clone().unwrap_or_else(|| "None".to_owned()),
        },
        Fact {
            label: "Incident link",
            value: d.incident_link.clone().unwrap_or_else(|| "None".to_owned()),
        },
    ])
}

/// The step page of `escape_id` at `step`, showing `input` over what is saved.
#[expect(clippy::too_many_arguments, reason = "one page, spelled out")]
pub(super) async fn step_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    review: Review,
    escape_id: Uuid,
    step: Step,
    input: Input,
    errors: &ValidationErrors,
    conflict: Option<StepConflict>,
) -> AppResult<StepPage> {
    let escapes = review_escapes(&state.db, review.id).await?;
    let escape = escapes
        .iter()
        .find(|e| e.id == escape_id)
        .ok_or(AppError::NotFound)?;
    let stages = stage_settings(&state.db).await?;
    let work = escape.work();
    let suggestions = work.checklist.suggestions();
    let editable =
        allows_edits(review.state) && user.access(review.team_id).can(Permission::WriteReviews);
    let saved_analysis = AnalysisDraft {
        expected_catch_stage: escape
            .defect
            .data
            .expected_catch_stage
            .as_ref()
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default(),
        evidence: escape.evidence.clone(),
        evidence_gap: escape.evidence_gap.clone(),
    };
    let saved_mechanism = ClassificationDraft {
        primary: escape
            .classification
            .primary()
            .map(|m| m.key().to_owned())
            .unwrap_or_default(),
        contributing: escape
            .classification
            .contributing()
            .iter()
            .map(|m| m.key().to_owned())
            .collect(),
    };
    let default_action = ActionDraft {
        mechanism: saved_mechanism.primary.clone(),
        target_layer: saved_analysis.expected_catch_stage.clone(),
        effort: Effort::M.key().to_owned(),
        owner_team_id: review.team_id.to_string(),
        status: ActionStatus::Proposed.key().to_owned(),
        ..ActionDraft::default()
    };
    let (mut questions_input, mut analysis, mut mechanism, mut action, mut reason) = (
        None,
        saved_analysis,
        saved_mechanism,
        default_action,
        escape.no_action_reason.clone().unwrap_or_default(),
    );
    match input {
        Input::Saved => {}
        Input::Checklist(map) => questions_input = Some(map),
        Input::Analysis(a) => analysis = a,
        Input::Mechanism(m) => mechanism = m,
        Input::Action(a) => action = a,
        Input::NoAction(r) => reason = r,
    }
    let questions = question_views(&work.checklist, questions_input.as_ref());
    let people = people_of(state, &review).await?;
    let notes: Vec<(&'static str, &str)> = questions
        .iter()
        .map(|q| (q.label, q.note.as_str()))
        .collect();
    let blame = match step {
        Step::Checklist => blame_hints(&notes, &people),
        Step::Analysis => blame_hints(
            &[
                (
                    "What evidence or test would have caught it earlier?",
                    analysis.evidence.as_str(),
                ),
                (
                    "Why did that evidence not exist?",
                    analysis.evidence_gap.as_str(),
                ),
            ],
            &people,
        ),
        Step::Actions => blame_hints(&[("Why no action is needed", reason.as_str())], &people),
        _ => Vec::new(),
    };
    let suggested: Vec<Mechanism> = suggestions.iter().map(|s| s.mechanism).collect();
    let (components, owner_teams) = action_choices(state, user).await?;
    let mut steps = step_marks(&work);
    for m in &mut steps {
        m.current = m.key == step.key();
    }
    Ok(StepPage {
        layout: Layout::new(
            format!("{} · {}", step.label(), escape.defect.data.title),
            "reviews",
            csrf,
            &[
                ("Reviews", "/reviews"),
                (&review.title, &format!("/reviews/{}", review.id)),
            ],
        ),
        editable,
        escapes: escape_nav(&escapes),
        current: escape.id,
        escape_id: escape.id,
        version: escape.version,
        title: escape.defect.data.title.clone(),
        defect_id: escape.defect.id,
        defect_version: escape.defect.version,
        severity: escape.defect.data.severity.key().to_owned(),
        facts: facts(state, escape, &stages.pipeline).await?,
        step: step.key(),
        step_label: step.label(),
        steps,
        questions,
        analysis,
        stages: stage_options(&stages.pipeline),
        suggestions: suggestions
            .iter()
            .map(|s| SuggestionView {
                key: s.mechanism.key(),
                label: s.mechanism.label(),
                weight: s.weight,
                because: s.because.iter().map(|b| b.describe()).collect(),
            })
            .collect(),
        mechanism,
        mechanisms: Mechanism::ALL
            .iter()
            .map(|&m| MechanismOpt {
                value: m.key(),
                label: m.label(),
                improvement: m.typical_improvement(),
                suggested: suggested.contains(&m),
            })
            .collect(),
        actions: escape
            .actions
            .iter()
            .map(|a| ActionView {
                layer_label: stages.pipeline.label_of(a.target_layer.as_str()).to_owned(),
                action: a.clone(),
            })
            .collect(),
        action,
        efforts: keyed_options::<Effort>(),
        statuses: keyed_options::<ActionStatus>(),
        components,
        owner_teams,
        no_action_reason: reason,
        errors: errors.into(),
        conflict,
        blame,
        loaded_at: Utc::now().to_rfc3339(),
        review,
    })
}

/// What the other person changed on this escape since `loaded_at` (or in the last day).
pub(super) async fn changes_since(
    state: &AppState,
    review_id: Uuid,
    title: &str,
    loaded_at: &str,
) -> AppResult<Vec<HistoryEntry>> {
    let since = DateTime::parse_from_rfc3339(loaded_at.trim())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now() - Duration::days(1));
    Ok(last_change_of(&state.db, review_id, &escape_subject(title), since).await?)
}
