//! Calendar quarters in UTC: the unit of the roll-up, the trends and the quarterly report.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// A calendar quarter of a year, in UTC (`2026-Q3` is July to September 2026).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    year: i32,
    q: u8,
}

/// Text that names no quarter.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{0}` is not a quarter: write it as 2026-Q3")]
pub struct QuarterError(pub String);

/// The years a quarter may fall in: enough for any defect record, small enough that every
/// quarter's code and start time are representable.
const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

impl Quarter {
    /// The quarter `q` (1 to 4) of `year` (1970 to 9999).
    #[must_use]
    pub fn new(year: i32, q: u8) -> Option<Quarter> {
        ((1..=4).contains(&q) && YEARS.contains(&year)).then_some(Quarter { year, q })
    }

    /// The quarter that contains the instant `at` (UTC), clamped to the supported years.
    #[must_use]
    pub fn of(at: DateTime<Utc>) -> Quarter {
        Quarter::of_date(at.date_naive())
    }

    /// The quarter that contains the day `date`, clamped to the supported years.
    #[must_use]
    pub fn of_date(date: NaiveDate) -> Quarter {
        let year = date.year().clamp(*YEARS.start(), *YEARS.end());
        // `month0` is 0..=11, so the quarter is 1..=4.
        let q = u8::try_from(date.month0() / 3 + 1).unwrap_or(4);
        Quarter { year, q }
    }

    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    /// 1 to 4.
    #[must_use]
    pub fn number(self) -> u8 {
        self.q
    }

    /// The stored form: `year * 10 + quarter` (`20263` for 2026-Q3), ordered like quarters.
    #[must_use]
    pub fn code(self) -> i32 {
        self.year * 10 + i32::from(self.q)
    }

    /// The quarter stored as [`Quarter::code`].
    #[must_use]
    pub fn from_code(code: i32) -> Option<Quarter> {
        Quarter::new(code.div_euclid(10), u8::try_from(code.rem_euclid(10)).ok()?)
    }

    /// Parses `2026-Q3` (also `2026-q3` and `2026Q3`), surrounding whitespace ignored.
    pub fn parse(text: &str) -> Result<Quarter, QuarterError> {
        let err = || QuarterError(text.to_owned());
        let t = text.trim();
        let (year, q) = t
            .split_once(['Q', 'q'])
            .map(|(y, q)| (y.strip_suffix('-').unwrap_or(y), q))
            .ok_or_else(err)?;
        if year.len() != 4 || q.len() != 1 {
            return Err(err());
        }
        let year: i32 = year.parse().map_err(|_| err())?;
        let q: u8 = q.parse().map_err(|_| err())?;
        Quarter::new(year, q).ok_or_else(err)
    }

    /// The quarter after this one; the last supported quarter stays itself.
    #[must_use]
    pub fn next(self) -> Quarter {
        match self.q {
            4 => Quarter::new(self.year + 1, 1).unwrap_or(self),
            q => Quarter { q: q + 1, ..self },
        }
    }

    /// The quarter before this one; the first supported quarter stays itself.
    #[must_use]
    pub fn prev(self) -> Quarter {
        match self.q {
            1 => Quarter::new(self.year - 1, 4).unwrap_or(self),
            q => Quarter { q: q - 1, ..self },
        }
    }

