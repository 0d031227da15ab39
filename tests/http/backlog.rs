//! The backlog through its pages, on both databases: suggestions for a cluster of classified
//! escapes (accepted into an action, or dismissed until a new escape), the lifecycle outside
//! the review's edit lock with version checks and history, the score's breakdown as the page
//! writes it, and another team's items never shown.

use chrono::{Duration, Utc};
use escapement_core::auth::Role;
use escapement_core::review::{Classification, NewAction, ReviewDetails};
use escapement_core::{ActionStatus, Effort, Mechanism, ReviewState, StageKey};
use escapement_storage::Actor;
use escapement_storage::reviews::{
    StepWrite, add_action, change_state, create_review, review_escapes, save_classification,
};
use escapement_tests::{TestApp, both_backends};
use uuid::Uuid;

use crate::seed::{self, Seeded, defect_form, esc, member, record, set};

both_backends!(TestApp:
    a_cluster_of_two_escapes_is_suggested_and_accepting_it_makes_an_action,
    a_dismissal_needs_a_reason_and_holds_until_a_new_escape_is_recorded,
    the_lifecycle_moves_outside_the_review_lock_with_version_checks_and_history,
    the_action_page_writes_out_its_score,
    another_teams_items_are_never_shown_or_moved,
    pasted_tracker_keys_link_actions_all_or_nothing,
    the_top_item_exports_as_jira_csv_that_parses_back,
    a_gzip_download_ends_without_polling_the_stream_past_its_end,
    a_re_export_skips_linked_items_or_updates_them_by_key,
    exports_show_only_the_readers_teams_and_name_bad_fields,
    the_command_line_exports_and_digests_what_the_page_does,
    done_actions_are_marked_on_the_mechanism_chart,
);

fn actor(app: &TestApp) -> Actor {
    Actor::user(app.admin_id, "Ada Admin", "203.0.113.9")
}

/// A production escape of `team` found `days_ago` days ago.
async fn escape(app: &TestApp, team: &Seeded, title: &str, severity: &str, days_ago: i64) -> Uuid {
    let mut form = defect_form(team, title, severity, "production");
    let at = Utc::now() - Duration::days(days_ago);
    set(
        &mut form,
        "introduced_at",
        &(at - Duration::days(5))
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
    );
    set(
        &mut form,
        "detected_at",
        &at.format("%Y-%m-%dT%H:%M").to_string(),
    );
    record(app, &form).await
}

/// A review of `defects`, each classified `mechanism`; with `action`, one action of that
/// status per escape and the review moved to classified. Returns the review and its escapes.
async fn review(
    app: &TestApp,
    team: &Seeded,
    defects: &[Uuid],
    mechanism: Mechanism,
    action: Option<ActionStatus>,
) -> (Uuid, Vec<Uuid>, Vec<Uuid>) {
    let who = actor(app);
    let now = Utc::now();
    let details = ReviewDetails {
        title: "Checkout outage review".to_owned(),
        team_id: team.team,
        incident_date: now.date_naive(),
        incident_link: None,
        summary: String::new(),
        participants: Vec::new(),
    };
    let r = create_review(app.db(), &details, defects, &who, now)
        .await
        .expect("a review");
    let escapes = review_escapes(app.db(), r.id).await.expect("escapes");
    let mut actions = Vec::new();
    for e in &escapes {
        let w = StepWrite::new(r.id, e.id, e.version, &who, now);
        save_classification(app.db(), &w, &Classification::new(Some(mechanism), []))
            .await
            .expect("a classification");
        if let Some(status) = action {
            let a = NewAction {
                title: format!("Add a contract test for {}", e.id),
                mechanism,
                component_id: Some(team.component),
                target_layer: StageKey::parse("integration_test").expect("a stage"),
                effort: Effort::S,
                owner_team_id: team.team,
                due_date: None,
                status,
            };
            actions.push(
                add_action(app.db(), r.id, e.id, &a, &who, now)
                    .await
                    .expect("an action")
                    .id,
            );
        }
    }
    if action.is_some() {
        let moved = change_state(app.db(), r.id, r.version, ReviewState::InReview, &who, now)
            .await
            .expect("in review");
        change_state(
            app.db(),
            r.id,
            moved.version,
            ReviewState::Classified,
            &who,
            now,
        )
        .await
        .expect("classified");
    }
    (r.id, escapes.iter().map(|e| e.id).collect(), actions)
}

