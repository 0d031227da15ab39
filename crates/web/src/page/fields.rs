//! A form and a list described by their fields and rows, for the settings pages whose
//! forms are a plain column of fields (teams, components, releases, users, passwords): one
//! list template and one form template render them all.

use escapement_core::ValidationErrors;
use serde::Serialize;

use super::views::{FormErrors, Opt};
use super::{Layout, Page};

/// One row of a list; the first cell links to `href`.
#[derive(Debug, Serialize)]
pub struct ListRow {
    pub href: String,
    pub cells: Vec<String>,
    /// A further page of the row, in a last column: (link text, its hidden context, href).
    pub link: Option<RowLink>,
}

/// A link to a further page of one row, such as a release's tallies.
#[derive(Debug, Serialize)]
pub struct RowLink {
    pub label: &'static str,
    /// Words read after the label by a screen reader, naming the row ("for Release 3.1").
    pub context: String,
    pub href: String,
}

/// A settings list page.
#[derive(Debug, Serialize)]
pub struct ListPage {
    pub layout: Layout,
    pub new_href: String,
    pub new_label: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<ListRow>,
    pub empty_message: &'static str,
    /// The heading of the column of row links, when the rows have one.
    pub link_column: Option<&'static str>,
}

impl ListPage {
    /// The page, ready to render.
    pub fn page(&self) -> Page {
        Page::new("settings/list.html", self)
    }
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

/// One field of a form.
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

    /// The same field marked "(optional)".
    pub fn optional(mut self) -> FieldView {
        self.optional = true;
        self
    }

    /// The same field with a hint under its label.
    pub fn hint(mut self, hint: &'static str) -> FieldView {
        self.hint = Some(hint);
        self
    }

    /// The same field choosing among `options`.
    pub fn options(mut self, options: Vec<Opt>) -> FieldView {
        self.options = options;
        self
    }
}

/// A form that is one column of fields.
#[derive(Debug, Serialize)]
pub struct FieldForm {
    pub layout: Layout,
    pub action: String,
    pub submit_label: &'static str,
    pub cancel_href: String,
    pub fields: Vec<FieldView>,
    pub version: String,
    pub errors: FormErrors,
    pub conflict: bool,
}

impl FieldForm {
    /// A form with no errors yet.
    pub fn new(
        layout: Layout,
        action: String,
        submit_label: &'static str,
        cancel_href: String,
        fields: Vec<FieldView>,
        version: String,
    ) -> FieldForm {
        FieldForm {
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

    /// The form, ready to render.
    pub fn page(&self) -> Page {
        Page::new("settings/form.html", self)
    }

    /// The form with the messages beside their fields.
    pub fn with_errors(mut self, errors: &ValidationErrors) -> Page {
        self.errors = errors.into();
        self.page()
    }

    /// The form with what is saved now beside the user's input; the version moves to the
    /// saved one so a resubmit is a deliberate overwrite.
    pub fn beside_saved(mut self, saved: &[(&str, String)], current_version: i32) -> Page {
        for field in &mut self.fields {
            field.saved = saved
                .iter()
                .find(|(n, _)| *n == field.name)
                .map(|(_, v)| v.clone());
        }
        self.version = current_version.to_string();
        self.conflict = true;
        self.page()
    }
}

/// A column of fields whose input is already in its fields; a form without a version is
/// never stale, so its conflict view is the form itself.
impl super::form::FormPage for FieldForm {
    type Input = ();

    async fn invalid(self, (): (), errors: ValidationErrors) -> crate::error::AppResult<Page> {
        Ok(self.with_errors(&errors))
    }

    async fn stale(self, (): ()) -> crate::error::AppResult<Page> {
        Ok(self.page())
    }
}
