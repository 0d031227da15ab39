//! The quarterly report against a hand-computed fixture: DOMAIN.md's worked example for
//! Payments in Q1 2026 (8 of 38 escaped), 1 escape of 10 defects in Q4 2025, one review
//! classified in March 2026 with two actions, and a team Search whose numbers, review and
//! action must never show to Payments' viewer. The page, its Markdown (a snapshot) and the
//! command line, which must write the same Markdown.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use escapement_core::auth::Role;
use escapement_core::metrics::Quarter;
use escapement_core::review::{Classification, NewAction, ReviewDetails};
use escapement_core::{ActionStatus, Effort, Mechanism, ReviewState, StageKey};
use escapement_storage::Actor;
use escapement_storage::reviews::{
    StepWrite, add_action, change_state, create_review, review_escapes, save_classification,
};
use escapement_tests::{TestApp, both_backends};
use escapement_web::cli::{ReportArgs, ReportFormat, UsageError, run_report};
use uuid::Uuid;

use crate::redact::Redactor;
use crate::seed::{self, Seeded, defect_form, esc, member, record, set};
use crate::snapshots::assert_snapshot;

both_backends!(TestApp:
    the_report_shows_the_hand_computed_quarter_against_the_one_before,
    another_teams_numbers_never_appear_in_a_readers_report,
    the_markdown_report_matches_its_snapshot_and_the_command_line_writes_the_same,
    the_list_offers_the_last_eight_full_quarters_newest_first,
    text_that_is_no_begun_quarter_is_not_found,
    the_command_line_refuses_an_unknown_team_as_a_usage_error,
);

const Q1: &str = "2026-Q1";

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
        .single()
        .expect("a time")
}

/// A review of `team` covering `escapes`, each classified with its primary mechanism (and
/// the contributing ones) and one action, moved to classified on `classified_on`.
async fn classified_review(
    app: &TestApp,
    team: &Seeded,
    escapes: &[(Uuid, Mechanism, &[Mechanism], ActionStatus)],
    classified_on: DateTime<Utc>,
) {
    let actor = Actor::user(app.admin_id, "Ada Admin", "203.0.113.9");
    let start = classified_on - chrono::Duration::days(4);
    let details = ReviewDetails {
        title: "Coupon outage review".to_owned(),
        team_id: team.team,
        incident_date: start.date_naive(),
        incident_link: None,
        summary: String::new(),
        participants: Vec::new(),
    };
    let ids: Vec<Uuid> = escapes.iter().map(|e| e.0).collect();
    let review = create_review(app.db(), &details, &ids, &actor, start)
        .await
        .expect("a review");
    let stored = review_escapes(app.db(), review.id).await.expect("escapes");
    for (escape, (_, primary, contributing, status)) in stored.iter().zip(escapes) {
        let when = start + chrono::Duration::days(1);
        let w = StepWrite::new(review.id, escape.id, escape.version, &actor, when);
        let classification = Classification::new(Some(*primary), contributing.iter().copied());
        save_classification(app.db(), &w, &classification)
            .await
            .expect("a classification");
        let action = NewAction {
            title: format!("Act on {}", primary.label()),
            mechanism: *primary,
            component_id: None,
            target_layer: StageKey::parse("integration_test").expect("a stage"),
            effort: Effort::S,
            owner_team_id: team.team,
            due_date: NaiveDate::from_ymd_opt(2026, 3, 15),
            status: *status,
        };
        add_action(app.db(), review.id, escape.id, &action, &actor, when)
            .await
            .expect("an action");
    }
    let moved = change_state(
        app.db(),
        review.id,
        review.version,
        ReviewState::InReview,
        &actor,
        start + chrono::Duration::days(2),
    )
    .await
    .expect("in review");
    change_state(
        app.db(),
        review.id,
        moved.version,
        ReviewState::Classified,
        &actor,
        classified_on,
    )
    .await
    .expect("classified");
}

