//! Importing defects from CSV files that trackers export: reading the file whatever its
//! delimiter, encoding marks and line endings ([`file`]), a [`Mapping`] from its columns and
//! values to defect fields (with presets for Jira, GitHub and the generic format), and each
//! row turned into a [`NewDefect`](crate::NewDefect) or the list of what is wrong with it
//! ([`row`]). Nothing here touches the database: components and releases are resolved by
//! name through a function the caller passes in.

use serde::{Deserialize, Serialize};

use crate::stage::Pipeline;
use crate::taxonomy::{DefectType, DetectedBy, Keyed, Origin, Severity, keyed_enum};

pub mod dates;
pub mod file;
pub mod row;
pub mod rules;

#[cfg(test)]
mod tests;

pub use file::{CsvFile, FileError, Record};
pub use row::{Binding, Catalog, MappingError, RowError, RowOutcome};

/// The largest file the importer reads, in bytes.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
/// The longest name a saved mapping may have, in characters.
pub const MAPPING_NAME_MAX_LEN: usize = 80;

keyed_enum! {
    /// A defect field a CSV column can fill.
    pub enum Field ("import field") {
        Title => ("title", "Title"),
        Severity => ("severity", "Severity"),
        DiscoveryStage => ("discovery_stage", "Discovery stage"),
        ExpectedCatchStage => ("expected_catch_stage", "Expected catch stage"),
        Origin => ("origin", "Origin"),
        DefectType => ("defect_type", "Defect type"),
        DetectedBy => ("detected_by", "Detected by"),
        Component => ("component", "Component"),
        Release => ("release", "Release"),
        DiscoveredAt => ("discovered_at", "Discovered"),
        IntroducedAt => ("introduced_at", "Introduced"),
        ResolvedAt => ("resolved_at", "Resolved"),
        ExternalKey => ("external_key", "External key"),
        Description => ("description", "Description"),
        IncidentLink => ("incident_link", "Incident link"),
        ReopenedCount => ("reopened_count", "Reopened count"),
        Labels => ("labels", "Labels"),
    }
}

impl Field {
    /// The fields a label rule or a default may set: the ones with a fixed list of values.
    pub const CHOICES: &'static [Field] = &[
        Field::Severity,
        Field::DiscoveryStage,
        Field::ExpectedCatchStage,
        Field::Origin,
        Field::DefectType,
        Field::DetectedBy,
    ];

    /// The fields every defect needs, which a row, a label or a default must give.
    pub const REQUIRED: &'static [Field] = &[
        Field::Title,
        Field::Severity,
        Field::DiscoveryStage,
        Field::DefectType,
        Field::DetectedBy,
        Field::DiscoveredAt,
    ];

    /// True for a field whose value is one of a fixed list.
    #[must_use]
    pub fn is_choice(self) -> bool {
        Field::CHOICES.contains(&self)
    }

    /// The key of the choice `text` names, matched against each value's key and label
    /// without regard to case, spaces, hyphens or underscores ("Internal user",
    /// `internal-user` and `INTERNAL_USER` are all `internal_user`). `None` when it names
    /// none, or when the field has no fixed list.
    #[must_use]
    pub fn choice_key(self, pipeline: &Pipeline, text: &str) -> Option<String> {
        let wanted = fold(text);
        if wanted.is_empty() {
            return None;
        }
        self.choices(pipeline)
            .into_iter()
            .find(|(key, label)| fold(key) == wanted || fold(label) == wanted)
            .map(|(key, _)| key)
    }

    /// The values a choice field takes, as (key, label) pairs in their order.
    #[must_use]
    pub fn choices(self, pipeline: &Pipeline) -> Vec<(String, String)> {
        match self {
            Field::Severity => keyed_pairs::<Severity>(),
            Field::Origin => keyed_pairs::<Origin>(),
            Field::DefectType => keyed_pairs::<DefectType>(),
            Field::DetectedBy => keyed_pairs::<DetectedBy>(),
            Field::DiscoveryStage | Field::ExpectedCatchStage => pipeline
                .stages()
                .iter()
                .map(|s| (s.key.as_str().to_owned(), s.label.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn keyed_pairs<T: Keyed>() -> Vec<(String, String)> {
    T::ALL
        .iter()
        .map(|v| (v.key().to_owned(), v.label().to_owned()))
        .collect()
}

/// `text` lower-cased with spaces, hyphens, underscores and slashes removed, for matching
/// names and values the way people write them.
#[must_use]
pub fn fold(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '/' | '\t'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which column fills which field. The column is named by its header, matched without
/// regard to case or surrounding spaces; every column with that header feeds the field
/// (Jira repeats `Labels` once per label).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnRule {
    pub column: String,
    pub field: Field,
}

/// A value written in the file that means another one: Jira's priority `Highest` is the
/// severity `critical`. `from` is matched like [`fold`]; `to` is a key of the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueRule {
    pub field: Field,
    pub from: String,
    pub to: String,
}

/// A label that sets a field. A `label` ending in `*` is a prefix: `found-in:*` sets the
/// field to what follows the prefix (`found-in:staging` gives `staging`), read through the
/// value rules; otherwise the label must match whole and sets the field to `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelRule {
    pub label: String,
    pub field: Field,
    #[serde(default)]
    pub value: String,
}

/// The value a field takes when its columns and labels leave it empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultRule {
    pub field: Field,
    pub value: String,
}

/// How a file's columns and values become defects: which column fills which field, what
/// values mean, what labels set, and defaults for what a row leaves out. Saved under a
/// name, as JSON, for the next file of the same shape.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mapping {
    pub columns: Vec<ColumnRule>,
    pub values: Vec<ValueRule>,
    pub labels: Vec<LabelRule>,
    pub defaults: Vec<DefaultRule>,
    /// Put before every external key read from the file (`#` for GitHub issue numbers).
    pub key_prefix: String,
}

