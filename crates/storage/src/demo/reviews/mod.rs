//! Demo escape reviews: the demo's escapes grouped into reviews about every few weeks per
//! team, walked through the guided steps by the real review repository and left in every
//! state, with mechanisms that shift over the quarters and improvement actions. One
//! transaction; the same seed and `now` give the same reviews.

mod context;
mod plan;
mod steps;
mod texts;
mod write;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use escapement_core::Severity;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

pub use context::DemoReviewer;
use context::{Candidate, Context, Plan};

use super::draw::pick_weighted;
use crate::defects::{DefectFilter, Purpose, condition, names};
use crate::entities::{component, defect, review};
use crate::settings::stage_settings;
use crate::{Result, StorageError, stored_key};

/// The most reviews the demo gives one team, however many defects it holds, so a demo of a
/// million defects takes no longer to review than the default one.
pub const MAX_REVIEWS_PER_TEAM: usize = 150;

/// How far back the demo's defects reach, in days.
const PERIOD_DAYS: i64 = 730;

/// Critical escapes this recent are left for the unreviewed queue, as a team would find them
/// there before the incident review meets.
const FRESH_CRITICAL_DAYS: i64 = 60;

/// How many days of escapes one read looks at: a review's first escape and the two weeks after.
const SEARCH_DAYS: i64 = 16;

/// How many escapes one read returns: enough for a review of four when some are skipped.
const CANDIDATES: usize = 8;

/// What the demo reviews wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoReviewSummary {
    /// Reviews written, in every state.
    pub reviews: usize,
    /// Escapes the reviews cover (the rest stay in the unreviewed queue).
    pub escapes: usize,
    /// Improvement actions added to the reviews' escapes.
    pub actions: usize,
}

/// Reviews the demo's escapes as each team's lead in `reviewers` would: about one review every
/// few weeks per team (at most [`MAX_REVIEWS_PER_TEAM`]), each covering one to four escapes
/// detected close together, filled through the guided steps with checklist answers that
/// suggest the confirmed mechanisms, and moved to a state that fits its age. Many escapes stay
/// unreviewed, among them the recent critical ones. Refuses a database that already has
/// reviews; everything happens in one transaction.
pub async fn load_demo_reviews(
    db: &(impl ConnectionTrait + TransactionTrait),
    reviewers: &[DemoReviewer],
    seed: u64,
    now: DateTime<Utc>,
) -> Result<DemoReviewSummary> {
    if review::Entity::find().count(db).await? > 0 {
        let mut errors = escapement_core::ValidationErrors::new();
        errors.push(
            "database",
            "The database already has reviews: the demo reviews only fill a database without any",
        );
        return Err(StorageError::Invalid(errors));
    }
    let now = now.trunc_subsecs(0);
    let txn = crate::begin_write(db).await?;
    let stages = stage_settings(&txn).await?;
    let team_names = crate::catalog::list_teams(&txn).await?;
    let name_of = |id: Uuid| {
        team_names
            .iter()
            .find(|t| t.id == id)
            .map_or_else(String::new, |t| t.name.clone())
    };
    let platform = team_names
        .iter()
        .find(|t| t.name == "Platform")
        .map(|t| t.id);
    // Team order decides the draws, so fix it by name rather than by the caller's order.
    let mut ordered: Vec<&DemoReviewer> = reviewers.iter().collect();
    ordered.sort_by_key(|r| (name_of(r.team_id), r.team_id));
    let mut rng = StdRng::seed_from_u64(seed ^ 0x00e5_cafe_2e71_e705);
    let mut summary = DemoReviewSummary::default();
    for reviewer in ordered {
        let ctx = Context {
            stages: &stages,
            reviewer,
            platform: platform.filter(|&p| p != reviewer.team_id),
            start: now - Duration::days(PERIOD_DAYS),
            now,
        };
        let plans = plan_team(&txn, &ctx, &mut rng).await?;
        for (i, plan) in plans.iter().enumerate() {
            let rank = plans.len() - 1 - i;
            let age = (now.date_naive() - plan.incident_date).num_days();
            let state = plan::target_state(&mut rng, rank, age);
            let written = write::write_review(&txn, &ctx, plan, state, &mut rng).await?;
            summary.reviews += 1;
            summary.escapes += plan.escapes.len();
            summary.actions += written;
        }
    }
    txn.commit().await?;
    Ok(summary)
}