fn cluster_form(team: &Seeded, mechanism: &str) -> Vec<(String, String)> {
    vec![
        ("team_id".to_owned(), team.team.to_string()),
        ("mechanism".to_owned(), mechanism.to_owned()),
        ("component_id".to_owned(), team.component.to_string()),
    ]
}

async fn a_cluster_of_two_escapes_is_suggested_and_accepting_it_makes_an_action(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let first = escape(&app, &team, "Coupon total wrong", "high", 20).await;
    let second = escape(&app, &team, "Coupon applied twice", "critical", 3).await;
    review(&app, &team, &[first, second], Mechanism::NoTest, None).await;

    let page = app.get("/backlog").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Suggested"), "{}", page.body);
    // The suggestion reads as the action accepting it makes: its typical improvement,
    // capitalised, with the component.
    let typical = Mechanism::NoTest.typical_improvement();
    let title = format!("{}{} (Coupons)", typical[..1].to_uppercase(), &typical[1..]);
    assert!(page.body.contains(&esc(&title)), "{}", page.body);
    assert!(
        page.body.contains("<strong>0</strong> actions"),
        "no action yet: {}",
        page.body
    );
    assert!(page.body.contains("<strong>1</strong> suggested"));

    let form = cluster_form(&team, "no_test");
    let accepted = app
        .post_form("/backlog/suggestions/accept", &seed::pairs(&form))
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let location = accepted.location().to_owned();
    assert!(location.starts_with("/backlog/actions/") && location.ends_with("?accepted=1"));
    let action = app.get(&location).await;
    assert_eq!(action.status, 200);
    assert!(action.body.contains("Suggestion accepted"));
    assert!(
        action.body.contains("Coupon total wrong") && action.body.contains("Coupon applied twice")
    );
    assert!(action.body.contains("Escapes it addresses (2)"));
    assert!(action.body.contains("Accepted"));

    let after = app.get("/backlog").await;
    assert!(
        after.body.contains("<strong>1</strong> action,"),
        "{}",
        after.body
    );
    assert!(after.body.contains("<strong>0</strong> suggested"));
    // The cluster has an open action now: accepting again is refused, nothing is added.
    let again = app
        .post_form("/backlog/suggestions/accept", &seed::pairs(&form))
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("no longer suggested"));
    assert!(
        app.get("/backlog")
            .await
            .body
            .contains("<strong>1</strong> action,")
    );
    // A form naming no mechanism from the list is a bad request, not a server error.
    let bad = app
        .post_form(
            "/backlog/suggestions/accept",
            &seed::pairs(&cluster_form(&team, "luck")),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("Mechanism"));
}

