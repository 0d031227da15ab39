//! The backlog's reads: actions scored in chunks (a chunk of ids, then the escapes they
//! address), merged with the suggestions by score, one page of details at a time.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::backlog::lifecycle::due_state;
use escapement_core::backlog::{ScoreParts, suggest};
use escapement_core::metrics::definition::SeverityWeights;
use escapement_core::{Effort, Mechanism, Paging};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QueryResult, QuerySelect,
};
use uuid::Uuid;

use super::clusters::{cluster_escapes, dismissed_clusters, effects_of, open_clusters};
use super::{
    AddressedEscape, BacklogAction, BacklogFilter, BacklogItem, BacklogPage, StatusFilter,
    SuggestedItem,
};
use crate::entities::{
    action_escape, component, defect, improvement_action, review, review_escape, team,
};
use crate::{Result, StorageError, link, stored_key, stored_stage};

/// How many actions one scoring query reads.
const CHUNK: u64 = 2000;

/// An action's id, mechanism and score: all a sort needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scored {
    pub id: Uuid,
    pub mechanism: Mechanism,
    pub score: escapement_core::backlog::Score,
}

/// The condition on `improvement_actions` for the filter's actions.
pub(crate) fn action_condition(f: &BacklogFilter, today: NaiveDate) -> Condition {
    use improvement_action::Column as A;
    let mut cond = Condition::all();
    if let Some(teams) = &f.teams {
        cond = cond.add(A::TeamId.is_in(teams.iter().copied()));
    }
    if let Some(m) = f.mechanism {
        cond = cond.add(A::Mechanism.eq(m.key()));
    }
    if let Some(c) = f.component_id {
        cond = cond.add(A::ComponentId.eq(c));
    }
    if let Some(layer) = &f.target_layer {
        cond = cond.add(A::TargetLayer.eq(layer.as_str()));
    }
    let open = ["proposed", "accepted", "in_progress"];
    match f.status {
        StatusFilter::Open => cond = cond.add(A::Status.is_in(open)),
        StatusFilter::All => {}
        StatusFilter::Is(s) => cond = cond.add(A::Status.eq(s.key())),
        StatusFilter::Suggested => cond = cond.add(Expr::val(1).eq(0)),
        StatusFilter::Overdue => {
            cond = cond.add(A::Status.is_in(open)).add(A::DueDate.lt(today));
        }
    }
    cond
}

/// The columns of an addressed escape, from `review_escapes` joined to its defect and review;
/// the caller adds what picks the rows.
pub(crate) fn escape_select() -> SelectStatement {
    let mut q = Query::select();
    q.expr(Expr::col((
        review_escape::Entity,
        review_escape::Column::Id,
    )))
    .expr(Expr::col((
        review_escape::Entity,
        review_escape::Column::ReviewId,
    )))
    .expr(Expr::col((review::Entity, review::Column::Title)))
    .expr(Expr::col((defect::Entity, defect::Column::Id)))
    .expr(Expr::col((defect::Entity, defect::Column::Title)))
    .expr(Expr::col((defect::Entity, defect::Column::Severity)))
    .expr(Expr::col((defect::Entity, defect::Column::DiscoveryStage)))
    .expr(Expr::col((defect::Entity, defect::Column::DetectedAt)))
    .from(review_escape::Entity)
    .inner_join(
        defect::Entity,
        Expr::col((defect::Entity, defect::Column::Id))
            .equals((review_escape::Entity, review_escape::Column::DefectId)),
    )
    .inner_join(
        review::Entity,
        Expr::col((review::Entity, review::Column::Id))
            .equals((review_escape::Entity, review_escape::Column::ReviewId)),
    );
    q
}

/// An addressed escape from the columns of [`escape_select`], starting at `at`.
pub(crate) fn escape_of(row: &QueryResult, at: usize) -> Result<AddressedEscape> {
    let detected: DateTime<Utc> = row.try_get_by_index(at + 7)?;
    Ok(AddressedEscape {
        review_escape_id: row.try_get_by_index(at)?,
        review_id: row.try_get_by_index(at + 1)?,
        review_title: row.try_get_by_index(at + 2)?,
        defect_id: row.try_get_by_index(at + 3)?,
        defect_title: row.try_get_by_index(at + 4)?,
        severity: stored_key("defects.severity", &row.try_get_by_index::<String>(at + 5)?)?,
        discovery_stage: stored_stage(
            "defects.discovery_stage",
            &row.try_get_by_index::<String>(at + 6)?,
        )?,
        discovered_on: detected.date_naive(),
    })
}

