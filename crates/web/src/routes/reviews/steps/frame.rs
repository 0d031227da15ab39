//! The frame every step page shares: the escape workspace read once per request, the
//! stepper of every escape on the left, the step tabs, the conflict notice and the blameless
//! hints; each step module adds its own part of the page and its own template.

use std::marker::PhantomData;

use chrono::{DateTime, Duration, Utc};
use escapement_core::ValidationErrors;
use escapement_core::auth::Permission;
use escapement_core::review::{Step, allows_edits, blame_findings};
use escapement_storage::reviews::{
    EscapeWorkspace, HistoryEntry, Review, ReviewEscape, escape_subject, escape_workspace,
    last_change_of, review_people,
};
use escapement_storage::settings::{StageSettings, stage_settings};
use serde::Serialize;
use uuid::Uuid;

use super::super::{
    BlameHint, EscapeNav, StepMark, action_choices, blame_hints, escape_nav, step_marks,
};
use crate::error::AppResult;
use crate::page::form::FormPage;
use crate::page::views::{ConflictField, FormErrors, Opt, conflicting};
use crate::page::words::Words;
use crate::page::{Ctx, Done, Layout, Page};

/// Everything a step page reads, in a fixed number of queries whatever the review's size:
/// the escape workspace from storage, the stage settings and the action form's choices.
pub struct Workspace {
    pub review: Review,
    /// The review's escapes, the escape's component and release names, and the people.
    pub read: EscapeWorkspace,
    pub stages: StageSettings,
    /// Whether the user may change this review in its current state.
    pub editable: bool,
    /// What an action form offers: components labelled with their team, and owner teams.
    pub choices: (Vec<Opt>, Vec<Opt>),
}

impl Workspace {
    /// The workspace of `escape_id` in `review`, which the caller has checked is visible.
    pub async fn load(ctx: &Ctx, review: Review, escape_id: Uuid) -> AppResult<Workspace> {
        let read = escape_workspace(ctx.db(), review.id, escape_id).await?;
        let stages = stage_settings(ctx.db()).await?;
        let access = ctx.user.access(review.team_id);
        let editable = allows_edits(review.state) && access.can(Permission::WriteReviews);
        let choices = action_choices(&ctx.state, &ctx.user).await?;
        Ok(Workspace {
            review,
            read,
            stages,
            editable,
            choices,
        })
    }

    /// The escape the page is about.
    pub fn escape(&self) -> &ReviewEscape {
        self.read.escape()
    }
}

/// One step of the guided review: what its form takes and how its part of the page reads.
pub trait StepKind: Send + Sync + 'static {
    const STEP: Step;
    /// The confirmation of a good save.
    const DONE: Done;
    /// The step's template, which extends `reviews/step_frame.html`.
    const TEMPLATE: &'static str;
    /// What the user typed in the step's form, kept when the page comes back.
    type Input: Serialize + Send + Sync;
    /// The step's own part of the page.
    type View: Serialize;

    /// The step's part of the page, showing `input` over what is saved.
    fn view(ctx: &Ctx, ws: &Workspace, input: Option<&Self::Input>) -> Self::View;
    /// The saved escape as the step's input, to compare with the user's on a conflict.
    fn saved(escape: &ReviewEscape) -> Self::Input;
    /// `(field, label)` of the form's fields, for the conflict table.
    fn labels() -> Vec<(&'static str, String)>;
    /// `(label, text)` of the narrative fields the blameless guard reads.
    fn narrative(view: &Self::View) -> Vec<(&'static str, String)> {
        let _ = view;
        Vec::new()
    }
    /// The narrative text a submitted form saves, for the guard to read after a good save.
    fn written(input: &Self::Input) -> Vec<&str> {
        let _ = input;
        Vec::new()
    }
}

/// A write refused because the escape changed meanwhile: the fields that differ and what
/// the history says the other person did.
#[derive(Serialize)]
pub struct StepConflict {
    pub fields: Vec<ConflictField>,
    pub changes: Vec<HistoryEntry>,
}

#[derive(Serialize)]
struct StepPage<V> {
    layout: Layout,
    review: Review,
    editable: bool,
    escapes: Vec<EscapeNav>,
    current: Uuid,
    escape_id: Uuid,
    version: i32,
    title: String,
    defect_id: Uuid,
    severity: String,
    step: &'static str,
    step_label: &'static str,
    steps: Vec<StepMark>,
    errors: FormErrors,
    conflict: Option<StepConflict>,
    blame: Vec<BlameHint>,
    /// Where "Continue" goes while a blameless hint holds the writer on a saved step.
    next: NextStep,
    loaded_at: String,
    #[serde(flatten)]
    view: V,
}

/// The step after this one, offered beside a blameless hint.
#[derive(Serialize)]
struct NextStep {
    href: String,
    label: &'static str,
}

/// What a step page shows besides the saved escape.
#[derive(Default)]
pub struct Shown<'a, I> {
    pub input: Option<&'a I>,
    pub errors: Option<&'a ValidationErrors>,
    pub conflict: Option<StepConflict>,
}

