//! Pre-boundary tallies entered through `/settings/releases/{release_id}/tallies`: stored,
//! counted in the dashboard's denominators, refused cell by cell when invalid or when
//! someone else changed them, and private to the release's team.

use chrono::Utc;
use escapement_core::Severity;
use escapement_core::StageKey;
use escapement_core::auth::Role;
use escapement_core::metrics::TallyChange;
use escapement_storage::metrics::{TallySave, release_tallies, save_tallies};
use escapement_tests::{TestApp, both_backends};

use crate::seed::{self, DEFAULT_KEYS, defect_form, member, record};

both_backends!(TestApp:
    entered_tallies_are_stored_and_join_the_dashboard_denominator,
    an_invalid_cell_is_named_and_nothing_is_written,
    the_second_of_two_concurrent_saves_gets_a_conflict_and_the_first_is_kept,
    another_teams_release_is_not_found_and_a_viewer_may_only_read,
    a_cell_set_to_zero_is_removed,
    a_tally_after_the_boundary_is_listed_as_not_counted,
);

/// The stages before the default boundary (after system test).
const COUNTED: [&str; 6] = [
    DEFAULT_KEYS[0],
    DEFAULT_KEYS[1],
    DEFAULT_KEYS[2],
    DEFAULT_KEYS[3],
    DEFAULT_KEYS[4],
    DEFAULT_KEYS[5],
];

fn path(release: uuid::Uuid) -> String {
    format!("/settings/releases/{release}/tallies")
}

/// The whole grid as a browser posts it: every cell with what the user saw (`seen`, 0 when
/// not listed) and what they typed (`typed`, the seen value when not listed).
fn grid(seen: &[(&str, &str, u64)], typed: &[(&str, &str, &str)]) -> Vec<(String, String)> {
    let mut form = Vec::new();
    for stage in &COUNTED {
        for severity in Severity::ALL {
            let sev = severity.key();
            let saw = seen
                .iter()
                .find(|(s, v, _)| s == stage && *v == sev)
                .map_or(0, |(_, _, n)| *n);
            let value = typed
                .iter()
                .find(|(s, v, _)| s == stage && *v == sev)
                .map_or_else(
                    || {
                        if saw == 0 {
                            String::new()
                        } else {
                            saw.to_string()
                        }
                    },
                    |(_, _, t)| (*t).to_owned(),
                );
            form.push((format!("n-{stage}-{sev}"), value));
            form.push((format!("seen-{stage}-{sev}"), saw.to_string()));
        }
    }
    form
}

async fn stored(app: &TestApp, release: uuid::Uuid) -> Vec<(String, Severity, u64)> {
    let mut cells: Vec<_> = release_tallies(app.db(), release)
        .await
        .expect("tallies")
        .into_iter()
        .map(|t| (t.stage.to_string(), t.severity, t.count))
        .collect();
    cells.sort();
    cells
}

