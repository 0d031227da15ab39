//! The dashboard against a hand-computed fixture: DOMAIN.md's worked example (20 unit, 10
//! system, 5 UAT and 3 production defects: 8 of 38 escaped with the boundary after system
//! test), recorded through the defect form, plus one escape of another team that must
//! never show.

use escapement_core::auth::Role;
use escapement_tests::{TestApp, both_backends};

use crate::seed::{self, defect_form, member, record, set};

both_backends!(TestApp:
    the_dashboard_computes_the_worked_example_and_hides_other_teams,
    each_chart_downloads_its_data_as_csv,
    bad_filters_are_named_and_ignored,
    every_drill_down_lists_as_many_defects_as_the_number_it_came_from,
    a_new_definition_changes_the_card_and_only_what_it_should,
    a_range_of_days_counts_the_defects_of_those_days,
);

/// Records the worked example for team A in Q1 2026 and one escape for team B; returns
/// (A, B).
async fn fixture(app: &TestApp) -> (seed::Seeded, seed::Seeded) {
    let a = seed::team(app, "Payments").await;
    let b = seed::team(app, "Search").await;
    for (stage, severity, n) in [
        ("unit_test", "medium", 20),
        ("system_test", "medium", 10),
        ("uat", "high", 5),
        ("production", "critical", 3),
    ] {
        for i in 0..n {
            let mut form = defect_form(&a, &format!("{stage} {i}"), severity, stage);
            // Automated tests found the contained ones; customers the escapes.
            if !matches!(stage, "uat" | "production") {
                set(&mut form, "detected_by", "automated_test");
            }
            record(app, &form).await;
        }
    }
    record(
        app,
        &defect_form(&b, "Search outage", "critical", "production"),
    )
    .await;
    (a, b)
}

const RANGE: &str = "from=2026-Q1&to=2026-Q1";

async fn the_dashboard_computes_the_worked_example_and_hides_other_teams(app: TestApp) {
    let (a, _) = fixture(&app).await;
    let (_, viewer) = member(&app, "viewer@example.com", &[(a.team, Role::Viewer)]).await;
    let page = app
        .get_with_cookies(&format!("/dashboard?{RANGE}"), &viewer)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    // Plain: 8 / 38. Weighted: 5 × 4 + 3 × 8 = 44 of 44 + 30 × 2 = 104.
    assert!(page.body.contains(">21.1%</a>"), "{}", page.body);
    assert!(page.body.contains("8 of 38 defects"));
    assert!(page.body.contains(">42.3%</a>"));
    assert!(page.body.contains("weight 44 of 104"));
    // Found before production: 35 of 38.
    assert!(page.body.contains("92.1%"));
    assert!(page.body.contains("35 of 38 defects"));
    assert!(page.body.contains("Metric definition v1"));
    assert!(page.body.contains("Escapes: found after System test (QA)"));
    // Per severity: critical 3 of 3, high 5 of 5, medium 0 of 30.
    assert!(page.body.contains("100.0% (3 of 3 defects"));
    assert!(page.body.contains("0.0% (0 of 30 defects"));
    assert!(
        !page.body.contains("Search"),
        "team B's numbers and names stay hidden"
    );

    // The instance admin sees both teams: 9 of 39.
    let all = app.get(&format!("/dashboard?{RANGE}")).await;
    assert!(all.body.contains("9 of 39 defects"), "{}", all.body);
    // Filtering to B's team as A's viewer shows nothing of B.
    let probe = app
        .get_with_cookies(
            &format!("/dashboard?{RANGE}&team={}", seed_b_team(&app).await),
            &viewer,
        )
        .await;
    assert_eq!(probe.status, 200);
    assert!(probe.body.contains("No defects in scope"));
    assert!(!probe.body.contains("Search outage"));
}

async fn seed_b_team(app: &TestApp) -> uuid::Uuid {
    escapement_storage::catalog::list_teams(app.db())
        .await
        .expect("teams")
        .into_iter()
        .find(|t| t.name == "Search")
        .expect("team B")
        .id
}