/// The escapes each of `actions` addresses, newest discovery first.
pub(crate) async fn escapes_of(
    db: &impl ConnectionTrait,
    actions: &[Uuid],
) -> Result<HashMap<Uuid, Vec<AddressedEscape>>> {
    let mut out: HashMap<Uuid, Vec<AddressedEscape>> = HashMap::new();
    if actions.is_empty() {
        return Ok(out);
    }
    let mut q = escape_select();
    q.expr(Expr::col((
        action_escape::Entity,
        action_escape::Column::ActionId,
    )))
    .inner_join(
        action_escape::Entity,
        Expr::col((action_escape::Entity, action_escape::Column::ReviewEscapeId))
            .equals((review_escape::Entity, review_escape::Column::Id)),
    )
    .and_where(
        Expr::col((action_escape::Entity, action_escape::Column::ActionId))
            .is_in(actions.iter().copied()),
    )
    .order_by(
        (defect::Entity, defect::Column::DetectedAt),
        sea_orm::Order::Desc,
    );
    for row in db.query_all(&q).await? {
        let action: Uuid = row.try_get_by_index(8)?;
        out.entry(action).or_default().push(escape_of(&row, 0)?);
    }
    Ok(out)
}

/// The escapes with these ids, newest discovery first.
pub(crate) async fn escapes_by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<AddressedEscape>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = escape_select();
    q.and_where(
        Expr::col((review_escape::Entity, review_escape::Column::Id)).is_in(ids.iter().copied()),
    )
    .order_by(
        (defect::Entity, defect::Column::DetectedAt),
        sea_orm::Order::Desc,
    );
    db.query_all(&q)
        .await?
        .iter()
        .map(|row| escape_of(row, 0))
        .collect()
}

/// Every action matching `f` with its score, in id order, read `CHUNK` actions at a time.
pub(crate) async fn scored_actions(
    db: &impl ConnectionTrait,
    f: &BacklogFilter,
    weights: &SeverityWeights,
    today: NaiveDate,
) -> Result<Vec<Scored>> {
    use improvement_action::Column as A;
    let mut out = Vec::new();
    let mut after: Option<Uuid> = None;
    loop {
        let mut q = improvement_action::Entity::find()
            .select_only()
            .column(A::Id)
            .column(A::Mechanism)
            .column(A::Effort)
            .filter(action_condition(f, today));
        if let Some(last) = after {
            q = q.filter(A::Id.gt(last));
        }
        let chunk: Vec<(Uuid, String, String)> = q
            .order_by_asc(A::Id)
            .limit(CHUNK)
            .into_tuple()
            .all(db)
            .await?;
        let Some(last) = chunk.last() else { break };
        after = Some(last.0);
        let mut parts: HashMap<Uuid, ScoreParts> = HashMap::with_capacity(chunk.len());
        let mut q = Query::select();
        q.expr(Expr::col((
            action_escape::Entity,
            action_escape::Column::ActionId,
        )))
        .expr(Expr::col((defect::Entity, defect::Column::Severity)))
        .expr(Expr::col((defect::Entity, defect::Column::DetectedAt)))
        .from(action_escape::Entity)
        .inner_join(
            review_escape::Entity,
            Expr::col((review_escape::Entity, review_escape::Column::Id))
                .equals((action_escape::Entity, action_escape::Column::ReviewEscapeId)),
        )
        .inner_join(
            defect::Entity,
            Expr::col((defect::Entity, defect::Column::Id))
                .equals((review_escape::Entity, review_escape::Column::DefectId)),
        )
        .and_where(
            Expr::col((action_escape::Entity, action_escape::Column::ActionId))
                .is_in(chunk.iter().map(|c| c.0)),
        );
        for row in db.query_all(&q).await? {
            let id: Uuid = row.try_get_by_index(0)?;
            let severity = stored_key("defects.severity", &row.try_get_by_index::<String>(1)?)?;
            let at: DateTime<Utc> = row.try_get_by_index(2)?;
            parts
                .entry(id)
                .or_default()
                .add(weights, severity, at.date_naive(), today);
        }
        for (id, mechanism, effort) in &chunk {
            let effort: Effort = stored_key("improvement_actions.effort", effort)?;
            let mechanism = stored_key("improvement_actions.mechanism", mechanism)?;
            let score = parts.get(id).cloned().unwrap_or_default().score(effort);
            out.push(Scored {
                id: *id,
                mechanism,
                score,
            });
        }
        if (chunk.len() as u64) < CHUNK {
            break;
        }
    }
    Ok(out)
}