/// The step page of `S` for the workspace's escape.
pub fn step_page<S: StepKind>(ctx: &Ctx, ws: &Workspace, shown: Shown<'_, S::Input>) -> Page {
    let (escape, review) = (ws.escape(), &ws.review);
    let view = S::view(ctx, ws, shown.input);
    let narrative = S::narrative(&view);
    let narrative: Vec<(&'static str, &str)> =
        narrative.iter().map(|(l, t)| (*l, t.as_str())).collect();
    let mut steps = step_marks(&escape.work());
    for m in &mut steps {
        m.current = m.key == S::STEP.key();
    }
    let review_href = format!("/reviews/{}", review.id);
    let title = format!("{} · {}", S::STEP.label(), escape.defect.data.title);
    let trail = [
        ("Reviews", "/reviews"),
        (review.title.as_str(), review_href.as_str()),
    ];
    let page = StepPage {
        layout: ctx.layout(title, "reviews", &trail),
        review: review.clone(),
        editable: ws.editable,
        escapes: escape_nav(ws.read.escapes()),
        current: escape.id,
        escape_id: escape.id,
        version: escape.version,
        title: escape.defect.data.title.clone(),
        defect_id: escape.defect.id,
        severity: escape.defect.data.severity.key().to_owned(),
        step: S::STEP.key(),
        step_label: S::STEP.label(),
        steps,
        errors: shown.errors.map(FormErrors::from).unwrap_or_default(),
        conflict: shown.conflict,
        blame: blame_hints(&narrative, &ws.read.people),
        next: next_step(review.id, escape.id, S::STEP),
        loaded_at: Utc::now().to_rfc3339(),
        view,
    };
    Page::new(S::TEMPLATE, &page)
}

/// The step after `step`, or the review page after the last one.
fn next_step(review_id: Uuid, escape_id: Uuid, step: Step) -> NextStep {
    match step.next() {
        Some(next) => NextStep {
            href: format!(
                "/reviews/{review_id}/escapes/{escape_id}?step={}",
                next.key()
            ),
            label: next.label(),
        },
        None => NextStep {
            href: format!("/reviews/{review_id}"),
            label: "the review",
        },
    }
}

/// True when the text a good save of step `S` wrote reads as blame: the save then stays on
/// the step, so the writer sees the hint before moving on. Steps that write no text ask the
/// database nothing.
pub async fn saved_blame<S: StepKind>(
    ctx: &Ctx,
    review_id: Uuid,
    input: &S::Input,
) -> AppResult<bool> {
    let written = S::written(input);
    if written.iter().all(|t| t.trim().is_empty()) {
        return Ok(false);
    }
    let people = review_people(ctx.db(), review_id).await?;
    let names: Vec<&str> = people.iter().map(String::as_str).collect();
    Ok(written
        .iter()
        .any(|text| !blame_findings(text, &names).is_empty()))
}

/// The form of step `S` of one escape, shown again after a refused save.
pub struct StepForm<'a, S> {
    pub ctx: &'a Ctx,
    pub review: Review,
    pub escape_id: Uuid,
    /// When the user loaded the page, to tell what changed since.
    pub loaded_at: String,
    pub kind: PhantomData<S>,
}

impl<S: StepKind> FormPage for StepForm<'_, S> {
    type Input = S::Input;

    async fn invalid(self, input: S::Input, errors: ValidationErrors) -> AppResult<Page> {
        let ws = Workspace::load(self.ctx, self.review, self.escape_id).await?;
        let shown = Shown {
            input: Some(&input),
            errors: Some(&errors),
            conflict: None,
        };
        Ok(step_page::<S>(self.ctx, &ws, shown))
    }

    async fn stale(self, input: S::Input) -> AppResult<Page> {
        // The page carries the current version: resubmitting is a deliberate overwrite.
        let ws = Workspace::load(self.ctx, self.review, self.escape_id).await?;
        let labels = S::labels();
        let labels: Vec<(&str, &str)> = labels.iter().map(|(f, l)| (*f, l.as_str())).collect();
        let escape = ws.escape();
        let title = &escape.defect.data.title;
        let words = Words::with_catalog(self.ctx.db()).await?;
        let changes = changes_since(self.ctx, ws.review.id, title, &self.loaded_at).await?;
        let conflict = StepConflict {
            fields: words.conflicts(conflicting(&labels, &S::saved(escape), &input)),
            changes: changes
                .into_iter()
                .map(|mut c| {
                    c.old_value = words.field_value(&c.field, &c.old_value);
                    c.new_value = words.field_value(&c.field, &c.new_value);
                    c
                })
                .collect(),
        };
        let shown = Shown {
            input: Some(&input),
            errors: None,
            conflict: Some(conflict),
        };
        Ok(step_page::<S>(self.ctx, &ws, shown))
    }
}

/// What the other person changed on this escape since `loaded_at` (or in the last day).
async fn changes_since(
    ctx: &Ctx,
    review_id: Uuid,
    title: &str,
    loaded_at: &str,
) -> AppResult<Vec<HistoryEntry>> {
    let since = DateTime::parse_from_rfc3339(loaded_at.trim())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now() - Duration::days(1));
    Ok(last_change_of(ctx.db(), review_id, &escape_subject(title), since).await?)
}