async fn a_dismissal_needs_a_reason_and_holds_until_a_new_escape_is_recorded(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let a = escape(&app, &team, "Stale cache after deploy", "medium", 30).await;
    let b = escape(&app, &team, "Cache key collision", "medium", 10).await;
    review(&app, &team, &[a, b], Mechanism::EnvironmentMismatch, None).await;

    let mut form = cluster_form(&team, "environment_mismatch");
    form.push(("reason".to_owned(), "   ".to_owned()));
    let refused = app
        .post_form("/backlog/suggestions/dismiss", &seed::pairs(&form))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Enter why no action is needed"));
    assert!(
        app.get("/backlog")
            .await
            .body
            .contains("<strong>1</strong> suggested")
    );

    set(&mut form, "reason", "The cache is replaced next sprint");
    let dismissed = app
        .post_form("/backlog/suggestions/dismiss", &seed::pairs(&form))
        .await;
    assert_eq!(dismissed.status, 303, "{}", dismissed.body);
    let confirmed = app.get(dismissed.location()).await;
    assert!(confirmed.body.contains("<strong>0</strong> suggested"));
    assert!(
        confirmed.body.contains("Suggestion dismissed."),
        "{}",
        confirmed.body
    );
    assert!(
        !app.get("/backlog")
            .await
            .body
            .contains("Suggestion dismissed.")
    );

    // A new escape of the cluster brings it back, saying it was dismissed before.
    let c = escape(&app, &team, "Cache warmed with test data", "high", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    review(&app, &team, &[c], Mechanism::EnvironmentMismatch, None).await;
    let back = app.get("/backlog").await;
    assert!(
        back.body.contains("<strong>1</strong> suggested"),
        "{}",
        back.body
    );
    assert!(back.body.contains("Dismissed on"));
}

async fn the_lifecycle_moves_outside_the_review_lock_with_version_checks_and_history(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let d = escape(&app, &team, "Refund rounding", "high", 40).await;
    let (review_id, _, actions) = review(
        &app,
        &team,
        &[d],
        Mechanism::IneffectiveTest,
        Some(ActionStatus::Proposed),
    )
    .await;
    let id = actions[0];
    let path = format!("/backlog/actions/{id}");
    let team_id = team.team.to_string();
    let change = |status: &str, version: &str, reason: &str| {
        vec![
            ("status".to_owned(), status.to_owned()),
            ("version".to_owned(), version.to_owned()),
            ("owner_team_id".to_owned(), team_id.clone()),
            ("due_date".to_owned(), "2026-03-15".to_owned()),
            ("external_key".to_owned(), String::new()),
            ("reason".to_owned(), reason.to_owned()),
        ]
    };

    // Proposed work is accepted before it is done.
    let skip = app
        .post_form(&path, &seed::pairs(&change("done", "1", "")))
        .await;
    assert_eq!(skip.status, 422, "{}", skip.body);
    assert!(
        skip.body
            .contains("An action that is proposed cannot move to done")
    );

    let accepted = app
        .post_form(&path, &seed::pairs(&change("accepted", "1", "")))
        .await;
    assert_eq!(
        accepted.status, 303,
        "the classified review does not lock it: {}",
        accepted.body
    );
    // A second save based on version 1 is stale: 409, the conflict in labels, nothing written.
    let stale = app
        .post_form(&path, &seed::pairs(&change("in_progress", "1", "")))
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("Someone else changed this action"));
    assert!(stale.body.contains("In progress") && stale.body.contains("Accepted"));
    assert!(app.get(&path).await.body.contains("badge status-accepted"));

    let no_reason = app
        .post_form(&path, &seed::pairs(&change("wont_do", "2", "")))
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(
        no_reason
            .body
            .contains("Enter why the action will not be done")
    );

    for (status, version) in [("in_progress", "2"), ("done", "3")] {
        let r = app
            .post_form(&path, &seed::pairs(&change(status, version, "")))
            .await;
        assert_eq!(r.status, 303, "{status}: {}", r.body);
    }
    let page = app.get(&format!("{path}?saved=1")).await;
    assert!(page.body.contains("Action saved"));
    assert!(page.body.contains("badge status-done"));
    assert!(
        page.body.contains("Did it work?"),
        "a done action shows its effect"
    );

    // Every status change is on the review's history tab; the review stayed classified.
    let history = app.get(&format!("/reviews/{review_id}/history")).await;
    assert_eq!(history.status, 200);
    for label in ["Accepted", "In progress", "Done"] {
        assert!(history.body.contains(label), "{label} in the history");
    }
    let review_page = app.get(&format!("/reviews/{review_id}")).await;
    assert!(review_page.body.contains("state-classified"));
    // Done reopens to in progress; nothing else.
    let reopen = app
        .post_form(&path, &seed::pairs(&change("wont_do", "4", "Superseded")))
        .await;
    assert_eq!(reopen.status, 422);
    let reopened = app
        .post_form(&path, &seed::pairs(&change("in_progress", "4", "")))
        .await;
    assert_eq!(reopened.status, 303);
}

