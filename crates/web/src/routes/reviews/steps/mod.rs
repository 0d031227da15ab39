//! The guided steps of one escape, one module per step: its form, the saved escape as that
//! form, its part of the page and its template; [`frame`] is the part they share. Each save
//! carries the version its page showed and answers through the one form protocol: a good
//! save goes to the next step, bad input comes back with the input kept (422), a stale save
//! comes back beside what the other person saved (409), ready to merge and resubmit.

pub mod actions;
mod analysis;
mod checklist;
mod facts;
pub mod frame;
mod mechanism;

use std::collections::BTreeMap;
use std::marker::PhantomData;

use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::auth::Permission;
use escapement_core::review::{
    AnalysisDraft, ClassificationDraft, Step, checklist_from_form, no_action_reason,
};
use escapement_storage::Actor;
use escapement_storage::reviews::{
    Review, StepWrite, confirm_facts, save_analysis, save_checklist, save_classification,
    save_no_action_reason,
};
use escapement_storage::settings::stage_settings;
use serde::Deserialize;
use uuid::Uuid;

use super::visible_review;
use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::extract::{IdPair, QueryParams};
use crate::page::form::{Refusal, respond};
use crate::page::views::form_version;
use crate::page::{Ctx, see_other_done};
pub use actions::{NoAction, NoActionForm};
use frame::{Shown, StepForm, StepKind, Workspace, step_page};

/// `?step=checklist`; without it, the first step not yet done.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepQuery {
    step: String,
}

pub(super) async fn show_step(
    ctx: Ctx,
    IdPair(id, escape_id): IdPair,
    QueryParams(query): QueryParams<StepQuery>,
) -> AppResult<Response> {
    let review = visible_review(&ctx.state, &ctx.user, id, None).await?;
    let ws = Workspace::load(&ctx, review, escape_id).await?;
    let step = Step::from_key(query.step.trim())
        .or_else(|| ws.escape().work().next_step())
        .unwrap_or(Step::Facts);
    let page = match step {
        Step::Facts => step_page::<facts::Facts>(&ctx, &ws, Shown::default()),
        Step::Checklist => step_page::<checklist::Checklist>(&ctx, &ws, Shown::default()),
        Step::Analysis => step_page::<analysis::Analysis>(&ctx, &ws, Shown::default()),
        Step::Mechanism => step_page::<mechanism::MechanismStep>(&ctx, &ws, Shown::default()),
        Step::Actions => step_page::<actions::Actions>(&ctx, &ws, Shown::default()),
    };
    Ok(page.into_response())
}

/// Where a good save goes: the next step, or the review once the last step is done.
fn next_href(review_id: Uuid, escape_id: Uuid, step: Step) -> String {
    match step.next() {
        Some(next) => format!(
            "/reviews/{review_id}/escapes/{escape_id}?step={}",
            next.key()
        ),
        None => format!("/reviews/{review_id}"),
    }
}

/// A step form's bookkeeping fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Stamp {
    version: String,
    loaded_at: String,
}

/// One step save under way: the review it writes (the user may write it), who saves, the
/// escape and the version the user's page showed.
struct StepSave {
    review: Review,
    actor: Actor,
    escape_id: Uuid,
    version: i32,
}

impl StepSave {
    /// Checks that the user may write the review, before anything of the form is judged.
    async fn start(
        ctx: &Ctx,
        (review_id, escape_id): (Uuid, Uuid),
        version: &str,
    ) -> AppResult<StepSave> {
        let permission = Some(Permission::WriteReviews);
        let review = visible_review(&ctx.state, &ctx.user, review_id, permission).await?;
        Ok(StepSave {
            review,
            actor: ctx.user.actor(),
            escape_id,
            version: form_version(version),
        })
    }

    /// What storage needs to write the step.
    fn write(&self) -> StepWrite<'_> {
        StepWrite::new(
            self.review.id,
            self.escape_id,
            self.version,
            &self.actor,
            Utc::now(),
        )
    }

    /// Answers the save of step `S` through the form protocol.
    async fn answer<S: StepKind>(
        self,
        ctx: &Ctx,
        loaded_at: String,
        input: S::Input,
        outcome: Result<(), Refusal>,
    ) -> AppResult<Response> {
        let (review_id, escape_id) = (self.review.id, self.escape_id);
        let stay = match &outcome {
            Ok(()) => frame::saved_blame::<S>(ctx, review_id, &input).await?,
            Err(_) => false,
        };
        let target = match stay {
            true => format!(
                "/reviews/{review_id}/escapes/{escape_id}?step={}",
                S::STEP.key()
            ),
            false => next_href(review_id, escape_id, S::STEP),
        };
        let form = StepForm::<S> {
            ctx,
            review: self.review,
            escape_id,
            loaded_at,
            kind: PhantomData,
        };
        let done = |()| see_other_done(&target, S::DONE);
        respond(form, input, outcome, done).await
    }
}

