//! The unreviewed escapes queue: escapes no review covers yet, most severe first and,
//! within a severity, oldest first.

use escapement_core::{Paging, Severity};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::defects::{
    DefectFilter, DefectListPage, Listed, Purpose, condition, kept_page, listed, resolve_names,
    rollup_counts,
};
use crate::entities::{defect, review_escape};
use crate::settings::StageSettings;
use crate::{Backend, Result};

/// One page of the escapes matching `filter` that no review covers, critical first and
/// oldest first within each severity. Each severity is read through its own index range,
/// so a page costs the same however long the queue is.
pub async fn unreviewed_escapes(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
    paging: Paging,
) -> Result<DefectListPage> {
    let filter = DefectFilter {
        escaped: Some(true),
        unreviewed: true,
        severity: None,
        ..filter.clone()
    };
    let what = format!("queue {filter:?} {stages:?} {paging:?}");
    kept_page(db, &filter, what, || {
        read_queue(db, &filter, stages, paging)
    })
    .await
}

/// [`unreviewed_escapes`] of the queue's `filter`, read from the database.
async fn read_queue(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
    paging: Paging,
) -> Result<DefectListPage> {
    let backend = Backend::of(db);
    let counts = severity_counts(db, filter, stages).await?;
    let count_of = |s: Severity| {
        Severity::ALL
            .iter()
            .position(|&x| x == s)
            .map_or(0, |i| counts[i])
    };
    let total: u64 = counts.iter().sum();
    let mut skip = paging.offset();
    let mut want = paging.per_page();
    let mut models = Vec::new();
    for &severity in Severity::ALL {
        let n = count_of(severity);
        if want == 0 {
            break;
        }
        if skip >= n {
            skip -= n;
            continue;
        }
        let page = listed(defect::Entity::find())
            .filter(condition(filter, stages, Purpose::Rows, backend))
            .filter(defect::Column::Severity.eq(severity.key()))
            .order_by_asc(defect::Column::DetectedAt)
            .order_by_asc(defect::Column::Id)
            .offset(skip)
            .limit(want)
            .into_model::<Listed>()
            .all(db)
            .await?;
        want = want.saturating_sub(page.len() as u64);
        skip = 0;
        models.extend(page);
    }
    let rows = resolve_names(db, models).await?;
    Ok(DefectListPage {
        rows,
        total,
        escaped: total,
    })
}

/// How many escapes matching `filter` no review covers: [`unreviewed_escapes`]' total without
/// reading a page of them.
pub async fn unreviewed_count(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
) -> Result<u64> {
    let filter = DefectFilter {
        escaped: Some(true),
        unreviewed: true,
        severity: None,
        ..filter.clone()
    };
    Ok(severity_counts(db, &filter, stages).await?.iter().sum())
}

/// The unreviewed escapes matching `filter` (which asks for unreviewed escapes) per severity,
/// in `Severity::ALL` order. The roll-up answers them from its unreviewed slot whenever it can
/// answer the filter (a few index reads whatever the number of defects); otherwise escapes −
/// reviewed escapes, both counted from the defects: the first reads the team/stage/severity
/// index alone, the second starts from the few covered escapes (filtering "not covered" row
/// by row would visit every escape).
async fn severity_counts(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
) -> Result<Vec<u64>> {
    let mut counts = Vec::with_capacity(Severity::ALL.len());
    for &severity in Severity::ALL {
        let one = DefectFilter {
            severity: Some(severity),
            ..filter.clone()
        };
        match rollup_counts(db, &one, stages).await? {
            Some((n, _)) => counts.push(n),
            None => break,
        }
    }
    if counts.len() == Severity::ALL.len() {
        return Ok(counts);
    }
    let backend = Backend::of(db);
    let escaped = DefectFilter {
        unreviewed: false,
        ..filter.clone()
    };
    let all = counts_by_severity(db, condition(&escaped, stages, Purpose::Count, backend)).await?;
    let covered =
        covered_by_severity(db, condition(&escaped, stages, Purpose::Count, backend)).await?;
    let of = |list: &[(String, i64)], s: Severity| {
        list.iter()
            .find(|(k, _)| k == s.key())
            .map_or(0, |&(_, n)| u64::try_from(n).unwrap_or(0))
    };
    Ok(Severity::ALL
        .iter()
        .map(|&s| of(&all, s).saturating_sub(of(&covered, s)))
        .collect())
}

/// `SELECT severity, COUNT(*) FROM defects WHERE cond GROUP BY severity`.
async fn counts_by_severity(
    db: &impl ConnectionTrait,
    cond: sea_orm::Condition,
) -> Result<Vec<(String, i64)>> {
    Ok(defect::Entity::find()
        .select_only()
        .column(defect::Column::Severity)
        .expr(Expr::cust("COUNT(*)"))
        .filter(cond)
        .group_by(defect::Column::Severity)
        .into_tuple()
        .all(db)
        .await?)
}

/// The covered escapes among `cond`, per severity, read from the covered side: every row of
/// `review_escapes` looks up its defect by id (the join order is fixed, so the database does
/// not walk all escapes instead).
async fn covered_by_severity(
    db: &impl ConnectionTrait,
    cond: sea_orm::Condition,
) -> Result<Vec<(String, i64)>> {
    let mut query = Query::select();
    query
        .expr(Expr::col((defect::Entity, defect::Column::Severity)))
        .expr(Expr::cust("COUNT(*)"))
        .from(review_escape::Entity)
        .cross_join(defect::Entity)
        .and_where(
            Expr::col((defect::Entity, defect::Column::Id))
                .equals((review_escape::Entity, review_escape::Column::DefectId)),
        )
        .cond_where(cond)
        .group_by_col((defect::Entity, defect::Column::Severity));
    db.query_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get_by_index::<String>(0)?,
                row.try_get_by_index::<i64>(1)?,
            ))
        })
        .collect()
}