async fn the_action_page_writes_out_its_score(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let d = escape(&app, &team, "Tax missing on invoices", "high", 10).await;
    let (_, _, actions) = review(
        &app,
        &team,
        &[d],
        Mechanism::NoTest,
        Some(ActionStatus::Accepted),
    )
    .await;
    let page = app.get(&format!("/backlog/actions/{}", actions[0])).await;
    assert_eq!(page.status, 200);
    // One high escape (weight 4) found 10 days ago: 4 × 0.5^(10/180) × 1 ÷ 1 (Small) = 3.8.
    assert!(
        page.body.contains("Priority score: 3.8 (Medium)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("0.96"));
    let list = app.get("/backlog").await;
    assert!(list.body.contains(
        "Score: 4 weighted × 0.96 recency × 1.0 recurrence (1 quarter) ÷ 1 (Small) = 3.8"
    ));
    assert!(
        list.body
            .contains("score = severity-weighted escapes × recency × recurrence ÷ effort")
    );
    assert!(
        list.body.contains("Metric definition"),
        "the definition card is beside the scores"
    );
}

async fn another_teams_items_are_never_shown_or_moved(app: TestApp) {
    let a = seed::team(&app, "Checkout").await;
    let b = seed::team(&app, "Search").await;
    let da = escape(&app, &a, "Checkout escape", "high", 5).await;
    let db = escape(&app, &b, "Search escape", "high", 5).await;
    review(
        &app,
        &a,
        &[da],
        Mechanism::NoTest,
        Some(ActionStatus::Proposed),
    )
    .await;
    let (_, _, b_actions) = review(
        &app,
        &b,
        &[db],
        Mechanism::MissedReview,
        Some(ActionStatus::Proposed),
    )
    .await;
    let (_, a_viewer) = member(&app, "a.viewer@example.com", &[(a.team, Role::Viewer)]).await;

    let list = app.get_with_cookies("/backlog", &a_viewer).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Checkout"));
    assert!(!list.body.contains("Search escape") && !list.body.contains(&b_actions[0].to_string()));
    // Naming the other team in the filter shows nothing of it.
    let named = app
        .get_with_cookies(&format!("/backlog?team={}", b.team), &a_viewer)
        .await;
    assert!(named.body.contains("<strong>0</strong> actions"));
    let page = app
        .get_with_cookies(&format!("/backlog/actions/{}", b_actions[0]), &a_viewer)
        .await;
    assert_eq!(page.status, 404);
    let (_, b_viewer) = member(&app, "b.viewer@example.com", &[(b.team, Role::Viewer)]).await;
    let moved = app
        .post_with_cookies(
            &format!("/backlog/actions/{}", b_actions[0]),
            &[
                ("status", "accepted"),
                ("version", "1"),
                ("owner_team_id", &b.team.to_string()),
            ],
            &b_viewer,
        )
        .await;
    assert_eq!(moved.status, 403);
    let viewer_page = app
        .get_with_cookies(&format!("/backlog/actions/{}", b_actions[0]), &b_viewer)
        .await;
    assert_eq!(viewer_page.status, 200);
    assert!(
        !viewer_page.body.contains("Move this action"),
        "a viewer sees no change form"
    );
}

async fn pasted_tracker_keys_link_actions_all_or_nothing(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let d1 = escape(&app, &team, "Coupon total wrong", "high", 5).await;
    let d2 = escape(&app, &team, "Coupon applied twice", "high", 6).await;
    let (_, _, actions) = review(
        &app,
        &team,
        &[d1, d2],
        Mechanism::NoTest,
        Some(ActionStatus::Accepted),
    )
    .await;
    let team_id = team.team.to_string();
    // With one team to write for, that team is chosen already.
    let form = app.get("/backlog/links").await;
    assert!(
        form.body
            .contains(&format!("<option value=\"{team_id}\" selected>")),
        "{}",
        form.body
    );
    // A Jira export: the key column and the escapement label of each row.
    let export = format!(
        "Summary,Issue key,Labels,Labels\r\nFirst,PAY-101,escape-mechanism:no_test,escapement:{}\r\nSecond,PAY-102,escape-mechanism:no_test,escapement:{}\r\n",
        actions[0], actions[1]
    );
    // One row naming an unknown action refuses the whole paste: nothing is linked.
    let unknown = format!("{export}Third,PAY-103,,escapement:{}\r\n", Uuid::now_v7());
    let refused = app
        .post_form(
            "/backlog/links",
            &[("team_id", &team_id), ("keys", &unknown)],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("names no action of this team. Nothing was linked.")
    );
    let page = app.get(&format!("/backlog/actions/{}", actions[0])).await;
    assert!(page.body.contains("Not linked yet"));

    let no_key = format!("{} no-key-here", actions[0]);
    let bad = app
        .post_form(
            "/backlog/links",
            &[("team_id", &team_id), ("keys", &no_key)],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Row 1 names no tracker key"));

    let linked = app
        .post_form(
            "/backlog/links",
            &[("team_id", &team_id), ("keys", &export)],
        )
        .await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    let done = app.get(linked.location()).await;
    assert!(done.body.contains("2 actions linked"), "{}", done.body);
    for (id, key) in [(actions[0], "PAY-101"), (actions[1], "PAY-102")] {
        let page = app.get(&format!("/backlog/actions/{id}")).await;
        assert!(page.body.contains(&format!("<code>{key}</code>")));
    }
    // Pasting the same again changes nothing and says so.
    let again = app
        .post_form(
            "/backlog/links",
            &[("team_id", &team_id), ("keys", &export)],
        )
        .await;
    assert!(
        app.get(again.location())
            .await
            .body
            .contains("0 actions linked; 2 already had that key")
    );
}

/// The rows of a CSV body, header first.
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).expect("the column")
}

/// Checkout with a critical and a low escape, each with an action; returns (critical's
/// action, low's action).
async fn two_actions(app: &TestApp, team: &Seeded) -> (Uuid, Uuid) {
    let hot = escape(app, team, "Payments lost = \"total\", again", "critical", 2).await;
    let cold = escape(app, team, "Tooltip typo", "low", 60).await;
    let (_, _, a) = review(
        app,
        team,
        &[hot],
        Mechanism::NoTest,
        Some(ActionStatus::Accepted),
    )
    .await;
    let (_, _, b) = review(
        app,
        team,
        &[cold],
        Mechanism::MissedReview,
        Some(ActionStatus::Proposed),
    )
    .await;
    (a[0], b[0])
}

async fn the_top_item_exports_as_jira_csv_that_parses_back(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let (hot, cold) = two_actions(&app, &team).await;
    let r = app
        .get("/backlog/export/download?format=jira-csv&limit=1")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        r.headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("escapement-backlog-jira.csv"))
    );
    let rows = csv_rows(&r.body);
    assert_eq!(
        rows.len(),
        2,
        "the header and the top item only: {}",
        r.body
    );
    let (header, row) = (&rows[0], &rows[1]);
    assert_eq!(header.iter().filter(|h| *h == "Labels").count(), 3);
    assert!(row[column(header, "Summary")].starts_with("Add a contract test for "));
    // One critical escape two days ago, Small: 8 × 0.99 × 1 ÷ 1 = 7.9, in the High band.
    assert_eq!(row[column(header, "Priority")], "High");
    assert_eq!(row[column(header, "Issue Type")], "Task");
    let labels: Vec<&String> = header
        .iter()
        .zip(row)
        .filter(|(h, _)| *h == "Labels")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(labels[0], "escape-mechanism:no_test");
    assert!(labels[1].starts_with("component:"));
    assert_eq!(*labels[2], format!("escapement:{hot}"));
    assert!(labels.iter().all(|l| !l.contains(char::is_whitespace)));
    let description = &row[column(header, "Description")];
    assert!(description.contains("Payments lost = \"total\", again"));
    assert!(description.contains(&format!("/backlog/actions/{hot}")));
    assert!(
        !r.body.contains(&cold.to_string()),
        "the limit keeps the top item only"
    );
    // The importer configuration maps the same columns.
    let config = app.get("/backlog/export/jira-config.json").await;
    assert_eq!(config.status, 200);
    let json: serde_json::Value = serde_json::from_str(&config.body).expect("JSON");
    assert!(json["config.field.mappings"].get("Summary").is_some());
}