    /// The first day of the quarter.
    #[must_use]
    pub fn first_day(self) -> NaiveDate {
        let month = u32::from(self.q) * 3 - 2;
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the quarter.
    #[must_use]
    pub fn last_day(self) -> NaiveDate {
        let next = self.next();
        if next == self {
            return NaiveDate::from_ymd_opt(self.year, 12, 31).unwrap_or(NaiveDate::MAX);
        }
        next.first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// The first instant of the quarter (UTC midnight of its first day).
    #[must_use]
    pub fn start(self) -> DateTime<Utc> {
        Utc.from_utc_datetime(&self.first_day().and_time(chrono::NaiveTime::MIN))
    }

    /// The quarters from `first` to `last`, both included, in order (empty if `last < first`).
    pub fn range(first: Quarter, last: Quarter) -> impl Iterator<Item = Quarter> {
        let mut at = Some(first).filter(|f| *f <= last);
        std::iter::from_fn(move || {
            let q = at?;
            let next = q.next();
            at = (q < last && next != q).then_some(next);
            Some(q)
        })
    }

    /// How people read it: "Q3 2026".
    #[must_use]
    pub fn label(self) -> String {
        format!("Q{} {}", self.q, self.year)
    }
}

impl fmt::Display for Quarter {
    /// The URL and CSV form: `2026-Q3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

impl FromStr for Quarter {
    type Err = QuarterError;
    fn from_str(s: &str) -> Result<Quarter, QuarterError> {
        Quarter::parse(s)
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Quarter, D::Error> {
        let text = String::deserialize(d)?;
        Quarter::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
    }

    #[test]
    fn quarters_start_and_end_at_utc_year_boundaries() {
        assert_eq!(
            Quarter::of(utc(2026, 12, 31, 23, 59, 59)).to_string(),
            "2026-Q4"
        );
        assert_eq!(Quarter::of(utc(2027, 1, 1, 0, 0, 0)).to_string(), "2027-Q1");
        assert_eq!(
            Quarter::of(utc(2026, 3, 31, 23, 59, 59)).to_string(),
            "2026-Q1"
        );
        assert_eq!(Quarter::of(utc(2026, 4, 1, 0, 0, 0)).to_string(), "2026-Q2");
        let q4 = Quarter::new(2026, 4).unwrap();
        assert_eq!(q4.next(), Quarter::new(2027, 1).unwrap());
        assert_eq!(q4.next().prev(), q4);
        assert_eq!(
            q4.last_day(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
        assert_eq!(q4.start(), utc(2026, 10, 1, 0, 0, 0));
    }

    #[test]
    fn an_instant_in_another_zone_belongs_to_its_utc_quarter() {
        let tokyo = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
        // 1 Jan 2027 08:00 in Tokyo is still 31 Dec 2026 in UTC.
        let at = tokyo.with_ymd_and_hms(2027, 1, 1, 8, 0, 0).unwrap();
        assert_eq!(Quarter::of(at.with_timezone(&Utc)).to_string(), "2026-Q4");
    }

    #[test]
    fn parsing_accepts_the_written_forms_and_names_the_bad_ones() {
        for text in ["2026-Q3", "2026-q3", "2026Q3", " 2026-Q3 "] {
            assert_eq!(
                Quarter::parse(text).unwrap(),
                Quarter::new(2026, 3).unwrap()
            );
        }
        for text in [
            "2026-Q5", "2026-Q0", "26-Q3", "2026-3", "", "Q3", "2026-Q", "1969-Q4",
        ] {
            assert!(Quarter::parse(text).is_err(), "{text}");
        }
        assert_eq!(
            Quarter::parse("x").unwrap_err().to_string(),
            "`x` is not a quarter: write it as 2026-Q3"
        );
    }

    #[test]
    fn a_range_lists_every_quarter_once_in_order() {
        let first = Quarter::new(2025, 3).unwrap();
        let last = Quarter::new(2026, 2).unwrap();
        let all: Vec<String> = Quarter::range(first, last).map(|q| q.to_string()).collect();
        assert_eq!(all, ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]);
        assert_eq!(Quarter::range(last, first).count(), 0);
        assert_eq!(Quarter::range(first, first).count(), 1);
    }

    #[test]
    fn serde_uses_the_url_form() {
        let q = Quarter::new(2026, 3).unwrap();
        assert_eq!(serde_json::to_string(&q).unwrap(), "\"2026-Q3\"");
        assert_eq!(serde_json::from_str::<Quarter>("\"2026-Q3\"").unwrap(), q);
        assert_eq!(q.label(), "Q3 2026");
    }

    proptest! {
        #[test]
        fn code_text_and_days_round_trip(year in 1970i32..=9999, q in 1u8..=4) {
            let quarter = Quarter::new(year, q).unwrap();
            prop_assert_eq!(Quarter::from_code(quarter.code()), Some(quarter));
            prop_assert_eq!(Quarter::parse(&quarter.to_string()).unwrap(), quarter);
            prop_assert_eq!(Quarter::of_date(quarter.first_day()), quarter);
            prop_assert_eq!(Quarter::of_date(quarter.last_day()), quarter);
            prop_assert!(quarter.first_day() <= quarter.last_day());
        }

        #[test]
        fn codes_order_like_quarters(a in 19700i32..99999, b in 19700i32..99999) {
            if let (Some(x), Some(y)) = (Quarter::from_code(a), Quarter::from_code(b)) {
                prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            }
        }

        #[test]
        fn every_instant_lies_in_its_quarter(secs in 0i64..253_402_300_799) {
            let at = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let q = Quarter::of(at);
            prop_assert!(q.start() <= at);
            if q.next() != q {
                prop_assert!(at < q.next().start());
            }
        }
    }
}
