//! The defect list's counts ("128 defects, 19 escaped") from the roll-up instead of a scan:
//! every list filter but the title search maps to roll-up dimensions, so the counts are
//! sums over an index whatever the number of defects, and equal what the rows query
//! selects (the storage suite compares them).

use escapement_core::metrics::{MechanismSlot, Period, ReopenedPolicy, ScopeMask};
use sea_orm::ConnectionTrait;

use super::list::DefectFilter;
use crate::Result;
use crate::rollup::{CountFilter, count_defects};
use crate::settings::StageSettings;

/// The roll-up filter of everything in `filter` but the stages and the title search.
fn base(filter: &DefectFilter) -> CountFilter {
    let mut scope_clear = 0u8;
    if let Some(scope) = filter.in_scope {
        scope_clear |= ScopeMask::EXCLUDED;
        if scope.reopened == ReopenedPolicy::Separately {
            scope_clear |= ScopeMask::REOPENED;
        }
    }
    CountFilter {
        visible_teams: filter.visible_teams.clone(),
        team: filter.team_id,
        component: if filter.no_component {
            Some(None)
        } else {
            filter.component_id.map(Some)
        },
        release: if filter.no_release {
            Some(None)
        } else {
            filter.release_id.map(Some)
        },
        severity: filter.severity,
        defect_type: filter.defect_type,
        quarters: filter.detected.map(Period::cover),
        period: None,
        discovery_stages: None,
        expected_stage: filter
            .expected_stage
            .as_ref()
            .map(|s| s.as_ref().map_or(String::new(), |k| k.as_str().to_owned())),
        mechanism: match (filter.mechanism.or(filter.contributing), filter.unreviewed) {
            (Some(m), _) => Some(MechanismSlot::Is(m)),
            (None, true) => Some(MechanismSlot::Unreviewed),
            (None, false) => None,
        },
        contributing: filter.contributing.is_some(),
        scope_clear: (scope_clear != 0).then_some(scope_clear),
        scope_set: None,
    }
}

/// `(total, escaped)` for `filter` from the roll-up, or `None` when the filter searches
/// titles (the text index counts those) or names days that are not whole quarters.
pub(crate) async fn rollup_counts(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
) -> Result<Option<(u64, u64)>> {
    if filter.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
        return Ok(None);
    }
    // The roll-up counts by quarter: days of a partial quarter are counted from the rows.
    if filter.detected.is_some_and(|p| !p.whole_quarters()) {
        return Ok(None);
    }
    // An unreviewed escape with a mechanism cannot exist: nothing matches both. A primary
    // and a contributing mechanism together need both rows of a defect: the rows answer.
    if filter.unreviewed && (filter.mechanism.is_some() || filter.contributing.is_some()) {
        return Ok(Some((0, 0)));
    }
    if filter.mechanism.is_some() && filter.contributing.is_some() {
        return Ok(None);
    }
    let escaped_keys: Vec<String> = stages
        .pipeline
        .escaped_stage_keys(&stages.boundary)
        .into_iter()
        .map(|k| k.as_str().to_owned())
        .collect();
    let contained_keys: Vec<String> = stages
        .pipeline
        .contained_stage_keys(&stages.boundary)
        .into_iter()
        .map(|k| k.as_str().to_owned())
        .collect();
    // Summed once per change of the teams' data, then kept under their stamps.
    let what = format!("list {filter:?} escaped {escaped_keys:?} contained {contained_keys:?}");
    let teams = counted_teams(filter);
    let counts = crate::rollup::kept(db, teams.as_deref(), what, || {
        sum(db, filter, &escaped_keys, &contained_keys)
    })
    .await?;
    Ok(Some(counts))
}

/// The teams whose stamps the counts of `filter` depend on: its team, else the teams it
/// may see, else every team.
pub(crate) fn counted_teams(filter: &DefectFilter) -> Option<Vec<uuid::Uuid>> {
    crate::rollup::counted_teams(filter.team_id, filter.visible_teams.as_deref())
}

/// `(total, escaped)` for `filter`, summed from the roll-up's rows.
async fn sum(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    escaped_keys: &[String],
    contained_keys: &[String],
) -> Result<(u64, u64)> {
    let within = |keys: &[String]| -> Vec<String> {
        match &filter.discovery_stage {
            Some(s) => keys.iter().filter(|k| *k == s.as_str()).cloned().collect(),
            None => keys.to_vec(),
        }
    };
    let base = base(filter);
    let count = |stages: Option<Vec<String>>, reopened: Option<bool>| {
        let mut f = base.clone();
        f.discovery_stages = stages.or_else(|| {
            filter
                .discovery_stage
                .as_ref()
                .map(|s| vec![s.as_str().to_owned()])
        });
        match reopened {
            Some(true) => f.scope_set = Some(ScopeMask::REOPENED),
            Some(false) => {
                f.scope_clear = Some(f.scope_clear.unwrap_or(0) | ScopeMask::REOPENED);
            }
            None => {}
        }
        async move { count_defects(db, &f).await }
    };
    let reopened_escape = filter
        .in_scope
        .is_some_and(|s| s.reopened == ReopenedPolicy::AsEscaped);
    let escapes = || async {
        let mut n = count(Some(within(escaped_keys)), None).await?;
        if reopened_escape {
            n += count(Some(within(contained_keys)), Some(true)).await?;
        }
        Ok::<u64, crate::StorageError>(n)
    };
    Ok(match filter.escaped {
        None => (count(None, None).await?, escapes().await?),
        Some(true) => {
            let n = escapes().await?;
            (n, n)
        }
        Some(false) => {
            let reopened = reopened_escape.then_some(false);
            (count(Some(within(contained_keys)), reopened).await?, 0)
        }
    })
}