async fn each_chart_downloads_its_data_as_csv(app: TestApp) {
    let (a, _) = fixture(&app).await;
    let (_, viewer) = member(&app, "viewer@example.com", &[(a.team, Role::Viewer)]).await;
    let releases = app
        .get_with_cookies(&format!("/dashboard/releases.csv?{RANGE}"), &viewer)
        .await;
    assert_eq!(releases.status, 200);
    assert_eq!(
        releases
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    let lines: Vec<&str> = releases.body.lines().collect();
    assert_eq!(
        lines[0],
        "release,released_on,escapes,defects,escape_rate,interval_95,small_sample,tallied,definition_version"
    );
    assert_eq!(lines.len(), 2, "one release: {}", releases.body);
    assert!(lines[1].starts_with("Payments 1.0,"), "{}", lines[1]);
    assert!(lines[1].contains(",8,38,21.1%,"), "{}", lines[1]);
    assert!(lines[1].ends_with(",false,0,1"), "{}", lines[1]);

    let matrix = app
        .get_with_cookies(&format!("/dashboard/matrix.csv?{RANGE}"), &viewer)
        .await;
    let not_named = matrix
        .body
        .lines()
        .find(|l| l.starts_with("not_named,"))
        .expect("a row for defects without an expected stage");
    // unit 20, system 10, uat 5, production 3, in pipeline order, total 38.
    assert_eq!(not_named, "not_named,0,0,0,20,0,10,0,5,0,3,38,1");

    let mechanisms = app
        .get_with_cookies(&format!("/dashboard/mechanisms.csv?{RANGE}"), &viewer)
        .await;
    let rows: Vec<&str> = mechanisms.body.lines().skip(1).collect();
    assert_eq!(rows.len(), 7, "one row per mechanism for the one quarter");
    assert!(rows.iter().all(|r| r.starts_with("Q1 2026,")));
    assert!(
        rows[0].starts_with("Q1 2026,no_test,0,0,"),
        "nothing classified yet"
    );

    let durations = app
        .get_with_cookies(&format!("/dashboard/durations.csv?{RANGE}"), &viewer)
        .await;
    // Introduced 1 Feb 09:00, detected 10 Feb 10:30: 9 days 1.5 hours, in the class from
    // 181 to 256 hours; none resolved.
    let row = durations.body.lines().nth(1).expect("Q1 2026");
    assert!(row.starts_with("Q1 2026,"), "{row}");
    assert!(row.contains(",38,"), "{row}");
    assert!(row.ends_with(",0,38,1"), "38 still open: {row}");
    let components = app
        .get_with_cookies(&format!("/dashboard/components.csv?{RANGE}"), &viewer)
        .await;
    // Weighted escapes of Coupons: 44.
    assert!(
        components.body.contains("Coupons,44,8,38,21.1%,1"),
        "{}",
        components.body
    );
}

async fn bad_filters_are_named_and_ignored(app: TestApp) {
    fixture(&app).await;
    let page = app
        .get("/dashboard?from=2026-Q5&to=soon&severity=extreme&type=weird&team=nope")
        .await;
    assert_eq!(page.status, 200);
    for text in [
        "The start “2026-Q5” is neither a quarter nor a day",
        "The end “soon” is neither a quarter nor a day",
        "The severity filter “extreme” is unknown",
        "The defect type filter “weird” is unknown",
        "The team filter",
    ] {
        assert!(
            page.body.contains(&seed::esc(text)) || page.body.contains(text),
            "{text}: {}",
            page.body
        );
    }
    let swapped = app.get("/dashboard?from=2026-Q2&to=2026-Q1").await;
    assert!(swapped.body.contains("were swapped"));
}

/// The `href`s of the links whose text is `text` (after minijinja's escaping).
fn links_to(body: &str, text: &str) -> Vec<String> {
    let re = regex::Regex::new(&format!(r#"<a href="([^"]*)">{}</a>"#, regex::escape(text)))
        .expect("regex");
    re.captures_iter(body)
        .map(|c| {
            c[1].replace("&amp;", "&")
                .replace("&#x2f;", "/")
                .replace("&quot;", "\"")
        })
        .collect()
}

fn counted(list: &str) -> (u64, u64) {
    let re = regex::Regex::new(r"<strong>(\d+)</strong> defects?, <strong>(\d+)</strong> escaped")
        .expect("regex");
    let c = re.captures(list).expect("a result count");
    (c[1].parse().expect("n"), c[2].parse().expect("n"))
}

async fn every_drill_down_lists_as_many_defects_as_the_number_it_came_from(app: TestApp) {
    let (a, _) = fixture(&app).await;
    let (_, viewer) = member(&app, "viewer@example.com", &[(a.team, Role::Viewer)]).await;
    let page = app
        .get_with_cookies(&format!("/dashboard?{RANGE}"), &viewer)
        .await;
    // The escape rate's numerator: 8 escapes.
    let escapes = &links_to(&page.body, "21.1%")[0];
    let list = app.get_with_cookies(escapes, &viewer).await;
    assert_eq!(list.status, 200, "{escapes}");
    assert_eq!(counted(&list.body), (8, 8), "{escapes}");
    assert!(list.body.contains("The defects behind a dashboard number"));
    // Its denominator: the 38 defects in scope.
    let scope = &links_to(&page.body, "The defects in scope")[0];
    assert_eq!(
        counted(&app.get_with_cookies(scope, &viewer).await.body),
        (38, 8)
    );
    // Matrix cells: found in unit test without an expected stage (20), in production (3).
    for (n, want) in [("20", (20, 0)), ("3", (3, 3))] {
        let cell = links_to(&page.body, n)
            .into_iter()
            .find(|h| h.contains("expected=none"))
            .expect("a matrix cell link");
        assert_eq!(
            counted(&app.get_with_cookies(&cell, &viewer).await.body),
            want,
            "{cell}"
        );
    }
    // The component table: 44 weighted escapes of Coupons are 8 escapes.
    let component = &links_to(&page.body, "44")[0];
    assert_eq!(
        counted(&app.get_with_cookies(component, &viewer).await.body),
        (8, 8)
    );
    // The same links as another team's member show none of A's defects.
    let (_, stranger) = member(&app, "stranger@example.com", &[]).await;
    let theirs = app.get_with_cookies(escapes, &stranger).await;
    assert_eq!(counted(&theirs.body), (0, 0));
}

async fn a_new_definition_changes_the_card_and_only_what_it_should(app: TestApp) {
    fixture(&app).await;
    let before = app.get(&format!("/dashboard?{RANGE}")).await;
    assert!(before.body.contains("Metric definition v1"));
    assert!(before.body.contains("9 of 39 defects"));
    // Critical weighs 10 instead of 8: the weighted rate moves, the plain rate does not.
    let form = crate::metrics::definition_form(
        "1",
        "Critical escapes cost us more than the default says",
        &[("weight_critical", "10")],
    );
    let saved = app
        .post_form("/settings/metrics", &seed::pairs(&form))
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let after = app.get(&format!("/dashboard?{RANGE}")).await;
    assert!(
        after.body.contains("Metric definition v2"),
        "{}",
        after.body
    );
    assert!(after.body.contains("Critical\u{a0}10"));
    assert!(
        after.body.contains("9 of 39 defects"),
        "the plain rate stays"
    );
    // Weighted: 5 × 4 + 4 × 10 = 60 of 60 + 30 × 2 = 120 (team B's critical escape too).
    assert!(after.body.contains("weight 60 of 120"), "{}", after.body);
    assert!(before.body.contains("weight 52 of 112"), "{}", before.body);
}

/// Days that are not whole quarters: the roll-up answers the whole quarters inside them and
/// the partial quarters are counted from their defects; the numbers, the day fields, the
/// note on partial quarters and the drill-down agree.
async fn a_range_of_days_counts_the_defects_of_those_days(app: TestApp) {
    let (a, _) = fixture(&app).await;
    // Two more escapes on 20 March, one contained defect on 5 April.
    for (i, day) in ["2026-03-20T08:00", "2026-03-20T23:59", "2026-04-05T12:00"]
        .into_iter()
        .enumerate()
    {
        let stage = if i < 2 { "production" } else { "unit_test" };
        let mut form = defect_form(&a, &format!("Late {i}"), "critical", stage);
        set(&mut form, "detected_at", day);
        set(&mut form, "introduced_at", "2026-03-01T09:00");
        record(&app, &form).await;
    }
    // February alone: the worked example and team B's escape.
    let feb = app.get("/dashboard?from=2026-02-01&to=2026-02-28").await;
    assert_eq!(feb.status, 200, "{}", feb.body);
    assert!(feb.body.contains("9 of 39 defects"), "{}", feb.body);
    assert!(feb.body.contains("1 Feb 2026 to 28 Feb 2026"));
    // Two partial quarters, no whole one: 2 escapes of 3 defects.
    let late = app.get("/dashboard?from=2026-02-15&to=2026-04-10").await;
    assert!(late.body.contains("2 of 3 defects"), "{}", late.body);
    assert!(
        late.body.contains(
            "Q1 2026 counts only 15 Feb to 31 Mar 2026 and Q2 2026 counts only 1 Apr to 10 Apr 2026"
        ),
        "{}",
        late.body
    );
    assert!(late.body.contains(r#"value="2026-02-15""#));
    // The form's day fields win over its quarter selects.
    let fields = app
        .get("/dashboard?from=2025-Q1&to=2026-Q4&from_day=2026-02-15&to_day=2026-04-10")
        .await;
    assert!(fields.body.contains("2 of 3 defects"), "{}", fields.body);
    // A whole quarter and a partial one: Q1 from the roll-up (11 of 41) and 5 April.
    let mixed = app.get("/dashboard?from=2026-Q1&to=2026-04-10").await;
    assert!(mixed.body.contains("11 of 42 defects"), "{}", mixed.body);
    let escapes = &links_to(&mixed.body, "26.2%")[0];
    assert!(escapes.contains("to=2026-04-10"), "{escapes}");
    assert_eq!(counted(&app.get(escapes).await.body), (11, 11), "{escapes}");
    let scope = &links_to(&mixed.body, "The defects in scope")[0];
    assert_eq!(counted(&app.get(scope).await.body), (42, 11), "{scope}");
    // One day in the list, in words.
    let day = app.get("/defects?from=2026-03-20&to=2026-03-20").await;
    assert_eq!(counted(&day.body), (2, 2));
    assert!(day.body.contains("detected on 20 Mar 2026"), "{}", day.body);
}
