//! The defect list: its filter, the rows and counts of one page, and the conditions and
//! name look-ups the review queue and the demo reuse. Whether a defect escaped is computed
//! from the pipeline and boundary in force.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use escapement_core::metrics::{MetricDefinition, Quarter, ReopenedPolicy, ScopeSwitches};
use escapement_core::{DefectType, Mechanism, Paging, Severity, StageKey};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use crate::Result;
use crate::entities::{component, defect, release, review, review_escape, team};
use crate::settings::StageSettings;

/// The list filters; every `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefectFilter {
    /// The teams the reader may see; `None` means every team (an instance admin).
    pub visible_teams: Option<Vec<Uuid>>,
    pub team_id: Option<Uuid>,
    pub component_id: Option<Uuid>,
    pub release_id: Option<Uuid>,
    pub severity: Option<Severity>,
    pub discovery_stage: Option<StageKey>,
    pub escaped: Option<bool>,
    /// Case-insensitive text that the title must contain.
    pub text: Option<String>,
    /// Only defects that no escape review covers yet.
    pub unreviewed: bool,
    /// Only defects without a release (`release_id` is then ignored).
    pub no_release: bool,
    /// Only defects without a component (`component_id` is then ignored).
    pub no_component: bool,
    /// Only escapes that a classified or closed review names this contributing mechanism
    /// for (never together with `mechanism`, which the primary one answers).
    pub contributing: Option<Mechanism>,
    /// Detected in these quarters, first and last included (UTC).
    pub quarters: Option<(Quarter, Quarter)>,
    pub defect_type: Option<DefectType>,
    /// Where it should have been caught; `Some(None)` for "not named".
    pub expected_stage: Option<Option<StageKey>>,
    /// Only escapes that a classified or closed review gives this primary mechanism.
    pub mechanism: Option<Mechanism>,
    /// Only what the metric definition counts, with escapes judged as it judges them:
    /// the drill-down from a number to the rows behind it.
    pub in_scope: Option<InScope>,
}

/// The parts of the metric definition that decide which defects a number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InScope {
    pub switches: ScopeSwitches,
    pub reopened: ReopenedPolicy,
}

impl InScope {
    /// The parts of `def` that decide what counts.
    #[must_use]
    pub fn of(def: &MetricDefinition) -> InScope {
        InScope {
            switches: def.scope,
            reopened: def.reopened,
        }
    }

    /// The conditions on a defect's facts that the switches put.
    fn condition(self) -> Condition {
        let s = self.switches;
        let mut cond = Condition::all();
        if !s.customer_found {
            cond = cond.add(defect::Column::DetectedBy.is_not_in(["customer", "support"]));
        }
        // (switch, column, the value that the switch leaves out when off)
        for (on, column, excluded) in [
            (s.unconfirmed, defect::Column::Confirmed, false),
            (s.known_issues, defect::Column::KnownIssueAccepted, true),
            (s.cosmetic, defect::Column::Cosmetic, true),
            (s.test_environment, defect::Column::TestEnvironment, true),
            (s.data_migration, defect::Column::DataMigration, true),
        ] {
            if !on {
                cond = cond.add(column.ne(excluded));
            }
        }
        if self.reopened == ReopenedPolicy::Separately {
            cond = cond.add(defect::Column::ReopenedCount.eq(0));
        }
        cond
    }
}

/// One line of the defect list, with the names it refers to already resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefectRow {
    pub id: Uuid,
    pub title: String,
    pub severity: String,
    pub defect_type: String,
    pub discovery_stage: String,
    pub team_name: String,
    pub component_name: Option<String>,
    pub release_name: Option<String>,
    pub detected_at: DateTime<Utc>,
    pub external_key: Option<String>,
}

/// One page of defects and the counts behind the whole filtered list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefectListPage {
    pub rows: Vec<DefectRow>,
    /// Defects matching the filter.
    pub total: u64,
    /// Of those, how many are escapes under the boundary in force.
    pub escaped: u64,
}

fn escaped_keys(stages: &StageSettings) -> Vec<String> {
    stages
        .pipeline
        .escaped_stage_keys(&stages.boundary)
        .into_iter()
        .map(|key| key.as_str().to_owned())
        .collect()
}

fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// What a condition is for: counting can use the stage index for the escape filter; a page of
/// rows is cheaper read in detection order, filtering escapes on the way.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Count,
    Rows,
}