impl Mapping {
    /// The field the column headed `header` fills, if any.
    #[must_use]
    pub fn field_of(&self, header: &str) -> Option<Field> {
        let wanted = header.trim().to_lowercase();
        self.columns
            .iter()
            .find(|c| c.column.trim().to_lowercase() == wanted)
            .map(|c| c.field)
    }

    /// The default for `field`, if one is set and not blank.
    #[must_use]
    pub fn default_of(&self, field: Field) -> Option<&str> {
        self.defaults
            .iter()
            .find(|d| d.field == field && !d.value.trim().is_empty())
            .map(|d| d.value.as_str())
    }

    /// Sets (or with a blank `value`, clears) the default of `field`.
    pub fn set_default(&mut self, field: Field, value: &str) {
        self.defaults.retain(|d| d.field != field);
        if !value.trim().is_empty() {
            self.defaults.push(DefaultRule {
                field,
                value: value.trim().to_owned(),
            });
        }
    }
}

/// A ready-made mapping for a common export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Escapement's own columns, named by DOMAIN.md's keys.
    Generic,
    /// Jira's "Export Excel CSV (all fields)".
    Jira,
    /// A GitHub issues export (`gh issue list --json …` as CSV).
    Github,
}

impl Preset {
    /// Every preset, in the order pages list them.
    pub const ALL: &'static [Preset] = &[Preset::Generic, Preset::Jira, Preset::Github];

