//! How a figure other than the plain escape rate moved between two windows, in words: the
//! weighted rate and DDP by their 95% intervals, the medians by their duration classes.

use super::{duration_words, interval_text, percent, plural};
use crate::metrics::durations::DurationStats;
use crate::metrics::rate::{Interval, Rate, SMALL_SAMPLE, WeightedRate};

/// What a comparison needs of a rate, plain or weighted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: Option<f64>,
    pub interval: Option<Interval>,
    /// The defects behind it.
    pub defects: u64,
    pub small_sample: bool,
}

impl From<&Rate> for Estimate {
    fn from(r: &Rate) -> Estimate {
        Estimate {
            value: r.value,
            interval: r.interval,
            defects: r.denominator,
            small_sample: r.small_sample,
        }
    }
}

impl From<&WeightedRate> for Estimate {
    fn from(r: &WeightedRate) -> Estimate {
        Estimate {
            value: r.value,
            interval: r.interval,
            defects: r.defects,
            small_sample: r.small_sample,
        }
    }
}

/// "DDP fell from 95.0% (95% CI 83.5–98.6%) in Q2 2026 to 92.1% (79.2–97.3%) in Q3 2026;
/// the intervals overlap, so the change may be noise." A window with fewer than
/// [`SMALL_SAMPLE`] defects is not compared.
#[must_use]
pub fn shift_note(
    what: &str,
    label_current: &str,
    current: Estimate,
    label_previous: &str,
    previous: Estimate,
) -> String {
    let too_few = |label: &str, e: Estimate, other: &str| {
        format!(
            "{what}: {label} has {}, too few to compare with {other}.",
            plural(e.defects, "defect", "defects")
        )
    };
    if current.small_sample {
        return too_few(label_current, current, label_previous);
    }
    if previous.small_sample {
        return too_few(label_previous, previous, label_current);
    }
    let (Some(now), Some(then), Some(now_ci), Some(then_ci)) = (
        current.value,
        previous.value,
        current.interval,
        previous.interval,
    ) else {
        return format!("{what}: {label_current} and {label_previous} cannot be compared.");
    };
    if percent(now) == percent(then) {
        return format!(
            "{what} stayed at {} in {label_previous} (95% CI {}) and {label_current} ({}).",
            percent(now),
            interval_text(&then_ci),
            interval_text(&now_ci)
        );
    }
    let moved = if now > then { "rose" } else { "fell" };
    let verdict = if now_ci.overlaps(&then_ci) {
        "the intervals overlap, so the change may be noise"
    } else {
        "the intervals do not overlap, so the change is unlikely to be noise alone"
    };
    format!(
        "{what} {moved} from {} (95% CI {}) in {label_previous} to {} ({}) in {label_current}; {verdict}.",
        percent(then),
        interval_text(&then_ci),
        percent(now),
        interval_text(&now_ci)
    )
}

/// "between 7.5 and 10.7 days", or "more than 84 years" for the open-ended class.
#[must_use]
pub fn median_class(low_seconds: i64, high_seconds: i64) -> String {
    if high_seconds == i64::MAX {
        format!("more than {}", duration_words(low_seconds as f64))
    } else {
        format!(
            "between {} and {}",
            duration_words(low_seconds as f64),
            duration_words(high_seconds as f64)
        )
    }
}

/// How a median duration moved: a window with fewer than [`SMALL_SAMPLE`] measured
/// defects is not compared, and medians in the same duration class did not move as far as
/// the classes can tell.
#[must_use]
pub fn duration_shift_note(
    what: &str,
    label_current: &str,
    current: &DurationStats,
    label_previous: &str,
    previous: &DurationStats,
) -> String {
    let too_few = |label: &str, s: &DurationStats, other: &str| {
        format!(
            "{what}: {label} has {} measured, too few to compare with {other}.",
            plural(s.measured, "defect", "defects")
        )
    };
    if current.measured < SMALL_SAMPLE {
        return too_few(label_current, current, label_previous);
    }
    if previous.measured < SMALL_SAMPLE {
        return too_few(label_previous, previous, label_current);
    }
    let (Some(now), Some(then)) = (&current.median, &previous.median) else {
        return format!("{what}: {label_current} and {label_previous} cannot be compared.");
    };
    if now.low_seconds == then.low_seconds && now.high_seconds == then.high_seconds {
        return format!(
            "{what} stayed in the same class, {}, in {label_previous} and {label_current}.",
            median_class(now.low_seconds, now.high_seconds)
        );
    }
    let moved = if now.estimate_seconds > then.estimate_seconds {
        "rose"
    } else {
        "fell"
    };
    format!(
        "{what} {moved} from about {} ({}) in {label_previous} to about {} ({}) in {label_current}.",
        duration_words(then.estimate_seconds),
        median_class(then.low_seconds, then.high_seconds),
        duration_words(now.estimate_seconds),
        median_class(now.low_seconds, now.high_seconds)
    )
}
