//! Field-level validation errors, shown to people next to the form field they concern.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// One problem with one field; `field` is the form field name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form field's name, e.g. `"title"`.
    pub field: &'static str,
    /// What to do about it, in plain words (e.g. "Enter a title").
    pub message: String,
}

/// Every problem found in one form, in form order.
///
/// Validators in this crate push at most one message per field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    /// No errors yet.
    #[must_use]
    pub fn new() -> Self {
        ValidationErrors(Vec::new())
    }

    /// Records a problem with `field`.
    pub fn push(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: message.into(),
        });
    }

    /// True when no problem was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems were recorded.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The first message recorded for `field`.
    #[must_use]
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// The problems, in the order they were recorded.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// The first message per field, keyed by field name (handy as a template context).
    #[must_use]
    pub fn by_field(&self) -> BTreeMap<&'static str, &str> {
        let mut map = BTreeMap::new();
        for e in &self.0 {
            map.entry(e.field).or_insert(e.message.as_str());
        }
        map
    }

    /// `Ok(ok)` when there are no problems, otherwise `Err(self)`.
    pub fn into_result<T>(self, ok: T) -> Result<T, ValidationErrors> {
        if self.is_empty() { Ok(ok) } else { Err(self) }
    }

    /// Appends another set of problems after these.
    pub fn extend(&mut self, other: ValidationErrors) {
        self.0.extend(other.0);
    }
}

impl fmt::Display for ValidationErrors {
    /// The messages joined by `"; "`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            f.write_str(&e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_errors_are_empty_and_turn_into_ok() {
        let errors = ValidationErrors::new();
        assert!(errors.is_empty());
        assert_eq!(errors.len(), 0);
        assert_eq!(errors.into_result(7), Ok(7));
    }

    #[test]
    fn pushed_errors_are_kept_in_order_and_turn_into_err() {
        let mut errors = ValidationErrors::new();
        errors.push("title", "Enter a title");
        errors.push("severity", String::from("Select a severity"));
        assert!(!errors.is_empty());
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "severity"]);
        assert_eq!(errors.clone().into_result(()), Err(errors));
    }

    #[test]
    fn get_returns_the_first_message_for_a_field() {
        let mut errors = ValidationErrors::default();
        errors.push("title", "first");
        errors.push("title", "second");
        assert_eq!(errors.get("title"), Some("first"));
        assert_eq!(errors.get("severity"), None);
        assert_eq!(errors.by_field().get("title"), Some(&"first"));
        assert_eq!(errors.by_field().len(), 1);
    }

    #[test]
    fn extend_appends_the_other_errors_after_these() {
        let mut a = ValidationErrors::new();
        a.push("name", "Enter a name");
        let mut b = ValidationErrors::new();
        b.push("team_id", "Select a team");
        a.extend(b);
        let fields: Vec<&str> = (&a).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "team_id"]);
    }

    #[test]
    fn display_lists_every_message() {
        let mut errors = ValidationErrors::new();
        errors.push("title", "Enter a title");
        errors.push("severity", "Select a severity");
        assert_eq!(errors.to_string(), "Enter a title; Select a severity");
        let as_error: &dyn std::error::Error = &errors;
        assert!(as_error.source().is_none());
    }

    #[test]
    fn errors_serialize_as_a_list_of_field_and_message() {
        let mut errors = ValidationErrors::new();
        errors.push("title", "Enter a title");
        let json = serde_json::to_string(&errors).unwrap_or_default();
        assert_eq!(json, r#"[{"field":"title","message":"Enter a title"}]"#);
    }
}