/// Highest score first; ties by id, so pages never overlap.
pub(crate) fn by_score(a: &Scored, b: &Scored) -> std::cmp::Ordering {
    b.score
        .value
        .total_cmp(&a.score.value)
        .then(a.id.cmp(&b.id))
}

#[derive(FromQueryResult)]
struct ActionRow {
    #[sea_orm(nested)]
    action: improvement_action::Model,
    team_name: Option<String>,
    component_name: Option<String>,
    review_title: Option<String>,
    review_state: Option<String>,
}

/// The actions with these ids, in the order given, without their scores' escapes.
pub(crate) async fn actions_by_ids(
    db: &impl ConnectionTrait,
    scored: &[Scored],
    today: NaiveDate,
    with_effects: bool,
) -> Result<Vec<BacklogAction>> {
    use improvement_action::Column as A;
    if scored.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ActionRow> = improvement_action::Entity::find()
        .filter(A::Id.is_in(scored.iter().map(|s| s.id)))
        .join(JoinType::LeftJoin, link(A::TeamId, team::Column::Id))
        .join(
            JoinType::LeftJoin,
            link(A::ComponentId, component::Column::Id),
        )
        .join(JoinType::LeftJoin, link(A::ReviewId, review::Column::Id))
        .column_as(team::Column::Name, "team_name")
        .column_as(component::Column::Name, "component_name")
        .column_as(review::Column::Title, "review_title")
        .column_as(review::Column::State, "review_state")
        .into_model()
        .all(db)
        .await?;
    let mut by_id: HashMap<Uuid, ActionRow> = rows.into_iter().map(|r| (r.action.id, r)).collect();
    let ids: Vec<Uuid> = scored.iter().map(|s| s.id).collect();
    let mut escapes = escapes_of(db, &ids).await?;
    let mut out = Vec::with_capacity(scored.len());
    for s in scored {
        let Some(row) = by_id.remove(&s.id) else {
            continue;
        };
        let m = row.action;
        let status = stored_key("improvement_actions.status", &m.status)?;
        out.push(BacklogAction {
            id: m.id,
            review_id: m.review_id,
            review_title: row.review_title.unwrap_or_default(),
            review_state: stored_key(
                "reviews.state",
                row.review_state.as_deref().unwrap_or("draft"),
            )?,
            team_id: m.team_id,
            team_name: row.team_name.unwrap_or_default(),
            mechanism: stored_key("improvement_actions.mechanism", &m.mechanism)?,
            component_id: m.component_id,
            component_name: row.component_name,
            target_layer: stored_stage("improvement_actions.target_layer", &m.target_layer)?,
            effort: stored_key("improvement_actions.effort", &m.effort)?,
            due_date: m.due_date,
            due: due_state(status, m.due_date, today),
            status,
            status_reason: m.status_reason,
            external_key: m.external_key,
            done_at: m.done_at,
            created_at: m.created_at,
            version: m.version,
            score: s.score,
            escapes: escapes.remove(&m.id).unwrap_or_default(),
            effect: None,
            title: m.title,
        });
    }
    if !with_effects {
        return Ok(out);
    }
    let done: Vec<&BacklogAction> = out.iter().filter(|a| a.done_at.is_some()).collect();
    let effects = effects_of(db, &done, today).await?;
    for a in &mut out {
        a.effect = effects.get(&a.id).copied();
    }
    Ok(out)
}

/// One action as its backlog page shows it.
pub async fn action_detail(
    db: &impl ConnectionTrait,
    action_id: Uuid,
    weights: &SeverityWeights,
    today: NaiveDate,
) -> Result<BacklogAction> {
    let f = BacklogFilter {
        status: StatusFilter::All,
        ..BacklogFilter::default()
    };
    let cond = action_condition(&f, today).add(improvement_action::Column::Id.eq(action_id));
    let found: Option<(Uuid, String, String)> = improvement_action::Entity::find()
        .select_only()
        .column(improvement_action::Column::Id)
        .column(improvement_action::Column::Mechanism)
        .column(improvement_action::Column::Effort)
        .filter(cond)
        .into_tuple()
        .one(db)
        .await?;
    let (id, mechanism, effort) = found.ok_or(StorageError::NotFound)?;
    let escapes = escapes_of(db, &[id]).await?;
    let mut parts = ScoreParts::new();
    for e in escapes.get(&id).into_iter().flatten() {
        parts.add(weights, e.severity, e.discovered_on, today);
    }
    let scored = Scored {
        id,
        mechanism: stored_key("improvement_actions.mechanism", &mechanism)?,
        score: parts.score(stored_key("improvement_actions.effort", &effort)?),
    };
    actions_by_ids(db, &[scored], today, true)
        .await?
        .pop()
        .ok_or(StorageError::NotFound)
}