/// Payments (A) and Search (B) as the module comment says; returns them.
async fn fixture(app: &TestApp) -> (Seeded, Seeded) {
    let a = seed::team(app, "Payments").await;
    let b = seed::team(app, "Search").await;
    let mut first_escapes = Vec::new();
    for (stage, severity, n) in [
        ("unit_test", "medium", 20),
        ("system_test", "medium", 10),
        ("uat", "high", 5),
        ("production", "critical", 3),
    ] {
        for i in 0..n {
            let mut form = defect_form(&a, &format!("{stage} {i}"), severity, stage);
            if !matches!(stage, "uat" | "production") {
                set(&mut form, "detected_by", "automated_test");
            }
            let id = record(app, &form).await;
            if stage == "production" && i < 2 {
                first_escapes.push(id);
            }
        }
    }
    // Q4 2025: 9 unit-test defects and 1 low production escape.
    for (stage, severity, n) in [("unit_test", "medium", 9), ("production", "low", 1)] {
        for i in 0..n {
            let mut form = defect_form(&a, &format!("Q4 {stage} {i}"), severity, stage);
            set(&mut form, "introduced_at", "2025-11-01T09:00");
            set(&mut form, "detected_at", "2025-11-10T10:30");
            record(app, &form).await;
        }
    }
    let none: &[Mechanism] = &[];
    classified_review(
        app,
        &a,
        &[
            (
                first_escapes[0],
                Mechanism::NoTest,
                &[Mechanism::EnvironmentMismatch],
                ActionStatus::Proposed,
            ),
            (
                first_escapes[1],
                Mechanism::IneffectiveTest,
                none,
                ActionStatus::Done,
            ),
        ],
        at(2026, 3, 20),
    )
    .await;
    let search = record(
        app,
        &defect_form(&b, "Search outage", "critical", "production"),
    )
    .await;
    classified_review(
        app,
        &b,
        &[(
            search,
            Mechanism::MissedReview,
            none,
            ActionStatus::Proposed,
        )],
        at(2026, 3, 21),
    )
    .await;
    (a, b)
}

async fn the_report_shows_the_hand_computed_quarter_against_the_one_before(app: TestApp) {
    let (a, _) = fixture(&app).await;
    let (_, viewer) = member(&app, "viewer@example.com", &[(a.team, Role::Viewer)]).await;
    let page = app
        .get_with_cookies(&format!("/reports/{Q1}?team={}", a.team), &viewer)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    for text in [
        "<title>Quarterly report Q1 2026 · Payments · Escapement</title>",
        "For team Payments · 1 Jan 2026 to 31 Mar 2026",
        // Plain 8 / 38, weighted 5 × 4 + 3 × 8 = 44 of 44 + 30 × 2 = 104, DDP 35 / 38.
        ">21.1%</a>",
        "8 of 38 defects · 95% CI 11.1–36.3%",
        ">42.3%</a>",
        "weight 44 of 104 over 38 defects",
        "92.1%",
        "35 of 38 defects",
        // Q4 2025: 1 of 10, weight 1 of 19.
        ">10.0% (1 of 10 defects)</a>",
        "Escape rate for team Payments rose from 10.0% (95% CI 1.8–40.4%) in Q4 2025 to 21.1% (11.1–36.3%) in Q1 2026; the intervals overlap, so the change may be noise.",
        // Introduced 1 Feb 09:00, detected 10 Feb 10:30, for all 38; none resolved.
        "Median time to detect: between 7.5 days and 10.7 days (about 9 days); mean 9.1 days, over 38 defects.",
        "Median time to detect stayed in the same class, between 7.5 days and 10.7 days, in Q4 2025 and Q1 2026.",
        "No defect has a known time to resolve. 38 defects still open are left out.",
        // The review classified two of the eight escapes.
        "6 of 8 escapes in Q1 2026 are not classified yet",
        "Metric definition",
        "Escapes are defects found after System test (QA).",
    ] {
        assert!(
            body.contains(&esc(text)) || body.contains(text),
            "{text}:\n{body}"
        );
    }
    // Mechanisms: one no-test and one ineffective-test escape, +1 each from Q4 2025, half
    // the classified escapes each; environment mismatch contributing once.
    let no_test = body
        .split("No test existed</th>")
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .expect("a no-test row");
    assert!(
        no_test.contains(">1</a></td><td class=\"num\">+1</td><td class=\"num\">50.0%</td>"),
        "{no_test}"
    );
    assert!(
        body.contains("mechanism=no_test"),
        "the cell links to its escapes"
    );
    assert!(body.contains("contributing=environment_mismatch"));
    // The top component: Coupons with weighted escapes 44.
    assert!(
        body.contains("Coupons</th><td class=\"num\"><a href="),
        "{body}"
    );
    assert!(body.contains(
        ">44</a></td><td class=\"num\">8</td><td class=\"num\">38</td><td class=\"num\">21.1%</td>"
    ));
    // One review completed; two actions opened, one done, one overdue on 31 Mar 2026.
    for (label, n) in [
        ("Reviews completed", 1),
        ("Actions opened", 2),
        ("Actions done", 1),
        ("Actions overdue", 1),
    ] {
        let row = format!("{label}</th><td class=\"num\">{n}</td>");
        assert!(body.contains(&row), "{row}:\n{body}");
    }
    assert!(body.contains("still open, due on or before 31 Mar 2026"));
    // Every figure links to the defects behind it, through the dashboard's drill helper.
    let drill = format!(
        "/defects?team={}&from=2026-Q1&to=2026-Q1&scope=in&escaped=yes",
        a.team
    );
    assert!(body.contains(&esc(&drill)), "{drill}:\n{body}");
}

