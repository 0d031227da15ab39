//! Proportions with their 95% Wilson intervals: the shape every rate of the dashboard takes.

use serde::Serialize;

/// The normal quantile of a two-sided 95% interval.
pub const Z95: f64 = 1.959964;

/// A rate over fewer defects than this is marked as too small to conclude from.
pub const SMALL_SAMPLE: u64 = 10;

/// A closed interval of proportions, `0 ≤ low ≤ high ≤ 1`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// Whether `x` lies in the interval (ends included).
    #[must_use]
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }

    /// Whether the two intervals share at least one point.
    #[must_use]
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.low <= other.high && other.low <= self.high
    }
}

/// The 95% Wilson score interval of `k` successes in `n` trials; `None` when `n = 0` or
/// `k > n`. The ends are exactly 0 for `k = 0` and exactly 1 for `k = n`.
#[must_use]
pub fn wilson(k: u64, n: u64) -> Option<Interval> {
    if n == 0 || k > n {
        return None;
    }
    let mut interval = wilson_at(k as f64 / n as f64, n as f64)?;
    // Rounding can leave the closed ends a hair away from where they belong.
    if k == 0 {
        interval.low = 0.0;
    }
    if k == n {
        interval.high = 1.0;
    }
    Some(interval)
}

/// The 95% Wilson score interval of a proportion `p` observed on a sample of (possibly
/// fractional, e.g. effective) size `n`; `None` unless `n > 0` and `0 ≤ p ≤ 1`.
#[must_use]
pub fn wilson_at(p: f64, n: f64) -> Option<Interval> {
    if !(n > 0.0 && n.is_finite() && (0.0..=1.0).contains(&p)) {
        return None;
    }
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // The exact interval always contains p; keep that true after rounding.
    Some(Interval {
        low: (centre - half).clamp(0.0, 1.0).min(p),
        high: (centre + half).clamp(0.0, 1.0).max(p),
    })
}

/// A count of defects over a count of defects, with its interval.
///
/// Guarantees: `value` is `numerator / denominator` and `interval` its 95% Wilson interval,
/// both `None` when the denominator is 0; `small_sample` when the denominator is below
/// [`SMALL_SAMPLE`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    pub numerator: u64,
    pub denominator: u64,
    pub value: Option<f64>,
    pub interval: Option<Interval>,
    pub small_sample: bool,
}

impl Rate {
    /// `k` of `n`. A numerator above the denominator is no proportion: it gets no value and
    /// no interval (the calculations here never produce one).
    #[must_use]
    pub fn of(k: u64, n: u64) -> Rate {
        let interval = wilson(k, n);
        Rate {
            numerator: k,
            denominator: n,
            value: interval.map(|_| k as f64 / n as f64),
            interval,
            small_sample: n < SMALL_SAMPLE,
        }
    }
}

/// A severity-weighted rate: each defect counts its severity's weight.
///
/// `numerator` and `denominator` are the weighted sums; `defects` the number of defects in
/// the denominator. The interval is a 95% Wilson interval computed at the Kish effective
/// sample size `n_eff = (Σw)² / Σw²` instead of the number of defects: unequal weights carry
/// less information than as many equal ones (12 defects, one critical among eleven low,
/// weigh like 4.8 equal ones), so the interval widens to say so. With equal weights `n_eff`
/// is the number of defects and the interval is the plain one. `small_sample` follows the
/// number of defects, like [`Rate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedRate {
    pub numerator: u64,
    pub denominator: u64,
    pub value: Option<f64>,
    pub interval: Option<Interval>,
    pub defects: u64,
    /// `(Σw)² / Σw²`; `None` when the weights sum to 0.
    pub effective_defects: Option<f64>,
    pub small_sample: bool,
}

/// Accumulates defects by weight into a [`WeightedRate`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WeightedSums {
    numerator: u64,
    denominator: u64,
    sum_of_squares: f64,
    defects: u64,
}

impl WeightedSums {
    /// Adds `defects` defects of weight `weight`, `escapes` of them (at most `defects`) in
    /// the numerator. Sums saturate rather than overflow.
    pub fn add(&mut self, weight: u32, defects: u64, escapes: u64) {
        let w = u64::from(weight);
        self.numerator = self.numerator.saturating_add(w.saturating_mul(escapes));
        self.denominator = self.denominator.saturating_add(w.saturating_mul(defects));
        self.sum_of_squares += f64::from(weight) * f64::from(weight) * defects as f64;
        self.defects = self.defects.saturating_add(defects);
    }

    #[must_use]
    pub fn rate(self) -> WeightedRate {
        let (k, n) = (self.numerator, self.denominator);
        let value = (n > 0 && k <= n).then(|| k as f64 / n as f64);
        let effective = (self.sum_of_squares > 0.0).then(|| {
            let sum = n as f64;
            sum * sum / self.sum_of_squares
        });
        let interval = match (value, effective) {
            (Some(p), Some(n_eff)) => wilson_at(p, n_eff).map(|mut i| {
                if k == 0 {
                    i.low = 0.0;
                }
                if k == n {
                    i.high = 1.0;
                }
                i
            }),
            _ => None,
        };
        WeightedRate {
            numerator: k,
            denominator: n,
            value,
            interval,
            defects: self.defects,
            effective_defects: effective,
            small_sample: self.defects < SMALL_SAMPLE,
        }
    }
}

#[cfg(test)]
mod tests;
