//! Writing one planned demo review through the review repository: created as a draft, its
//! escapes walked through as far as its target state needs, then moved to that state, each
//! change stamped with a plausible time after the incident.

use std::collections::HashMap;

use chrono::{Duration, NaiveTime};
use escapement_core::review::ReviewDetails;
use escapement_core::{Mechanism, ReviewState};
use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::{ConnectionTrait, TransactionTrait};

use super::context::{Context, Plan};
use super::steps::{Clock, Depth, Findings, Steps};
use super::{plan, texts};
use crate::Result;
use crate::demo::draw::pick_weighted;
use crate::reviews::{change_state, create_review, review_escapes};

/// How far the steps of the escape at `index` get in a review that ends in `state`.
fn depth_for(rng: &mut StdRng, state: ReviewState, index: usize) -> Depth {
    use Depth::{Analysed, Classified, Complete, Facts, PartChecklist, Untouched};
    match state {
        ReviewState::Draft if index == 0 => {
            *pick_weighted(rng, &[(Untouched, 1), (Facts, 5), (PartChecklist, 4)])
        }
        ReviewState::Draft => *pick_weighted(rng, &[(Untouched, 3), (Facts, 1)]),
        ReviewState::InReview => *pick_weighted(
            rng,
            &[
                (PartChecklist, 1),
                (Analysed, 3),
                (Classified, 3),
                (Complete, 3),
            ],
        ),
        ReviewState::Classified | ReviewState::Closed => Complete,
    }
}

/// Writes `plan` as a review in `state`; returns how many actions it holds.
pub(super) async fn write_review(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &Context<'_>,
    plan: &Plan,
    state: ReviewState,
    rng: &mut StdRng,
) -> Result<usize> {
    let actor = &ctx.reviewer.actor;
    let pipeline = &ctx.stages.pipeline;
    // The most severe escape names the review (the first of equals).
    let Some(lead) = plan.escapes.iter().min_by_key(|c| c.severity) else {
        return Ok(0);
    };
    let others = rng.random_range(1..=3);
    let start = rng.random_range(0..texts::PEOPLE.len());
    let people: Vec<(&str, &str)> = (0..others)
        .map(|i| texts::PEOPLE[(start + i) % texts::PEOPLE.len()])
        .collect();
    let listed: Vec<(String, &str)> = plan
        .escapes
        .iter()
        .map(|c| (c.title.clone(), pipeline.label_of(&c.discovery_stage)))
        .collect();
    let details = ReviewDetails {
        title: texts::review_title(&lead.title, plan.escapes.len() - 1),
        team_id: ctx.reviewer.team_id,
        incident_date: plan.incident_date,
        incident_link: plan.escapes.iter().find_map(|c| c.incident_link.clone()),
        summary: texts::review_summary(
            pipeline.label_of(ctx.stages.boundary.after().as_str()),
            &listed,
        ),
        participants: texts::participants(&actor.name, &people),
    };
    let opened = plan.incident_date.and_time(NaiveTime::MIN).and_utc()
        + Duration::hours(rng.random_range(20..=96));
    let mut clock = Clock {
        at: opened.min(ctx.now),
        now: ctx.now,
    };
    let ids: Vec<_> = plan.escapes.iter().map(|c| c.id).collect();
    let mut review = create_review(db, &details, &ids, actor, clock.at).await?;
    let findings: Vec<Findings> = plan
        .escapes
        .iter()
        .map(|c| {
            let classification = plan::classify(rng, ctx.progress(c.detected_at));
            let primary = classification.primary().unwrap_or(Mechanism::NoTest);
            Findings {
                checklist: plan::checklist_for(rng, &classification),
                expected: plan::expected_stage(rng, primary, &c.discovery_stage),
                classification,
            }
        })
        .collect();
    let depths: Vec<Depth> = (0..plan.escapes.len())
        .map(|i| depth_for(rng, state, i))
        .collect();
    if state != ReviewState::Draft {
        let at = clock.advance(rng, 60..=2 * 24 * 60);
        review = change_state(
            db,
            review.id,
            review.version,
            ReviewState::InReview,
            actor,
            at,
        )
        .await?;
    }
    let mut titled: HashMap<String, String> = HashMap::new();
    let mut actions = 0;
    let escapes = review_escapes(db, review.id).await?;
    for (((escape, candidate), found), depth) in
        escapes.iter().zip(&plan.escapes).zip(&findings).zip(depths)
    {
        let mut steps = Steps {
            db,
            ctx,
            review_id: review.id,
            escape_id: escape.id,
            version: escape.version,
            state,
            clock: &mut clock,
            titled: &mut titled,
        };
        actions += steps.walk(candidate, found, depth, rng).await?;
    }
    if matches!(state, ReviewState::Classified | ReviewState::Closed) {
        let at = clock.advance(rng, 2 * 24 * 60..=10 * 24 * 60);
        review = change_state(
            db,
            review.id,
            review.version,
            ReviewState::Classified,
            actor,
            at,
        )
        .await?;
    }
    if state == ReviewState::Closed {
        let at = clock.advance(rng, 3 * 24 * 60..=30 * 24 * 60);
        change_state(
            db,
            review.id,
            review.version,
            ReviewState::Closed,
            actor,
            at,
        )
        .await?;
    }
    Ok(actions)
}
