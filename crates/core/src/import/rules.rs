//! The value and label rules of a mapping written as lines of text, the way the mapping
//! page lets people edit them:
//!
//! ```text
//! # a comment
//! severity: Highest -> critical
//! label found-in:* -> discovery_stage
//! label regression -> defect_type: functional
//! ```

use super::{Field, LabelRule, Mapping, ValueRule};
use crate::stage::Pipeline;

/// The rules of `mapping` as text, one per line: value rules, then label rules.
#[must_use]
pub fn rules_text(mapping: &Mapping) -> String {
    let mut out = String::new();
    for v in &mapping.values {
        out.push_str(&format!("{}: {} -> {}\n", v.field.key(), v.from, v.to));
    }
    for l in &mapping.labels {
        if l.label.ends_with('*') {
            out.push_str(&format!("label {} -> {}\n", l.label, l.field.key()));
        } else {
            out.push_str(&format!(
                "label {} -> {}: {}\n",
                l.label,
                l.field.key(),
                l.value
            ));
        }
    }
    out
}

fn choice_field(text: &str) -> Result<Field, String> {
    let text = text.trim();
    match Field::from_key(text) {
        Some(f) if f.is_choice() => Ok(f),
        Some(f) => Err(format!(
            "{} takes any text, so it has no values to map; rules can set {}",
            f.label(),
            choice_list()
        )),
        None => Err(format!(
            "`{text}` is not a field; rules can set {}",
            choice_list()
        )),
    }
}

fn choice_list() -> String {
    Field::CHOICES
        .iter()
        .map(|f| f.key())
        .collect::<Vec<_>>()
        .join(", ")
}

fn target(field: Field, pipeline: &Pipeline, text: &str) -> Result<String, String> {
    field.choice_key(pipeline, text).ok_or_else(|| {
        let keys: Vec<String> = field
            .choices(pipeline)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        format!(
            "`{}` is not a {}; use one of {}",
            text.trim(),
            field.label().to_lowercase(),
            keys.join(", ")
        )
    })
}

/// Reads rules written as [`rules_text`] writes them, checking every field and target value
/// against `pipeline`. Every problem is reported as "Line N: …".
pub fn parse_rules(
    text: &str,
    pipeline: &Pipeline,
) -> Result<(Vec<ValueRule>, Vec<LabelRule>), Vec<String>> {
    let mut values = Vec::new();
    let mut labels = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((left, right)) = line.split_once("->") else {
            errors.push(format!(
                "Line {n}: write a rule as `field: value -> key` or `label name -> field: key`"
            ));
            continue;
        };
        if let Some(label) = left.trim().strip_prefix("label ") {
            let label = label.trim();
            if label.is_empty() || label == "*" {
                errors.push(format!("Line {n}: name the label before `->`"));
                continue;
            }
            let rule = if label.ends_with('*') {
                choice_field(right).map(|field| LabelRule {
                    label: label.to_owned(),
                    field,
                    value: String::new(),
                })
            } else {
                match right.split_once(':') {
                    Some((field, value)) => choice_field(field).and_then(|field| {
                        target(field, pipeline, value).map(|value| LabelRule {
                            label: label.to_owned(),
                            field,
                            value,
                        })
                    }),
                    None => Err(format!(
                        "a whole label sets a field to a value: `label {label} -> field: key`"
                    )),
                }
            };
            match rule {
                Ok(rule) => labels.push(rule),
                Err(e) => errors.push(format!("Line {n}: {e}")),
            }
        } else {
            let Some((field, from)) = left.split_once(':') else {
                errors.push(format!(
                    "Line {n}: name the field before the value: `severity: Highest -> critical`"
                ));
                continue;
            };
            let from = from.trim();
            if from.is_empty() {
                errors.push(format!(
                    "Line {n}: write the value found in the file before `->`"
                ));
                continue;
            }
            match choice_field(field)
                .and_then(|field| target(field, pipeline, right).map(|to| (field, to)))
            {
                Ok((field, to)) => values.push(ValueRule {
                    field,
                    from: from.to_owned(),
                    to,
                }),
                Err(e) => errors.push(format!("Line {n}: {e}")),
            }
        }
    }
    if errors.is_empty() {
        Ok((values, labels))
    } else {
        Err(errors)
    }
}
