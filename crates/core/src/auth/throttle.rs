//! Login throttling: how many recent failures slow an attempt down, and when to refuse it.

use chrono::TimeDelta;

/// How failed logins within a sliding window are answered.
///
/// Default: a 15-minute window; 5 free failures; then a delay of 1 s that doubles with each
/// further failure up to 30 s; from 20 failures on, refusal for the length of the window.
/// The caller counts failures per account and per client address, asks for a decision for
/// each count, and applies [`ThrottleDecision::stricter`] of the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// How far back failures are counted.
    pub window: TimeDelta,
    /// How many failures in the window cost nothing.
    pub free_failures: u32,
    /// From this many failures in the window on, attempts are refused.
    pub max_failures: u32,
    /// The delay after the first failure beyond the free ones.
    pub base_delay: TimeDelta,
    /// The longest delay imposed before refusal takes over.
    pub max_delay: TimeDelta,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            window: TimeDelta::minutes(15),
            free_failures: 5,
            max_failures: 20,
            base_delay: TimeDelta::seconds(1),
            max_delay: TimeDelta::seconds(30),
        }
    }
}

/// What to do with a login attempt. Variants are ordered from mildest to strictest (`Ord`),
/// delays and refusals by their length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ThrottleDecision {
    /// Check the password now.
    Allow,
    /// Wait this long before checking the password.
    Delay(TimeDelta),
    /// Do not check the password; answer 429 with `Retry-After`.
    Refuse { retry_after: TimeDelta },
}

impl ThrottlePolicy {
    /// The decision for an attempt preceded by `failures_in_window` failures.
    ///
    /// Guarantees: up to `free_failures` failures allow; each further failure doubles the delay
    /// from `base_delay`, never above `max_delay` (nor below zero); at `max_failures` or more
    /// the attempt is refused for `window`. Stricter for more failures, never milder.
    #[must_use]
    pub fn decide(&self, failures_in_window: u32) -> ThrottleDecision {
        if failures_in_window >= self.max_failures {
            return ThrottleDecision::Refuse {
                retry_after: self.window,
            };
        }
        if failures_in_window <= self.free_failures {
            return ThrottleDecision::Allow;
        }
        let doublings = failures_in_window - self.free_failures - 1;
        let delay = if doublings >= 31 {
            self.max_delay
        } else {
            self.base_delay
                .checked_mul(1_i32 << doublings)
                .map_or(self.max_delay, |d| d.min(self.max_delay))
        };
        ThrottleDecision::Delay(delay.max(TimeDelta::zero()))
    }
}

impl ThrottleDecision {
    /// The stricter of two decisions (per account and per client address); commutative.
    #[must_use]
    pub fn stricter(self, other: ThrottleDecision) -> ThrottleDecision {
        self.max(other)
    }

    /// For a refusal, the `Retry-After` value in whole seconds, rounded up.
    #[must_use]
    pub fn retry_after_seconds(self) -> Option<i64> {
        match self {
            ThrottleDecision::Refuse { retry_after } => Some(whole_seconds_up(retry_after)),
            ThrottleDecision::Allow | ThrottleDecision::Delay(_) => None,
        }
    }

    /// For a refusal, the sentence to show above the login form, e.g.
    /// "Too many failed login attempts. Try again in 15 minutes."
    #[must_use]
    pub fn refusal_message(self) -> Option<String> {
        let ThrottleDecision::Refuse { retry_after } = self else {
            return None;
        };
        let seconds = whole_seconds_up(retry_after);
        let wait = if seconds <= 60 {
            plural(seconds.max(1), "second")
        } else {
            // Rounding up so the user never retries too early.
            plural((seconds + 59) / 60, "minute")
        };
        Some(format!(
            "Too many failed login attempts. Try again in {wait}."
        ))
    }
}

/// The length of `delta` in whole seconds, rounded up, never negative.
fn whole_seconds_up(delta: TimeDelta) -> i64 {
    let seconds = delta.num_seconds();
    let rounded = if delta.subsec_nanos() > 0 {
        seconds.saturating_add(1)
    } else {
        seconds
    };
    rounded.max(0)
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}