pub(super) async fn save_facts(
    ctx: Ctx,
    ids: IdPair,
    CsrfForm(stamp): CsrfForm<Stamp>,
) -> AppResult<Response> {
    let save = StepSave::start(&ctx, (ids.0, ids.1), &stamp.version).await?;
    let outcome = confirm_facts(ctx.db(), &save.write())
        .await
        .map_err(Refusal::from);
    save.answer::<facts::Facts>(&ctx, stamp.loaded_at, (), outcome)
        .await
}

pub(super) async fn save_checklist_answers(
    ctx: Ctx,
    ids: IdPair,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let save = StepSave::start(&ctx, (ids.0, ids.1), &field("version")).await?;
    let outcome: Result<(), Refusal> = async {
        let checklist = checklist_from_form(&form)?;
        Ok(save_checklist(ctx.db(), &save.write(), &checklist).await?)
    }
    .await;
    let answers = checklist::answers_of(&form);
    save.answer::<checklist::Checklist>(&ctx, field("loaded_at"), answers, outcome)
        .await
}

/// The analysis form with its bookkeeping fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnalysisForm {
    expected_catch_stage: String,
    evidence: String,
    evidence_gap: String,
    version: String,
    /// The defect's version: the expected catch stage is saved on the defect.
    defect_version: String,
    loaded_at: String,
}

pub(super) async fn save_analysis_answers(
    ctx: Ctx,
    ids: IdPair,
    CsrfForm(form): CsrfForm<AnalysisForm>,
) -> AppResult<Response> {
    let save = StepSave::start(&ctx, (ids.0, ids.1), &form.version).await?;
    let draft = AnalysisDraft {
        expected_catch_stage: form.expected_catch_stage,
        evidence: form.evidence,
        evidence_gap: form.evidence_gap,
    };
    let outcome: Result<(), Refusal> = async {
        let stages = stage_settings(ctx.db()).await?;
        let defect_version = form_version(&form.defect_version);
        let analysis = draft.validate(&stages.pipeline)?;
        Ok(save_analysis(ctx.db(), &save.write(), defect_version, &analysis).await?)
    }
    .await;
    save.answer::<analysis::Analysis>(&ctx, form.loaded_at, draft, outcome)
        .await
}

/// The mechanism form with its bookkeeping fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MechanismForm {
    primary: String,
    contributing: Vec<String>,
    version: String,
    loaded_at: String,
}

pub(super) async fn save_mechanism(
    ctx: Ctx,
    ids: IdPair,
    CsrfForm(form): CsrfForm<MechanismForm>,
) -> AppResult<Response> {
    let save = StepSave::start(&ctx, (ids.0, ids.1), &form.version).await?;
    let draft = ClassificationDraft {
        primary: form.primary,
        contributing: form.contributing,
    };
    let outcome: Result<(), Refusal> =
        async { Ok(save_classification(ctx.db(), &save.write(), &draft.validate()?).await?) }.await;
    save.answer::<mechanism::MechanismStep>(&ctx, form.loaded_at, draft, outcome)
        .await
}

pub(super) async fn save_no_action(
    ctx: Ctx,
    ids: IdPair,
    CsrfForm(form): CsrfForm<NoActionForm>,
) -> AppResult<Response> {
    let save = StepSave::start(&ctx, (ids.0, ids.1), &form.version).await?;
    let outcome: Result<(), Refusal> = async {
        // An empty reason with `clear` set removes the reason.
        let reason = match form.clear.is_empty() {
            true => Some(no_action_reason(&form.no_action_reason)?),
            false => None,
        };
        Ok(save_no_action_reason(ctx.db(), &save.write(), reason.as_deref()).await?)
    }
    .await;
    let loaded_at = form.loaded_at.clone();
    save.answer::<NoAction>(&ctx, loaded_at, form, outcome)
        .await
}
