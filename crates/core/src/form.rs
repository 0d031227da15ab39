//! Parsing of raw form text (dates, ids, checkboxes, lengths) shared by the form validators.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use uuid::Uuid;

use crate::errors::ValidationErrors;

/// The format edit forms use for date-times (`<input type="datetime-local">`).
pub const DATETIME_INPUT_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// A checkbox's value: absent, empty, `false`, `off`, `0` or `no` (any case) are false;
/// anything else that is present (`on`, `true`, `1`, `yes`, …) is true.
#[must_use]
pub fn checkbox(value: Option<&str>) -> bool {
    match value.map(str::trim) {
        None | Some("") => false,
        Some(v) => !["false", "off", "0", "no"]
            .iter()
            .any(|f| v.eq_ignore_ascii_case(f)),
    }
}

/// The years a date in a form may fall in: anything earlier or later is a typo (year -1,
/// year 20260), refused like a date that does not exist.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

fn sane<D: chrono::Datelike>(date: D) -> Option<D> {
    YEARS.contains(&date.year()).then_some(date)
}

/// A calendar date written `YYYY-MM-DD` in the years [`YEARS`], ignoring surrounding
/// whitespace.
#[must_use]
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .and_then(sane)
}

/// An instant written `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM` or
/// `YYYY-MM-DDTHH:MM:SS` (both UTC), or RFC 3339 with an offset, in the years [`YEARS`];
/// surrounding whitespace ignored.
#[must_use]
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    parse_any_datetime(text).and_then(sane)
}

fn parse_any_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Some(date) = parse_date(text) {
        return Some(date.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// True when `text` holds a character no form field or query parameter may carry: NUL and
/// the other C0 control characters and DEL. Tab, line feed and carriage return are text
/// (a multi-line field sends `\r\n`).
#[must_use]
pub fn has_control_character(text: &str) -> bool {
    text.chars()
        .any(|c| (c.is_ascii_control()) && !matches!(c, '\t' | '\n' | '\r'))
}

/// The name people read for a form field or query parameter called `key`, for messages
/// about input that no form's own validation sees (control characters, invalid UTF-8):
/// `incident_date` reads "Incident date", `team_id` "Team", `q` "Search text".
#[must_use]
pub fn field_label(key: &str) -> String {
    match key {
        "q" => return "Search text".to_owned(),
        "csrf_token" => return "Form token".to_owned(),
        _ => {}
    }
    let key = key.trim_end_matches("[]");
    let key = key.strip_suffix("_id").unwrap_or(key);
    let words = key.replace('_', " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "A field".to_owned(),
    }
}

/// The number of characters (not bytes) in `text`.
#[must_use]
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// A required, trimmed name of at most `max` characters; records `empty` or `too_long` on `field`.
pub(crate) fn required_text(
    errors: &mut ValidationErrors,
    field: &'static str,
    text: &str,
    max: usize,
    empty: &str,
    too_long: &str,
) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        errors.push(field, empty);
        None
    } else if char_len(text) > max {
        errors.push(field, too_long);
        None
    } else {
        Some(text.to_owned())
    }
}

/// A required id; records `message` on `field` when it is empty or not a UUID.
pub(crate) fn required_uuid(
    errors: &mut ValidationErrors,
    field: &'static str,
    text: &str,
    message: &str,
) -> Option<Uuid> {
    let parsed = Uuid::parse_str(text.trim()).ok();
    if parsed.is_none() {
        errors.push(field, message);
    }
    parsed
}

/// An optional id: empty is `None`; records `message` on `field` when it is not a UUID.
pub(crate) fn optional_uuid(
    errors: &mut ValidationErrors,
    field: &'static str,
    text: &str,
    message: &str,
) -> Option<Uuid> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    required_uuid(errors, field, text, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single()
    }

    #[test]
    fn checked_checkbox_values_are_true() {
        for v in ["on", "true", "1", "yes", "ON", " True "] {
            assert!(checkbox(Some(v)), "{v}");
        }
    }

    #[test]
    fn absent_empty_or_negative_checkbox_values_are_false() {
        assert!(!checkbox(None));
        for v in ["", " ", "false", "off", "0", "no", "FALSE", "Off"] {
            assert!(!checkbox(Some(v)), "{v}");
        }
    }

    #[test]
    fn a_plain_date_is_midnight_utc() {
        assert_eq!(parse_datetime("2024-03-15"), utc(2024, 3, 15, 0, 0, 0));
        assert_eq!(parse_datetime(" 2024-03-15 "), utc(2024, 3, 15, 0, 0, 0));
    }

    #[test]
    fn a_local_date_time_with_or_without_seconds_is_read_as_utc() {
        assert_eq!(
            parse_datetime("2024-03-15T14:30"),
            utc(2024, 3, 15, 14, 30, 0)
        );
        assert_eq!(
            parse_datetime("2024-03-15T14:30:45"),
            utc(2024, 3, 15, 14, 30, 45)
        );
    }

    #[test]
    fn an_rfc_3339_date_time_is_converted_to_utc() {
        assert_eq!(
            parse_datetime("2024-03-15T14:30:00Z"),
            utc(2024, 3, 15, 14, 30, 0)
        );
        assert_eq!(
            parse_datetime("2024-03-15T14:30:00+02:00"),
            utc(2024, 3, 15, 12, 30, 0)
        );
        assert_eq!(
            parse_datetime("2024-03-15T14:30:00.5-01:00"),
            Utc.timestamp_millis_opt(1_710_516_600_500).single()
        );
    }

    #[test]
    fn impossible_or_malformed_dates_are_rejected() {
        for bad in [
            "",
            "2024-02-30",
            "2024-13-01",
            "15/03/2024",
            "2024-03-15T25:00",
            "yesterday",
            "2024-03-15T14",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2024-03-15T10:00"), None);
        assert_eq!(
            parse_date("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
    }

    #[test]
    fn characters_are_counted_not_bytes() {
        assert_eq!(char_len("héllo"), 5);
        assert_eq!(char_len("🦀"), 1);
    }
}

#[cfg(test)]
mod input_text_tests {
    use super::*;

    #[test]
    fn nul_and_other_controls_are_refused_but_line_breaks_and_tabs_are_text() {
        assert!(has_control_character("a\u{0}b"));
        assert!(has_control_character("\u{1b}[31m"));
        assert!(has_control_character("\u{7f}"));
        assert!(!has_control_character("two\r\nlines\tand a tab, ünïcode"));
    }

    #[test]
    fn dates_outside_the_sane_years_are_not_dates() {
        assert!(parse_date("-0001-03-15").is_none());
        assert!(parse_date("1899-12-31").is_none());
        assert!(parse_date("1900-01-01").is_some());
        assert!(parse_datetime("-0001-03-15T10:00").is_none());
        assert!(parse_datetime("+20260-03-15T10:00:00Z").is_none());
        assert!(parse_datetime("2026-03-15T10:00").is_some());
    }

    #[test]
    fn a_key_reads_as_a_label() {
        assert_eq!(field_label("incident_date"), "Incident date");
        assert_eq!(field_label("team_id"), "Team");
        assert_eq!(field_label("q"), "Search text");
        assert_eq!(field_label("participants[]"), "Participants");
        assert_eq!(field_label(""), "A field");
    }
}
