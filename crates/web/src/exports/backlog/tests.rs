//! The export formats against a fixture built to break them: quotes, commas, line breaks (CRLF
//! too), non-ASCII, formula starts, an item without component, linked items, a done item.

#![allow(clippy::unwrap_used)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};
use escapement_core::backlog::{EscapeRef, ExportItem, Priority};
use escapement_core::{ActionStatus, Effort, Mechanism, Severity};
use uuid::Uuid;

use super::{Format, Linked, Options, Writer, jira_importer_config, text};

const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

const NASTY_TITLE: &str = "+1 it's \"quoted\", `whoami` $(rm -rf /) ${HOME}\nsecond line; \\ done";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn escape(title: &str, severity: Severity, on: NaiveDate, review: &str) -> EscapeRef {
    EscapeRef {
        defect_title: title.to_owned(),
        severity,
        discovered_at_stage: "Production".to_owned(),
        discovered_on: on,
        review_title: review.to_owned(),
        url: "https://escapement.example.com/reviews/0190a0b0-0000-7000-8000-000000000001"
            .to_owned(),
    }
}

#[allow(clippy::too_many_arguments)]
fn item(
    n: u128,
    title: &str,
    mechanism: Mechanism,
    component: Option<&str>,
    status: ActionStatus,
    score: f64,
    external_key: Option<&str>,
    escapes: Vec<EscapeRef>,
) -> ExportItem {
    let id = Uuid::from_u128(0x0190_a0b0_0000_7000_8000_0000_0000_0000 + n);
    ExportItem {
        id,
        title: title.to_owned(),
        mechanism,
        component: component.map(str::to_owned),
        team: "Zahlungsverkehr (Bezahlung) ü".to_owned(),
        target_layer: "Unit".to_owned(),
        effort: Effort::M,
        status,
        due_date: (n % 2 == 1).then(|| day(2026, 11, 25)),
        score,
        priority: Priority::of_score(score),
        external_key: external_key.map(str::to_owned),
        escapes,
        url: format!("https://escapement.example.com/actions/{id}"),
    }
}

/// Five items, sorted by mechanism then score as the Markdown checklist wants them.
fn fixture() -> Vec<ExportItem> {
    vec![
        item(
            1,
            "=SUM(A1) \"Totals\", rounded: ü 日本 🚀",
            Mechanism::NoTest,
            Some("Checkout & Payments"),
            ActionStatus::Proposed,
            40.0,
            None,
            vec![
                escape(
                    "Coupon doubled the total,\r\nthen again",
                    Severity::Critical,
                    day(2026, 11, 25),
                    "Black Friday \"coupon\" review",
                ),
                escape(
                    "@cmd in the basket",
                    Severity::Low,
                    day(2026, 10, 3),
                    "-2 review, 日本",
                ),
            ],
        ),
        item(
            2,
            NASTY_TITLE,
            Mechanism::NoTest,
            None,
            ActionStatus::InProgress,
            12.5,
            None,
            vec![escape(
                "Login fails\non Safari",
                Severity::High,
                day(2026, 9, 1),
                "Login",
            )],
        ),
        item(
            3,
            "\rCarriage return start, linked in Jira",
            Mechanism::MissedReview,
            Some("-2 Legacy"),
            ActionStatus::Accepted,
            8.0,
            Some("PAY-123"),
            vec![],
        ),
        item(
            4,
            "@cmd linked on GitHub",
            Mechanism::BrokenAutomation,
            Some("API"),
            ActionStatus::WontDo,
            5.5,
            Some("acme/shop#45"),
            vec![escape(
                "Flaky suite skipped",
                Severity::Medium,
                day(2026, 8, 14),
                "CI review",
            )],
        ),
        item(
            5,
            "\tTabbed start, done",
            Mechanism::BrokenAutomation,
            Some("API"),
            ActionStatus::Done,
            3.0,
            None,
            vec![],
        ),
    ]
}

fn options(linked: Linked) -> Options {
    Options {
        bom: false,
        linked,
        github_repo: Some("acme/shop".to_owned()),
        generated_at: Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap(),
        definition_version: 3,
    }
}

fn export_with(format: Format, options: Options, items: &[ExportItem]) -> (String, u64, u64) {
    let mut w = Writer::new(format, options, Vec::new()).unwrap();
    for i in items {
        w.item(i).unwrap();
    }
    let (written, skipped) = (w.written(), w.skipped());
    let bytes = w.finish().unwrap();
    (String::from_utf8(bytes).unwrap(), written, skipped)
}

fn export(format: Format, linked: Linked) -> String {
    export_with(format, options(linked), &fixture()).0
}

