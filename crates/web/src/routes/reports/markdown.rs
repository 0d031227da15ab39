//! The quarterly report as Markdown that pastes cleanly into Confluence or Notion:
//! headings, pipe tables and lists, no HTML, every name escaped.

use std::fmt::Write as _;

use super::model::Report;
use crate::markdown::literal as text;

fn date(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn row(out: &mut String, cells: &[String]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

fn header(out: &mut String, cells: &[String]) {
    row(out, cells);
    let _ = writeln!(out, "|{}", "---|".repeat(cells.len()));
}

/// Writes `report` as Markdown.
#[must_use]
pub fn report_markdown(report: &Report) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(
        out,
        "# Quarterly escape report: {}, {}\n",
        report.label,
        text(&report.scope)
    );
    let _ = writeln!(
        out,
        "{} to {}{} · metric definition version {} · generated {}\n",
        date(report.first_day),
        date(report.last_day),
        if report.in_progress {
            " (in progress)"
        } else {
            ""
        },
        report.definition.version,
        report.generated_at.format("%-d %b %Y %H:%M UTC")
    );
    if report.empty {
        let _ = writeln!(out, "_No defects in scope in {}._\n", report.label);
    }

    let _ = writeln!(out, "## Headline figures\n");
    header(
        &mut out,
        &[
            "Figure".to_owned(),
            report.label.clone(),
            "Counts".to_owned(),
            "Interval".to_owned(),
            report.previous_label.clone(),
        ],
    );
    for f in &report.figures {
        row(
            &mut out,
            &[
                f.label.to_owned(),
                format!("**{}**", f.value),
                f.counts.clone(),
                f.interval.clone(),
                f.previous.clone(),
            ],
        );
    }
    let _ = writeln!(out, "\n### Compared with {}\n", report.previous_label);
    for f in &report.figures {
        let _ = writeln!(out, "- {}", text(&f.comparison));
    }

    let t = &report.trend;
    let _ = writeln!(out, "\n## Escape mechanisms\n");
    let _ = writeln!(
        out,
        "Primary mechanisms of classified escapes, {} to {}. Contributing mechanisms are counted apart and never added to the primary counts.\n",
        t.quarters.first().cloned().unwrap_or_default(),
        t.quarters.last().cloned().unwrap_or_default()
    );
    let mut head = vec!["Primary mechanism".to_owned()];
    head.extend(t.quarters.iter().cloned());
    head.push(format!("Change from {}", report.previous_label));
    head.push(format!("Share in {}", report.label));
    header(&mut out, &head);
    for m in &t.primary {
        let mut cells = vec![m.label.to_owned()];
        cells.extend(m.cells.iter().map(|c| c.value.to_string()));
        cells.push(m.change.clone());
        cells.push(m.share.clone());
        row(&mut out, &cells);
    }
    let totals = |name: &str, values: Vec<u64>| {
        let mut cells = vec![format!("_{name}_")];
        cells.extend(values.iter().map(u64::to_string));
        cells.push(String::new());
        cells.push(String::new());
        cells
    };
    row(&mut out, &totals("Classified", t.classified.clone()));
    row(
        &mut out,
        &totals("Not classified yet", t.unclassified.clone()),
    );
    row(
        &mut out,
        &totals("All escapes", t.escapes.iter().map(|c| c.value).collect()),
    );
    out.push('\n');
    let mut head = vec!["Contributing mechanism".to_owned()];
    head.extend(t.quarters.iter().cloned());
    header(&mut out, &head);
    for m in &t.contributing {
        let mut cells = vec![m.label.to_owned()];
        cells.extend(m.cells.iter().map(|c| c.value.to_string()));
        row(&mut out, &cells);
    }

    let _ = writeln!(out, "\n## Components with the most weighted escapes\n");
    if report.components.is_empty() {
        let _ = writeln!(out, "_No escapes in {}._", report.label);
    } else {
        header(
            &mut out,
            &[
                "Component",
                "Weighted escapes",
                "Escapes",
                "Defects",
                "Escape rate",
            ]
            .map(str::to_owned),
        );
        for c in &report.components {
            row(
                &mut out,
                &[
                    text(&c.name),
                    c.weighted.to_string(),
                    c.escapes.to_string(),
                    c.defects.to_string(),
                    c.rate.clone(),
                ],
            );
        }
    }

    let _ = writeln!(out, "\n## Reviews and actions\n");
    header(
        &mut out,
        &[
            format!("In {}", report.label),
            "Count".to_owned(),
            "What is counted".to_owned(),
        ],
    );
    for a in &report.activity {
        row(
            &mut out,
            &[a.label.to_owned(), a.value.to_string(), a.hint.clone()],
        );
    }

    let _ = writeln!(out, "\n## Confidence notes\n");
    if report.notes.is_empty() {
        let _ = writeln!(out, "_None: every rate rests on at least 10 defects._");
    }
    for n in &report.notes {
        let _ = writeln!(out, "- {}", text(n));
    }

    let d = &report.definition;
    let _ = writeln!(out, "\n## Metric definition\n");
    let _ = writeln!(
        out,
        "Version {}{}. Both quarters are computed under it, from the records as they stood when the report was generated.\n",
        d.version,
        d.since
            .map(|s| format!(", in effect since {}", date(s)))
            .unwrap_or_default(),
    );
    let _ = writeln!(out, "{}", text(&d.note));
    out
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn names_cannot_break_a_table_or_carry_markup() {
        assert_eq!(text("Pay | <b>ments</b>"), "Pay \\| \\<b\\>ments\\</b\\>");
        assert_eq!(text("  two\nlines "), "two lines");
    }
}
