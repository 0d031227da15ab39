//! Suggested backlog items: a cluster of escapes (one team, one primary mechanism, one
//! component) with two or more escapes discovered in the last four quarters and no open
//! action of the same mechanism and component, unless the team dismissed it and no escape of
//! the cluster has been recorded since.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::score::{SUGGESTED_EFFORT, Score, ScoreParts};
use crate::metrics::definition::SeverityWeights;
use crate::metrics::quarter::Quarter;
use crate::taxonomy::{Mechanism, Severity};

/// How many escapes a cluster needs before it is suggested.
pub const MIN_ESCAPES: usize = 2;
/// How many quarters, the current one included, a suggestion looks back.
pub const WINDOW_QUARTERS: i32 = 4;

/// The first day a suggestion counts escapes from: the first day of the quarter three before
/// today's (so the current quarter and the three before it).
#[must_use]
pub fn window_start(today: NaiveDate) -> NaiveDate {
    let mut q = Quarter::of_date(today);
    for _ in 1..WINDOW_QUARTERS {
        q = q.prev();
    }
    q.first_day()
}

/// What a cluster is: the team, the primary mechanism and the component (none when the
/// escapes' defects name no component).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ClusterKey {
    pub team_id: Uuid,
    pub mechanism: Mechanism,
    pub component_id: Option<Uuid>,
}

/// One classified escape, as clustering reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterEscape {
    pub key: ClusterKey,
    pub review_escape_id: Uuid,
    pub severity: Severity,
    pub discovered_on: NaiveDate,
    /// When the escape was added to its review.
    pub recorded_at: DateTime<Utc>,
}

/// A suggested item for one cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub key: ClusterKey,
    /// The escapes of the cluster in the window, newest discovery first.
    pub escape_ids: Vec<Uuid>,
    pub score: Score,
    /// The mechanism's typical improvement, where the item's text starts.
    pub text: &'static str,
    /// When the latest dismissal of this cluster was overtaken by a new escape.
    pub dismissed_before: Option<DateTime<Utc>>,
}

/// The suggestions from `escapes` (any order; those outside the window are ignored), given the
/// clusters that have an open action and each cluster's latest dismissal; highest score first.
#[must_use]
pub fn suggestions(
    escapes: &[ClusterEscape],
    open: &HashSet<ClusterKey>,
    dismissed: &HashMap<ClusterKey, DateTime<Utc>>,
    weights: &SeverityWeights,
    today: NaiveDate,
) -> Vec<Suggestion> {
    let start = window_start(today);
    let mut clusters: BTreeMap<ClusterKey, Vec<&ClusterEscape>> = BTreeMap::new();
    for e in escapes.iter().filter(|e| e.discovered_on >= start) {
        clusters.entry(e.key).or_default().push(e);
    }
    let mut out: Vec<Suggestion> = clusters
        .into_iter()
        .filter(|(key, members)| members.len() >= MIN_ESCAPES && !open.contains(key))
        .filter_map(|(key, mut members)| {
            let dismissed_at = dismissed.get(&key).copied();
            if let Some(at) = dismissed_at
                && !members.iter().any(|m| m.recorded_at > at)
            {
                return None;
            }
            members.sort_by(|a, b| {
                b.discovered_on
                    .cmp(&a.discovered_on)
                    .then(a.review_escape_id.cmp(&b.review_escape_id))
            });
            let mut parts = ScoreParts::new();
            for m in &members {
                parts.add(weights, m.severity, m.discovered_on, today);
            }
            Some(Suggestion {
                key,
                escape_ids: members.iter().map(|m| m.review_escape_id).collect(),
                score: parts.score(SUGGESTED_EFFORT),
                text: key.mechanism.typical_improvement(),
                dismissed_before: dismissed_at,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .value
            .total_cmp(&a.score.value)
            .then(a.key.cmp(&b.key))
    });
    out
}