fn mode(linked: Linked) -> &'static str {
    match linked {
        Linked::Skip => "skip",
        Linked::Update => "update",
    }
}

// ---- golden files ----

#[test]
fn every_format_matches_its_golden_file() {
    for format in Format::ALL {
        for linked in [Linked::Skip, Linked::Update] {
            let name = format!("{}-{}", format.key(), mode(linked));
            // Carriage returns shown as `\r` so the golden file keeps them visibly.
            insta::assert_snapshot!(name, export(format, linked).replace('\r', "\\r"));
        }
    }
    insta::assert_snapshot!("jira-importer-config", jira_importer_config());
}

// ---- the API ----

#[test]
fn keys_round_trip_and_names_differ() {
    for f in Format::ALL {
        assert_eq!(Format::from_key(f.key()), Some(f));
        assert!(!f.label().is_empty());
        assert!(f.file_name().starts_with("escapement-backlog"));
    }
    assert_eq!(Format::from_key("jira"), None);
    assert!(Format::Markdown.grouped_by_mechanism());
    assert!(!Format::JiraCsv.grouped_by_mechanism());
}

#[test]
fn linked_items_are_counted_as_skipped_or_written() {
    let items = fixture();
    let counts = |f, l| {
        let (_, w, s) = export_with(f, options(l), &items);
        (w, s)
    };
    for f in Format::ALL {
        assert_eq!(counts(f, Linked::Skip), (3, 2), "{f:?}");
    }
    assert_eq!(counts(Format::JiraCsv, Linked::Update), (5, 0));
    assert_eq!(counts(Format::Json, Linked::Update), (5, 0));
    assert_eq!(counts(Format::Markdown, Linked::Update), (5, 0));
    // The script edits the GitHub issue; it cannot edit a Jira issue.
    assert_eq!(counts(Format::GithubScript, Linked::Update), (4, 1));
    // Create-only importers never get linked items.
    assert_eq!(counts(Format::LinearCsv, Linked::Update), (3, 2));
    assert_eq!(counts(Format::GithubCsv, Linked::Update), (3, 2));
}

#[test]
fn the_bom_is_written_for_csv_only() {
    for f in Format::ALL {
        let mut o = options(Linked::Skip);
        o.bom = true;
        let (text, _, _) = export_with(f, o, &fixture());
        assert_eq!(text.starts_with('\u{feff}'), f.is_csv(), "{f:?}");
        let (plain, _, _) = export_with(f, options(Linked::Skip), &fixture());
        assert!(!plain.starts_with('\u{feff}'), "{f:?}");
    }
}

// ---- CSV read back ----

fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>());
    let header = rows.next().unwrap();
    (header, rows.collect())
}

/// `actual` is `raw` as a cell must carry it: with a leading `'` exactly when `raw` starts
/// like a formula.
fn assert_cell(actual: &str, raw: &str) {
    if raw.starts_with(FORMULA_STARTS) {
        assert_eq!(actual, format!("'{raw}"), "formula start not defused");
    } else {
        assert_eq!(actual, raw);
    }
}

fn unlinked() -> Vec<ExportItem> {
    fixture()
        .into_iter()
        .filter(|i| i.external_key.is_none())
        .collect()
}

fn assert_description(actual: &str, item: &ExportItem) {
    assert_cell(actual, &text::description(item));
    let body = actual.strip_prefix('\'').unwrap_or(actual);
    assert!(body.starts_with(&item.title));
    assert!(body.contains(item.mechanism.label()));
    assert!(body.contains(item.mechanism.typical_improvement()));
    assert!(body.contains(&format!("Effort: {}", item.effort.label())));
    for e in &item.escapes {
        assert!(body.contains(&e.defect_title), "{body}");
        assert!(body.contains(&e.review_title), "{body}");
        assert!(body.contains(e.severity.label()), "{body}");
        assert!(body.contains(&text::date(e.discovered_on)), "{body}");
        assert!(body.contains(&e.url), "{body}");
    }
    assert!(body.ends_with(&format!("Back to Escapement: {}", item.url)));
}

