//! The guided steps of one demo escape, saved through the review repository as far as the
//! review's state needs: facts, checklist, analysis, mechanism, then actions or a reason
//! for none, each on the version the previous save left.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use escapement_core::review::{Analysis, Checklist, Classification, NewAction, Question};
use escapement_core::{ActionStatus, Mechanism, ReviewState, StageKey};
use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use super::context::{Candidate, Context};
use super::{plan, texts};
use crate::Result;
use crate::demo::draw::pick_weighted;
use crate::entities::improvement_action;
use crate::reviews::{
    StepWrite, add_action, confirm_facts, save_analysis, save_checklist, save_classification,
    save_no_action_reason,
};

/// How far the guided steps of one escape get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Depth {
    Untouched,
    Facts,
    PartChecklist,
    Analysed,
    Classified,
    Complete,
}

/// Everything the team decides about one escape, drawn before anything is written so the
/// draws do not depend on how far the steps get.
pub(super) struct Findings {
    pub(super) classification: Classification,
    pub(super) checklist: Checklist,
    pub(super) expected: &'static str,
}

/// Time moving forward from the review's creation, never past `now`.
pub(super) struct Clock {
    pub(super) at: DateTime<Utc>,
    pub(super) now: DateTime<Utc>,
}

impl Clock {
    /// Moves the clock on by a random number of `minutes` (never past `now`); the new time.
    pub(super) fn advance(
        &mut self,
        rng: &mut StdRng,
        minutes: std::ops::RangeInclusive<i64>,
    ) -> DateTime<Utc> {
        self.at = (self.at + Duration::minutes(rng.random_range(minutes))).min(self.now);
        self.at
    }
}

/// `key` as a stage of the workspace's pipeline, or the boundary stage when a renamed
/// pipeline lacks it.
fn stage(ctx: &Context<'_>, key: &str) -> StageKey {
    ctx.stages
        .pipeline
        .get(key)
        .map_or_else(|| ctx.stages.boundary.after().clone(), |s| s.key.clone())
}

/// The guided steps of one escape of a review that ends in `state`, each saved on the version
/// the previous one left, at the review's clock; `titled` maps every action title the review
/// has so far to its escape.
pub(super) struct Steps<'a, C> {
    pub(super) db: &'a C,
    pub(super) ctx: &'a Context<'a>,
    pub(super) review_id: uuid::Uuid,
    pub(super) escape_id: uuid::Uuid,
    pub(super) version: i32,
    pub(super) state: ReviewState,
    pub(super) clock: &'a mut Clock,
    pub(super) titled: &'a mut HashMap<String, String>,
}