/// The suggested items for the filter's teams, mechanism and component, highest score first.
async fn suggestions(
    db: &impl ConnectionTrait,
    f: &BacklogFilter,
    weights: &SeverityWeights,
    today: NaiveDate,
) -> Result<Vec<suggest::Suggestion>> {
    if !f.status.shows_suggestions() || f.target_layer.is_some() {
        return Ok(Vec::new());
    }
    let escapes = cluster_escapes(db, f.teams.as_deref(), suggest::window_start(today)).await?;
    let escapes: Vec<_> = escapes
        .into_iter()
        .filter(|e| f.mechanism.is_none_or(|m| e.key.mechanism == m))
        .filter(|e| f.component_id.is_none_or(|c| e.key.component_id == Some(c)))
        .collect();
    let open = open_clusters(db, f.teams.as_deref()).await?;
    let dismissed = dismissed_clusters(db, f.teams.as_deref()).await?;
    Ok(suggest::suggestions(
        &escapes, &open, &dismissed, weights, today,
    ))
}

/// Names of teams and components, for suggestions.
async fn names(
    db: &impl ConnectionTrait,
    teams: impl Iterator<Item = Uuid>,
    components: impl Iterator<Item = Uuid>,
) -> Result<(HashMap<Uuid, String>, HashMap<Uuid, String>)> {
    let teams: Vec<(Uuid, String)> = team::Entity::find()
        .select_only()
        .column(team::Column::Id)
        .column(team::Column::Name)
        .filter(team::Column::Id.is_in(teams))
        .into_tuple()
        .all(db)
        .await?;
    let components: Vec<(Uuid, String)> = component::Entity::find()
        .select_only()
        .column(component::Column::Id)
        .column(component::Column::Name)
        .filter(component::Column::Id.is_in(components))
        .into_tuple()
        .all(db)
        .await?;
    Ok((
        teams.into_iter().collect(),
        components.into_iter().collect(),
    ))
}

/// The suggestions with their names and escapes.
pub(crate) async fn suggested_items(
    db: &impl ConnectionTrait,
    list: Vec<suggest::Suggestion>,
) -> Result<Vec<SuggestedItem>> {
    let (teams, components) = names(
        db,
        list.iter().map(|s| s.key.team_id),
        list.iter().filter_map(|s| s.key.component_id),
    )
    .await?;
    let ids: Vec<Uuid> = list
        .iter()
        .flat_map(|s| s.escape_ids.iter().copied())
        .collect();
    let mut escapes: HashMap<Uuid, super::AddressedEscape> = escapes_by_ids(db, &ids)
        .await?
        .into_iter()
        .map(|e| (e.review_escape_id, e))
        .collect();
    Ok(list
        .into_iter()
        .map(|s| SuggestedItem {
            team_name: teams.get(&s.key.team_id).cloned().unwrap_or_default(),
            component_name: s.key.component_id.and_then(|c| components.get(&c).cloned()),
            text: s.text,
            score: s.score,
            escapes: s
                .escape_ids
                .iter()
                .filter_map(|id| escapes.remove(id))
                .collect(),
            dismissed_before: s.dismissed_before,
            key: s.key,
        })
        .collect())
}

/// One page of the backlog: actions and suggestions merged by score.
pub async fn backlog_page(
    db: &impl ConnectionTrait,
    f: &BacklogFilter,
    weights: &SeverityWeights,
    today: NaiveDate,
    paging: Paging,
) -> Result<BacklogPage> {
    let what = format!("backlog {f:?} {weights:?} {today} {paging:?}");
    PAGES
        .get_owned(db, None, &what, || read_page(db, f, weights, today, paging))
        .await
}

/// Backlog pages, kept under every team's stamp: an action can belong to another team
/// than its review's, and a review write renews the review's team's, a backlog write
/// every team's.
static PAGES: crate::rollup::Kept<std::sync::Arc<BacklogPage>> = crate::rollup::Kept::new(32);

