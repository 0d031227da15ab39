//! One column value between the database and the file: read as the type the column is
//! declared with, written in the one JSON form both engines share, and bound back as the
//! type the target's column is declared with (SQLite keeps UUIDs as 16-byte blobs and
//! timestamps as text, PostgreSQL has native types; both read back the same values).

use chrono::{DateTime, NaiveDate, SecondsFormat, SubsecRound, Utc};
use sea_orm::{QueryResult, TryGetable, Value};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::Backend;

/// The kinds of column the schema uses, each with one JSON form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Uuid,
    /// A timestamp with time zone, kept in UTC.
    Timestamp,
    Date,
    Bool,
    SmallInt,
    Int,
    BigInt,
    Text,
}

impl Kind {
    /// The kind of a column declared as `declared` on `backend`; `None` for a type backups
    /// do not handle yet, so a new kind of column stops a backup instead of being mangled.
    pub fn of_declared(backend: Backend, declared: &str) -> Option<Kind> {
        let declared = declared.trim().to_ascii_lowercase();
        let base = declared.split('(').next().unwrap_or_default().trim();
        match backend {
            // sea-query's SQLite names; every SQLite integer is 64 bits wide.
            Backend::Sqlite => match base {
                "uuid_text" => Some(Kind::Uuid),
                "timestamp_with_timezone_text" => Some(Kind::Timestamp),
                "date_text" => Some(Kind::Date),
                "boolean" => Some(Kind::Bool),
                "integer" | "smallint" | "bigint" | "tinyint" => Some(Kind::BigInt),
                "text" | "varchar" | "char" => Some(Kind::Text),
                _ => None,
            },
            Backend::Postgres => match base {
                "uuid" => Some(Kind::Uuid),
                "timestamp with time zone" => Some(Kind::Timestamp),
                "date" => Some(Kind::Date),
                "boolean" => Some(Kind::Bool),
                "smallint" => Some(Kind::SmallInt),
                "integer" => Some(Kind::Int),
                "bigint" => Some(Kind::BigInt),
                "text" | "character varying" | "character" => Some(Kind::Text),
                _ => None,
            },
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Kind::Uuid => "a UUID",
            Kind::Timestamp => "an RFC 3339 timestamp",
            Kind::Date => "a date (YYYY-MM-DD)",
            Kind::Bool => "true or false",
            Kind::SmallInt | Kind::Int | Kind::BigInt => "an integer",
            Kind::Text => "a string",
        }
    }

    /// The cell at `index` of `row` in its JSON form.
    pub fn read(self, row: &QueryResult, index: usize) -> Result<Json, sea_orm::DbErr> {
        fn get<T: TryGetable>(
            row: &QueryResult,
            index: usize,
        ) -> Result<Option<T>, sea_orm::DbErr> {
            row.try_get_by_index::<Option<T>>(index)
                .map_err(|e| sea_orm::DbErr::Type(e.to_string()))
        }
        Ok(match self {
            Kind::Uuid => {
                get::<Uuid>(row, index)?.map_or(Json::Null, |u| Json::from(u.to_string()))
            }
            Kind::Timestamp => {
                get::<DateTime<Utc>>(row, index)?.map_or(Json::Null, |t| Json::from(timestamp(t)))
            }
            Kind::Date => get::<NaiveDate>(row, index)?
                .map_or(Json::Null, |d| Json::from(d.format("%Y-%m-%d").to_string())),
            Kind::Bool => get::<bool>(row, index)?.map_or(Json::Null, Json::from),
            Kind::SmallInt => get::<i16>(row, index)?.map_or(Json::Null, Json::from),
            Kind::Int => get::<i32>(row, index)?.map_or(Json::Null, Json::from),
            Kind::BigInt => get::<i64>(row, index)?.map_or(Json::Null, Json::from),
            Kind::Text => get::<String>(row, index)?.map_or(Json::Null, Json::from),
        })
    }