/// Walks one team's escapes in detection order: each review takes an escape and up to three
/// more detected within two weeks of it, then the walk jumps ahead 10 to 30 days, leaving
/// the escapes it passes unreviewed. The newest week gets no review yet, and recent critical
/// escapes are left for the queue.
async fn plan_team(
    db: &impl ConnectionTrait,
    ctx: &Context<'_>,
    rng: &mut StdRng,
) -> Result<Vec<Plan>> {
    let team_id = ctx.reviewer.team_id;
    let horizon = ctx.now - Duration::days(7);
    let components = component_names(db, team_id).await?;
    let mut plans = Vec::new();
    let mut cursor = ctx.start;
    while plans.len() < MAX_REVIEWS_PER_TEAM && cursor < horizon {
        // A bounded window keeps each read short however dense the escapes are.
        let until = (cursor + Duration::days(SEARCH_DAYS)).min(horizon);
        let found = candidates(db, ctx, cursor, until, &components).await?;
        let fresh_critical = |c: &Candidate| {
            c.severity == Severity::Critical
                && ctx.now - c.detected_at < Duration::days(FRESH_CRITICAL_DAYS)
        };
        let Some(lead) = found.iter().find(|c| !fresh_critical(c)) else {
            cursor = found
                .last()
                .filter(|_| found.len() == CANDIDATES)
                .map_or(until, |c| c.detected_at + Duration::seconds(1));
            continue;
        };
        let size = *pick_weighted(rng, &[(1_usize, 40), (2, 30), (3, 18), (4, 12)]);
        let escapes: Vec<Candidate> = found
            .iter()
            .filter(|c| c.detected_at >= lead.detected_at && !fresh_critical(c))
            .filter(|c| c.detected_at - lead.detected_at <= Duration::days(14))
            .take(size)
            .cloned()
            .collect();
        let newest = escapes.last().map_or(lead.detected_at, |c| c.detected_at);
        cursor = newest + Duration::days(rng.random_range(10..=30));
        plans.push(Plan {
            incident_date: lead.detected_at.date_naive(),
            escapes,
        });
    }
    Ok(plans)
}

async fn component_names(
    db: &impl ConnectionTrait,
    team_id: Uuid,
) -> Result<std::collections::HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = component::Entity::find()
        .select_only()
        .column(component::Column::Id)
        .filter(component::Column::TeamId.eq(team_id))
        .into_tuple()
        .all(db)
        .await?;
    names::<component::Entity, _>(db, component::Column::Id, component::Column::Name, ids).await
}

/// The next few escapes of the team detected in `[from, until)`, oldest first (ties broken by
/// ticket key, so the order never depends on generated ids).
async fn candidates(
    db: &impl ConnectionTrait,
    ctx: &Context<'_>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    components: &std::collections::HashMap<Uuid, String>,
) -> Result<Vec<Candidate>> {
    let filter = DefectFilter {
        team_id: Some(ctx.reviewer.team_id),
        escaped: Some(true),
        ..DefectFilter::default()
    };
    let models = defect::Entity::find()
        .filter(condition(
            &filter,
            ctx.stages,
            Purpose::Rows,
            crate::Backend::of(db),
        ))
        .filter(defect::Column::DetectedAt.gte(from))
        .filter(defect::Column::DetectedAt.lt(until))
        .order_by_asc(defect::Column::DetectedAt)
        .order_by_asc(defect::Column::ExternalKey)
        .order_by_asc(defect::Column::Title)
        .limit(CANDIDATES as u64)
        .all(db)
        .await?;
    models
        .into_iter()
        .map(|m| {
            let component = m
                .component_id
                .and_then(|id| components.get(&id).cloned())
                .unwrap_or_else(|| "the product".to_owned());
            let symptom = m
                .title
                .strip_prefix(&format!("{component}: "))
                .unwrap_or(&m.title)
                .to_owned();
            Ok(Candidate {
                id: m.id,
                component_id: m.component_id.filter(|id| components.contains_key(id)),
                component,
                symptom,
                severity: stored_key::<Severity>("defects.severity", &m.severity)?,
                discovery_stage: m.discovery_stage,
                detected_at: m.detected_at,
                incident_link: m.incident_link,
                title: m.title,
                version: m.version,
            })
        })
        .collect()
}
