//! MTTD and MTTR: exact means and bucket-bounded medians from the duration roll-up.

use std::collections::BTreeMap;

use serde::Serialize;

use super::cells::{Bucket, DurationCell, DurationKind};
use super::definition::MetricDefinition;
use super::escape::{Admission, admission};

/// Where the median lies: inside `[low_seconds, high_seconds)`, the bounds of the bucket(s)
/// holding the middle duration(s), with an estimate inside those bounds.
///
/// The roll-up keeps durations in buckets about 41% wide, so the median is known to a
/// bucket ("between 1.4 and 2 days"), not to the second. The estimate is exact when the
/// middle duration is alone in its bucket; otherwise it interpolates inside the bucket as if
/// its durations were spread evenly on a logarithmic scale (evenly for the first bucket,
/// under one hour; the bucket's exact mean for the last, open-ended one). With an even
/// number of durations it is the mean of the two middle estimates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Median {
    pub low_seconds: i64,
    /// Exclusive; `i64::MAX` for the last bucket (from about 84 years on).
    pub high_seconds: i64,
    pub estimate_seconds: f64,
}

/// Time to detect (introduced → detected) or to resolve (detected → resolved).
///
/// `measured` defects have a known duration; `unknown` ones (no introduction date for MTTD,
/// still open for MTTR) are left out of the mean and the median and counted apart, as are
/// `out_of_scope` and `separate` (reopened, policy "separately") ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DurationStats {
    pub kind: DurationKind,
    pub measured: u64,
    pub unknown: u64,
    pub out_of_scope: u64,
    pub separate: u64,
    /// The exact mean of the measured durations, from the rows' exact sums.
    pub mean_seconds: Option<f64>,
    pub median: Option<Median>,
}

/// One bucket's defects and the exact sum of their durations.
#[derive(Debug, Clone, Copy, Default)]
struct Sum {
    count: u64,
    seconds: i128,
}

/// The mean and median of the `kind` durations of `cells` under `def`'s scope and reopened
/// policy.
#[must_use]
pub fn durations(
    cells: &[DurationCell],
    def: &MetricDefinition,
    kind: DurationKind,
) -> DurationStats {
    let mut stats = DurationStats {
        kind,
        measured: 0,
        unknown: 0,
        out_of_scope: 0,
        separate: 0,
        mean_seconds: None,
        median: None,
    };
    let mut buckets: BTreeMap<Bucket, Sum> = BTreeMap::new();
    let mut total: i128 = 0;
    for cell in cells.iter().filter(|c| c.key.kind == kind) {
        match admission(def, cell.key.scope) {
            Admission::OutOfScope => stats.out_of_scope += cell.count,
            Admission::Separate => stats.separate += cell.count,
            Admission::In => match cell.key.bucket {
                None => stats.unknown += cell.count,
                Some(bucket) => {
                    let sum = buckets.entry(bucket).or_default();
                    sum.count += cell.count;
                    sum.seconds += i128::from(cell.total_seconds);
                    stats.measured += cell.count;
                    total += i128::from(cell.total_seconds);
                }
            },
        }
    }
    if stats.measured > 0 {
        stats.mean_seconds = Some(total as f64 / stats.measured as f64);
        stats.median = median(&buckets, stats.measured);
    }
    stats
}

/// The median of `n > 0` durations spread over `buckets`.
fn median(buckets: &BTreeMap<Bucket, Sum>, n: u64) -> Option<Median> {
    // The middle rank(s), 1-based: one for odd n, two for even n.
    let (first, second) = if n % 2 == 1 {
        (n.div_ceil(2), n.div_ceil(2))
    } else {
        (n / 2, n / 2 + 1)
    };
    let (low_bucket, low_estimate) = at_rank(buckets, first)?;
    let (high_bucket, high_estimate) = at_rank(buckets, second)?;
    Some(Median {
        low_seconds: low_bucket.lower_seconds(),
        high_seconds: high_bucket.upper_seconds(),
        estimate_seconds: (low_estimate + high_estimate) / 2.0,
    })
}

/// The bucket of the duration of 1-based rank `rank`, and an estimate of that duration.
fn at_rank(buckets: &BTreeMap<Bucket, Sum>, rank: u64) -> Option<(Bucket, f64)> {
    let mut before = 0u64;
    for (bucket, sum) in buckets {
        if sum.count > 0 && rank <= before + sum.count {
            return Some((*bucket, estimate(*bucket, *sum, rank - before)));
        }
        before += sum.count;
    }
    None
}

/// The `j`-th (1-based) of the `sum.count` durations of `bucket`.
fn estimate(bucket: Bucket, sum: Sum, j: u64) -> f64 {
    let (low, high) = (bucket.lower_seconds() as f64, bucket.upper_seconds());
    if sum.count == 1 || high == i64::MAX {
        return sum.seconds as f64 / sum.count as f64;
    }
    let high = high as f64;
    let fraction = (j as f64 - 0.5) / sum.count as f64;
    if low <= 0.0 {
        high * fraction
    } else {
        low * (high / low).powf(fraction)
    }
}

#[cfg(test)]
mod tests;