/// A browser asks for gzip: the compression layer polls the streamed body once more after
/// its last chunk, which must answer "done" again rather than panic mid-download.
async fn a_gzip_download_ends_without_polling_the_stream_past_its_end(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    two_actions(&app, &team).await;
    let request = axum::http::Request::get("/backlog/export/download?format=jira-csv")
        .header(axum::http::header::COOKIE, app.cookies())
        .header(axum::http::header::ACCEPT_ENCODING, "gzip")
        .body(axum::body::Body::empty())
        .expect("a valid request");
    let r = app.send(request).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers
            .get(axum::http::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
}

async fn a_re_export_skips_linked_items_or_updates_them_by_key(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let (hot, cold) = two_actions(&app, &team).await;
    let keys = format!("{hot} PAY-7");
    let linked = app
        .post_form(
            "/backlog/links",
            &[("team_id", &team.team.to_string()), ("keys", &keys)],
        )
        .await;
    assert_eq!(linked.status, 303, "{}", linked.body);

    let skip = app.get("/backlog/export/download?format=jira-csv").await;
    let rows = csv_rows(&skip.body);
    assert_eq!(rows.len(), 2, "the linked item is left out: {}", skip.body);
    assert!(skip.body.contains(&format!("escapement:{cold}")));
    assert!(!skip.body.contains(&format!("escapement:{hot}")));

    let update = app
        .get("/backlog/export/download?format=jira-csv&linked=update")
        .await;
    let rows = csv_rows(&update.body);
    assert_eq!(rows.len(), 3, "{}", update.body);
    let key = column(&rows[0], "Issue Key");
    let keys: Vec<&str> = rows[1..].iter().map(|r| r[key].as_str()).collect();
    assert!(keys.contains(&"PAY-7") && keys.contains(&""), "{keys:?}");
    // JSON lists both, each with its key or none.
    let json = app
        .get("/backlog/export/download?format=json&linked=update&status=all")
        .await;
    let doc: serde_json::Value = serde_json::from_str(&json.body).expect("JSON");
    assert_eq!(doc["schema"], "escapement.backlog.v1");
    assert_eq!(doc["items"].as_array().map(Vec::len), Some(2));
}

async fn exports_show_only_the_readers_teams_and_name_bad_fields(app: TestApp) {
    let a = seed::team(&app, "Checkout").await;
    let b = seed::team(&app, "Search").await;
    two_actions(&app, &a).await;
    let db = escape(&app, &b, "Search ranking broken", "critical", 1).await;
    review(
        &app,
        &b,
        &[db],
        Mechanism::NoTest,
        Some(ActionStatus::Accepted),
    )
    .await;
    let (_, viewer) = member(&app, "a.viewer@example.com", &[(a.team, Role::Viewer)]).await;
    let mine = app
        .get_with_cookies("/backlog/export/download?format=json&status=all", &viewer)
        .await;
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains("Payments lost"));
    assert!(!mine.body.contains("Search ranking broken"));
    let theirs = app
        .get_with_cookies(
            &format!("/backlog/export/download?format=json&team={}", b.team),
            &viewer,
        )
        .await;
    assert_eq!(theirs.status, 422);
    assert!(theirs.body.contains("Select a team from the list"));
    assert!(!theirs.body.contains("Search ranking broken"));
    let bad = app
        .get("/backlog/export/download?format=excel&limit=0")
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Select a format from the list"));
    assert!(bad.body.contains("How many must be a whole number"));
}