#[test]
fn jira_csv_reads_back_column_by_column() {
    for linked in [Linked::Skip, Linked::Update] {
        let text = export(Format::JiraCsv, linked);
        assert!(text.ends_with("\r\n"));
        let (header, rows) = read_csv(&text);
        assert_eq!(
            header,
            [
                "Issue Key",
                "Summary",
                "Issue Type",
                "Priority",
                "Description",
                "Labels",
                "Labels",
                "Labels",
                "Component/s",
                "Due Date"
            ]
        );
        let items = match linked {
            Linked::Skip => unlinked(),
            Linked::Update => fixture(),
        };
        assert_eq!(rows.len(), items.len());
        for (row, item) in rows.iter().zip(&items) {
            assert_eq!(row.len(), header.len());
            assert_eq!(row[0], item.external_key.clone().unwrap_or_default());
            assert_cell(&row[1], &item.title);
            assert_eq!(row[2], "Task");
            assert_eq!(row[3], item.priority.jira());
            assert_description(&row[4], item);
            assert_eq!(row[5], format!("escape-mechanism:{}", item.mechanism.key()));
            match &item.component {
                Some(c) => assert_eq!(
                    row[6],
                    format!("component:{}", escapement_core::backlog::slug(c))
                ),
                None => assert_eq!(row[6], ""),
            }
            assert_eq!(row[7], format!("escapement:{}", item.id));
            for label in &row[5..8] {
                assert!(!label.contains(char::is_whitespace), "{label:?}");
                assert!(!label.starts_with('\''), "{label:?}");
            }
            assert_cell(&row[8], item.component.as_deref().unwrap_or_default());
            assert_eq!(
                row[9],
                item.due_date
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            );
        }
    }
    // The fixture's formula starts are all there, defused.
    let text = export(Format::JiraCsv, Linked::Update);
    let (_, rows) = read_csv(&text);
    assert!(rows[0][1].starts_with("'=SUM(A1)"));
    assert!(rows[1][1].starts_with("'+1"));
    assert!(rows[2][1].starts_with("'\r"));
    assert!(rows[2][8].starts_with("'-2"));
    assert!(rows[3][1].starts_with("'@cmd"));
    assert!(rows[4][1].starts_with("'\t"));
    assert_eq!(rows[3][0], "acme/shop#45");
    // The CRLF inside an escape's title survives.
    assert!(rows[0][4].contains("total,\r\nthen again"));
}

#[test]
fn jira_config_maps_every_column() {
    let config: serde_json::Value = serde_json::from_str(&jira_importer_config()).unwrap();
    assert_eq!(config["config.encoding"], "UTF-8");
    assert_eq!(config["config.delimiter"], ",");
    assert_eq!(config["config.date.format"], "yyyy-MM-dd");
    let mappings = config["config.field.mappings"].as_object().unwrap();
    for column in super::jira::HEADER {
        assert!(
            mappings[column]["jira.field"].is_string(),
            "{column} unmapped"
        );
    }
    assert_eq!(mappings["Issue Key"]["jira.field"], "issuekey");
    assert_eq!(mappings["Labels"]["jira.field"], "labels");
    assert_eq!(mappings["Component/s"]["jira.field"], "components");
}

#[test]
fn linear_csv_reads_back_column_by_column() {
    let (header, rows) = read_csv(&export(Format::LinearCsv, Linked::Update));
    assert_eq!(
        header,
        ["Title", "Description", "Priority", "Status", "Labels"]
    );
    let items = unlinked();
    assert_eq!(rows.len(), items.len());
    for (row, item) in rows.iter().zip(&items) {
        assert_cell(&row[0], &item.title);
        assert_description(&row[1], item);
        assert_eq!(row[2], item.priority.linear());
        assert!(["Urgent", "High", "Medium", "Low"].contains(&row[2].as_str()));
        assert_eq!(row[3], super::linear_status(item.status));
        let labels: Vec<&str> = row[4].split(", ").collect();
        assert_eq!(
            labels[0],
            format!("escape-mechanism:{}", item.mechanism.key())
        );
        assert_eq!(labels.len(), 1 + usize::from(item.component.is_some()));
        assert!(labels.iter().all(|l| !l.contains(char::is_whitespace)));
    }
    assert_eq!(rows[0][3], "Backlog");
    assert_eq!(rows[1][3], "In Progress");
    assert_eq!(rows[2][3], "Done");
}

#[test]
fn github_csv_reads_back_column_by_column() {
    let (header, rows) = read_csv(&export(Format::GithubCsv, Linked::Skip));
    assert_eq!(header, ["title", "body", "labels"]);
    let items = unlinked();
    assert_eq!(rows.len(), items.len());
    for (row, item) in rows.iter().zip(&items) {
        assert_cell(&row[0], &item.title);
        assert_description(&row[1], item);
        let labels: Vec<&str> = row[2].split(',').collect();
        assert_eq!(labels, text::labels(item));
        assert!(labels.iter().all(|l| !l.contains(char::is_whitespace)));
    }
    assert_eq!(
        rows[0][2],
        "escape-mechanism:no_test,component:checkout-payments"
    );
    assert_eq!(rows[1][2], "escape-mechanism:no_test");
}

