//! Template rendering: one embedded minijinja environment (autoescaping, strict undefined),
//! the shared page layout, the few filters the templates need, and [`Page`], a page waiting
//! to be rendered with its status. It imports nothing else of this crate but Markdown.

use std::sync::LazyLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::{
    ActionStatus, DefectType, DetectedBy, Effort, Keyed, Mechanism, Origin, ReviewState, Severity,
};
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

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
    /// The confirmation of the save that led to this page.
    pub confirmation: Option<&'static str>,
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
            confirmation: CONFIRMATION.try_with(|c| *c).ok().flatten(),
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
    /// The visitor's CSRF token for the request being handled, so that pages built without
    /// a handler's token (error pages) still carry it, and signing out works from them.
    pub static VISITOR_CSRF: String;
    /// The confirmation the request's `?done=` names, shown at the top of its page.
    pub static CONFIRMATION: Option<&'static str>;
}

/// Renders `template` with the serialised `page` as its context, plus `signed_in` (the
/// user of the current request, or none) for the layout.
pub fn render_string<T: Serialize>(template: &str, page: &T) -> Result<String, minijinja::Error> {
    render_value(template, Value::from(minijinja::value::Serde(page)))
}

fn render_value(template: &str, page: Value) -> Result<String, minijinja::Error> {
    let template = TEMPLATES.get_template(template)?;
    let signed_in = SIGNED_IN.try_with(Clone::clone).ok().flatten();
    let context = minijinja::context! {
        signed_in => Value::from(minijinja::value::Serde(signed_in)),
        ..page
    };
    template.render(context)
}

/// `template` rendered over `context` alone (no layout, no signed-in user): a fragment of a
/// page, escaped as every page is, that a page keeps and includes as it is.
pub fn render_fragment<T: Serialize>(
    template: &str,
    context: &T,
) -> Result<String, minijinja::Error> {
    TEMPLATES
        .get_template(template)?
        .render(Value::from(minijinja::value::Serde(context)))
}

/// A page to render: its template, its context and the status it answers with. Handlers
/// build one; it is rendered when it becomes the response, so a form that comes back with
/// 422 or 409 travels as data, not as HTML rendered in advance.
#[derive(Debug, Clone)]
pub struct Page {
    status: StatusCode,
    template: &'static str,
    context: Value,
}

impl Page {
    /// `template` over the serialised `page`, answering 200.
    pub fn new<T: Serialize>(template: &'static str, page: &T) -> Page {
        Page {
            status: StatusCode::OK,
            template,
            context: Value::from(minijinja::value::Serde(page)),
        }
    }

    /// The same page answering `status`.
    pub fn with_status(mut self, status: StatusCode) -> Page {
        self.status = status;
        self
    }

    /// The HTML of the page.
    pub fn render(&self) -> Result<String, minijinja::Error> {
        render_value(self.template, self.context.clone())
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        match self.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(err) => {
                tracing::error!(error = ?err, template = self.template, "a page could not be rendered");
                internal_error_page()
            }
        }
    }
}

#[derive(Serialize)]
struct ErrorPage<'a> {
    layout: Layout,
    status: u16,
    message: &'a str,
    /// `(label, href)` of where to go next; the defects list when none.
    next: Option<(&'static str, &'static str)>,
}

/// A complete error page; falls back to plain text if the template itself fails.
pub fn error_page(status: StatusCode, heading: &str, message: &str) -> Response {
    error_page_with(status, heading, message, None)
}

/// [`error_page`] whose way on is the `(label, href)` link given.
pub fn error_page_with(
    status: StatusCode,
    heading: &str,
    message: &str,
    next: Option<(&'static str, &'static str)>,
) -> Response {
    let csrf = VISITOR_CSRF.try_with(Clone::clone).unwrap_or_default();
    let page = ErrorPage {
        layout: Layout::new(heading, "", &csrf, &[]),
        status: status.as_u16(),
        message,
        next,
    };
    match render_string("error.html", &page) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, format!("{heading}\n\n{message}")).into_response(),
    }
}

/// The page for a failure the user cannot act on; what went wrong is logged, never shown.
pub fn internal_error_page() -> Response {
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Sorry, there is a problem with the service",
        "The error has been logged. Try again later; your last change may not have been saved.",
    )
}
