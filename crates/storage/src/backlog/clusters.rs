//! Escapes grouped by (team, primary mechanism, component): the suggestions' clusters, the
//! clusters open actions already address, the dismissed ones, and the before/after effect of
//! done actions.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::backlog::{ClusterEscape, ClusterKey, Effect, EffectSummary, effect};
use escapement_core::metrics::quarter::Quarter;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::BacklogAction;
use crate::entities::{backlog_dismissal, defect, improvement_action, review_escape};
use crate::{Result, stored_key};

/// Every classified escape of `teams` (every team when `None`) discovered on or after
/// `since`, with its cluster.
pub(crate) async fn cluster_escapes(
    db: &impl ConnectionTrait,
    teams: Option<&[Uuid]>,
    since: NaiveDate,
) -> Result<Vec<ClusterEscape>> {
    let since: DateTime<Utc> = since.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let mut q = Query::select();
    q.expr(Expr::col((
        review_escape::Entity,
        review_escape::Column::Id,
    )))
    .expr(Expr::col((defect::Entity, defect::Column::TeamId)))
    .expr(Expr::col((
        review_escape::Entity,
        review_escape::Column::PrimaryMechanism,
    )))
    .expr(Expr::col((defect::Entity, defect::Column::ComponentId)))
    .expr(Expr::col((defect::Entity, defect::Column::Severity)))
    .expr(Expr::col((defect::Entity, defect::Column::DetectedAt)))
    .expr(Expr::col((
        review_escape::Entity,
        review_escape::Column::CreatedAt,
    )))
    // A cross join with the join condition in WHERE: SQLite then walks the few classified
    // escapes and looks up each defect, instead of walking every defect detected since
    // `since` through the time index (a million rows at scale) to find their escapes.
    // PostgreSQL plans it as the join it is.
    .from(review_escape::Entity)
    .cross_join(defect::Entity)
    .and_where(
        Expr::col((defect::Entity, defect::Column::Id))
            .equals((review_escape::Entity, review_escape::Column::DefectId)),
    )
    .and_where(
        Expr::col((
            review_escape::Entity,
            review_escape::Column::PrimaryMechanism,
        ))
        .is_not_null(),
    )
    .and_where(Expr::col((defect::Entity, defect::Column::DetectedAt)).gte(since));
    if let Some(teams) = teams {
        q.and_where(
            Expr::col((defect::Entity, defect::Column::TeamId)).is_in(teams.iter().copied()),
        );
    }
    db.query_all(&q)
        .await?
        .iter()
        .map(|row| {
            let detected: DateTime<Utc> = row.try_get_by_index(5)?;
            Ok(ClusterEscape {
                review_escape_id: row.try_get_by_index(0)?,
                key: ClusterKey {
                    team_id: row.try_get_by_index(1)?,
                    mechanism: stored_key(
                        "review_escapes.primary_mechanism",
                        &row.try_get_by_index::<String>(2)?,
                    )?,
                    component_id: row.try_get_by_index(3)?,
                },
                severity: stored_key("defects.severity", &row.try_get_by_index::<String>(4)?)?,
                discovered_on: detected.date_naive(),
                recorded_at: row.try_get_by_index(6)?,
            })
        })
        .collect()
}

/// The clusters an open action (proposed, accepted, in progress) addresses.
pub(crate) async fn open_clusters(
    db: &impl ConnectionTrait,
    teams: Option<&[Uuid]>,
) -> Result<HashSet<ClusterKey>> {
    use improvement_action::Column as A;
    let mut q = improvement_action::Entity::find()
        .select_only()
        .column(A::TeamId)
        .column(A::Mechanism)
        .column(A::ComponentId)
        .distinct()
        .filter(A::Status.is_in(["proposed", "accepted", "in_progress"]));
    if let Some(teams) = teams {
        q = q.filter(A::TeamId.is_in(teams.iter().copied()));
    }
    let rows: Vec<(Uuid, String, Option<Uuid>)> = q.into_tuple().all(db).await?;
    rows.into_iter()
        .map(|(team_id, mechanism, component_id)| {
            Ok(ClusterKey {
                team_id,
                mechanism: stored_key("improvement_actions.mechanism", &mechanism)?,
                component_id,
            })
        })
        .collect()
}

/// Each dismissed cluster's latest dismissal.
pub(crate) async fn dismissed_clusters(
    db: &impl ConnectionTrait,
    teams: Option<&[Uuid]>,
) -> Result<HashMap<ClusterKey, DateTime<Utc>>> {
    use backlog_dismissal::Column as D;
    let mut q = backlog_dismissal::Entity::find()
        .select_only()
        .column(D::TeamId)
        .column(D::Mechanism)
        .column(D::ComponentId)
        .column(D::DismissedAt);
    if let Some(teams) = teams {
        q = q.filter(D::TeamId.is_in(teams.iter().copied()));
    }
    let rows: Vec<(Uuid, String, Option<Uuid>, DateTime<Utc>)> = q.into_tuple().all(db).await?;
    let mut out: HashMap<ClusterKey, DateTime<Utc>> = HashMap::new();
    for (team_id, mechanism, component_id, at) in rows {
        let key = ClusterKey {
            team_id,
            mechanism: stored_key("backlog_dismissals.mechanism", &mechanism)?,
            component_id,
        };
        let latest = out.entry(key).or_insert(at);
        if at > *latest {
            *latest = at;
        }
    }
    Ok(out)
}