// ---- the GitHub script, run ----

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "escapement-export-{name}-{}-{}",
        std::process::id(),
        Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `script` with a fake `gh` on PATH that records each call's arguments, NUL-separated;
/// returns the exit status and the calls.
fn run_script(script: &str, repo_env: Option<&str>) -> (bool, Vec<Vec<String>>) {
    let dir = temp_dir("gh");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.join("calls");
    let gh = bin.join("gh");
    std::fs::write(
        &gh,
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\" >> \"$GH_LOG\"; done\nprintf '\\001\\0' >> \"$GH_LOG\"\n",
    )
    .unwrap();
    let path = dir.join("backlog.sh");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    Command::new("chmod").arg("+x").arg(&gh).status().unwrap();

    let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(syntax.status.success(), "{syntax:?}");

    let mut cmd = Command::new("bash");
    cmd.arg(&path)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("GH_LOG", &log)
        .env_remove("REPO");
    if let Some(r) = repo_env {
        cmd.env("REPO", r);
    }
    let status = cmd.output().unwrap().status.success();
    let raw = std::fs::read(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8(raw).unwrap();
    let calls = text
        .split("\u{1}\0")
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.strip_suffix('\0')
                .unwrap_or(c)
                .split('\0')
                .map(str::to_owned)
                .collect()
        })
        .collect();
    (status, calls)
}

fn flag<'a>(call: &'a [String], name: &str) -> Vec<&'a str> {
    call.windows(2)
        .filter(|w| w[0] == name)
        .map(|w| w[1].as_str())
        .collect()
}

#[test]
fn the_script_hands_every_argument_to_gh_intact() {
    let script = export(Format::GithubScript, Linked::Update);
    assert!(script.starts_with("#!/usr/bin/env bash\n"));
    assert!(script.contains("\nset -euo pipefail\n"));
    let (ok, calls) = run_script(&script, None);
    assert!(ok);
    let issues: Vec<&Vec<String>> = calls.iter().filter(|c| c[0] == "issue").collect();
    let labels: Vec<&Vec<String>> = calls.iter().filter(|c| c[0] == "label").collect();
    // Jira-linked item 3 is skipped; 1, 2, 5 created; 4 edited.
    assert_eq!(issues.len(), 4);
    let expected: Vec<ExportItem> = fixture()
        .into_iter()
        .filter(|i| i.external_key.as_deref() != Some("PAY-123"))
        .collect();
    for (call, item) in issues.iter().zip(&expected) {
        assert_eq!(flag(call, "--title"), [item.title.as_str()]);
        assert_eq!(flag(call, "--body"), [text::description(item).as_str()]);
        assert_eq!(flag(call, "--repo"), ["acme/shop"]);
        let label_flag = if item.external_key.is_some() {
            assert_eq!(call[1..3], ["edit", "45"]);
            "--add-label"
        } else {
            assert_eq!(call[1], "create");
            "--label"
        };
        assert_eq!(flag(call, label_flag), text::labels(item));
    }
    assert_eq!(issues[1][4..6], ["--title", NASTY_TITLE]);
    // Each label is created once, before first use, with --force.
    let mut names: Vec<&str> = labels.iter().map(|c| c[2].as_str()).collect();
    assert_eq!(
        names,
        [
            "escape-mechanism:no_test",
            "component:checkout-payments",
            "escape-mechanism:broken_automation",
            "component:api"
        ]
    );
    names.dedup();
    assert_eq!(names.len(), 4);
    for call in &labels {
        assert_eq!(call[1], "create");
        assert!(call.iter().any(|a| a == "--force"));
    }
    assert_eq!(flag(labels[0], "--description"), ["No test existed"]);
}

#[test]
fn the_script_without_a_repo_requires_one() {
    let mut o = options(Linked::Skip);
    o.github_repo = None;
    let (script, _, _) = export_with(Format::GithubScript, o, &fixture());
    let (ok, calls) = run_script(&script, None);
    assert!(!ok);
    assert!(calls.is_empty());
    let (ok, calls) = run_script(&script, Some("other/repo"));
    assert!(ok);
    assert_eq!(calls.len(), 3 + 4);
    assert!(calls.iter().all(|c| flag(c, "--repo") == ["other/repo"]));
}

// ---- JSON read back ----

