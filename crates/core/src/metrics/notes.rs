//! Confidence notes in words: what each number means, how sure it is, and whether two
//! numbers may be compared. Plain text for reports and the dashboard (templates escape it).

use super::cells::DurationKind;
use super::definition::{MetricDefinition, ScopeSwitches};
use super::durations::DurationStats;
use super::escape::EscapeRates;
use super::rate::{Interval, Rate, SMALL_SAMPLE};
use crate::Pipeline;

mod confidence;
mod shift;

pub use confidence::confidence_notes;
pub use shift::{Estimate, duration_shift_note, median_class, shift_note};

/// What the defect escape rate is, for the page that shows it.
pub const ESCAPE_RATE_DEFINITION: &str = "Defect escape rate: defects found after the boundary \
stage, divided by all defects found, in scope, over the window.";

/// What the severity-weighted rate is and how its interval is computed.
pub const WEIGHTED_RATE_DEFINITION: &str = "Severity-weighted escape rate: the same, with each \
defect counted by its severity weight. Its 95% interval is a Wilson interval at the effective \
number of defects, (sum of weights)² / (sum of squared weights), which is smaller than the \
number of defects when weights differ: a few heavy defects are not a large sample.";

/// What DDP is.
pub const DDP_DEFINITION: &str = "Defect detection percentage (DDP): of all defects in scope, \
the share found before release, that is at any stage before the last one of the pipeline \
(before production in the default pipeline). Tallied early defects count as found before \
release.";

/// What the median of a duration means, given the buckets it is kept in.
pub const MEDIAN_DEFINITION: &str = "Durations are kept in classes about 41% wide, so the \
median is given as the class it falls in, with an estimate inside it; the mean is exact.";

/// `0.2105…` as `21.1%`.
#[must_use]
pub fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

/// `15.0–21.9%`.
#[must_use]
pub fn interval_text(interval: &Interval) -> String {
    format!("{:.1}–{:.1}%", interval.low * 100.0, interval.high * 100.0)
}

/// "1 escape", "2 escapes", "0 escapes".
#[must_use]
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "21.1% (8 of 38 defects; 95% CI 11.1–36.3%)", marked when too small to conclude from.
#[must_use]
pub fn rate_note(rate: &Rate) -> String {
    let (Some(value), Some(interval)) = (rate.value, rate.interval) else {
        return "no defects in scope".to_owned();
    };
    let base = format!(
        "{} ({} of {}; 95% CI {})",
        percent(value),
        rate.numerator,
        plural(rate.denominator, "defect", "defects"),
        interval_text(&interval)
    );
    if rate.small_sample {
        format!("{base}, too few defects to conclude from (fewer than {SMALL_SAMPLE})")
    } else {
        base
    }
}

fn for_segment(segment: &str) -> String {
    let segment = segment.trim();
    if segment.is_empty() {
        String::new()
    } else {
        format!(" for {segment}")
    }
}

