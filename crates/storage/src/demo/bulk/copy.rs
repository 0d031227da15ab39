//! Defect rows in PostgreSQL's `COPY` text format: one line per row, columns separated by
//! tabs, `\N` for NULL, and the four bytes that would end a column or a row (backslash, tab,
//! newline, carriage return) escaped with a backslash, so any text reads back as it was.
//! Values are written the way PostgreSQL prints them, at the precision sqlx binds them
//! (timestamps to the microsecond), so a copied row equals an inserted one.

use std::io::Write;

use chrono::{DateTime, Datelike, Timelike, Utc};
use escapement_core::NewDefect;
use sea_orm::Value;
use sea_orm::sea_query::SimpleExpr;
use uuid::Uuid;

use super::COLUMNS;

/// `COPY defects (…) FROM STDIN`, the columns in the order [`push_row`] writes them.
pub(crate) fn copy_sql() -> String {
    format!("COPY defects ({}) FROM STDIN", COLUMNS.join(", "))
}

/// Appends `s` as one column: the bytes COPY reads as delimiters or escapes are escaped,
/// everything else (any UTF-8, other control characters) is copied as it is.
pub(crate) fn push_text(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escaped);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

fn push_null(out: &mut Vec<u8>) {
    out.extend_from_slice(b"\\N");
}

fn push_opt_text(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => push_text(out, s),
        None => push_null(out),
    }
}

fn push_uuid(out: &mut Vec<u8>, id: Uuid) {
    let mut buf = [0_u8; uuid::fmt::Hyphenated::LENGTH];
    out.extend_from_slice(id.hyphenated().encode_lower(&mut buf).as_bytes());
}

fn push_opt_uuid(out: &mut Vec<u8>, id: Option<Uuid>) {
    match id {
        Some(id) => push_uuid(out, id),
        None => push_null(out),
    }
}

/// A UTC timestamp as ISO 8601 with microseconds (truncated, as sqlx binds them) and an
/// explicit `+00` offset; years before 1 AD in PostgreSQL's `BC` notation.
pub(crate) fn push_time(out: &mut Vec<u8>, at: DateTime<Utc>) {
    let (bc, year) = match at.year() {
        y if y <= 0 => (true, 1 - i64::from(y)),
        y => (false, i64::from(y)),
    };
    // A leap second (nanoseconds past 10^9) is kept inside its second, as sqlx does.
    let micros = (at.nanosecond() / 1_000).min(999_999);
    // Writing into a Vec cannot fail.
    let _ = write!(
        out,
        "{year:04}-{:02}-{:02} {:02}:{:02}:{:02}.{micros:06}+00{}",
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        if bc { " BC" } else { "" }
    );
}

fn push_opt_time(out: &mut Vec<u8>, at: Option<DateTime<Utc>>) {
    match at {
        Some(at) => push_time(out, at),
        None => push_null(out),
    }
}

fn push_bool(out: &mut Vec<u8>, b: bool) {
    out.push(if b { b't' } else { b'f' });
}

fn push_int(out: &mut Vec<u8>, n: i64) {
    let _ = write!(out, "{n}");
}

/// Appends the line of one defect, in [`COLUMNS`] order, with the same values the
/// multi-row insert binds.
pub(crate) fn push_row(out: &mut Vec<u8>, id: Uuid, d: &NewDefect, now: DateTime<Utc>) {
    fn tab(out: &mut Vec<u8>) {
        out.push(b'\t');
    }
    push_uuid(out, id);
    tab(out);
    push_uuid(out, d.team_id);
    tab(out);
    push_opt_uuid(out, d.component_id);
    tab(out);
    push_opt_uuid(out, d.release_id);
    tab(out);
    push_text(out, &d.title);
    tab(out);
    push_text(out, &d.description);
    tab(out);
    for key in [d.severity.key(), d.defect_type.key(), d.origin.key()] {
        push_text(out, key);
        tab(out);
    }
    push_text(out, d.discovery_stage.as_str());
    tab(out);
    push_opt_text(out, d.expected_catch_stage.as_ref().map(|k| k.as_str()));
    tab(out);
    push_text(out, d.detected_by.key());
    tab(out);
    push_opt_time(out, d.introduced_at);
    tab(out);
    push_time(out, d.detected_at);
    tab(out);
    push_opt_time(out, d.resolved_at);
    tab(out);
    push_int(
        out,
        i64::from(i32::try_from(d.reopened_count).unwrap_or(i32::MAX)),
    );
    for flag in [
        d.scope.confirmed,
        d.scope.known_issue_accepted,
        d.scope.cosmetic,
        d.scope.test_environment,
        d.scope.data_migration,
    ] {
        tab(out);
        push_bool(out, flag);
    }
    tab(out);
    push_opt_text(out, d.external_key.as_deref());
    tab(out);
    push_opt_text(out, d.incident_link.as_deref());
    tab(out);
    push_time(out, now);
    tab(out);
    push_time(out, now);
    tab(out);
    push_int(out, 1);
    out.push(b'\n');
}

