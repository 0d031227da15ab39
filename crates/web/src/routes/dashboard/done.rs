//! The improvement actions done in each quarter, as markers under the mechanism chart's bars,
//! each saying how many of them show no recurrence and linking to them on the backlog.

use std::collections::BTreeMap;

use chrono::Utc;
use escapement_core::backlog::EffectSummary;
use escapement_core::metrics::Quarter;
use escapement_storage::backlog::effect_summary;
use escapement_storage::rollup::CountFilter;

use crate::error::AppResult;
use crate::page::Ctx;
use crate::page::charts::StackedBars;

/// Marks the quarters `first..=last` of `chart` (one bar per quarter, in order) with the
/// actions done in them, within the filter's teams and component.
pub(super) async fn mark_done_actions(
    ctx: &Ctx,
    filter: &CountFilter,
    (first, last): (Quarter, Quarter),
    chart: &mut StackedBars,
) -> AppResult<()> {
    let teams = filter.teams();
    let today = Utc::now().date_naive();
    let (_, done) = effect_summary(ctx.db(), teams.as_deref(), (first, last), today).await?;
    let mut by_quarter: BTreeMap<Quarter, EffectSummary> = BTreeMap::new();
    for d in done.iter().filter(|d| match filter.component {
        Some(component) => d.key.component_id == component,
        None => true,
    }) {
        by_quarter
            .entry(Quarter::of(d.done_at))
            .or_default()
            .add(d.effect.verdict);
    }
    let mut href = "/backlog?status=done".to_owned();
    if let Some(team) = filter.team {
        href.push_str(&format!("&team={team}"));
    }
    if let Some(Some(component)) = filter.component {
        href.push_str(&format!("&component={component}"));
    }
    for (i, q) in Quarter::range(first, last).enumerate() {
        if let Some(summary) = by_quarter.get(&q) {
            chart.mark(
                i,
                format!("✓ {}", summary.done),
                summary.sentence(&q.label()),
                href.clone(),
            );
        }
    }
    Ok(())
}