/// A done action's cluster, its day and its effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoneEffect {
    pub action_id: Uuid,
    pub title: String,
    pub key: ClusterKey,
    pub done_at: DateTime<Utc>,
    pub effect: Effect,
}

/// The effect of each done action of `done` (`(id, cluster, done_at)`), reading the clusters'
/// escapes once.
async fn effects(
    db: &impl ConnectionTrait,
    done: &[(Uuid, ClusterKey, DateTime<Utc>)],
    today: NaiveDate,
) -> Result<HashMap<Uuid, Effect>> {
    let mut out = HashMap::new();
    let Some(earliest) = done.iter().map(|(_, _, at)| *at).min() else {
        return Ok(out);
    };
    let day = earliest.date_naive();
    let since = day
        .checked_sub_days(chrono::Days::new(effect::WINDOW_DAYS))
        .unwrap_or(day);
    let mut teams: Vec<Uuid> = done.iter().map(|(_, k, _)| k.team_id).collect();
    teams.sort_unstable();
    teams.dedup();
    let mut dates: HashMap<ClusterKey, Vec<NaiveDate>> = HashMap::new();
    let wanted: HashSet<ClusterKey> = done.iter().map(|(_, k, _)| *k).collect();
    for e in cluster_escapes(db, Some(&teams), since).await? {
        if wanted.contains(&e.key) {
            dates.entry(e.key).or_default().push(e.discovered_on);
        }
    }
    for (id, key, at) in done {
        let list = dates.get(key).map(Vec::as_slice).unwrap_or_default();
        out.insert(
            *id,
            effect::effect(at.date_naive(), today, list.iter().copied()),
        );
    }
    Ok(out)
}

/// The effects of the done ones among `actions`.
pub(crate) async fn effects_of(
    db: &impl ConnectionTrait,
    actions: &[&BacklogAction],
    today: NaiveDate,
) -> Result<HashMap<Uuid, Effect>> {
    let done: Vec<(Uuid, ClusterKey, DateTime<Utc>)> = actions
        .iter()
        .filter(|a| a.status == escapement_core::ActionStatus::Done)
        .filter_map(|a| a.done_at.map(|at| (a.id, a.cluster(), at)))
        .collect();
    effects(db, &done, today).await
}

/// The effect of one done action (`None` when it is not done).
pub async fn effect_of(
    db: &impl ConnectionTrait,
    action: &BacklogAction,
    today: NaiveDate,
) -> Result<Option<Effect>> {
    Ok(effects_of(db, &[action], today).await?.remove(&action.id))
}

/// The actions of `teams` done in the quarters `from..=to`, each with its effect, oldest
/// first, and their summary.
pub async fn effect_summary(
    db: &impl ConnectionTrait,
    teams: Option<&[Uuid]>,
    (from, to): (Quarter, Quarter),
    today: NaiveDate,
) -> Result<(EffectSummary, Vec<DoneEffect>)> {
    let what = format!("effects {teams:?} {from} {to} {today}");
    EFFECTS
        .get_owned(db, None, &what, || {
            read_effects(db, teams, (from, to), today)
        })
        .await
}

/// Effect summaries, kept under every team's stamp: they read actions (a review write
/// renews its team's, a backlog write every team's) and the escapes after them (a defect
/// write renews its team's).
#[allow(clippy::type_complexity)]
static EFFECTS: crate::rollup::Kept<std::sync::Arc<(EffectSummary, Vec<DoneEffect>)>> =
    crate::rollup::Kept::new(32);

/// [`effect_summary`], read from the database.
async fn read_effects(
    db: &impl ConnectionTrait,
    teams: Option<&[Uuid]>,
    (from, to): (Quarter, Quarter),
    today: NaiveDate,
) -> Result<(EffectSummary, Vec<DoneEffect>)> {
    use improvement_action::Column as A;
    let mut q = improvement_action::Entity::find()
        .select_only()
        .column(A::Id)
        .column(A::Title)
        .column(A::TeamId)
        .column(A::Mechanism)
        .column(A::ComponentId)
        .column(A::DoneAt)
        .filter(A::Status.eq("done"))
        .filter(A::DoneAt.gte(from.start()))
        .filter(A::DoneAt.lt(to.next().start()));
    if let Some(teams) = teams {
        q = q.filter(A::TeamId.is_in(teams.iter().copied()));
    }
    type Row = (
        Uuid,
        String,
        Uuid,
        String,
        Option<Uuid>,
        Option<DateTime<Utc>>,
    );
    let rows: Vec<Row> = q.into_tuple().all(db).await?;
    let mut list = Vec::with_capacity(rows.len());
    for (id, title, team_id, mechanism, component_id, done_at) in rows {
        let Some(done_at) = done_at else { continue };
        let key = ClusterKey {
            team_id,
            mechanism: stored_key("improvement_actions.mechanism", &mechanism)?,
            component_id,
        };
        list.push((id, title, key, done_at));
    }
    let input: Vec<(Uuid, ClusterKey, DateTime<Utc>)> =
        list.iter().map(|(id, _, k, at)| (*id, *k, *at)).collect();
    let found = effects(db, &input, today).await?;
    let mut summary = EffectSummary::default();
    let mut out = Vec::with_capacity(list.len());
    for (id, title, key, done_at) in list {
        if let Some(e) = found.get(&id) {
            summary.add(e.verdict);
            out.push(DoneEffect {
                action_id: id,
                title,
                key,
                done_at,
                effect: *e,
            });
        }
    }
    out.sort_by_key(|d| d.done_at);
    Ok((summary, out))
}
