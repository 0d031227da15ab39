//! Template rendering: one embedded minijinja environment (autoescaping, strict undefined),
//! the shared page layout, and the few filters the templates need.

use std::sync::LazyLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::{
    ActionStatus, DefectType, DetectedBy, Effort, Keyed, Mechanism, Origin, ReviewState, Severity,
};
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::error::{AppError, AppResult};

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    minijinja_embed::load_templates!(&mut env);
    env.add_filter("date", format_date);
    env.add_filter("datetime", format_datetime);
    env.add_filter("label", label);
    env.add_filter("markdown", |text: &str| {
        Value::from_safe_string(crate::markdown::to_safe_html(text))
    });
    env
});

/// "25 Nov 2026" from a date or an RFC 3339 timestamp; empty for none.
fn format_date(value: Value) -> String {
    let Some(text) = value.as_str() else {
        return String::new();
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return at.with_timezone(&Utc).format("%-d %b %Y").to_string();
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_else(|_| text.to_owned())
}

/// "25 Nov 2026, 14:03 UTC" from an RFC 3339 timestamp; empty for none.
fn format_datetime(value: Value) -> String {
    let Some(text) = value.as_str() else {
        return String::new();
    };
    DateTime::parse_from_rfc3339(text)
        .map(|at| {
            at.with_timezone(&Utc)
                .format("%-d %b %Y, %H:%M UTC")
                .to_string()
        })
        .unwrap_or_else(|_| text.to_owned())
}

fn label_of<T: Keyed>(key: &str) -> Option<&'static str> {
    T::from_key(key).map(Keyed::label)
}

/// The label of a stable key: `{{ d.severity | label("severity") }}`.
fn label(key: &str, kind: &str) -> String {
    let found = match kind {
        "severity" => label_of::<Severity>(key),
        "defect_type" => label_of::<DefectType>(key),
        "origin" => label_of::<Origin>(key),
        "detected_by" => label_of::<DetectedBy>(key),
        "mechanism" => label_of::<Mechanism>(key),
        "review_state" => label_of::<ReviewState>(key),
        "action_status" => label_of::<ActionStatus>(key),
        "effort" => label_of::<Effort>(key),
        _ => None,
    };
    found.unwrap_or(key).to_owned()
}

/// One link of the breadcrumb trail; the last one has no `href`.
#[derive(Debug, Clone, Serialize)]
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

/// What every page's layout needs.
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    /// The `<title>` and the main heading.
    pub title: String,
    /// Which top navigation entry is current.
    pub nav: &'static str,
    pub csrf_token: String,
    pub breadcrumbs: Vec<Crumb>,
}

impl Layout {
    /// A layout with breadcrumbs from `(label, href)` pairs; the page itself is appended.
    pub fn new(
        title: impl Into<String>,
        nav: &'static str,
        csrf_token: &str,
        trail: &[(&str, &str)],
    ) -> Layout {
        let title = title.into();
        let mut breadcrumbs: Vec<Crumb> = trail
            .iter()
            .map(|(label, href)| Crumb {
                label: (*label).to_owned(),
                href: Some((*href).to_owned()),
            })
            .collect();
        breadcrumbs.push(Crumb {
            label: title.clone(),
            href: None,
        });
        Layout {
            title,
            nav,
            csrf_token: csrf_token.to_owned(),
            breadcrumbs,
        }
    }
}

/// Who is signed in, as the layout shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SignedIn {
    pub display_name: String,
    pub email: String,
    pub is_admin: bool,
}

tokio::task_local! {
    /// The signed-in user of the request being handled, for the page layout.
    pub static SIGNED_IN: Option<SignedIn>;
}

/// Renders `template` with the serialised `page` as its context, plus `signed_in` (the
/// user of the current request, or none) for the layout.
pub fn render_string<T: Serialize>(template: &str, page: &T) -> AppResult<String> {
    let template = TEMPLATES.get_template(template)?;
    let signed_in = SIGNED_IN.try_with(Clone::clone).ok().flatten();
    let context = minijinja::context! {
        signed_in => Value::from(minijinja::value::Serde(signed_in)),
        ..Value::from(minijinja::value::Serde(page))
    };
    Ok(template.render(context)?)
}

/// Renders a page with status 200.
pub fn render<T: Serialize>(template: &str, page: &T) -> AppResult<Response> {
    Ok(Html(render_string(template, page)?).into_response())
}

/// Renders a page with another status, as an error so handlers can `return Err(..)` it.
pub fn render_with_status<T: Serialize>(status: StatusCode, template: &str, page: &T) -> AppError {
    match render_string(template, page) {
        Ok(html) => AppError::Page(status, html),
        Err(err) => err,
    }
}

#[derive(Serialize)]
struct ErrorPage<'a> {
    layout: Layout,
    status: u16,
    message: &'a str,
}

/// A complete error page; falls back to plain text if the template itself fails.
pub fn error_page(status: StatusCode, heading: &str, message: &str) -> Response {
    let page = ErrorPage {
        layout: Layout::new(heading, "", "", &[]),
        status: status.as_u16(),
        message,
    };
    match render_string("error.html", &page) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, format!("{heading}\n\n{message}")).into_response(),
    }
}