async fn the_command_line_exports_and_digests_what_the_page_does(app: TestApp) {
    use escapement_web::cli::{
        DigestArgs, ExportBacklogArgs, ExportCommand, digest_markdown, run_export,
    };
    use escapement_web::exports::backlog::{Format, Linked};
    let team = seed::team(&app, "Checkout").await;
    let (hot, _) = two_actions(&app, &team).await;
    let file = std::env::temp_dir().join(format!("escapement-backlog-{}.csv", Uuid::new_v4()));
    let args = ExportBacklogArgs {
        format: Format::JiraCsv,
        team: Some("Checkout".to_owned()),
        status: escapement_storage::backlog::StatusFilter::Open,
        limit: None,
        linked: Linked::Skip,
        bom: true,
        repo: None,
        output: Some(file.clone()),
    };
    let mut said = Vec::new();
    run_export(
        app.db(),
        &ExportCommand::Backlog(args),
        Some("https://esc.example.com/"),
        &mut said,
    )
    .await
    .expect("the export");
    let written = std::fs::read_to_string(&file).expect("the file");
    std::fs::remove_file(&file).ok();
    assert!(
        written.starts_with('\u{feff}'),
        "--bom writes a byte order mark"
    );
    assert_eq!(csv_rows(written.trim_start_matches('\u{feff}')).len(), 3);
    assert!(written.contains(&format!("https://esc.example.com/backlog/actions/{hot}")));
    assert!(String::from_utf8_lossy(&said).contains("Exported 2 items as Jira (CSV importer)"));

    // One action overdue by a week, one due in three days.
    let today = Utc::now().date_naive();
    let version_field = regex::Regex::new(r#"name="version" value="(\d+)""#).expect("a pattern");
    for (id, due) in [
        (hot, today - Duration::days(7)),
        (two_actions(&app, &team).await.1, today + Duration::days(3)),
    ] {
        let page = app.get(&format!("/backlog/actions/{id}")).await;
        let version = version_field
            .captures(&page.body)
            .map(|c| c[1].to_owned())
            .expect("a version");
        let status = if id == hot { "accepted" } else { "proposed" };
        let r = app
            .post_form(
                &format!("/backlog/actions/{id}"),
                &[
                    ("status", status),
                    ("version", &version),
                    ("owner_team_id", &team.team.to_string()),
                    ("due_date", &due.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let digest = digest_markdown(
        app.db(),
        &DigestArgs {
            team: "Checkout".to_owned(),
            days: 7,
        },
        None,
        today,
    )
    .await
    .expect("a digest");
    let overdue = digest.find("## Overdue (1)").expect("the overdue heading");
    let soon = digest
        .find("## Due in the next 7 days (1)")
        .expect("the soon heading");
    assert!(overdue < soon);
    assert!(digest[overdue..soon].contains("7 days overdue"), "{digest}");
    assert!(digest[soon..].contains("due "), "{digest}");
    let unknown = digest_markdown(
        app.db(),
        &DigestArgs {
            team: "Nobody".to_owned(),
            days: 7,
        },
        None,
        today,
    )
    .await;
    assert!(unknown.is_err());
}

async fn done_actions_are_marked_on_the_mechanism_chart(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let d = escape(&app, &team, "Refund rounding", "high", 3).await;
    let (_, _, actions) = review(
        &app,
        &team,
        &[d],
        Mechanism::NoTest,
        Some(ActionStatus::Accepted),
    )
    .await;
    let before = app.get("/dashboard").await;
    assert!(
        !before.body.contains("class=\"marker\""),
        "no action is done yet"
    );
    let path = format!("/backlog/actions/{}", actions[0]);
    for (status, version) in [("in_progress", "1"), ("done", "2")] {
        let r = app
            .post_form(
                &path,
                &[
                    ("status", status),
                    ("version", version),
                    ("owner_team_id", &team.team.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    // A done action keeps no score on the backlog: it ranks nothing any more.
    let done = app.get("/backlog?status=done").await;
    assert!(
        done.body.contains("class=\"score-closed\""),
        "{}",
        done.body
    );
    assert!(!done.body.contains("Score: "), "{}", done.body);
    let after = app.get("/dashboard").await;
    assert!(after.body.contains("class=\"marker\""), "{}", after.body);
    assert!(after.body.contains("✓ 1"));
    let quarter = escapement_core::metrics::Quarter::of(Utc::now()).label();
    assert!(after.body.contains(&format!(
        "0 of 1 action done in {quarter} show no recurrence; 1 too early to tell."
    )));
    assert!(
        after
            .body
            .contains(&format!("href=\"{}\"", esc("/backlog?status=done")))
    );
}