#[test]
fn json_reads_back_field_by_field() {
    let text = export(Format::Json, Linked::Update);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["schema"], "escapement.backlog.v1");
    assert_eq!(doc["generated_at"], "2026-12-02T09:00:00Z");
    assert_eq!(doc["definition_version"], 3);
    let items = doc["items"].as_array().unwrap();
    let fixture = fixture();
    assert_eq!(items.len(), fixture.len());
    for (j, item) in items.iter().zip(&fixture) {
        let fields = j.as_object().unwrap();
        assert_eq!(fields.len(), 20, "{:?}", fields.keys());
        assert_eq!(j["id"], item.id.to_string());
        assert_eq!(j["title"], item.title);
        assert_eq!(j["mechanism"], item.mechanism.key());
        assert_eq!(j["mechanism_label"], item.mechanism.label());
        assert_eq!(
            j["typical_improvement"],
            item.mechanism.typical_improvement()
        );
        assert_eq!(j["component"], serde_json::json!(item.component));
        assert_eq!(j["team"], item.team);
        assert_eq!(j["target_layer"], item.target_layer);
        assert_eq!(j["effort"], item.effort.key());
        assert_eq!(j["effort_label"], item.effort.label());
        assert_eq!(j["status"], item.status.key());
        assert_eq!(j["status_label"], item.status.label());
        assert_eq!(
            j["due_date"],
            serde_json::json!(item.due_date.map(|d| d.to_string()))
        );
        assert_eq!(j["score"].as_f64(), Some(item.score));
        assert_eq!(j["priority"], item.priority.jira().to_ascii_lowercase());
        assert_eq!(j["priority_label"], item.priority.jira());
        assert_eq!(j["external_key"], serde_json::json!(item.external_key));
        assert_eq!(j["labels"], serde_json::json!(text::labels(item)));
        assert_eq!(j["url"], item.url);
        let escapes = j["escapes"].as_array().unwrap();
        assert_eq!(escapes.len(), item.escapes.len());
        for (je, e) in escapes.iter().zip(&item.escapes) {
            assert_eq!(je.as_object().unwrap().len(), 7);
            assert_eq!(je["defect_title"], e.defect_title);
            assert_eq!(je["severity"], e.severity.key());
            assert_eq!(je["severity_label"], e.severity.label());
            assert_eq!(je["discovered_at_stage"], e.discovered_at_stage);
            assert_eq!(je["discovered_on"], e.discovered_on.to_string());
            assert_eq!(je["review_title"], e.review_title);
            assert_eq!(je["url"], e.url);
        }
    }
    // An empty export is a valid document too.
    let (empty, _, _) = export_with(Format::Json, options(Linked::Skip), &[]);
    let doc: serde_json::Value = serde_json::from_str(&empty).unwrap();
    assert_eq!(doc["items"], serde_json::json!([]));
}

// ---- Markdown ----

#[test]
fn markdown_groups_by_mechanism_and_escapes_people_text() {
    let text = export(Format::Markdown, Linked::Update);
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        [
            "## No test existed",
            "## Human review missed it",
            "## Automation broke, was flaky, or was skipped"
        ]
    );
    let items: Vec<&str> = text.lines().filter(|l| l.starts_with("- [")).collect();
    assert_eq!(items.len(), 5);
    assert!(items[4].starts_with("- [x] "));
    assert!(items[..4].iter().all(|l| l.starts_with("- [ ] ")));
    assert!(items[1].contains("\\`whoami\\`"), "{}", items[1]);
    assert!(
        items[0].contains("— score 40.0 (Highest), Checkout & Payments, due 25 Nov 2026, Proposed")
    );
    assert!(items[1].contains("no component, no due date, In progress"));
    assert!(items[2].ends_with(", PAY-123"));
    assert!(text.contains("metric definition version 3"));
}

// ---- streaming ----

#[test]
fn a_hundred_thousand_items_stream_through_in_constant_state() {
    let components = ["Checkout", "API", "Search", "Login", "Billing"];
    let base = fixture().remove(0);
    for format in Format::ALL {
        let mut w = Writer::new(format, options(Linked::Skip), std::io::sink()).unwrap();
        for n in 0..100_000usize {
            let mut item = base.clone();
            item.id = Uuid::from_u128(n as u128);
            item.mechanism = Mechanism::ALL[n % Mechanism::ALL.len()];
            item.component = Some(components[n % components.len()].to_owned());
            item.title = format!("Item {n}");
            w.item(&item).unwrap();
        }
        assert_eq!(w.written(), 100_000);
        assert!(
            w.labels_seen() <= Mechanism::ALL.len() + components.len(),
            "{}",
            w.labels_seen()
        );
        w.finish().unwrap();
    }
}