impl<C: ConnectionTrait + TransactionTrait> Steps<'_, C> {
    /// Saves the steps of escape `c` up to `depth`; returns how many actions were added.
    pub(super) async fn walk(
        &mut self,
        c: &Candidate,
        found: &Findings,
        depth: Depth,
        rng: &mut StdRng,
    ) -> Result<usize> {
        let (db, ctx, rid, eid) = (self.db, self.ctx, self.review_id, self.escape_id);
        let state = self.state;
        let (clock, titled) = (&mut *self.clock, &mut *self.titled);
        let actor = &ctx.reviewer.actor;
        if depth >= Depth::Facts {
            let at = clock.advance(rng, 5..=90);
            confirm_facts(db, &StepWrite::new(rid, eid, self.version, actor, at)).await?;
            self.version += 1;
        }
        if depth >= Depth::PartChecklist {
            let checklist = if depth == Depth::PartChecklist {
                let keep = rng.random_range(1..=3);
                let mut part = Checklist::new();
                for &q in Question::ALL.iter().take(keep) {
                    part.set(q, found.checklist.answer(q), found.checklist.note(q));
                }
                part
            } else {
                found.checklist.clone()
            };
            let at = clock.advance(rng, 10..=120);
            save_checklist(
                db,
                &StepWrite::new(rid, eid, self.version, actor, at),
                &checklist,
            )
            .await?;
            self.version += 1;
        }
        let primary = found.classification.primary().unwrap_or(Mechanism::NoTest);
        if depth >= Depth::Analysed {
            let layer = texts::layer_word(found.expected);
            let analysis = Analysis {
                expected_catch_stage: Some(stage(ctx, found.expected)),
                evidence: texts::evidence(primary, &c.component, layer),
                evidence_gap: texts::evidence_gap(primary, &c.component),
            };
            let at = clock.advance(rng, 10..=180);
            save_analysis(
                db,
                &StepWrite::new(rid, eid, self.version, actor, at),
                c.version,
                &analysis,
            )
            .await?;
            self.version += 1;
        }
        if depth >= Depth::Classified {
            let at = clock.advance(rng, 5..=60);
            save_classification(
                db,
                &StepWrite::new(rid, eid, self.version, actor, at),
                &found.classification,
            )
            .await?;
            self.version += 1;
        }
        if depth < Depth::Complete {
            return Ok(0);
        }
        let age = (ctx.now.date_naive() - c.detected_at.date_naive()).num_days();
        let wanted = *pick_weighted(rng, &[(0_usize, 20), (1, 56), (2, 24)]);
        let mechanisms: Vec<Mechanism> = std::iter::once(primary)
            .chain(found.classification.contributing().iter().copied())
            .collect();
        let mut added = 0;
        let mut covered_by = None;
        for n in 0..wanted {
            let m = mechanisms.get(n).copied().unwrap_or(primary);
            let variant = n + rng.random_range(0..2);
            let layer_key = plan::target_layer(m, found.expected, variant);
            let title = texts::action_title(
                m,
                variant,
                &c.component,
                &c.symptom,
                texts::layer_word(layer_key),
            );
            if let Some(other) = titled.get(&title) {
                covered_by.get_or_insert_with(|| other.clone());
                continue;
            }
            let effort = plan::effort(rng, m);
            let shared = matches!(
                m,
                Mechanism::EnvironmentMismatch | Mechanism::BrokenAutomation
            ) && ctx.platform.is_some()
                && rng.random_bool(0.3);
            let action = NewAction {
                title: title.clone(),
                mechanism: m,
                component_id: if shared { None } else { c.component_id },
                target_layer: stage(ctx, layer_key),
                effort,
                owner_team_id: ctx
                    .platform
                    .filter(|_| shared)
                    .unwrap_or(ctx.reviewer.team_id),
                due_date: Some(
                    c.detected_at.date_naive() + Duration::days(plan::due_in_days(rng, effort)),
                ),
                status: plan::action_status(rng, state, age),
            };
            let at = clock.advance(rng, 5..=45);
            let saved = add_action(db, rid, eid, &action, actor, at).await?;
            if action.status == ActionStatus::WontDo {
                let reason =
                    texts::WONT_DO_REASONS[rng.random_range(0..texts::WONT_DO_REASONS.len())];
                improvement_action::Entity::update_many()
                    .col_expr(
                        improvement_action::Column::StatusReason,
                        sea_orm::sea_query::Expr::value(reason),
                    )
                    .filter(improvement_action::Column::Id.eq(saved.id))
                    .exec(db)
                    .await?;
            }
            titled.insert(title, c.title.clone());
            added += 1;
        }
        if added == 0 {
            let reason = match covered_by {
                Some(other) => texts::covered_by(&other),
                None => texts::NO_ACTION_REASONS
                    [rng.random_range(0..texts::NO_ACTION_REASONS.len())]
                .to_owned(),
            };
            let at = clock.advance(rng, 5..=45);
            save_no_action_reason(
                db,
                &StepWrite::new(rid, eid, self.version, actor, at),
                Some(&reason),
            )
            .await?;
            self.version += 1;
        }
        Ok(added)
    }
}