    /// The key used on the command line and in forms.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Preset::Generic => "generic",
            Preset::Jira => "jira",
            Preset::Github => "github",
        }
    }

    /// The preset's name for people.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Preset::Generic => "Escapement CSV (generic)",
            Preset::Jira => "Jira CSV export",
            Preset::Github => "GitHub issues export",
        }
    }

    /// The preset with this key.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Preset> {
        Preset::ALL.iter().copied().find(|p| p.key() == key.trim())
    }

    /// The preset's mapping for a team whose pipeline is `pipeline`: the defaults name its
    /// last stage as where an imported defect was found, unless a label says otherwise.
    #[must_use]
    pub fn mapping(self, pipeline: &Pipeline) -> Mapping {
        match self {
            Preset::Generic => Mapping {
                columns: GENERIC_COLUMNS
                    .iter()
                    .map(|&field| ColumnRule {
                        column: field.key().to_owned(),
                        field,
                    })
                    .collect(),
                ..Mapping::default()
            },
            Preset::Jira => Mapping {
                columns: columns(&[
                    ("Summary", Field::Title),
                    ("Issue key", Field::ExternalKey),
                    ("Priority", Field::Severity),
                    ("Created", Field::DiscoveredAt),
                    ("Resolved", Field::ResolvedAt),
                    ("Component/s", Field::Component),
                    ("Affects Version/s", Field::Release),
                    ("Labels", Field::Labels),
                    ("Description", Field::Description),
                ]),
                values: jira_priorities(),
                labels: label_prefixes(),
                defaults: tracker_defaults(pipeline, false),
                key_prefix: String::new(),
            },
            Preset::Github => Mapping {
                columns: columns(&[
                    ("title", Field::Title),
                    ("number", Field::ExternalKey),
                    ("labels", Field::Labels),
                    ("createdAt", Field::DiscoveredAt),
                    ("closedAt", Field::ResolvedAt),
                    ("body", Field::Description),
                ]),
                values: github_priorities(),
                labels: label_prefixes(),
                defaults: tracker_defaults(pipeline, true),
                key_prefix: "#".to_owned(),
            },
        }
    }
}

/// The generic preset's columns, in the order its files have them.
pub const GENERIC_COLUMNS: &[Field] = &[
    Field::Title,
    Field::Severity,
    Field::DiscoveryStage,
    Field::Origin,
    Field::DefectType,
    Field::DetectedBy,
    Field::Component,
    Field::Release,
    Field::DiscoveredAt,
    Field::IntroducedAt,
    Field::ResolvedAt,
    Field::ExternalKey,
    Field::Description,
];

fn columns(pairs: &[(&str, Field)]) -> Vec<ColumnRule> {
    pairs
        .iter()
        .map(|&(column, field)| ColumnRule {
            column: column.to_owned(),
            field,
        })
        .collect()
}

fn values(field: Field, pairs: &[(&str, &str)]) -> Vec<ValueRule> {
    pairs
        .iter()
        .map(|&(from, to)| ValueRule {
            field,
            from: from.to_owned(),
            to: to.to_owned(),
        })
        .collect()
}

fn jira_priorities() -> Vec<ValueRule> {
    values(
        Field::Severity,
        &[
            ("Highest", "critical"),
            ("Blocker", "critical"),
            ("Major", "high"),
            ("Minor", "low"),
            ("Trivial", "low"),
            ("Lowest", "low"),
        ],
    )
}

fn github_priorities() -> Vec<ValueRule> {
    values(
        Field::Severity,
        &[
            ("p0", "critical"),
            ("p1", "high"),
            ("p2", "medium"),
            ("p3", "low"),
        ],
    )
}

/// `found-in:staging`, `severity:high`, `type:performance`, … : one prefix per choice field.
fn label_prefixes() -> Vec<LabelRule> {
    [
        ("found-in:*", Field::DiscoveryStage),
        ("should-catch:*", Field::ExpectedCatchStage),
        ("severity:*", Field::Severity),
        ("priority:*", Field::Severity),
        ("type:*", Field::DefectType),
        ("origin:*", Field::Origin),
        ("detected-by:*", Field::DetectedBy),
    ]
    .iter()
    .map(|&(label, field)| LabelRule {
        label: label.to_owned(),
        field,
        value: String::new(),
    })
    .collect()
}

fn tracker_defaults(pipeline: &Pipeline, severity: bool) -> Vec<DefaultRule> {
    let mut defaults = Vec::new();
    if let Some(last) = pipeline.stages().last() {
        defaults.push(DefaultRule {
            field: Field::DiscoveryStage,
            value: last.key.as_str().to_owned(),
        });
    }
    if severity {
        defaults.push(DefaultRule {
            field: Field::Severity,
            value: Severity::Medium.key().to_owned(),
        });
    }
    defaults.push(DefaultRule {
        field: Field::DefectType,
        value: DefectType::Functional.key().to_owned(),
    });
    defaults.push(DefaultRule {
        field: Field::DetectedBy,
        value: DetectedBy::Other.key().to_owned(),
    });
    defaults
}
