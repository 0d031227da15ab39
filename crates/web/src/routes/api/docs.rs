//! `GET /docs/api`: the API's reference, read from the same OpenAPI document that
//! `/api/v1/openapi.json` serves, so the page cannot drift from the API: every operation
//! with its parameters, body and answers, and every schema with its fields.

use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use super::openapi_document;
use crate::csrf::CsrfToken;
use crate::error::AppResult;
use crate::page::{Layout, render};

#[derive(Serialize)]
struct Param {
    name: String,
    location: String,
    required: bool,
    kind: Kind,
    description: String,
}

#[derive(Serialize)]
struct Answer {
    status: String,
    description: String,
    kind: Option<Kind>,
}

#[derive(Serialize)]
struct Operation {
    anchor: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    params: Vec<Param>,
    body: Option<Kind>,
    answers: Vec<Answer>,
}

#[derive(Serialize)]
struct Tag {
    name: String,
    description: String,
    operations: Vec<Operation>,
}

#[derive(Serialize)]
struct Field {
    name: String,
    required: bool,
    kind: Kind,
    description: String,
}

#[derive(Serialize)]
struct SchemaDoc {
    name: String,
    description: String,
    fields: Vec<Field>,
    /// For a schema that is one of several kinds (a tagged union).
    variants: Vec<Kind>,
}

/// A type in words, with the schema it names (for a link) when it names one.
#[derive(Serialize, Clone)]
struct Kind {
    text: String,
    schema: Option<String>,
}

#[derive(Serialize)]
struct DocsPage {
    layout: Layout,
    title: String,
    version: String,
    description: String,
    tags: Vec<Tag>,
    schemas: Vec<SchemaDoc>,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn ref_name(v: &Value) -> Option<String> {
    v.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .map(str::to_owned)
}

/// A schema in words: `string (date-time)`, `one of: low, high`, `array of Defect`, `… or
/// null`.
fn kind(v: &Value) -> Kind {
    if let Some(name) = ref_name(v) {
        return Kind {
            text: name.clone(),
            schema: Some(name),
        };
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = v.get(combinator).and_then(Value::as_array) {
            let kinds: Vec<Kind> = parts
                .iter()
                .filter(|p| p.get("type").and_then(Value::as_str) != Some("null"))
                .map(kind)
                .collect();
            let nullable = parts.len() > kinds.len();
            let schema = kinds.iter().find_map(|k| k.schema.clone());
            let mut text = kinds
                .iter()
                .map(|k| k.text.clone())
                .collect::<Vec<_>>()
                .join(" or ");
            if nullable {
                text.push_str(" or null");
            }
            return Kind { text, schema };
        }
    }
    let types: Vec<String> = match v.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let nullable = types.iter().any(|t| t == "null");
    let main: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
    let mut out = match (v.get("enum").and_then(Value::as_array), main.first()) {
        (Some(values), _) => {
            let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            Kind {
                text: format!("one of: {}", values.join(", ")),
                schema: None,
            }
        }
        (None, Some(t)) if t.as_str() == "array" => {
            let item = v.get("items").map_or(
                Kind {
                    text: "any".to_owned(),
                    schema: None,
                },
                kind,
            );
            Kind {
                text: format!("array of {}", item.text),
                schema: item.schema,
            }
        }
        (None, Some(t)) => {
            let format = text(v, "format");
            Kind {
                text: if format.is_empty() {
                    (*t).clone()
                } else {
                    format!("{t} ({format})")
                },
                schema: None,
            }
        }
        (None, None) => Kind {
            text: "any".to_owned(),
            schema: None,
        },
    };
    if nullable {
        out.text.push_str(" or null");
    }
    out
}

fn operation(method: &str, path: &str, op: &Value) -> Operation {
    let params = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|p| Param {
                    name: text(p, "name"),
                    location: text(p, "in"),
                    required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                    kind: p.get("schema").map_or(
                        Kind {
                            text: "string".to_owned(),
                            schema: None,
                        },
                        kind,
                    ),
                    description: text(p, "description"),
                })
                .collect()
        })
        .unwrap_or_default();
    let body = op
        .pointer("/requestBody/content")
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
        .and_then(|m| m.get("schema"))
        .map(kind);
    let answers = op
        .get("responses")
        .and_then(Value::as_object)
        .map(|rs| {
            rs.iter()
                .map(|(status, r)| Answer {
                    status: status.clone(),
                    description: text(r, "description"),
                    kind: r
                        .get("content")
                        .and_then(Value::as_object)
                        .and_then(|c| c.values().next())
                        .and_then(|m| m.get("schema"))
                        .map(kind),
                })
                .collect()
        })
        .unwrap_or_default();
    let summary = text(op, "summary");
    Operation {
        anchor: format!(
            "{}-{}",
            method,
            path.trim_start_matches('/')
                .replace(['/', '{', '}'], "-")
                .trim_end_matches('-')
        ),
        method: method.to_uppercase(),
        path: path.to_owned(),
        description: text(op, "description")
            .strip_prefix(&summary)
            .unwrap_or_default()
            .trim()
            .to_owned(),
        summary,
        params,
        body,
        answers,
    }
}

fn schema_doc(name: &str, s: &Value) -> SchemaDoc {
    let required: Vec<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields = s
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(field, p)| Field {
                    name: field.clone(),
                    required: required.contains(&field.as_str()),
                    kind: kind(p),
                    description: text(p, "description"),
                })
                .collect()
        })
        .unwrap_or_default();
    let variants = s
        .get("oneOf")
        .and_then(Value::as_array)
        .map(|vs| vs.iter().map(kind).collect())
        .unwrap_or_default();
    SchemaDoc {
        name: name.to_owned(),
        description: text(s, "description"),
        fields,
        variants,
    }
}

/// The reference page of the API.
pub(super) async fn page(CsrfToken(csrf): CsrfToken) -> AppResult<Response> {
    let doc = openapi_document();
    let mut tags: Vec<Tag> = doc
        .get("tags")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .map(|t| Tag {
                    name: text(t, "name"),
                    description: text(t, "description"),
                    operations: Vec::new(),
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in ["get", "post", "patch", "put", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let tag = op
                    .pointer("/tags/0")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if let Some(t) = tags.iter_mut().find(|t| t.name == tag) {
                    t.operations.push(operation(method, path, op));
                }
            }
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.iter().map(|(n, v)| schema_doc(n, v)).collect())
        .unwrap_or_default();
    let page = DocsPage {
        layout: Layout::new("API reference", "", &csrf, &[]),
        title: text(&doc["info"], "title"),
        version: text(&doc["info"], "version"),
        description: text(&doc["info"], "description"),
        tags,
        schemas,
    };
    render("api/docs.html", &page)
}
