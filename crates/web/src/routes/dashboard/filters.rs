//! The dashboard's filters, as in the query string, and what they select in the roll-up.

use chrono::{DateTime, Utc};
use escapement_core::metrics::Quarter;
use escapement_core::{DefectType, Severity};
use escapement_storage::rollup::CountFilter;
use serde::{Deserialize, Serialize};

use crate::page::views::id_filter;

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
    pub from: String,
    pub to: String,
}

/// The filters, checked: what the roll-up reads, the quarter range, and a notice for each
/// value that was ignored.
#[derive(Debug, Clone)]
pub struct Selection {
    pub filter: CountFilter,
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

fn quarter(text: &str, what: &str, notices: &mut Vec<String>) -> Option<Quarter> {
    match text.trim() {
        "" => None,
        t => match Quarter::parse(t) {
            Ok(q) => Some(q),
            Err(_) => {
                notices.push(format!(
                    "The {what} quarter “{t}” is not a quarter (write it as 2026-Q3) and was ignored."
                ));
                None
            }
        },
    }
}

impl DashboardQuery {
    /// Checks every filter against what exists; `now` sets the default range.
    pub fn select(&self, now: DateTime<Utc>) -> Selection {
        let mut notices = Vec::new();
        let current = Quarter::of(now);
        let mut last = quarter(&self.to, "last", &mut notices).unwrap_or(current);
        let mut first = quarter(&self.from, "first", &mut notices)
            .unwrap_or_else(|| (1..DEFAULT_QUARTERS).fold(last, |q, _| q.prev()));
        if first > last {
            notices.push(format!(
                "The first quarter {} came after the last {}: they were swapped.",
                first.label(),
                last.label()
            ));
            std::mem::swap(&mut first, &mut last);
        }
        if Quarter::range(first, last).count() > MAX_QUARTERS {
            first = (1..MAX_QUARTERS).fold(last, |q, _| q.prev());
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
            ..CountFilter::default()
        };
        let mut query = self.clone();
        query.from = first.to_string();
        query.to = last.to_string();
        Selection {
            filter,
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

    /// A link to the defects behind a number: the segment filters, the quarter range
    /// `first..=last`, and `extra` (escaped, mechanism, stages, scope).
    pub fn drill(&self, first: Quarter, last: Quarter, extra: &[(&'static str, &str)]) -> String {
        let mut pairs = self.segment_pairs();
        pairs.push(("from", first.to_string()));
        pairs.push(("to", last.to_string()));
        pairs.push(("scope", "in".to_owned()));
        pairs.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        format!(
            "/defects?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}