/// Appends one bound value as a column, or returns false for a kind of value this does
/// not write (the caller then inserts the rows instead).
pub(crate) fn push_value(out: &mut Vec<u8>, value: &Value) -> bool {
    match value {
        Value::Bool(Some(b)) => push_bool(out, *b),
        Value::TinyInt(Some(n)) => push_int(out, i64::from(*n)),
        Value::SmallInt(Some(n)) => push_int(out, i64::from(*n)),
        Value::Int(Some(n)) => push_int(out, i64::from(*n)),
        Value::BigInt(Some(n)) => push_int(out, *n),
        Value::String(Some(s)) => push_text(out, s),
        Value::Uuid(Some(id)) => push_uuid(out, *id),
        Value::ChronoDateTimeUtc(Some(at)) => push_time(out, *at),
        Value::Bool(None)
        | Value::TinyInt(None)
        | Value::SmallInt(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::String(None)
        | Value::Uuid(None)
        | Value::ChronoDateTimeUtc(None) => push_null(out),
        _ => return false,
    }
    true
}

/// Appends `rows` of plain values as lines, or returns false (having appended part of
/// them) when one holds anything but a value [`push_value`] writes.
pub(crate) fn push_value_rows(out: &mut Vec<u8>, rows: &[Vec<SimpleExpr>]) -> bool {
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            let SimpleExpr::Value(value) = cell else {
                return false;
            };
            if !push_value(out, value) {
                return false;
            }
        }
        out.push(b'\n');
    }
    true
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn text(s: &str) -> String {
        let mut out = Vec::new();
        push_text(&mut out, s);
        String::from_utf8(out).expect("utf-8 in, utf-8 out")
    }

    /// What PostgreSQL reads back from a column of COPY text (the inverse of `push_text`,
    /// after the documented escapes; `None` for `\N`).
    fn unescape(column: &str) -> Option<String> {
        if column == "\\N" {
            return None;
        }
        let mut out = String::new();
        let mut chars = column.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('\\') => out.push('\\'),
                other => panic!("an escape COPY would misread: \\{other:?}"),
            }
        }
        Some(out)
    }

    #[test]
    fn plain_text_is_copied_as_it_is() {
        assert_eq!(text("Checkout: total is wrong"), "Checkout: total is wrong");
        assert_eq!(text(""), "");
        assert_eq!(text("naïve 日本語 🚀"), "naïve 日本語 🚀");
    }

    #[test]
    fn delimiters_escapes_and_the_null_marker_are_escaped() {
        assert_eq!(text("a\tb"), "a\\tb");
        assert_eq!(text("line\nnext\r\n"), "line\\nnext\\r\\n");
        assert_eq!(text("C:\\path\\"), "C:\\\\path\\\\");
        // A title that is literally \N must not read back as NULL.
        assert_eq!(text("\\N"), "\\\\N");
        // Nor may a line that is literally \. end the data.
        assert_eq!(text("\\."), "\\\\.");
    }

    #[test]
    fn nasty_strings_read_back_exactly_and_never_split_a_row() {
        let nasty = [
            "\\",
            "\\\\N",
            "\t\t",
            "\n\\.\n",
            "tab\there\\tnot",
            "\r",
            "end with backslash\\",
            "\u{1}\u{7f}\u{85}\u{2028}",
            "quote \" and ' and , and ;",
            "é\\\tè",
        ];
        for s in nasty {
            let escaped = text(s);
            assert!(
                !escaped.contains(['\t', '\n', '\r']),
                "{s:?} escaped to {escaped:?}"
            );
            assert_eq!(unescape(&escaped).as_deref(), Some(s), "{s:?}");
        }
    }

    #[test]
    fn value_rows_are_written_and_anything_else_refused() {
        let rows = vec![
            vec![
                SimpleExpr::Value(Value::SmallInt(Some(-1))),
                SimpleExpr::Value(Value::String(Some("a\tb".to_owned()))),
                SimpleExpr::Value(Value::Uuid(None)),
                SimpleExpr::Value(Value::BigInt(Some(i64::MAX))),
            ],
            vec![
                SimpleExpr::Value(Value::SmallInt(Some(2))),
                SimpleExpr::Value(Value::String(Some(String::new()))),
                SimpleExpr::Value(Value::Uuid(Some(Uuid::nil()))),
                SimpleExpr::Value(Value::BigInt(Some(0))),
            ],
        ];
        let mut out = Vec::new();
        assert!(push_value_rows(&mut out, &rows));
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "-1\ta\\tb\t\\N\t9223372036854775807\n\
             2\t\t00000000-0000-0000-0000-000000000000\t0\n"
        );
        let odd = vec![vec![SimpleExpr::Value(Value::Double(Some(1.5)))]];
        assert!(!push_value_rows(&mut Vec::new(), &odd));
        let expr = vec![vec![sea_orm::sea_query::Expr::cust("now()")]];
        assert!(!push_value_rows(&mut Vec::new(), &expr));
    }

    #[test]
    fn times_are_utc_with_microseconds_truncated() {
        let mut out = Vec::new();
        let at = Utc
            .with_ymd_and_hms(2026, 12, 3, 9, 5, 7)
            .single()
            .expect("a time")
            + chrono::Duration::nanoseconds(123_456_789);
        push_time(&mut out, at);
        assert_eq!(out, b"2026-12-03 09:05:07.123456+00");
        out.clear();
        let bc = Utc
            .with_ymd_and_hms(0, 1, 2, 0, 0, 0)
            .single()
            .expect("a time");
        push_time(&mut out, bc);
        assert_eq!(out, b"0001-01-02 00:00:00.000000+00 BC");
    }

    #[test]
    fn a_row_has_every_column_once_and_nulls_as_the_null_marker() {
        let d = escapement_core::NewDefect {
            title: "two\tcolumns?\nno".to_owned(),
            description: String::new(),
            severity: escapement_core::Severity::High,
            defect_type: escapement_core::DefectType::Functional,
            origin: escapement_core::Origin::Code,
            discovery_stage: escapement_core::StageKey::parse("unit_test").expect("a stage"),
            expected_catch_stage: None,
            detected_by: escapement_core::DetectedBy::AutomatedTest,
            team_id: Uuid::nil(),
            component_id: None,
            release_id: None,
            introduced_at: None,
            detected_at: Utc
                .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
                .single()
                .expect("a time"),
            resolved_at: None,
            reopened_count: 0,
            scope: escapement_core::ScopeFlags::default(),
            external_key: None,
            incident_link: None,
        };
        let mut out = Vec::new();
        push_row(&mut out, Uuid::max(), &d, d.detected_at);
        let line = String::from_utf8(out).expect("utf-8");
        let line = line.strip_suffix('\n').expect("one line");
        let columns: Vec<&str> = line.split('\t').collect();
        assert_eq!(columns.len(), COLUMNS.len());
        assert_eq!(columns[0], "ffffffff-ffff-ffff-ffff-ffffffffffff");
        assert_eq!(unescape(columns[4]).as_deref(), Some("two\tcolumns?\nno"));
        assert_eq!(columns[5], "");
        assert_eq!(columns[2], "\\N");
        assert_eq!(columns[10], "\\N");
        assert_eq!(columns[14], "\\N");
        assert_eq!(columns[25], "1");
    }
}
