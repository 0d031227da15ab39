//! Listing defects: the filter as a SQL condition, one page with its counts, and the names
//! a page of rows refers to, read in one query per table.

use std::collections::HashMap;

use escapement_core::Paging;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::DefectFilter;
use crate::Result;
use crate::entities::{component, defect, release, review_escape, team};
use crate::records::{DefectListPage, DefectRow};
use crate::settings::StageSettings;

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
    match filter.escaped {
        Some(true) => cond = cond.add(stage.is_in(escaped_keys(stages))),
        Some(false) => cond = cond.add(stage.is_not_in(escaped_keys(stages))),
        None => {}
    }
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

/// One page of the defects matching `filter`, newest detection first, with the number of
/// matches and how many of them are escapes.
pub async fn list_defects(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
    paging: Paging,
) -> Result<DefectListPage> {
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
