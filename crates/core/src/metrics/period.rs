//! A range of days (UTC) that metrics and lists are filtered by: whole quarters, or any
//! first and last day. The roll-up answers whole quarters; the days of a quarter the range
//! only partly covers are counted from the defects themselves, so [`Period::split`] says
//! which is which.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Serialize;
use thiserror::Error;

use super::quarter::Quarter;

/// The days from `first` to `last`, both included, in UTC; `first <= last` always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Period {
    first: NaiveDate,
    last: NaiveDate,
}

/// Text that names neither a quarter nor a day.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("“{0}” is neither a quarter nor a day: write 2026-Q3 or 2026-07-15")]
pub struct BoundError(pub String);

/// Which end of a period a bound is: a quarter as the first bound means its first day, as
/// the last bound its last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    First,
    Last,
}

/// Parses one bound of a period: a quarter (`2026-Q3`) or a day (`2026-07-15`), as the
/// day it stands for at `end`.
pub fn parse_bound(text: &str, end: End) -> Result<NaiveDate, BoundError> {
    let t = text.trim();
    if let Ok(q) = Quarter::parse(t) {
        return Ok(match end {
            End::First => q.first_day(),
            End::Last => q.last_day(),
        });
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .filter(|d| Quarter::new(chrono::Datelike::year(d), 1).is_some())
        .ok_or_else(|| BoundError(t.to_owned()))
}

impl Period {
    /// The days from `a` to `b` in whichever order they come.
    #[must_use]
    pub fn new(a: NaiveDate, b: NaiveDate) -> Period {
        Period {
            first: a.min(b),
            last: a.max(b),
        }
    }

    /// The quarters `first` to `last` (in whichever order), whole.
    #[must_use]
    pub fn quarters(first: Quarter, last: Quarter) -> Period {
        let (a, b) = (first.min(last), first.max(last));
        Period {
            first: a.first_day(),
            last: b.last_day(),
        }
    }

    #[must_use]
    pub fn first(self) -> NaiveDate {
        self.first
    }

    #[must_use]
    pub fn last(self) -> NaiveDate {
        self.last
    }

    /// The number of days, both ends included.
    #[must_use]
    pub fn days(self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// The first instant of the period (UTC midnight of its first day).
    #[must_use]
    pub fn start(self) -> DateTime<Utc> {
        Utc.from_utc_datetime(&self.first.and_time(NaiveTime::MIN))
    }

    /// The first instant after the period, or `None` at the end of the calendar.
    #[must_use]
    pub fn end(self) -> Option<DateTime<Utc>> {
        let next = self.last.checked_add_signed(Duration::days(1))?;
        Some(Utc.from_utc_datetime(&next.and_time(NaiveTime::MIN)))
    }

    /// Whether the instant `at` falls in the period.
    #[must_use]
    pub fn contains(self, at: DateTime<Utc>) -> bool {
        at >= self.start() && self.end().is_none_or(|end| at < end)
    }

    /// The quarters the period touches, first and last.
    #[must_use]
    pub fn cover(self) -> (Quarter, Quarter) {
        (Quarter::of_date(self.first), Quarter::of_date(self.last))
    }

    /// Whether the period starts on a quarter's first day and ends on a quarter's last.
    #[must_use]
    pub fn whole_quarters(self) -> bool {
        let (a, b) = self.cover();
        self.first == a.first_day() && self.last == b.last_day()
    }

    /// The part of the period inside `quarter`, if any.
    #[must_use]
    pub fn clip(self, quarter: Quarter) -> Option<Period> {
        let first = self.first.max(quarter.first_day());
        let last = self.last.min(quarter.last_day());
        (first <= last).then_some(Period { first, last })
    }

    /// The days of `quarter` outside the period: none, one or two ranges.
    #[must_use]
    pub fn rest_of(self, quarter: Quarter) -> Vec<Period> {
        let (first, last) = (quarter.first_day(), quarter.last_day());
        let Some(inside) = self.clip(quarter) else {
            return vec![Period { first, last }];
        };
        let mut rest = Vec::new();
        if let Some(before) = inside.first.pred_opt().filter(|d| *d >= first) {
            rest.push(Period {
                first,
                last: before,
            });
        }
        if let Some(after) = inside.last.succ_opt().filter(|d| *d <= last) {
            rest.push(Period { first: after, last });
        }
        rest
    }

    /// The days of the period up to `today`, both included (0 when it starts later).
    #[must_use]
    pub fn days_until(self, today: NaiveDate) -> i64 {
        if today < self.first {
            0
        } else {
            Period::new(self.first, self.last.min(today)).days()
        }
    }

    /// The whole quarters inside the period (first and last), and the parts of quarters
    /// it covers only partly: at most one at each end, or one if the period lies inside a
    /// single quarter. Together they are the period, each day exactly once.
    #[must_use]
    pub fn split(self) -> (Option<(Quarter, Quarter)>, Vec<Period>) {
        let (a, b) = self.cover();
        let mut parts = Vec::new();
        let first_whole = if self.first == a.first_day() && (a < b || self.last == a.last_day()) {
            Some(a)
        } else {
            parts.extend(self.clip(a));
            (a < b).then(|| a.next())
        };
        let last_whole = if self.last == b.last_day() {
            Some(b)
        } else {
            if a < b {
                parts.extend(self.clip(b));
            }
            (a < b).then(|| b.prev())
        };
        let whole = match (first_whole, last_whole) {
            (Some(f), Some(l)) if f <= l => Some((f, l)),
            _ => None,
        };
        (whole, parts)
    }

    /// The first bound as a filter writes it: the quarter when the period starts on a
    /// quarter's first day, else the day.
    #[must_use]
    pub fn first_text(self) -> String {
        let q = Quarter::of_date(self.first);
        if self.first == q.first_day() {
            q.to_string()
        } else {
            self.first.to_string()
        }
    }

    /// The last bound as a filter writes it: the quarter when the period ends on a
    /// quarter's last day, else the day.
    #[must_use]
    pub fn last_text(self) -> String {
        let q = Quarter::of_date(self.last);
        if self.last == q.last_day() {
            q.to_string()
        } else {
            self.last.to_string()
        }
    }

    /// How people read it: "Q1 2026 to Q3 2026", "Q3 2026", "15 Jan 2026 to 30 Nov 2026".
    #[must_use]
    pub fn label(self) -> String {
        let (a, b) = self.cover();
        if self.whole_quarters() {
            if a == b {
                a.label()
            } else {
                format!("{} to {}", a.label(), b.label())
            }
        } else if self.first == self.last {
            self.first.format("%-d %b %Y").to_string()
        } else {
            format!(
                "{} to {}",
                self.first.format("%-d %b %Y"),
                self.last.format("%-d %b %Y")
            )
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn q(s: &str) -> Quarter {
        Quarter::parse(s).unwrap()
    }

    #[test]
    fn bounds_are_quarters_or_days() {
        assert_eq!(
            parse_bound("2026-Q3", End::First).unwrap(),
            day("2026-07-01")
        );
        assert_eq!(
            parse_bound(" 2026-Q3 ", End::Last).unwrap(),
            day("2026-09-30")
        );
        assert_eq!(
            parse_bound("2026-02-28", End::Last).unwrap(),
            day("2026-02-28")
        );
        assert!(parse_bound("2026-02-30", End::First).is_err());
        assert!(parse_bound("Q3", End::First).is_err());
        assert!(parse_bound("", End::First).is_err());
        let err = parse_bound("soon", End::First).unwrap_err();
        assert!(err.to_string().contains("2026-07-15"), "{err}");
    }

    #[test]
    fn whole_quarters_split_into_themselves() {
        let p = Period::quarters(q("2026-Q1"), q("2026-Q3"));
        assert!(p.whole_quarters());
        assert_eq!(p.split(), (Some((q("2026-Q1"), q("2026-Q3"))), vec![]));
        assert_eq!(p.label(), "Q1 2026 to Q3 2026");
        assert_eq!(
            (p.first_text(), p.last_text()),
            ("2026-Q1".into(), "2026-Q3".into())
        );
    }

    #[test]
    fn partial_ends_become_parts() {
        let p = Period::new(day("2026-01-15"), day("2026-11-30"));
        let (whole, parts) = p.split();
        assert_eq!(whole, Some((q("2026-Q2"), q("2026-Q3"))));
        assert_eq!(
            parts,
            vec![
                Period::new(day("2026-01-15"), day("2026-03-31")),
                Period::new(day("2026-10-01"), day("2026-11-30")),
            ]
        );
        assert_eq!(p.label(), "15 Jan 2026 to 30 Nov 2026");
        assert_eq!(
            (p.first_text(), p.last_text()),
            ("2026-01-15".into(), "2026-11-30".into())
        );
    }

    #[test]
    fn inside_one_quarter_is_one_part() {
        let p = Period::new(day("2026-08-01"), day("2026-08-30"));
        assert_eq!(p.split(), (None, vec![p]));
        let p = Period::new(day("2026-07-01"), day("2026-08-30"));
        assert_eq!(p.split(), (None, vec![p]));
        assert_eq!(p.first_text(), "2026-Q3");
        assert_eq!(p.days(), 61);
    }

    #[test]
    fn adjacent_partial_quarters_have_no_whole_one() {
        let p = Period::new(day("2025-12-15"), day("2026-01-10"));
        assert_eq!(
            p.split(),
            (
                None,
                vec![
                    Period::new(day("2025-12-15"), day("2025-12-31")),
                    Period::new(day("2026-01-01"), day("2026-01-10")),
                ]
            )
        );
        assert_eq!(p.cover(), (q("2025-Q4"), q("2026-Q1")));
    }

    #[test]
    fn instants_fall_in_by_utc_day() {
        let p = Period::new(day("2026-01-15"), day("2026-01-15"));
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert!(p.contains(at("2026-01-15T00:00:00Z")));
        assert!(p.contains(at("2026-01-15T23:59:59Z")));
        assert!(!p.contains(at("2026-01-16T00:00:00Z")));
        assert!(!p.contains(at("2026-01-14T23:59:59Z")));
        assert!(!p.contains(at("2026-01-15T01:00:00+02:00")));
        assert_eq!(p.label(), "15 Jan 2026");
    }

    #[test]
    fn the_rest_of_a_quarter_is_what_the_period_leaves_out() {
        let q3 = q("2026-Q3");
        let p = Period::new(day("2026-08-01"), day("2026-08-30"));
        assert_eq!(
            p.rest_of(q3),
            vec![
                Period::new(day("2026-07-01"), day("2026-07-31")),
                Period::new(day("2026-08-31"), day("2026-09-30")),
            ]
        );
        let p = Period::new(day("2026-07-01"), day("2026-08-30"));
        assert_eq!(
            p.rest_of(q3),
            vec![Period::new(day("2026-08-31"), day("2026-09-30"))]
        );
        assert!(Period::quarters(q3, q3).rest_of(q3).is_empty());
        assert_eq!(
            p.rest_of(q("2026-Q4")),
            vec![Period::quarters(q("2026-Q4"), q("2026-Q4"))]
        );
        assert_eq!(p.days_until(day("2026-07-10")), 10);
        assert_eq!(p.days_until(day("2026-06-10")), 0);
        assert_eq!(p.days_until(day("2027-01-01")), 61);
    }

    proptest! {
        /// A part of a quarter and the rest of it hold each day of the quarter once.
        #[test]
        fn a_part_and_its_rest_make_the_quarter(start in 0i64..3000, len in 0i64..200) {
            let first = day("2020-01-01") + Duration::days(start);
            let p = Period::new(first, first + Duration::days(len));
            for part in p.split().1 {
                let quarter = part.cover().0;
                let rest: i64 = part.rest_of(quarter).iter().map(|r| r.days()).sum();
                prop_assert_eq!(rest + part.days(), Period::quarters(quarter, quarter).days());
            }
        }

        /// Whole quarters and parts together hold every day of the period exactly once.
        #[test]
        fn split_covers_each_day_once(start in 0i64..3000, len in 0i64..900) {
            let first = day("2020-01-01") + Duration::days(start);
            let p = Period::new(first, first + Duration::days(len));
            let (whole, parts) = p.split();
            prop_assert!(parts.len() <= 2);
            let mut days = 0i64;
            if let Some((a, b)) = whole {
                let w = Period::quarters(a, b);
                prop_assert!(w.first() >= p.first() && w.last() <= p.last());
                days += w.days();
                for part in &parts {
                    prop_assert!(part.last() < w.first() || part.first() > w.last());
                }
            }
            for part in &parts {
                prop_assert!(part.first() >= p.first() && part.last() <= p.last());
                prop_assert!(!part.whole_quarters());
                let (a, b) = part.cover();
                prop_assert_eq!(a, b);
                days += part.days();
            }
            prop_assert_eq!(days, p.days());
            prop_assert_eq!(p.whole_quarters(), parts.is_empty());
        }
    }
}