/// The condition `filter` puts on defects, with escapes judged by `stages`, shaped for
/// `purpose`.
pub(crate) fn condition(
    filter: &DefectFilter,
    stages: &StageSettings,
    purpose: Purpose,
) -> Condition {
    let mut cond = Condition::all();
    if let Some(teams) = &filter.visible_teams {
        cond = cond.add(defect::Column::TeamId.is_in(teams.iter().copied()));
    }
    if let Some(id) = filter.team_id {
        cond = cond.add(defect::Column::TeamId.eq(id));
    }
    if let Some(id) = filter.component_id {
        cond = cond.add(defect::Column::ComponentId.eq(id));
    }
    if let Some(id) = filter.release_id {
        cond = cond.add(defect::Column::ReleaseId.eq(id));
    }
    if let Some(severity) = filter.severity {
        cond = cond.add(defect::Column::Severity.eq(severity.key()));
    }
    if let Some(stage) = &filter.discovery_stage {
        cond = cond.add(defect::Column::DiscoveryStage.eq(stage.as_str()));
    }
    // Escapes are a large share of all defects: for a page of rows, `stage || ''` keeps the
    // planner from gathering every escape through the stage index and sorting them, and
    // lets it walk the detection-time index until the page is full.
    let stage = match purpose {
        Purpose::Count => Expr::col((defect::Entity, defect::Column::DiscoveryStage)),
        Purpose::Rows => Expr::cust(r#"("defects"."discovery_stage" || '')"#),
    };
    // Under "reopened counts as escaped", a reopened defect is an escape wherever found.
    let reopened_escapes = filter
        .in_scope
        .is_some_and(|s| s.reopened == ReopenedPolicy::AsEscaped);
    let reopened = defect::Column::ReopenedCount.gt(0);
    match (filter.escaped, reopened_escapes) {
        (Some(true), false) => cond = cond.add(stage.is_in(escaped_keys(stages))),
        (Some(false), false) => cond = cond.add(stage.is_not_in(escaped_keys(stages))),
        (Some(true), true) => {
            cond = cond.add(
                Condition::any()
                    .add(stage.is_in(escaped_keys(stages)))
                    .add(reopened),
            );
        }
        (Some(false), true) => {
            cond = cond
                .add(stage.is_not_in(escaped_keys(stages)))
                .add(defect::Column::ReopenedCount.eq(0));
        }
        (None, _) => {}
    }
    cond = cond.add(drill_condition(filter));
    if filter.unreviewed {
        cond = cond.add(
            Expr::col((defect::Entity, defect::Column::Id)).not_in_subquery(
                Query::select()
                    .column(review_escape::Column::DefectId)
                    .from(review_escape::Entity)
                    .to_owned(),
            ),
        );
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        cond = cond.add(
            Expr::expr(Func::lower(Expr::col(defect::Column::Title)))
                .like(LikeExpr::new(like_pattern(text)).escape('\\')),
        );
    }
    cond
}

/// The drill-down filters: quarter range, type, expected stage, mechanism, no release and
/// the definition's scope.
fn drill_condition(filter: &DefectFilter) -> Condition {
    let mut cond = Condition::all();
    if filter.no_release {
        cond = cond.add(defect::Column::ReleaseId.is_null());
    }
    if filter.no_component {
        cond = cond.add(defect::Column::ComponentId.is_null());
    }
    if let Some(m) = filter.contributing {
        // Contributing keys are stored comma-separated; a key never contains a comma.
        cond = cond.add(
            Expr::col((defect::Entity, defect::Column::Id)).in_subquery(
                Query::select()
                    .column((review_escape::Entity, review_escape::Column::DefectId))
                    .from(review_escape::Entity)
                    .inner_join(
                        review::Entity,
                        Expr::col((review::Entity, review::Column::Id))
                            .equals((review_escape::Entity, review_escape::Column::ReviewId)),
                    )
                    .and_where(Expr::cust(format!(
                        "(',' || \"review_escapes\".\"contributing\" || ',') LIKE '%,{},%'",
                        m.key()
                    )))
                    .and_where(review::Column::State.is_in(["classified", "closed"]))
                    .to_owned(),
            ),
        );
    }
    if let Some((first, last)) = filter.quarters {
        cond = cond.add(defect::Column::DetectedAt.gte(first.start()));
        if last.next() != last {
            cond = cond.add(defect::Column::DetectedAt.lt(last.next().start()));
        }
    }
    if let Some(t) = filter.defect_type {
        cond = cond.add(defect::Column::DefectType.eq(t.key()));
    }
    match &filter.expected_stage {
        Some(Some(stage)) => cond = cond.add(defect::Column::ExpectedCatchStage.eq(stage.as_str())),
        Some(None) => cond = cond.add(defect::Column::ExpectedCatchStage.is_null()),
        None => {}
    }
    if let Some(m) = filter.mechanism {
        cond = cond.add(
            Expr::col((defect::Entity, defect::Column::Id)).in_subquery(
                Query::select()
                    .column((review_escape::Entity, review_escape::Column::DefectId))
                    .from(review_escape::Entity)
                    .inner_join(
                        review::Entity,
                        Expr::col((review::Entity, review::Column::Id))
                            .equals((review_escape::Entity, review_escape::Column::ReviewId)),
                    )
                    .and_where(review_escape::Column::PrimaryMechanism.eq(m.key()))
                    .and_where(review::Column::State.is_in(["classified", "closed"]))
                    .to_owned(),
            ),
        );
    }
    if let Some(scope) = filter.in_scope {
        cond = cond.add(scope.condition());
    }
    cond
}

/// One page of the defects matching `filter`, newest detection first, with the number of
/// matches and how many of them are escapes.
pub async fn list_defects(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
    paging: Paging,
) -> Result<DefectListPage> {
    let (total, escaped) = match super::counts::rollup_counts(db, filter, stages).await? {
        Some(counts) => counts,
        None => {
            let cond = condition(filter, stages, Purpose::Count);
            let total = count::<defect::Entity>(db, cond.clone()).await?;
            let escaped = match filter.escaped {
                Some(true) => total,
                Some(false) => 0,
                None => {
                    let escapes = defect::Column::DiscoveryStage.is_in(escaped_keys(stages));
                    count::<defect::Entity>(db, cond.add(escapes)).await?
                }
            };
            (total, escaped)
        }
    };
    // When a title search matches few rows, walking the time index would visit most of the
    // table to fill a page; reading the table once and keeping the newest matches is
    // cheaper. Ordering by an expression (same type, same order) steers the planner that
    // way. With many matches the index walk fills a page quickly and stays.
    let searching = filter.text.as_deref().is_some_and(|t| !t.trim().is_empty());
    let newest_first = if searching && total < 1_000 {
        Expr::cust(r#"COALESCE("defects"."detected_at", "defects"."detected_at")"#)
    } else {
        Expr::col((defect::Entity, defect::Column::DetectedAt))
    };
    let models = defect::Entity::find()
        .filter(condition(filter, stages, Purpose::Rows))
        .order_by(newest_first, Order::Desc)
        .order_by_desc(defect::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page())
        .all(db)
        .await?;
    let rows = resolve_names(db, models).await?;
    Ok(DefectListPage {
        rows,
        total,
        escaped,
    })
}

/// `SELECT COUNT(*) FROM <table> WHERE cond`, written out so the database can answer it
/// from an index alone (a generic paginator count wraps every column in a subquery).
pub(crate) async fn count<E: EntityTrait>(
    db: &impl ConnectionTrait,
    cond: Condition,
) -> Result<u64> {
    let n: Option<i64> = E::find()
        .select_only()
        .expr(Expr::cust("COUNT(*)"))
        .filter(cond)
        .into_tuple()
        .one(db)
        .await?;
    Ok(n.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
}

/// The `name` of each of the rows `ids` of `E`, by `id`; one query, none for no ids.
pub(crate) async fn names<E, C>(
    db: &impl ConnectionTrait,
    id: C,
    name: C,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, String>>
where
    E: EntityTrait<Column = C>,
    C: ColumnTrait,
{
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let pairs: Vec<(Uuid, String)> = E::find()
        .select_only()
        .column(id)
        .column(name)
        .filter(id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(pairs.into_iter().collect())
}

/// Defect rows as the list shows them, with team, component and release names resolved in
/// three queries for the whole page.
pub(crate) async fn resolve_names(
    db: &impl ConnectionTrait,
    models: Vec<defect::Model>,
) -> Result<Vec<DefectRow>> {
    let team_ids = models.iter().map(|m| m.team_id).collect();
    let component_ids = models.iter().filter_map(|m| m.component_id).collect();
    let release_ids = models.iter().filter_map(|m| m.release_id).collect();
    let teams =
        names::<team::Entity, _>(db, team::Column::Id, team::Column::Name, team_ids).await?;
    let components = names::<component::Entity, _>(
        db,
        component::Column::Id,
        component::Column::Name,
        component_ids,
    )
    .await?;
    let releases =
        names::<release::Entity, _>(db, release::Column::Id, release::Column::Name, release_ids)
            .await?;
    Ok(models
        .into_iter()
        .map(|m| DefectRow {
            id: m.id,
            team_name: teams.get(&m.team_id).cloned().unwrap_or_default(),
            component_name: m.component_id.and_then(|id| components.get(&id).cloned()),
            release_name: m.release_id.and_then(|id| releases.get(&id).cloned()),
            title: m.title,
            severity: m.severity,
            defect_type: m.defect_type,
            discovery_stage: m.discovery_stage,
            detected_at: m.detected_at,
            external_key: m.external_key,
        })
        .collect())
}
