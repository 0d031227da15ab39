//! The dashboard's filters, as in the query string, and what they select in the roll-up.

use chrono::{DateTime, Utc};
use escapement_core::metrics::{End, Period, Quarter};
use escapement_core::{DefectType, Severity};
use escapement_storage::rollup::CountFilter;
use serde::{Deserialize, Serialize};

use crate::page::views::{day_bound, id_filter};

/// The longest quarter range one dashboard shows.
pub const MAX_QUARTERS: usize = 40;
/// Quarters shown when the range is not given: the current one and the seven before it.
pub const DEFAULT_QUARTERS: usize = 8;

/// The filter form's fields, exactly as in the query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DashboardQuery {
    pub team: String,
    pub component: String,
    pub release: String,
    pub severity: String,
    #[serde(rename = "type")]
    pub defect_type: String,
    /// The first quarter (`2026-Q1`) or day (`2026-01-15`).
    pub from: String,
    /// The last quarter or day.
    pub to: String,
    /// The first day, from the form's day fields; when given it wins over `from`.
    pub from_day: String,
    /// The last day, from the form's day fields; when given it wins over `to`.
    pub to_day: String,
}

/// The filters, checked: what the roll-up reads, the days and the quarters they touch, and
/// a notice for each value that was ignored.
#[derive(Debug, Clone)]
pub struct Selection {
    pub filter: CountFilter,
    pub period: Period,
    pub first: Quarter,
    pub last: Quarter,
    pub notices: Vec<String>,
    /// The query with the range filled in, for links and the form.
    pub query: DashboardQuery,
}

fn keyed<T: escapement_core::Keyed>(
    text: &str,
    what: &str,
    notices: &mut Vec<String>,
) -> Option<T> {
    match text.trim() {
        "" => None,
        key => {
            let found = T::from_key(key);
            if found.is_none() {
                notices.push(format!(
                    "The {what} filter “{key}” is unknown and was ignored."
                ));
            }
            found
        }
    }
}

/// The day field when filled, else the quarter-or-day field.
fn either<'a>(day: &'a str, other: &'a str) -> &'a str {
    if day.trim().is_empty() { other } else { day }
}

impl DashboardQuery {
    /// Checks every filter against what exists; `now` sets the default range.
    pub fn select(&self, now: DateTime<Utc>) -> Selection {
        let mut notices = Vec::new();
        let current = Quarter::of(now);
        let last_day = day_bound(
            either(&self.to_day, &self.to),
            End::Last,
            "end",
            &mut notices,
        )
        .unwrap_or_else(|| current.last_day());
        let first_day = day_bound(
            either(&self.from_day, &self.from),
            End::First,
            "start",
            &mut notices,
        )
        .unwrap_or_else(|| {
            (1..DEFAULT_QUARTERS)
                .fold(Quarter::of_date(last_day), |q, _| q.prev())
                .first_day()
        });
        if first_day > last_day {
            notices.push(format!(
                "The start {first_day} came after the end {last_day}: they were swapped."
            ));
        }
        let mut period = Period::new(first_day, last_day);
        let (mut first, last) = period.cover();
        if Quarter::range(first, last).count() > MAX_QUARTERS {
            first = (1..MAX_QUARTERS).fold(last, |q, _| q.prev());
            period = Period::new(first.first_day(), period.last());
            notices.push(format!(
                "A dashboard shows at most {MAX_QUARTERS} quarters: it starts at {}.",
                first.label()
            ));
        }
        let filter = CountFilter {
            team: id_filter(&self.team, "team", &mut notices),
            component: id_filter(&self.component, "component", &mut notices).map(Some),
            release: id_filter(&self.release, "release", &mut notices).map(Some),
            severity: keyed::<Severity>(&self.severity, "severity", &mut notices),
            defect_type: keyed::<DefectType>(&self.defect_type, "defect type", &mut notices),
            quarters: Some((first, last)),
            period: (!period.whole_quarters()).then_some(period),
            ..CountFilter::default()
        };
        let mut query = self.clone();
        query.from = period.first_text();
        query.to = period.last_text();
        query.from_day.clear();
        query.to_day.clear();
        Selection {
            filter,
            period,
            first,
            last,
            notices,
            query,
        }
    }

    /// The segment filters (without the range) as query-string pairs.
    pub fn segment_pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("team", &self.team),
            ("component", &self.component),
            ("release", &self.release),
            ("severity", &self.severity),
            ("type", &self.defect_type),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim().to_owned()))
        .collect()
    }

    /// Every filter, the range included, as a query string (without `?`).
    pub fn query_string(&self) -> String {
        let mut pairs = self.segment_pairs();
        pairs.push(("from", self.from.clone()));
        pairs.push(("to", self.to.clone()));
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    /// The form's day fields: the days when the range is not whole quarters, else empty.
    pub fn day_fields(period: Period) -> (String, String) {
        if period.whole_quarters() {
            (String::new(), String::new())
        } else {
            (period.first().to_string(), period.last().to_string())
        }
    }

    /// A link to the defects behind a number: the segment filters, the days of `period`,
    /// and `extra` (escaped, mechanism, stages, scope).
    pub fn drill(&self, period: Period, extra: &[(&'static str, &str)]) -> String {
        let mut pairs = self.segment_pairs();
        pairs.push(("from", period.first_text()));
        pairs.push(("to", period.last_text()));
        pairs.push(("scope", "in".to_owned()));
        pairs.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        format!(
            "/defects?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}
