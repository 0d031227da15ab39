//! `jira-csv`: a file Jira's CSV importer takes without edits, and the importer configuration
//! that maps its columns.
//!
//! What Jira's importer expects, as its documentation and the configuration files it writes
//! show:
//!
//! - A header row with a `Summary` column; values quoted when they hold commas, quotes or line
//!   breaks (we quote every cell).
//! - Several values of a multi-value field (`Labels`, `Component/s`) as several columns with the
//!   same header, one value each, never one cell with separators. A label cannot contain
//!   spaces.
//! - Updating instead of creating: the administrators' importer (External System Import) updates
//!   an existing issue when a column mapped to the issue key (`"jira.field": "issuekey"`) holds
//!   the key of an issue of the target project; rows whose key is empty create new issues. The
//!   project-level "Import issues from CSV" always creates. Hence the `Issue Key` column: empty
//!   unless the item was linked and the export runs in [`Linked::Update`](super::Linked) mode.
//! - The configuration file is JSON: `config.version` `"2.0"`, `config.encoding`,
//!   `config.delimiter`, `config.date.format` (a Java `SimpleDateFormat` pattern; Jira's own
//!   default is `dd/MMM/yy h:mm a`), `config.email.suffix`, `config.project.from.csv`,
//!   `config.field.mappings` (CSV header → `{"jira.field": "<field id>"}`) and
//!   `config.value.mappings`. The project is chosen in the wizard, so the file names none.
//!
//! Columns, in order: `Issue Key`, `Summary`, `Issue Type` (always `Task`), `Priority`
//! (Highest…Lowest from the score band), `Description`, three `Labels`
//! (`escape-mechanism:<key>`, `component:<slug>` or empty, `escapement:<action uuid>`),
//! `Component/s` (the component's name or empty), `Due Date` (`yyyy-MM-dd`, as the
//! configuration declares).

use escapement_core::backlog::ExportItem;
use serde_json::json;

use super::text;

/// The header row: fixed, so it is written before the first item.
pub const HEADER: [&str; 10] = [
    "Issue Key",
    "Summary",
    "Issue Type",
    "Priority",
    "Description",
    "Labels",
    "Labels",
    "Labels",
    "Component/s",
    "Due Date",
];

/// The Java date pattern of the `Due Date` column, as the configuration declares it.
pub const DATE_FORMAT: &str = "yyyy-MM-dd";

/// The row of `item`, in [`HEADER`]'s order, before formula protection. `external_key` is
/// the issue to update, if any.
pub fn record(item: &ExportItem, external_key: Option<&str>) -> [String; 10] {
    [
        external_key.unwrap_or_default().to_owned(),
        item.title.clone(),
        "Task".to_owned(),
        item.priority.jira().to_owned(),
        text::description(item),
        text::mechanism_label(item),
        text::component_label(item).unwrap_or_default(),
        text::action_label(item),
        item.component.clone().unwrap_or_default(),
        item.due_date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    ]
}

/// The Jira CSV importer configuration matching the `jira-csv` columns, as pretty JSON: load
/// it at the importer's first step ("Use an existing configuration file") and the columns map
/// themselves.
#[must_use]
pub fn importer_config() -> String {
    let config = json!({
        "config.version": "2.0",
        "config.project.from.csv": "false",
        "config.encoding": "UTF-8",
        "config.email.suffix": "@",
        "config.delimiter": ",",
        "config.date.format": DATE_FORMAT,
        "config.field.mappings": {
            "Issue Key": { "jira.field": "issuekey" },
            "Summary": { "jira.field": "summary" },
            "Issue Type": { "jira.field": "issuetype" },
            "Priority": { "jira.field": "priority" },
            "Description": { "jira.field": "description" },
            "Labels": { "jira.field": "labels" },
            "Component/s": { "jira.field": "components" },
            "Due Date": { "jira.field": "duedate" },
        },
        "config.value.mappings": {},
    });
    let mut out = serde_json::to_string_pretty(&config).unwrap_or_default();
    out.push('\n');
    out
}
