//! Small view models shared by several pages: select options, field errors as a map.

use std::collections::BTreeMap;

use escapement_core::{Keyed, Pipeline, ValidationErrors};
use escapement_storage::records::{Component, Release, Team};
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