async fn another_teams_numbers_never_appear_in_a_readers_report(app: TestApp) {
    let (a, b) = fixture(&app).await;
    let (_, viewer) = member(&app, "viewer@example.com", &[(a.team, Role::Viewer)]).await;
    // Without a team, the report is of the viewer's only team.
    let mine = app
        .get_with_cookies(&format!("/reports/{Q1}"), &viewer)
        .await;
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains("8 of 38 defects"), "{}", mine.body);
    assert!(mine.body.contains("For team Payments ·"));
    // Naming Search's team shows a notice and still only Payments.
    let probe = app
        .get_with_cookies(&format!("/reports/{Q1}?team={}", b.team), &viewer)
        .await;
    assert_eq!(probe.status, 200);
    assert!(probe.body.contains("names no team you can see"));
    assert!(probe.body.contains("8 of 38 defects"));
    let markdown = app
        .get_with_cookies(&format!("/reports/{Q1}/markdown?team={}", b.team), &viewer)
        .await;
    for body in [&mine.body, &probe.body, &markdown.body] {
        assert!(!body.contains("Search"), "Search stays hidden:\n{body}");
        assert!(!body.contains("9 of 39"));
        // Search's escape was a missed review: Payments has none.
        let missed = body
            .split("Human review missed it")
            .nth(1)
            .and_then(|rest| rest.split('\n').next())
            .unwrap_or_default();
        assert!(!missed.contains('1'), "{missed}");
    }
    for (label, n) in [("Reviews completed", 1), ("Actions opened", 2)] {
        assert!(
            mine.body
                .contains(&format!("{label}</th><td class=\"num\">{n}</td>"))
        );
    }
    // The instance admin sees both teams: 9 of 39, two reviews and three actions.
    let all = app.get(&format!("/reports/{Q1}")).await;
    assert!(all.body.contains("9 of 39 defects"), "{}", all.body);
    assert!(all.body.contains("For all teams ·"));
    for (label, n) in [("Reviews completed", 2), ("Actions opened", 3)] {
        assert!(
            all.body
                .contains(&format!("{label}</th><td class=\"num\">{n}</td>"))
        );
    }
}

fn redactor(since: DateTime<Utc>, a: &Seeded) -> Redactor {
    let mut r = Redactor::new(since);
    r.name(a.team, "team");
    r
}

async fn the_markdown_report_matches_its_snapshot_and_the_command_line_writes_the_same(
    app: TestApp,
) {
    let since = Utc::now();
    let (a, _) = fixture(&app).await;
    let path = format!("/reports/{Q1}/markdown?team={}", a.team);
    let page = app.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let header = |name: &str| {
        page.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "text/markdown; charset=utf-8");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"escape-report-2026-Q1-payments.md\""
    );
    assert!(!page.body.contains('<'), "no HTML in the Markdown");
    let redact = redactor(since, &a);
    let markdown = redact.redact(&page.body);
    assert_snapshot(
        "report_markdown",
        &redact.redact(&format!("GET {path}")),
        &markdown,
    );

    let mut out = Vec::new();
    let args = ReportArgs {
        quarter: Quarter::parse(Q1).expect("a quarter"),
        format: ReportFormat::Markdown,
        team: Some("Payments".to_owned()),
        output: None,
    };
    run_report(app.db(), &args, None, &mut out)
        .await
        .expect("the report");
    let written = String::from_utf8(out).expect("UTF-8");
    assert_eq!(
        redact.redact(&written),
        markdown,
        "the command line writes the page's Markdown"
    );

    let html = ReportArgs {
        format: ReportFormat::Html,
        ..args
    };
    let mut out = Vec::new();
    run_report(app.db(), &html, None, &mut out)
        .await
        .expect("the HTML report");
    let page = String::from_utf8(out).expect("UTF-8");
    assert!(page.starts_with("<!doctype html>"));
    assert!(
        page.contains("<style>"),
        "the stylesheet travels with the file"
    );
    assert!(page.contains("8 of 38 defects"));
    assert!(
        !page.contains("href=\"/"),
        "no link leads nowhere without a public address"
    );
    assert!(!page.contains("<nav"), "no navigation");
}

