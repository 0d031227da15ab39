//! The date formats trackers write into their exports.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::form::{YEARS, parse_datetime};

/// Formats with a time of day, read as UTC: ISO with a space, slashes, Jira's
/// `01/Dec/25 10:15 AM` and its four-digit year, and day-first with dots.
const DATETIME_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%d/%b/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
];

/// Formats without a time of day, read as midnight UTC.
const DATE_FORMATS: &[&str] = &["%Y/%m/%d", "%d/%b/%y", "%d/%b/%Y", "%d %b %Y", "%d.%m.%Y"];

/// An instant written in one of the formats trackers export: RFC 3339 (`2024-03-15T14:30:00Z`
/// or with an offset), `YYYY-MM-DD` with or without a time (`T` or a space), `YYYY/MM/DD`,
/// Jira's `15/Mar/24 2:30 PM`, `15 Mar 2024` and day-first `15.03.2024`. Times without an
/// offset are UTC. Slashed day-month forms with numbers only (`03/04/2024`) are refused:
/// nobody can tell which is the month. Years outside 1900–9999 are refused too.
#[must_use]
pub fn parse_import_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(at) = parse_datetime(text) {
        return Some(at);
    }
    let sane = |at: DateTime<Utc>| YEARS.contains(&chrono::Datelike::year(&at)).then_some(at);
    for format in DATETIME_FORMATS {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return sane(naive.and_utc());
        }
    }
    for format in DATE_FORMATS {
        if let Ok(date) = NaiveDate::parse_from_str(text, format) {
            return sane(date.and_time(NaiveTime::MIN).and_utc());
        }
    }
    None
}

/// What to tell someone whose date could not be read.
pub const DATE_HINT: &str = "is not a date this importer reads: write it like 2024-03-15, 2024-03-15 14:30 or 2024-03-15T14:30:00Z";
