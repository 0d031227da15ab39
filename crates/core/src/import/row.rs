//! One row of a file turned into a validated defect: each field read from its columns, then
//! from the row's labels, then from the mapping's default, and the result checked by the
//! same rules as the defect form ([`DefectDraft::validate`]). Every problem names the line,
//! the column and the field.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::dates::{DATE_HINT, parse_import_datetime};
use super::file::Record;
use super::{Field, Mapping, fold};
use crate::catalog::CATALOG_NAME_MAX_LEN;
use crate::defect::{DefectDraft, NewDefect};
use crate::form::char_len;
use crate::stage::Pipeline;

/// Why a mapping cannot import a file at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingError {
    pub field: Field,
    pub message: String,
}

/// A mapping bound to one file's headers: which columns feed which field.
#[derive(Debug, Clone)]
pub struct Binding {
    /// Per field (in `Field::ALL` order), the indexes of its columns.
    columns: Vec<(Field, Vec<usize>)>,
    headers: Vec<String>,
}

/// One problem with one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The line of the file the row starts on (the header is line 1).
    pub line: u64,
    /// The column the value came from: its header, or where else it came from
    /// ("labels", "default").
    pub column: String,
    pub field: Field,
    pub message: String,
}

/// Looks up a component or release of the importing team by name, or names the one the
/// import will create.
pub trait Catalog {
    /// The id of the team's component called `name` (matched as the catalog matches names),
    /// a new id when it has none yet.
    fn component(&mut self, name: &str) -> Uuid;
    /// The same for releases.
    fn release(&mut self, name: &str) -> Uuid;
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOutcome {
    pub line: u64,
    pub defect: Result<NewDefect, Vec<RowError>>,
    /// The fields this row took from the mapping's defaults.
    pub defaulted: Vec<Field>,
    /// The fields this row gave itself, in a column or a label: what re-importing it may
    /// change on a defect that exists already.
    pub given: Vec<Field>,
}

impl RowOutcome {
    /// The stored defect `stored` with what this row gave laid over it: fields the row
    /// left to a default, or has no column for, keep what the team recorded since. The
    /// dates and stages must still be in order afterwards.
    pub fn merged_onto(
        &self,
        stored: &NewDefect,
        pipeline: &Pipeline,
    ) -> Result<NewDefect, Vec<RowError>> {
        let Ok(row) = &self.defect else {
            return Err(self.defect.clone().err().unwrap_or_default());
        };
        let given = |f: Field| self.given.contains(&f);
        let mut d = stored.clone();
        macro_rules! lay {
            ($field:expr, $name:ident) => {
                if given($field) {
                    d.$name = row.$name.clone();
                }
            };
        }
        lay!(Field::Title, title);
        lay!(Field::Description, description);
        lay!(Field::Severity, severity);
        lay!(Field::DiscoveryStage, discovery_stage);
        lay!(Field::ExpectedCatchStage, expected_catch_stage);
        lay!(Field::Origin, origin);
        lay!(Field::DefectType, defect_type);
        lay!(Field::DetectedBy, detected_by);
        lay!(Field::Component, component_id);
        lay!(Field::Release, release_id);
        lay!(Field::DiscoveredAt, detected_at);
        lay!(Field::IntroducedAt, introduced_at);
        lay!(Field::ResolvedAt, resolved_at);
        lay!(Field::IncidentLink, incident_link);
        lay!(Field::ReopenedCount, reopened_count);
        let mut errors = Vec::new();
        let mut push = |field: Field, message: &str| {
            errors.push(RowError {
                line: self.line,
                column: field.label().to_owned(),
                field,
                message: message.to_owned(),
            });
        };
        if d.introduced_at.is_some_and(|i| i > d.detected_at) {
            push(
                Field::DiscoveredAt,
                "Detected date must be on or after the introduced date the defect already has",
            );
        }
        if d.resolved_at.is_some_and(|r| r < d.detected_at) {
            push(
                Field::ResolvedAt,
                "Resolved date must be on or after the detected date the defect already has",
            );
        }
        if let Some(expected) = &d.expected_catch_stage {
            let found = pipeline.position(d.discovery_stage.as_str());
            if pipeline
                .position(expected.as_str())
                .zip(found)
                .is_some_and(|(e, f)| e > f)
            {
                push(
                    Field::DiscoveryStage,
                    "Discovery stage cannot come before the expected catch stage the defect already has",
                );
            }
        }
        if errors.is_empty() {
            Ok(d)
        } else {
            Err(errors)
        }
    }
}

/// Where a field's value came from, for error messages.
enum Source {
    Column(usize),
    Label(String),
    Default,
}

impl Binding {
    /// Binds `mapping` to a file with these `headers`. Refuses a mapping that leaves a
    /// field every defect needs without a column (title, discovered date) or without a
    /// column, a label rule or a default (severity, stage, type, detected by).
    pub fn new(mapping: &Mapping, headers: &[String]) -> Result<Binding, Vec<MappingError>> {
        let mut columns: Vec<(Field, Vec<usize>)> =
            Field::ALL.iter().map(|&f| (f, Vec::new())).collect();
        for (i, header) in headers.iter().enumerate() {
            if header.trim().is_empty() {
                continue;
            }
            if let Some(field) = mapping.field_of(header)
                && let Some((_, list)) = columns.iter_mut().find(|(f, _)| *f == field)
            {
                list.push(i);
            }
        }
        let binding = Binding {
            columns,
            headers: headers.to_vec(),
        };
        let found: Vec<&str> = headers
            .iter()
            .map(String::as_str)
            .filter(|h| !h.is_empty())
            .collect();
        let mut errors = Vec::new();
        for &field in Field::REQUIRED {
            if !binding.indexes(field).is_empty() {
                continue;
            }
            let labelled = mapping.labels.iter().any(|l| l.field == field)
                && !binding.indexes(Field::Labels).is_empty();
            let defaulted = mapping.default_of(field).is_some();
            if field.is_choice() && (labelled || defaulted) {
                continue;
            }
            let what = if field.is_choice() {
                "No column, label rule or default gives"
            } else {
                "No column gives"
            };
            errors.push(MappingError {
                field,
                message: format!(
                    "{what} the {}; the file's columns are: {}",
                    field.label().to_lowercase(),
                    found.join(", ")
                ),
            });
        }
        if errors.is_empty() {
            Ok(binding)
        } else {
            Err(errors)
        }
    }

