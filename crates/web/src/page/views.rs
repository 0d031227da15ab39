//! Small view models shared by several pages: select options, field errors as a map.

use std::collections::BTreeMap;

use escapement_core::{Keyed, Pipeline, ValidationErrors};
use escapement_storage::catalog::{Component, Release, Team};
use serde::Serialize;

/// One `<option>` of a select.
#[derive(Debug, Clone, Serialize)]
pub struct Opt {
    pub value: String,
    pub label: String,
}

/// Options of a `<select>` grouped under `<optgroup>`s (components and releases by team).
#[derive(Debug, Clone, Serialize)]
pub struct OptGroup {
    pub label: String,
    pub options: Vec<Opt>,
}

/// Every value of a keyed enum, in order.
pub fn keyed_options<T: Keyed>() -> Vec<Opt> {
    T::ALL
        .iter()
        .map(|v| Opt {
            value: v.key().to_owned(),
            label: v.label().to_owned(),
        })
        .collect()
}

/// Every stage of the pipeline, in order.
pub fn stage_options(pipeline: &Pipeline) -> Vec<Opt> {
    pipeline
        .stages()
        .iter()
        .map(|s| Opt {
            value: s.key.as_str().to_owned(),
            label: s.label.clone(),
        })
        .collect()
}

/// Every team.
pub fn team_options(teams: &[Team]) -> Vec<Opt> {
    teams
        .iter()
        .map(|t| Opt {
            value: t.id.to_string(),
            label: t.name.clone(),
        })
        .collect()
}

fn grouped<T>(
    teams: &[Team],
    items: &[T],
    team_of: impl Fn(&T) -> uuid::Uuid,
    opt: impl Fn(&T) -> Opt,
) -> Vec<OptGroup> {
    teams
        .iter()
        .map(|team| OptGroup {
            label: team.name.clone(),
            options: items
                .iter()
                .filter(|i| team_of(i) == team.id)
                .map(&opt)
                .collect(),
        })
        .filter(|g| !g.options.is_empty())
        .collect()
}

/// Components grouped by team.
pub fn component_groups(teams: &[Team], components: &[Component]) -> Vec<OptGroup> {
    grouped(
        teams,
        components,
        |c| c.team_id,
        |c| Opt {
            value: c.id.to_string(),
            label: c.name.clone(),
        },
    )
}

/// Releases grouped by team, newest first.
pub fn release_groups(teams: &[Team], releases: &[Release]) -> Vec<OptGroup> {
    grouped(
        teams,
        releases,
        |r| r.team_id,
        |r| Opt {
            value: r.id.to_string(),
            label: r.name.clone(),
        },
    )
}

/// Field errors for a form: the ordered list (for the summary) and a map by field.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FormErrors {
    pub list: Vec<FieldErrorView>,
    pub by_field: BTreeMap<String, String>,
}

/// One entry of the error summary.
#[derive(Debug, Clone, Serialize)]
pub struct FieldErrorView {
    pub field: String,
    pub message: String,
}

impl From<&ValidationErrors> for FormErrors {
    fn from(errors: &ValidationErrors) -> Self {
        let mut out = FormErrors::default();
        for e in errors.iter() {
            out.list.push(FieldErrorView {
                field: e.field.to_owned(),
                message: e.message.clone(),
            });
            out.by_field
                .entry(e.field.to_owned())
                .or_insert_with(|| e.message.clone());
        }
        out
    }
}

/// Parses the optimistic-lock version a form was based on; a missing or garbled one can
/// never match, so the write is treated as stale rather than applied blindly.
pub fn form_version(raw: &str) -> i32 {
    raw.trim().parse().unwrap_or(-1)
}

/// A field whose saved value changed since the user opened the form.
#[derive(Debug, Serialize)]
pub struct ConflictField {
    pub label: String,
    pub saved: String,
    pub yours: String,
}

/// The fields of `labels` (form field, label) whose value differs between what is saved now
/// and what the user submitted, both given as the same form type.
pub fn conflicting<T: Serialize>(
    labels: &[(&str, &str)],
    saved: &T,
    yours: &T,
) -> Vec<ConflictField> {
    let saved = serde_json::to_value(saved).unwrap_or_default();
    let yours = serde_json::to_value(yours).unwrap_or_default();
    let text = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    labels
        .iter()
        .filter_map(|(field, label)| {
            let (s, y) = (text(saved.get(field)), text(yours.get(field)));
            (s.trim() != y.trim()).then(|| ConflictField {
                label: (*label).to_owned(),
                saved: s,
                yours: y,
            })
        })
        .collect()
}

/// An id filter from a query string: blank is no filter; anything that is not a UUID is
/// ignored with a notice naming the filter.
pub fn id_filter(raw: &str, name: &str, notices: &mut Vec<String>) -> Option<uuid::Uuid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = uuid::Uuid::parse_str(raw).ok();
    if parsed.is_none() {
        notices.push(format!(
            "The {name} filter “{raw}” is not a valid id and was ignored."
        ));
    }
    parsed
}

/// A quarter-or-day filter bound (`2026-Q3`, `2026-07-15`) as the day it stands for at
/// `end`: blank is no bound; anything else is ignored with a notice naming the bound.
pub fn day_bound(
    raw: &str,
    end: escapement_core::metrics::End,
    what: &str,
    notices: &mut Vec<String>,
) -> Option<chrono::NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let day = escapement_core::metrics::parse_bound(raw, end).ok();
    if day.is_none() {
        notices.push(format!(
            "The {what} “{raw}” is neither a quarter nor a day (write 2026-Q3 or 2026-07-15) and was ignored."
        ));
    }
    day
}

/// The pagination of a list: where the page is and the links to its neighbours, which
/// keep the list's filters.
#[derive(Debug, Serialize)]
pub struct Pager {
    pub page: u64,
    pub total_pages: u64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    /// The last page, when the page asked for lies past it (an old link to page 99 of a
    /// list that now has five).
    pub last_href: Option<String>,
}

impl Pager {
    /// The pager of `paging` over `total` rows at `path`, with the filters `pairs` (empty
    /// ones are left out of the links).
    pub fn new(
        paging: escapement_core::Paging,
        total: u64,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Pager {
        let href = |page: u64| {
            let page = page.to_string();
            let pairs: Vec<(&str, &str)> = pairs
                .iter()
                .copied()
                .chain([("page", page.as_str())])
                .filter(|(_, v)| !v.is_empty())
                .collect();
            format!(
                "{path}?{}",
                serde_urlencoded::to_string(pairs).unwrap_or_default()
            )
        };
        Pager {
            page: paging.page(),
            total_pages: paging.total_pages(total),
            prev_href: paging.has_prev().then(|| href(paging.page() - 1)),
            next_href: paging.has_next(total).then(|| href(paging.page() + 1)),
            last_href: (total > 0 && paging.page() > paging.total_pages(total))
                .then(|| href(paging.total_pages(total))),
        }
    }
}