/// [`backlog_page`], read from the database.
async fn read_page(
    db: &impl ConnectionTrait,
    f: &BacklogFilter,
    weights: &SeverityWeights,
    today: NaiveDate,
    paging: Paging,
) -> Result<BacklogPage> {
    let mut scored = scored_actions(db, f, weights, today).await?;
    scored.sort_by(by_score);
    let suggested = suggestions(db, f, weights, today).await?;
    let overdue = improvement_action::Entity::find()
        .filter(action_condition(
            &BacklogFilter {
                status: StatusFilter::Overdue,
                ..f.clone()
            },
            today,
        ))
        .count(db)
        .await?;
    // Merge the two sorted lists, then cut the page out of the merge.
    let (offset, per_page) = (
        usize::try_from(paging.offset()).unwrap_or(usize::MAX),
        usize::try_from(paging.per_page()).unwrap_or(usize::MAX),
    );
    let (mut i, mut j) = (0, 0);
    let mut page_actions = Vec::new();
    let mut page_suggestions = Vec::new();
    let mut order = Vec::new();
    let mut n = 0;
    while (i < scored.len() || j < suggested.len()) && order.len() < per_page {
        let take_action = match (scored.get(i), suggested.get(j)) {
            (Some(a), Some(s)) => a.score.value >= s.score.value,
            (Some(_), None) => true,
            _ => false,
        };
        if n >= offset {
            if take_action {
                page_actions.push(scored[i]);
                order.push(true);
            } else {
                page_suggestions.push(suggested[j].clone());
                order.push(false);
            }
        }
        if take_action {
            i += 1;
        } else {
            j += 1;
        }
        n += 1;
    }
    let mut actions = actions_by_ids(db, &page_actions, today, true)
        .await?
        .into_iter();
    let mut suggestions = suggested_items(db, page_suggestions).await?.into_iter();
    let items = order
        .into_iter()
        .filter_map(|is_action| {
            if is_action {
                actions.next().map(|a| BacklogItem::Action(Box::new(a)))
            } else {
                suggestions
                    .next()
                    .map(|s| BacklogItem::Suggestion(Box::new(s)))
            }
        })
        .collect();
    Ok(BacklogPage {
        items,
        actions: scored.len() as u64,
        suggestions: suggested.len() as u64,
        overdue,
    })
}

/// The suggestion for one cluster as it stands now, if there is one.
pub(crate) async fn suggestion_for(
    db: &impl ConnectionTrait,
    key: escapement_core::backlog::ClusterKey,
    weights: &SeverityWeights,
    today: NaiveDate,
) -> Result<Option<suggest::Suggestion>> {
    let f = BacklogFilter {
        teams: Some(vec![key.team_id]),
        mechanism: Some(key.mechanism),
        ..BacklogFilter::default()
    };
    Ok(suggestions(db, &f, weights, today)
        .await?
        .into_iter()
        .find(|s| s.key == key))
}

/// The escapes of one cluster discovered since `since` (for the action page's "also
/// addresses" choices).
pub async fn cluster_escapes_of(
    db: &impl ConnectionTrait,
    key: escapement_core::backlog::ClusterKey,
    since: NaiveDate,
) -> Result<Vec<AddressedEscape>> {
    let ids: Vec<Uuid> = cluster_escapes(db, Some(&[key.team_id]), since)
        .await?
        .into_iter()
        .filter(|e| e.key == key)
        .map(|e| e.review_escape_id)
        .collect();
    escapes_by_ids(db, &ids).await
}

/// The open actions of `teams` due on or before `until`, soonest first (at most 1,000): the
/// overdue and soon-due digest.
pub async fn due_actions(
    db: &impl ConnectionTrait,
    teams: Option<&[Uuid]>,
    weights: &SeverityWeights,
    (today, until): (NaiveDate, NaiveDate),
) -> Result<Vec<BacklogAction>> {
    use improvement_action::Column as A;
    let f = BacklogFilter {
        teams: teams.map(<[Uuid]>::to_vec),
        ..BacklogFilter::default()
    };
    let rows: Vec<(Uuid, String, String)> = improvement_action::Entity::find()
        .select_only()
        .column(A::Id)
        .column(A::Mechanism)
        .column(A::Effort)
        .filter(action_condition(&f, today))
        .filter(A::DueDate.lte(until))
        .order_by_asc(A::DueDate)
        .order_by_asc(A::Id)
        .limit(1000)
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let escapes = escapes_of(db, &ids).await?;
    let mut scored = Vec::with_capacity(rows.len());
    for (id, mechanism, effort) in rows {
        let mut parts = ScoreParts::new();
        for e in escapes.get(&id).into_iter().flatten() {
            parts.add(weights, e.severity, e.discovered_on, today);
        }
        scored.push(Scored {
            id,
            mechanism: stored_key("improvement_actions.mechanism", &mechanism)?,
            score: parts.score(stored_key("improvement_actions.effort", &effort)?),
        });
    }
    actions_by_ids(db, &scored, today, false).await
}
