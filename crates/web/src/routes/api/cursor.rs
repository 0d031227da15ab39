//! Cursor pagination: a list answers a page and, when more follow, an opaque `next_cursor`
//! that names where the next page starts (the last row's sort key, so a deep page costs
//! what the first does, and rows added meanwhile neither repeat nor shift the pages).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use escapement_storage::defects::DefectKey;
use escapement_storage::reviews::ReviewKey;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::problem::ApiError;

/// Rows per page when `limit` is not given.
pub const DEFAULT_LIMIT: u64 = 50;
/// The largest `limit` accepted.
pub const MAX_LIMIT: u64 = 200;

/// The page size a `limit` parameter asks for: 1 to 200, 50 when blank.
pub fn limit(raw: &str) -> Result<u64, ApiError> {
    match raw.trim() {
        "" => Ok(DEFAULT_LIMIT),
        text => match text.parse::<u64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_field(
                "limit",
                format!("must be a whole number from 1 to {MAX_LIMIT}"),
            )),
        },
    }
}

fn encode(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

/// The text inside `raw` when it is a cursor of `kind`.
fn decode<'a>(raw: &str, kind: &str, buf: &'a mut String) -> Result<&'a str, ApiError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(raw.trim())
        .map_err(|_| bad_cursor())?;
    *buf = String::from_utf8(bytes).map_err(|_| bad_cursor())?;
    buf.strip_prefix(kind)
        .and_then(|rest| rest.strip_prefix(':'))
        .ok_or_else(bad_cursor)
}

fn split_key(text: &str) -> Option<(&str, Uuid)> {
    let (at, id) = text.rsplit_once('|')?;
    Some((at, Uuid::parse_str(id).ok()?))
}

fn bad_cursor() -> ApiError {
    ApiError::bad_field(
        "cursor",
        "is not a cursor this list gave out; start again without it",
    )
}

/// The cursor after the defect `key`.
pub fn defect_cursor(key: DefectKey) -> String {
    encode(&format!(
        "defects:{}|{}",
        key.detected_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        key.id
    ))
}

/// The defect key a `cursor` parameter names; `None` when blank.
pub fn defect_key(raw: &str) -> Result<Option<DefectKey>, ApiError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let mut buf = String::new();
    let text = decode(raw, "defects", &mut buf)?;
    let (at, id) = split_key(text).ok_or_else(bad_cursor)?;
    let detected_at = DateTime::parse_from_rfc3339(at)
        .map_err(|_| bad_cursor())?
        .with_timezone(&Utc);
    Ok(Some(DefectKey { detected_at, id }))
}

/// The cursor after the review `key`.
pub fn review_cursor(key: ReviewKey) -> String {
    encode(&format!("reviews:{}|{}", key.incident_date, key.id))
}

/// The review key a `cursor` parameter names; `None` when blank.
pub fn review_key(raw: &str) -> Result<Option<ReviewKey>, ApiError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let mut buf = String::new();
    let text = decode(raw, "reviews", &mut buf)?;
    let (day, id) = split_key(text).ok_or_else(bad_cursor)?;
    let incident_date = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| bad_cursor())?;
    Ok(Some(ReviewKey { incident_date, id }))
}

/// The cursor of a ranked list (the backlog, whose order is a score computed on reading):
/// how many items came before.
pub fn rank_cursor(offset: u64) -> String {
    encode(&format!("rank:{offset}"))
}

/// The offset a ranked list's `cursor` parameter names; 0 when blank.
pub fn rank_offset(raw: &str) -> Result<u64, ApiError> {
    if raw.trim().is_empty() {
        return Ok(0);
    }
    let mut buf = String::new();
    let text = decode(raw, "rank", &mut buf)?;
    text.parse::<u64>()
        .ok()
        .filter(|n| *n <= 1_000_000_000)
        .ok_or_else(bad_cursor)
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    /// The page's rows, in the list's order.
    pub items: Vec<T>,
    /// Where the next page starts: pass it as `cursor` with the same filters. `null` on the
    /// last page.
    pub next_cursor: Option<String>,
    /// The next page's address (the same filters and limit), `null` on the last page.
    pub next: Option<String>,
}

impl<T: ToSchema> Page<T> {
    /// A page of `rows` read with one row beyond `limit` to know whether more follow;
    /// `key` gives a row's cursor, `path` and `query` the list's address without the cursor.
    pub fn of<R>(
        mut rows: Vec<R>,
        limit: u64,
        key: impl Fn(&R) -> String,
        map: impl FnMut(R) -> T,
        path: &str,
        query: &[(&str, String)],
    ) -> Page<T> {
        let more = rows.len() as u64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next_cursor = if more { rows.last().map(key) } else { None };
        let next = next_cursor.as_ref().map(|c| next_href(path, query, c));
        Page {
            items: rows.into_iter().map(map).collect(),
            next_cursor,
            next,
        }
    }
}

/// `path` with the non-blank `query` pairs and `cursor`.
pub fn next_href(path: &str, query: &[(&str, String)], cursor: &str) -> String {
    let mut pairs: Vec<(&str, &str)> = query
        .iter()
        .filter(|(k, v)| *k != "cursor" && !v.trim().is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    pairs.push(("cursor", cursor));
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defect_cursors_round_trip_to_the_nanosecond() {
        let key = DefectKey {
            detected_at: DateTime::parse_from_rfc3339("2026-03-04T05:06:07.123456789Z")
                .expect("a time")
                .with_timezone(&Utc),
            id: Uuid::now_v7(),
        };
        let cursor = defect_cursor(key);
        assert_eq!(defect_key(&cursor).expect("a cursor"), Some(key));
    }

    #[test]
    fn a_cursor_of_another_list_or_garbage_is_refused() {
        let review = review_cursor(ReviewKey {
            incident_date: NaiveDate::from_ymd_opt(2026, 1, 2).expect("a day"),
            id: Uuid::now_v7(),
        });
        assert!(review_key(&review).expect("its own list").is_some());
        assert!(defect_key(&review).is_err());
        assert!(defect_key("not base64 !").is_err());
        assert!(rank_offset(&encode("rank:-1")).is_err());
        assert_eq!(rank_offset(&rank_cursor(75)).expect("a cursor"), 75);
        assert_eq!(defect_key("  ").expect("blank"), None);
    }

    #[test]
    fn limits_outside_one_to_two_hundred_are_refused() {
        assert_eq!(limit("").expect("default"), DEFAULT_LIMIT);
        assert_eq!(limit("200").expect("max"), 200);
        assert!(limit("0").is_err());
        assert!(limit("201").is_err());
        assert!(limit("ten").is_err());
    }
}