async fn the_list_offers_the_last_eight_full_quarters_newest_first(app: TestApp) {
    let (a, _) = fixture(&app).await;
    let (_, viewer) = member(&app, "viewer@example.com", &[(a.team, Role::Viewer)]).await;
    let list = app.get_with_cookies("/reports", &viewer).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(
        list.body
            .contains("href=\"/reports\" aria-current=\"page\">Reports</a>")
    );
    let current = Quarter::of(Utc::now());
    let mut q = current.prev();
    let mut last_at = 0;
    for _ in 0..8 {
        // The viewer sees one team, so every report is that team's.
        let href = esc(&format!("/reports/{q}?team={}", a.team));
        let link = format!("<a href=\"{href}\">{}</a>", q.label());
        let found = list.body.find(&link);
        let Some(found) = found else {
            panic!("{link}:\n{}", list.body)
        };
        assert!(
            found > last_at,
            "{} comes after the newer quarters",
            q.label()
        );
        last_at = found;
        q = q.prev();
    }
    assert!(
        !list.body.contains(&format!(">{}</a></th>", q.label())),
        "only eight"
    );
    assert!(
        list.body
            .contains(&format!("{} is under way", current.label()))
    );
    if Quarter::parse(Q1).is_ok_and(|q1| q1 >= q) {
        assert!(
            list.body.contains("8 escapes of 38 defects"),
            "{}",
            list.body
        );
    }
    // An instance admin's list covers every team, and filters to one.
    let all = app.get("/reports").await;
    let href = esc(&format!("/reports/{}", current.prev()));
    assert!(
        all.body.contains(&format!("<a href=\"{href}\">")),
        "{}",
        all.body
    );
    let filtered = app.get(&format!("/reports?team={}", a.team)).await;
    let link = esc(&format!("/reports/{}?team={}", current.prev(), a.team));
    assert!(filtered.body.contains(&link), "{link}:\n{}", filtered.body);
    assert!(
        filtered
            .body
            .contains("<title>Quarterly reports · Payments · Escapement</title>")
    );
}

async fn text_that_is_no_begun_quarter_is_not_found(app: TestApp) {
    fixture(&app).await;
    for path in [
        "/reports/2026-Q5",
        "/reports/soon",
        "/reports/2026-Q1x",
        "/reports/9999-Q4",
        "/reports/2026-Q5/markdown",
    ] {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
    assert_eq!(
        app.get("/reports/2026q1").await.status,
        200,
        "a lenient spelling"
    );
}

async fn the_command_line_refuses_an_unknown_team_as_a_usage_error(app: TestApp) {
    fixture(&app).await;
    let args = ReportArgs {
        quarter: Quarter::parse(Q1).expect("a quarter"),
        format: ReportFormat::Markdown,
        team: Some("Nobody".to_owned()),
        output: None,
    };
    let mut out = Vec::new();
    let err = run_report(app.db(), &args, None, &mut out)
        .await
        .expect_err("an unknown team");
    assert!(err.downcast_ref::<UsageError>().is_some(), "{err}");
    assert!(
        err.to_string().contains("no team is named `Nobody`"),
        "{err}"
    );
    assert!(out.is_empty());

    let file = std::env::temp_dir().join(format!("escapement-report-{}.md", Uuid::new_v4()));
    let args = ReportArgs {
        team: Some("Payments".to_owned()),
        output: Some(file.clone()),
        ..args
    };
    run_report(app.db(), &args, None, &mut out)
        .await
        .expect("the report");
    let said = String::from_utf8(out).expect("UTF-8");
    assert!(
        said.starts_with("Wrote the Q1 2026 report for team Payments to "),
        "{said}"
    );
    let written = std::fs::read_to_string(&file).expect("the file");
    assert!(written.starts_with("# Quarterly escape report: Q1 2026, team Payments"));
    let _ = std::fs::remove_file(file);
}