async fn entered_tallies_are_stored_and_join_the_dashboard_denominator(app: TestApp) {
    let a = seed::team(&app, "Payments").await;
    record(&app, &defect_form(&a, "Rounding", "medium", "unit_test")).await;
    record(&app, &defect_form(&a, "Outage", "critical", "production")).await;
    let (_, editor) = member(&app, "editor@example.com", &[(a.team, Role::Editor)]).await;
    let range = "/dashboard?from=2026-Q1&to=2026-Q1";
    let before = app.get_with_cookies(range, &editor).await;
    assert!(before.body.contains("1 of 2 defects"), "{}", before.body);

    let page = app.get_with_cookies(&path(a.release), &editor).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Payments 1.0"));
    assert!(page.body.contains("15 Jan 2026"), "{}", page.body);
    assert!(
        page.body.contains("before the release reached Staging"),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"name="n-unit_test-medium""#));
    assert!(page.body.contains(r#"inputmode="numeric""#));
    assert!(
        !page.body.contains(r#"name="n-staging-medium""#),
        "only stages before the boundary"
    );

    let form = grid(
        &[],
        &[("unit_test", "medium", "40"), ("system_test", "low", " 2 ")],
    );
    let saved = app
        .post_with_cookies(&path(a.release), &seed::pairs(&form), &editor)
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location(), format!("{}?saved=1", path(a.release)));
    assert_eq!(
        stored(&app, a.release).await,
        [
            ("system_test".to_owned(), Severity::Low, 2),
            ("unit_test".to_owned(), Severity::Medium, 40)
        ]
    );
    let confirmed = app.get_with_cookies(saved.location(), &editor).await;
    assert!(confirmed.body.contains("Tallies saved"));
    assert!(confirmed.body.contains(r#"value="40""#));

    // The denominator rises by exactly the 42 tallied, the numerator stays.
    let after = app.get_with_cookies(range, &editor).await;
    assert!(after.body.contains("1 of 44 defects"), "{}", after.body);
    // The release's row links its tallied count to the page it came from.
    assert!(
        after.body.contains(&format!(
            "(<a href=\"{}\">42 tallied</a>)",
            seed::esc(&path(a.release))
        )),
        "{}",
        after.body
    );

    // The releases list links to the page.
    let list = app.get_with_cookies("/settings/releases", &editor).await;
    assert!(
        list.body.contains(&seed::esc(&path(a.release))),
        "{}",
        list.body
    );
}

async fn an_invalid_cell_is_named_and_nothing_is_written(app: TestApp) {
    let a = seed::team(&app, "Payments").await;
    let form = grid(
        &[],
        &[("unit_test", "high", "-3"), ("code_review", "low", "5")],
    );
    let refused = app.post_form(&path(a.release), &seed::pairs(&form)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Unit &#x2f; component test, High: enter a whole number from 0 to 1,000,000"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("There is a problem"));
    assert!(refused.body.contains(r##"href="#n-unit_test-high""##));
    // The input is kept.
    assert!(refused.body.contains(r#"value="-3""#));
    assert!(refused.body.contains(r#"value="5""#));
    assert!(stored(&app, a.release).await.is_empty());
}

async fn the_second_of_two_concurrent_saves_gets_a_conflict_and_the_first_is_kept(app: TestApp) {
    let a = seed::team(&app, "Payments").await;
    let (_, first) = member(&app, "first@example.com", &[(a.team, Role::Editor)]).await;
    let (_, second) = member(&app, "second@example.com", &[(a.team, Role::Editor)]).await;
    // Both open the empty page, then both save the same cell.
    let mine = grid(&[], &[("unit_test", "medium", "7")]);
    let theirs = grid(
        &[],
        &[("unit_test", "medium", "9"), ("unit_test", "low", "1")],
    );
    let saved = app
        .post_with_cookies(&path(a.release), &seed::pairs(&mine), &first)
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let refused = app
        .post_with_cookies(&path(a.release), &seed::pairs(&theirs), &second)
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("Someone else changed these tallies"));
    assert!(refused.body.contains("Unit &#x2f; component test, Medium"));
    // The second user's input is kept, and the form now remembers what is saved.
    assert!(refused.body.contains(r#"value="9""#));
    assert!(
        refused
            .body
            .contains(r#"name="seen-unit_test-medium" value="7""#)
    );
    // Nothing of the second save was written, not even its other cell.
    assert_eq!(
        stored(&app, a.release).await,
        [("unit_test".to_owned(), Severity::Medium, 7)]
    );
    // Saving again over the saved value is deliberate and goes through.
    let again = grid(
        &[("unit_test", "medium", 7)],
        &[("unit_test", "medium", "9")],
    );
    let overwritten = app
        .post_with_cookies(&path(a.release), &seed::pairs(&again), &second)
        .await;
    assert_eq!(overwritten.status, 303, "{}", overwritten.body);
    assert_eq!(
        stored(&app, a.release).await,
        [("unit_test".to_owned(), Severity::Medium, 9)]
    );
}

async fn another_teams_release_is_not_found_and_a_viewer_may_only_read(app: TestApp) {
    let a = seed::team(&app, "Payments").await;
    let b = seed::team(&app, "Search").await;
    let (_, viewer) = member(&app, "viewer@example.com", &[(a.team, Role::Viewer)]).await;
    let form = grid(&[], &[("unit_test", "medium", "4")]);
    let other = app.get_with_cookies(&path(b.release), &viewer).await;
    assert_eq!(other.status, 404);
    let other = app
        .post_with_cookies(&path(b.release), &seed::pairs(&form), &viewer)
        .await;
    assert_eq!(other.status, 404);
    let refused = app
        .post_with_cookies(&path(a.release), &seed::pairs(&form), &viewer)
        .await;
    assert_eq!(refused.status, 403);
    assert!(stored(&app, a.release).await.is_empty());
    let read = app.get_with_cookies(&path(a.release), &viewer).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert!(
        !read
            .body
            .contains("<form method=\"post\" action=\"&#x2f;settings")
    );
    assert!(!read.body.contains("Save tallies"));
    assert!(read.body.contains("read these tallies but not change them"));
}

async fn a_cell_set_to_zero_is_removed(app: TestApp) {
    let a = seed::team(&app, "Payments").await;
    let first = grid(
        &[],
        &[("unit_test", "medium", "3"), ("code_review", "high", "2")],
    );
    assert_eq!(
        app.post_form(&path(a.release), &seed::pairs(&first))
            .await
            .status,
        303
    );
    let seen = [("unit_test", "medium", 3), ("code_review", "high", 2)];
    let cleared = grid(&seen, &[("unit_test", "medium", "0")]);
    assert_eq!(
        app.post_form(&path(a.release), &seed::pairs(&cleared))
            .await
            .status,
        303
    );
    assert_eq!(
        stored(&app, a.release).await,
        [("code_review".to_owned(), Severity::High, 2)]
    );
    let blank = grid(
        &[("code_review", "high", 2)],
        &[("code_review", "high", "")],
    );
    assert_eq!(
        app.post_form(&path(a.release), &seed::pairs(&blank))
            .await
            .status,
        303
    );
    assert!(stored(&app, a.release).await.is_empty());
}

async fn a_tally_after_the_boundary_is_listed_as_not_counted(app: TestApp) {
    let a = seed::team(&app, "Payments").await;
    let change = TallyChange {
        stage: StageKey::parse("uat").expect("a key"),
        severity: Severity::High,
        seen: Some(0),
        count: 6,
    };
    let saved = save_tallies(
        app.db(),
        a.release,
        a.team,
        std::slice::from_ref(&change),
        Utc::now(),
    )
    .await
    .expect("saved");
    assert_eq!(saved, TallySave::Saved);
    // The same change again saw 0 where 6 is stored now.
    let again = save_tallies(app.db(), a.release, a.team, &[change], Utc::now())
        .await
        .expect("checked");
    assert!(matches!(again, TallySave::Conflict(ref c) if c.len() == 1 && c[0].stored == 6));
    let page = app.get(&path(a.release)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Tallies that are not counted"));
    assert!(page.body.contains("<td>6</td>"), "{}", page.body);
}
