//! Settings for the catalog: teams, components and releases. They share one list template
//! and one form template driven by field descriptions, so each resource module only says
//! which fields it has and how to save them.

mod components;
mod releases;
mod teams;

use axum::http::StatusCode;
use axum::response::Response;
use escapement_core::ValidationErrors;
use serde::Serialize;

use crate::csrf::CsrfToken;
use crate::error::{AppError, AppResult};
use crate::render::{Layout, render, render_with_status};
use crate::routes::table::{AccessLevel, Route};
use crate::routes::views::{FormErrors, Opt};

pub fn routes() -> Vec<Route> {
    let mut all = vec![Route::get(
        "/settings",
        AccessLevel::SignedIn,
        settings_index,
    )];
    all.extend(teams::routes());
    all.extend(components::routes());
    all.extend(releases::routes());
    all
}

#[derive(Serialize)]
struct SettingsIndexPage {
    layout: Layout,
}

async fn settings_index(CsrfToken(csrf): CsrfToken) -> AppResult<Response> {
    render(
        "settings/index.html",
        &SettingsIndexPage {
            layout: Layout::new("Settings", "settings", &csrf, &[]),
        },
    )
}

/// The teams whose components and releases `user` may manage.
pub fn manageable(
    user: &crate::auth::CurrentUser,
    teams: Vec<escapement_storage::catalog::Team>,
) -> Vec<escapement_storage::catalog::Team> {
    teams
        .into_iter()
        .filter(|t| {
            user.access(t.id)
                .can(escapement_core::auth::Permission::ManageCatalog)
        })
        .collect()
}

/// The teams `user` may manage, or 403 when there is none: the form would offer nothing.
pub fn manageable_or_refused(
    user: &crate::auth::CurrentUser,
    teams: Vec<escapement_storage::catalog::Team>,
) -> AppResult<Vec<escapement_storage::catalog::Team>> {
    let teams = manageable(user, teams);
    if teams.is_empty() {
        return Err(AppError::Forbidden(
            "Only a team admin can add to a team's catalog. A team admin can change your role."
                .to_owned(),
        ));
    }
    Ok(teams)
}

/// One row of a catalog list; the first cell links to `href`.
#[derive(Debug, Serialize)]
pub struct ListRow {
    pub href: String,
    pub cells: Vec<String>,
}

/// A catalog list page.
#[derive(Debug, Serialize)]
pub struct ListPage {
    pub layout: Layout,
    pub new_href: String,
    pub new_label: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<ListRow>,
    pub empty_message: &'static str,
}

/// Renders a catalog list page.
pub fn render_list(page: &ListPage) -> AppResult<Response> {
    render("settings/list.html", page)
}

/// The kind of input a field renders as.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Text,
    Textarea,
    Select,
    Date,
    Email,
    /// Never shows a value: a password is not sent back to the browser.
    Password,
    /// Checked when the value is `on`.
    Checkbox,
}

/// One field of a catalog form.
#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub kind: FieldKind,
    pub value: String,
    pub options: Vec<Opt>,
    pub optional: bool,
    /// With a 409, what is saved now.
    pub saved: Option<String>,
}

impl FieldView {
    /// A required field with no hint or options.
    pub fn new(name: &'static str, label: &'static str, kind: FieldKind, value: &str) -> FieldView {
        FieldView {
            name,
            label,
            hint: None,
            kind,
            value: value.to_owned(),
            options: Vec::new(),
            optional: false,
            saved: None,
        }
    }
}

/// A catalog form page.
#[derive(Debug, Serialize)]
pub struct FormPage {
    pub layout: Layout,
    pub action: String,
    pub submit_label: &'static str,
    pub cancel_href: String,
    pub fields: Vec<FieldView>,
    pub version: String,
    pub errors: FormErrors,
    pub conflict: bool,
}

impl FormPage {
    /// A form with no errors yet.
    pub fn new(
        layout: Layout,
        action: String,
        submit_label: &'static str,
        cancel_href: String,
        fields: Vec<FieldView>,
        version: String,
    ) -> FormPage {
        FormPage {
            layout,
            action,
            submit_label,
            cancel_href,
            fields,
            version,
            errors: FormErrors::default(),
            conflict: false,
        }
    }

    /// The form again, status 422, with the messages beside their fields.
    pub fn invalid(mut self, errors: &ValidationErrors) -> AppError {
        self.errors = errors.into();
        render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "settings/form.html",
            &self,
        )
    }

    /// The form again, status 409, with what is saved now beside the user's input; the
    /// version moves to the saved one so a resubmit is a deliberate overwrite.
    pub fn stale(mut self, saved: &[(&str, String)], current_version: i32) -> AppError {
        for field in &mut self.fields {
            field.saved = saved
                .iter()
                .find(|(n, _)| *n == field.name)
                .map(|(_, v)| v.clone());
        }
        self.version = current_version.to_string();
        self.conflict = true;
        render_with_status(StatusCode::CONFLICT, "settings/form.html", &self)
    }

    /// Renders the form with status 200.
    pub fn show(&self) -> AppResult<Response> {
        render("settings/form.html", self)
    }
}