    fn indexes(&self, field: Field) -> &[usize] {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(&[], |(_, list)| list.as_slice())
    }

    /// The header of the first column that feeds `field`.
    #[must_use]
    pub fn column_of(&self, field: Field) -> Option<&str> {
        self.indexes(field)
            .first()
            .and_then(|&i| self.headers.get(i))
            .map(String::as_str)
    }

    /// The headers no field reads, in file order, each once.
    #[must_use]
    pub fn ignored(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for (i, h) in self.headers.iter().enumerate() {
            let used = self.columns.iter().any(|(_, list)| list.contains(&i));
            if !used && !h.is_empty() && !out.contains(&h.as_str()) {
                out.push(h);
            }
        }
        out
    }

    /// Which field each header feeds, in file order.
    #[must_use]
    pub fn fields(&self) -> Vec<(&str, Option<Field>)> {
        self.headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let field = self
                    .columns
                    .iter()
                    .find(|(_, list)| list.contains(&i))
                    .map(|(f, _)| *f);
                (h.as_str(), field)
            })
            .collect()
    }

    /// The first non-blank cell of `field`'s columns, trimmed, with the column it came from.
    fn cell<'r>(&self, record: &'r Record, field: Field) -> Option<(&'r str, usize)> {
        self.indexes(field).iter().find_map(|&i| {
            record
                .cells
                .get(i)
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .map(|c| (c, i))
        })
    }

    fn header(&self, i: usize) -> String {
        self.headers.get(i).cloned().unwrap_or_default()
    }

    /// Turns one row into a defect of team `team_id`, or lists everything wrong with it.
    pub fn prepare(
        &self,
        mapping: &Mapping,
        pipeline: &Pipeline,
        record: &Record,
        team_id: Uuid,
        now: DateTime<Utc>,
        catalog: &mut impl Catalog,
    ) -> RowOutcome {
        let mut row = RowBuilder {
            binding: self,
            mapping,
            pipeline,
            record,
            errors: Vec::new(),
            defaulted: Vec::new(),
            sources: Vec::new(),
            labels: self.labels(record),
        };
        let mut draft = DefectDraft {
            team_id: team_id.to_string(),
            confirmed: Some("on".to_owned()),
            ..DefectDraft::default()
        };
        draft.title = row.text(Field::Title);
        draft.description = row.text(Field::Description);
        draft.severity = row.choice(Field::Severity);
        draft.discovery_stage = row.choice(Field::DiscoveryStage);
        draft.expected_catch_stage = row.choice(Field::ExpectedCatchStage);
        draft.origin = row.choice(Field::Origin);
        draft.defect_type = row.choice(Field::DefectType);
        draft.detected_by = row.choice(Field::DetectedBy);
        draft.detected_at = row.date(Field::DiscoveredAt);
        draft.introduced_at = row.date(Field::IntroducedAt);
        draft.resolved_at = row.date(Field::ResolvedAt);
        draft.incident_link = row.text(Field::IncidentLink);
        draft.reopened_count = row.text(Field::ReopenedCount);
        let key = row.text(Field::ExternalKey);
        if !key.is_empty() {
            draft.external_key = format!("{}{key}", mapping.key_prefix);
        }
        if let Some(name) = row.name(Field::Component) {
            draft.component_id = catalog.component(&name).to_string();
        }
        if let Some(name) = row.name(Field::Release) {
            draft.release_id = catalog.release(&name).to_string();
        }
        let given = row
            .sources
            .iter()
            .filter(|(_, s)| !matches!(s, Source::Default))
            .map(|(f, _)| *f)
            .collect();
        let defect = match draft.validate(pipeline, now) {
            Ok(defect) if row.errors.is_empty() => Ok(defect),
            Ok(_) => Err(row.errors),
            Err(found) => {
                for e in found.iter() {
                    let Some(field) = field_of_draft(e.field) else {
                        continue;
                    };
                    // A value this row already reported is not reported twice.
                    if row.errors.iter().any(|r| r.field == field) {
                        continue;
                    }
                    row.error(field, e.message.clone());
                }
                Err(row.errors)
            }
        };
        RowOutcome {
            line: record.line,
            defect,
            defaulted: row.defaulted,
            given,
        }
    }

    /// Every label of the row: each label column's cell split at commas.
    fn labels(&self, record: &Record) -> Vec<String> {
        self.indexes(Field::Labels)
            .iter()
            .filter_map(|&i| record.cells.get(i))
            .flat_map(|c| c.split(','))
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// The import field a defect form field comes from.
fn field_of_draft(name: &str) -> Option<Field> {
    Some(match name {
        "title" => Field::Title,
        "description" => Field::Description,
        "severity" => Field::Severity,
        "defect_type" => Field::DefectType,
        "origin" => Field::Origin,
        "discovery_stage" => Field::DiscoveryStage,
        "expected_catch_stage" => Field::ExpectedCatchStage,
        "detected_by" => Field::DetectedBy,
        "component_id" => Field::Component,
        "release_id" => Field::Release,
        "introduced_at" => Field::IntroducedAt,
        "detected_at" => Field::DiscoveredAt,
        "resolved_at" => Field::ResolvedAt,
        "reopened_count" => Field::ReopenedCount,
        "external_key" => Field::ExternalKey,
        "incident_link" => Field::IncidentLink,
        _ => return None,
    })
}

struct RowBuilder<'a> {
    binding: &'a Binding,
    mapping: &'a Mapping,
    pipeline: &'a Pipeline,
    record: &'a Record,
    errors: Vec<RowError>,
    defaulted: Vec<Field>,
    sources: Vec<(Field, Source)>,
    labels: Vec<String>,
}

