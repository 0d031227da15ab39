//! The unreviewed escapes queue: escapes no review covers yet, most severe first and,
//! within a severity, oldest first.

use escapement_core::{Paging, Severity};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::Result;
use crate::defects::{DefectFilter, Purpose, condition, resolve_names};
use crate::entities::defect;
use crate::records::DefectListPage;
use crate::settings::StageSettings;

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
    let per_severity: Vec<(String, i64)> = defect::Entity::find()
        .select_only()
        .column(defect::Column::Severity)
        .expr(Expr::cust("COUNT(*)"))
        .filter(condition(&filter, stages, Purpose::Count))
        .group_by(defect::Column::Severity)
        .into_tuple()
        .all(db)
        .await?;
    let count_of = |s: Severity| {
        per_severity
            .iter()
            .find(|(k, _)| k == s.key())
            .map_or(0, |&(_, n)| u64::try_from(n).unwrap_or(0))
    };
    let total: u64 = Severity::ALL.iter().map(|&s| count_of(s)).sum();
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
        let page = defect::Entity::find()
            .filter(condition(&filter, stages, Purpose::Rows))
            .filter(defect::Column::Severity.eq(severity.key()))
            .order_by_asc(defect::Column::DetectedAt)
            .order_by_asc(defect::Column::Id)
            .offset(skip)
            .limit(want)
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
