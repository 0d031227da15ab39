//! Did it work? For a done action, the escapes of the same team, mechanism and component in
//! equal windows before and after the day it was done.
//!
//! The window is 90 days, or the days since completion when fewer have passed; under 14 days
//! it is too early to tell.

use chrono::{Days, NaiveDate};
use serde::Serialize;

/// The longest window on each side, in days.
pub const WINDOW_DAYS: u64 = 90;
/// The shortest window worth comparing, in days.
pub const MIN_WINDOW_DAYS: u64 = 14;

/// What the comparison found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No escape of the cluster since it was done (there were some before).
    NoRecurrence,
    /// Fewer after than before.
    Fewer,
    /// As many or more after than before.
    NotFewer,
    /// No escape on either side: nothing to compare.
    NoEscapes,
    /// Fewer than [`MIN_WINDOW_DAYS`] since it was done.
    TooEarly,
}

impl Verdict {
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Verdict::NoRecurrence => "No recurrence",
            Verdict::Fewer => "Fewer escapes",
            Verdict::NotFewer => "Not fewer",
            Verdict::NoEscapes => "No escapes either side",
            Verdict::TooEarly => "Too early to tell",
        }
    }
}

/// The windows and their counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Effect {
    /// The first day of the window before (inclusive).
    pub before_from: NaiveDate,
    /// The day the action was done: the window after starts here.
    pub done_on: NaiveDate,
    /// The last day of the window after (inclusive).
    pub after_to: NaiveDate,
    pub window_days: u64,
    pub before: u32,
    pub after: u32,
    pub verdict: Verdict,
}

/// The window each side of `done_on` as of `today`: `(before_from, after_to, days)`.
#[must_use]
pub fn windows(done_on: NaiveDate, today: NaiveDate) -> (NaiveDate, NaiveDate, u64) {
    let elapsed = u64::try_from((today - done_on).num_days()).unwrap_or(0);
    let days = elapsed.min(WINDOW_DAYS);
    let before_from = done_on.checked_sub_days(Days::new(days)).unwrap_or(done_on);
    let after_to = if days == 0 {
        done_on
    } else {
        done_on
            .checked_add_days(Days::new(days - 1))
            .unwrap_or(done_on)
    };
    (before_from, after_to, days)
}

/// Compares the escapes discovered on `discovered` dates (the cluster's; any order, any range)
/// before and after `done_on`.
#[must_use]
pub fn effect(
    done_on: NaiveDate,
    today: NaiveDate,
    discovered: impl IntoIterator<Item = NaiveDate>,
) -> Effect {
    let (before_from, after_to, window_days) = windows(done_on, today);
    let (mut before, mut after) = (0u32, 0u32);
    if window_days > 0 {
        for d in discovered {
            if d >= before_from && d < done_on {
                before += 1;
            } else if d >= done_on && d <= after_to {
                after += 1;
            }
        }
    }
    let verdict = if window_days < MIN_WINDOW_DAYS {
        Verdict::TooEarly
    } else if before == 0 && after == 0 {
        Verdict::NoEscapes
    } else if after == 0 {
        Verdict::NoRecurrence
    } else if after < before {
        Verdict::Fewer
    } else {
        Verdict::NotFewer
    };
    Effect {
        before_from,
        done_on,
        after_to,
        window_days,
        before,
        after,
        verdict,
    }
}

/// The effects of the actions done in one period, summed for the backlog's sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct EffectSummary {
    pub done: u32,
    pub no_recurrence: u32,
    pub fewer: u32,
    pub not_fewer: u32,
    pub no_escapes: u32,
    pub too_early: u32,
}

impl EffectSummary {
    pub fn add(&mut self, verdict: Verdict) {
        self.done += 1;
        match verdict {
            Verdict::NoRecurrence => self.no_recurrence += 1,
            Verdict::Fewer => self.fewer += 1,
            Verdict::NotFewer => self.not_fewer += 1,
            Verdict::NoEscapes => self.no_escapes += 1,
            Verdict::TooEarly => self.too_early += 1,
        }
    }

    /// "3 of 5 actions done in Q3 2026 show no recurrence; 1 fewer escapes, 1 too early to tell".
    #[must_use]
    pub fn sentence(&self, period: &str) -> String {
        if self.done == 0 {
            return format!("No action was done in {period}.");
        }
        let actions = if self.done == 1 { "action" } else { "actions" };
        let verb = if self.no_recurrence == 1 {
            "shows"
        } else {
            "show"
        };
        let mut rest = Vec::new();
        for (n, words) in [
            (self.fewer, "fewer escapes"),
            (self.not_fewer, "not fewer"),
            (self.no_escapes, "no escapes either side"),
            (self.too_early, "too early to tell"),
        ] {
            if n > 0 {
                rest.push(format!("{n} {words}"));
            }
        }
        let tail = if rest.is_empty() {
            String::new()
        } else {
            format!("; {}", rest.join(", "))
        };
        format!(
            "{} of {} {actions} done in {period} {verb} no recurrence{tail}.",
            self.no_recurrence, self.done
        )
    }
}
