//! The priority score of a backlog item, with the parts a reader checks it by.
//!
//! score = severity-weighted escapes × recency × recurrence ÷ effort
//!
//! - **severity-weighted escapes**: the sum of the definition's severity weights over the
//!   escapes the item addresses (8 / 4 / 2 / 1 by default);
//! - **recency**: the weighted mean of ½^(age ÷ 180 days) over those escapes, where age is the
//!   days from discovery to today, so an escape found half a year ago counts half;
//! - **recurrence**: 1 + ½ for every further quarter in which the escapes were discovered
//!   (one quarter 1.0, two 1.5, three 2.0);
//! - **effort**: Small 1, Medium 2, Large 4; a suggested item, whose effort is not yet known,
//!   is scored as Medium.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;

use super::Priority;
use crate::metrics::definition::SeverityWeights;
use crate::metrics::quarter::Quarter;
use crate::taxonomy::{Effort, Severity};

/// The days after which an escape counts half in the recency factor.
pub const RECENCY_HALF_LIFE_DAYS: f64 = 180.0;

/// What each further quarter with escapes adds to the recurrence factor.
pub const RECURRENCE_STEP: f64 = 0.5;

/// The formula in words, as the backlog page writes it out.
pub const FORMULA: &str = "score = severity-weighted escapes × recency × recurrence ÷ effort";

/// The effort a suggested item is scored with until someone sizes it.
pub const SUGGESTED_EFFORT: Effort = Effort::M;

/// What an item's effort divides its score by.
#[must_use]
pub const fn effort_divisor(effort: Effort) -> f64 {
    match effort {
        Effort::S => 1.0,
        Effort::M => 2.0,
        Effort::L => 4.0,
    }
}

/// The recency weight of one escape discovered `age_days` before today (1 today, ½ at the
/// half-life; a date in the future counts as today).
#[must_use]
pub fn recency_weight(age_days: i64) -> f64 {
    let age = age_days.max(0) as f64;
    0.5_f64.powf(age / RECENCY_HALF_LIFE_DAYS)
}

/// Collects the escapes an item addresses, one at a time, so a query can stream its rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreParts {
    escapes: u32,
    weighted: u64,
    decayed: f64,
    quarters: BTreeSet<Quarter>,
}

impl ScoreParts {
    #[must_use]
    pub fn new() -> ScoreParts {
        ScoreParts::default()
    }

    /// Counts one escape of `severity`, discovered on `discovered_on`, as of `today`.
    pub fn add(
        &mut self,
        weights: &SeverityWeights,
        severity: Severity,
        discovered_on: NaiveDate,
        today: NaiveDate,
    ) {
        let w = weights.of(severity);
        self.escapes += 1;
        self.weighted += u64::from(w);
        self.decayed += f64::from(w) * recency_weight((today - discovered_on).num_days());
        self.quarters.insert(Quarter::of_date(discovered_on));
    }

    /// The score of an item of `effort` addressing the escapes added so far.
    #[must_use]
    pub fn score(&self, effort: Effort) -> Score {
        let weighted = self.weighted as f64;
        let recency = if self.weighted == 0 {
            0.0
        } else {
            self.decayed / weighted
        };
        let quarters = u32::try_from(self.quarters.len()).unwrap_or(u32::MAX);
        let recurrence = 1.0 + RECURRENCE_STEP * f64::from(quarters.saturating_sub(1));
        let value = weighted * recency * recurrence / effort_divisor(effort);
        Score {
            escapes: self.escapes,
            weighted: self.weighted,
            recency,
            quarters,
            recurrence,
            effort,
            value,
        }
    }
}

/// An item's priority score and its parts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    /// How many escapes the item addresses.
    pub escapes: u32,
    /// The sum of their severity weights.
    pub weighted: u64,
    /// The recency factor, in (0, 1]; 0 when the item addresses no escape.
    pub recency: f64,
    /// In how many quarters they were discovered.
    pub quarters: u32,
    /// The recurrence factor, 1 + ½ per further quarter.
    pub recurrence: f64,
    pub effort: Effort,
    /// The score itself.
    pub value: f64,
}

impl Score {
    /// The priority band the score falls in.
    #[must_use]
    pub fn priority(&self) -> Priority {
        Priority::of_score(self.value)
    }

    /// The breakdown in words, with the numbers: "12 weighted × 0.84 recency × 1.5 recurrence
    /// (2 quarters) ÷ 2 (Medium) = 15.1".
    #[must_use]
    pub fn breakdown(&self) -> String {
        let quarters = if self.quarters == 1 {
            "1 quarter".to_owned()
        } else {
            format!("{} quarters", self.quarters)
        };
        format!(
            "{} weighted × {:.2} recency × {:.1} recurrence ({quarters}) ÷ {} ({}) = {:.1}",
            self.weighted,
            self.recency,
            self.recurrence,
            effort_divisor(self.effort),
            self.effort.label(),
            self.value
        )
    }
}