    /// The JSON form `json` as a value to bind to a column of this kind, or what was
    /// expected instead.
    pub fn bind(self, json: &Json) -> Result<Value, String> {
        let wrong = || format!("expected {}, found {}", self.expected(), shown(json));
        if json.is_null() {
            return Ok(match self {
                Kind::Uuid => Value::Uuid(None),
                Kind::Timestamp => Value::ChronoDateTimeUtc(None),
                Kind::Date => Value::ChronoDate(None),
                Kind::Bool => Value::Bool(None),
                Kind::SmallInt => Value::SmallInt(None),
                Kind::Int => Value::Int(None),
                Kind::BigInt => Value::BigInt(None),
                Kind::Text => Value::String(None),
            });
        }
        Ok(match self {
            Kind::Uuid => {
                let text = json.as_str().ok_or_else(wrong)?;
                Value::Uuid(Some(Uuid::parse_str(text).map_err(|_| wrong())?))
            }
            Kind::Timestamp => {
                let text = json.as_str().ok_or_else(wrong)?;
                let at = DateTime::parse_from_rfc3339(text).map_err(|_| wrong())?;
                Value::ChronoDateTimeUtc(Some(at.with_timezone(&Utc)))
            }
            Kind::Date => {
                let text = json.as_str().ok_or_else(wrong)?;
                Value::ChronoDate(Some(
                    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| wrong())?,
                ))
            }
            Kind::Bool => Value::Bool(Some(json.as_bool().ok_or_else(wrong)?)),
            Kind::SmallInt => {
                let n = json.as_i64().ok_or_else(wrong)?;
                Value::SmallInt(Some(i16::try_from(n).map_err(|_| wrong())?))
            }
            Kind::Int => {
                let n = json.as_i64().ok_or_else(wrong)?;
                Value::Int(Some(i32::try_from(n).map_err(|_| wrong())?))
            }
            Kind::BigInt => Value::BigInt(Some(json.as_i64().ok_or_else(wrong)?)),
            Kind::Text => Value::String(Some(json.as_str().ok_or_else(wrong)?.to_owned())),
        })
    }
}

/// A timestamp in the file's form: UTC, RFC 3339, cut to the microsecond PostgreSQL keeps.
fn timestamp(at: DateTime<Utc>) -> String {
    at.trunc_subsecs(6)
        .to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A JSON value as an error message quotes it, shortened.
fn shown(json: &Json) -> String {
    let text = json.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_binds_its_own_json_form_and_null() {
        for (kind, json) in [
            (
                Kind::Uuid,
                Json::from("0190f3c2-7a1b-7cde-8f00-0123456789ab"),
            ),
            (Kind::Timestamp, Json::from("2026-12-02T18:30:00.123456Z")),
            (Kind::Date, Json::from("2026-12-02")),
            (Kind::Bool, Json::from(true)),
            (Kind::SmallInt, Json::from(7)),
            (Kind::Int, Json::from(-7)),
            (Kind::BigInt, Json::from(i64::MAX)),
            (Kind::Text, Json::from("{\"a\": 1}")),
        ] {
            assert!(kind.bind(&json).is_ok(), "{kind:?} {json}");
            assert!(kind.bind(&Json::Null).is_ok(), "{kind:?} null");
        }
    }

    #[test]
    fn a_wrong_value_says_what_was_expected() {
        assert_eq!(
            Kind::Int.bind(&Json::from(1_i64 << 40)).err().as_deref(),
            Some("expected an integer, found 1099511627776")
        );
        assert_eq!(
            Kind::Uuid.bind(&Json::from("nope")).err().as_deref(),
            Some("expected a UUID, found \"nope\"")
        );
    }

    #[test]
    fn timestamps_keep_microseconds_in_utc() {
        let at = DateTime::parse_from_rfc3339("2026-12-02T19:30:00.123456789+01:00")
            .map(|t| t.with_timezone(&Utc))
            .ok();
        assert_eq!(
            at.map(timestamp).as_deref(),
            Some("2026-12-02T18:30:00.123456Z")
        );
    }
}
