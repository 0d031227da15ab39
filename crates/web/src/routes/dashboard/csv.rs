//! The data behind each dashboard chart as CSV, with the definition version on every row.
//! Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or
//! a carriage return) are prefixed with `'` by the exports' one cell protection,
//! [`crate::exports::backlog::cell::defuse`].

use axum::http::header;
use axum::response::{IntoResponse, Response};
use escapement_core::Mechanism;

use crate::exports::backlog::cell::defuse;

use super::view::Numbers;

/// The charts that have a CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    Mechanisms,
    Releases,
    Matrix,
    Durations,
    Components,
}

impl Chart {
    pub const ALL: [Chart; 5] = [
        Chart::Mechanisms,
        Chart::Releases,
        Chart::Matrix,
        Chart::Durations,
        Chart::Components,
    ];

    /// The download's path.
    pub fn path(self) -> &'static str {
        match self {
            Chart::Mechanisms => "/dashboard/mechanisms.csv",
            Chart::Releases => "/dashboard/releases.csv",
            Chart::Matrix => "/dashboard/matrix.csv",
            Chart::Durations => "/dashboard/durations.csv",
            Chart::Components => "/dashboard/components.csv",
        }
    }

    fn stem(self) -> &'static str {
        match self {
            Chart::Mechanisms => "mechanisms",
            Chart::Releases => "releases",
            Chart::Matrix => "matrix",
            Chart::Durations => "durations",
            Chart::Components => "components",
        }
    }
}

fn field(text: &str) -> String {
    let safe = defuse(text);
    if safe.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe.into_owned()
    }
}

fn line(out: &mut String, cells: &[String]) {
    let row: Vec<String> = cells.iter().map(|c| field(c)).collect();
    out.push_str(&row.join(","));
    out.push_str("\r\n");
}

/// The CSV text of `chart`.
pub fn text(chart: Chart, n: &Numbers, version: i32) -> String {
    let v = version.to_string();
    let mut out = String::new();
    match chart {
        Chart::Mechanisms => {
            line(
                &mut out,
                &[
                    "quarter",
                    "mechanism",
                    "primary",
                    "weighted",
                    "share_of_classified",
                    "contributing",
                    "change_from_previous",
                    "escapes",
                    "classified",
                    "definition_version",
                ]
                .map(str::to_owned),
            );
            for row in &n.mechanism_rows {
                for (m, cell) in Mechanism::ALL.iter().zip(&row.cells) {
                    line(
                        &mut out,
                        &[
                            row.quarter.clone(),
                            m.key().to_owned(),
                            cell.primary.to_string(),
                            cell.weighted.to_string(),
                            cell.share.clone(),
                            cell.contributing.to_string(),
                            cell.change.clone(),
                            row.escapes.to_string(),
                            row.classified.to_string(),
                            v.clone(),
                        ],
                    );
                }
            }
        }
        Chart::Releases => {
            line(
                &mut out,
                &[
                    "release",
                    "released_on",
                    "escapes",
                    "defects",
                    "escape_rate",
                    "interval_95",
                    "small_sample",
                    "tallied",
                    "definition_version",
                ]
                .map(str::to_owned),
            );
            for r in &n.release_rows {
                line(
                    &mut out,
                    &[
                        r.name.clone(),
                        r.released_on.map(|d| d.to_string()).unwrap_or_default(),
                        r.escapes.to_string(),
                        r.defects.to_string(),
                        r.rate.clone(),
                        r.interval.clone(),
                        r.small.to_string(),
                        r.tallied.to_string(),
                        v.clone(),
                    ],
                );
            }
        }
        Chart::Matrix => {
            let m = &n.matrix_table;
            let mut head = vec!["expected_catch_stage".to_owned()];
            head.extend(m.columns.iter().map(|c| c.key.as_str().to_owned()));
            head.extend(["total", "definition_version"].map(str::to_owned));
            line(&mut out, &head);
            for row in &m.rows {
                let mut cells = vec![
                    row.expected
                        .as_ref()
                        .map_or_else(|| "not_named".to_owned(), |s| s.as_str().to_owned()),
                ];
                cells.extend(row.counts.iter().map(u64::to_string));
                cells.push(row.total.to_string());
                cells.push(v.clone());
                line(&mut out, &cells);
            }
        }
        Chart::Durations => {
            line(
                &mut out,
                &[
                    "quarter",
                    "median_time_to_detect",
                    "defects_measured_detect",
                    "median_time_to_resolve",
                    "defects_measured_resolve",
                    "still_open",
                    "definition_version",
                ]
                .map(str::to_owned),
            );
            for r in &n.duration_rows {
                line(
                    &mut out,
                    &[
                        r.quarter.clone(),
                        r.detect.clone(),
                        r.detect_measured.to_string(),
                        r.resolve.clone(),
                        r.resolve_measured.to_string(),
                        r.open.to_string(),
                        v.clone(),
                    ],
                );
            }
        }
        Chart::Components => {
            line(
                &mut out,
                &[
                    "component",
                    "weighted_escapes",
                    "escapes",
                    "defects",
                    "escape_rate",
                    "definition_version",
                ]
                .map(str::to_owned),
            );
            for r in &n.components {
                line(
                    &mut out,
                    &[
                        r.name.clone(),
                        r.weighted.to_string(),
                        r.escapes.to_string(),
                        r.defects.to_string(),
                        r.rate.clone(),
                        v.clone(),
                    ],
                );
            }
        }
    }
    out
}

/// The CSV as a download.
pub fn response(chart: Chart, n: &Numbers, version: i32) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"escapement-{}.csv\"", chart.stem()),
            ),
        ],
        text(chart, n, version),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("\rx"), "\"'\rx\"");
    }
}