/// Whether the escape rate moved between two windows, and whether the move may be noise.
///
/// A window with fewer than [`SMALL_SAMPLE`] defects is too small to compare; otherwise the
/// note gives both rates with their 95% intervals and says whether the intervals overlap.
#[must_use]
pub fn comparison_note(
    label_current: &str,
    current: &EscapeRates,
    label_previous: &str,
    previous: &EscapeRates,
    segment: &str,
) -> String {
    let seg = for_segment(segment);
    let (cur, prev) = (&current.plain, &previous.plain);
    let has = |label: &str, r: &Rate| {
        format!(
            "{label} has {}{seg} ({})",
            plural(r.denominator, "defect", "defects"),
            plural(r.numerator, "escape", "escapes")
        )
    };
    match (cur.small_sample, prev.small_sample) {
        (true, true) => {
            return format!(
                "{label_current} and {label_previous} have {} and {} defects{seg}: too few to compare.",
                cur.denominator, prev.denominator
            );
        }
        (true, false) => {
            return format!(
                "{}: too few to compare with {label_previous}.",
                has(label_current, cur)
            );
        }
        (false, true) => {
            return format!(
                "{}: too few to compare with {label_current}.",
                has(label_previous, prev)
            );
        }
        (false, false) => {}
    }
    let (Some(now), Some(then), Some(now_ci), Some(then_ci)) =
        (cur.value, prev.value, cur.interval, prev.interval)
    else {
        return format!("{label_current} and {label_previous} cannot be compared{seg}.");
    };
    if percent(now) == percent(then) {
        return format!(
            "Escape rate{seg} stayed at {} in {label_previous} (95% CI {}) and {label_current} ({}).",
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
        "Escape rate{seg} {moved} from {} (95% CI {}) in {label_previous} to {} ({}) in {label_current}; {verdict}.",
        percent(then),
        interval_text(&then_ci),
        percent(now),
        interval_text(&now_ci)
    )
}

/// A warning when two windows were computed under different definition versions.
#[must_use]
pub fn version_note(
    label_previous: &str,
    prev_version: i32,
    label_current: &str,
    cur_version: i32,
) -> Option<String> {
    (prev_version != cur_version).then(|| {
        format!(
            "{label_previous} was computed under definition version {prev_version} and \
             {label_current} under version {cur_version}: the numbers are not strictly comparable."
        )
    })
}

/// The definition in words: the boundary, what is in and out of scope, the weights and the
/// reopened policy.
#[must_use]
pub fn definition_note(def: &MetricDefinition, pipeline: &Pipeline) -> String {
    let boundary = pipeline.label_of(def.boundary.after().as_str());
    let (mut counted, mut left_out) = (Vec::new(), Vec::new());
    for (bit, _, label) in ScopeSwitches::FIELDS {
        if def.scope.includes(bit) {
            counted.push(label.to_lowercase());
        } else {
            left_out.push(label.to_lowercase());
        }
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.join("; ")
        }
    };
    let w = &def.weights;
    format!(
        "Escapes are defects found after {boundary}. Counted: {}. Left out: {}. Severity \
         weights: critical {}, high {}, medium {}, low {}. Reopened defects: {}.",
        list(&counted),
        list(&left_out),
        w.critical,
        w.high,
        w.medium,
        w.low,
        lowercase_first(def.reopened.label())
    )
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}

/// `5400.0` as "1.5 hours": minutes under an hour, hours under two days, days under two
/// years, then years; one decimal, dropped when it is zero.
#[must_use]
pub fn duration_words(seconds: f64) -> String {
    const HOUR: f64 = 3600.0;
    const DAY: f64 = 24.0 * HOUR;
    const YEAR: f64 = 365.25 * DAY;
    let (amount, one, many) = if seconds < HOUR {
        ((seconds / 60.0).round(), "minute", "minutes")
    } else if seconds < 2.0 * DAY {
        (seconds / HOUR, "hour", "hours")
    } else if seconds < 2.0 * YEAR {
        (seconds / DAY, "day", "days")
    } else {
        (seconds / YEAR, "year", "years")
    };
    let text = format!("{amount:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {}", if text == "1" { one } else { many })
}

/// "Median time to detect: between 1.3 and 1.9 days (about 1.6 days); mean 2.3 days, over 41
/// defects. 5 without an introduction date are left out."
#[must_use]
pub fn duration_note(stats: &DurationStats) -> String {
    let (what, unknown) = match stats.kind {
        DurationKind::Detect => ("time to detect", "without an introduction date"),
        DurationKind::Resolve => ("time to resolve", "still open"),
    };
    let mut note = match (&stats.median, stats.mean_seconds) {
        (Some(m), Some(mean)) => {
            let range = median_class(m.low_seconds, m.high_seconds);
            format!(
                "Median {what}: {range} (about {}); mean {}, over {}.",
                duration_words(m.estimate_seconds),
                duration_words(mean),
                plural(stats.measured, "defect", "defects")
            )
        }
        _ => format!("No defect has a known {what}."),
    };
    if stats.unknown > 0 {
        let verb = if stats.unknown == 1 { "is" } else { "are" };
        note.push_str(&format!(
            " {} {unknown} {verb} left out.",
            plural(stats.unknown, "defect", "defects")
        ));
    }
    note
}

#[cfg(test)]
mod tests;