impl RowBuilder<'_> {
    fn column_name(&self, field: Field) -> String {
        match self.sources.iter().find(|(f, _)| *f == field) {
            Some((_, Source::Column(i))) => self.binding.header(*i),
            Some((_, Source::Label(label))) => format!("label {label}"),
            Some((_, Source::Default)) => "default".to_owned(),
            None => self
                .binding
                .column_of(field)
                .map_or_else(|| field.label().to_owned(), str::to_owned),
        }
    }

    fn error(&mut self, field: Field, message: String) {
        let column = self.column_name(field);
        self.errors.push(RowError {
            line: self.record.line,
            column,
            field,
            message,
        });
    }

    fn text(&mut self, field: Field) -> String {
        match self.binding.cell(self.record, field) {
            Some((text, i)) => {
                self.sources.push((field, Source::Column(i)));
                text.to_owned()
            }
            None => String::new(),
        }
    }

    fn name(&mut self, field: Field) -> Option<String> {
        let name = self.text(field);
        if name.is_empty() {
            return None;
        }
        if char_len(&name) > CATALOG_NAME_MAX_LEN {
            self.error(
                field,
                format!(
                    "{} names must be {CATALOG_NAME_MAX_LEN} characters or fewer",
                    field.label()
                ),
            );
            return None;
        }
        Some(name)
    }

    /// `text` through the value rules of `field`, then matched against its keys and labels.
    fn value_of(&self, field: Field, text: &str) -> Option<String> {
        let folded = fold(text);
        self.mapping
            .values
            .iter()
            .find(|v| v.field == field && fold(&v.from) == folded)
            .and_then(|v| field.choice_key(self.pipeline, &v.to))
            .or_else(|| field.choice_key(self.pipeline, text))
    }

    fn unknown(&self, field: Field, text: &str) -> String {
        let keys: Vec<String> = field
            .choices(self.pipeline)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        format!(
            "`{text}` is not a {}: add a value rule, or use one of {}",
            field.label().to_lowercase(),
            keys.join(", ")
        )
    }

    fn choice(&mut self, field: Field) -> String {
        if let Some((text, i)) = self.binding.cell(self.record, field) {
            self.sources.push((field, Source::Column(i)));
            return match self.value_of(field, text) {
                Some(key) => key,
                None => {
                    let message = self.unknown(field, text);
                    self.error(field, message);
                    String::new()
                }
            };
        }
        let labels = std::mem::take(&mut self.labels);
        let mut found = None;
        for label in &labels {
            for rule in self.mapping.labels.iter().filter(|r| r.field == field) {
                let value = match rule.label.strip_suffix('*') {
                    Some(prefix) => fold_prefix(label, prefix).map(str::to_owned),
                    None => (fold(&rule.label) == fold(label)).then(|| rule.value.clone()),
                };
                if let Some(value) = value {
                    found = Some((label.clone(), value));
                    break;
                }
            }
            if found.is_some() {
                break;
            }
        }
        self.labels = labels;
        if let Some((label, value)) = found {
            self.sources.push((field, Source::Label(label)));
            return match self.value_of(field, &value) {
                Some(key) => key,
                None => {
                    let message = self.unknown(field, &value);
                    self.error(field, message);
                    String::new()
                }
            };
        }
        match self.mapping.default_of(field) {
            Some(value) => {
                self.sources.push((field, Source::Default));
                self.defaulted.push(field);
                match self.value_of(field, value) {
                    Some(key) => key,
                    None => {
                        let message = self.unknown(field, value);
                        self.error(field, message);
                        String::new()
                    }
                }
            }
            None => String::new(),
        }
    }

    fn date(&mut self, field: Field) -> String {
        let Some((text, i)) = self.binding.cell(self.record, field) else {
            return String::new();
        };
        self.sources.push((field, Source::Column(i)));
        match parse_import_datetime(text) {
            Some(at) => at.to_rfc3339_opts(SecondsFormat::Secs, true),
            None => {
                let message = format!("`{text}` {DATE_HINT}");
                self.error(field, message);
                String::new()
            }
        }
    }
}

/// What follows `prefix` in `label`, both compared without regard to case; `None` when the
/// label does not start with it or nothing follows.
fn fold_prefix<'l>(label: &'l str, prefix: &str) -> Option<&'l str> {
    let label = label.trim();
    let prefix = prefix.trim();
    if label.len() <= prefix.len() || !label.is_char_boundary(prefix.len()) {
        return None;
    }
    let (head, rest) = label.split_at(prefix.len());
    head.eq_ignore_ascii_case(prefix).then_some(rest.trim())
}
