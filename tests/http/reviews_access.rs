//! Reviews and team isolation: another team's reviews, escapes and actions answer 404 on
//! every page and write, lists and the queue show only the member's teams, and a viewer
//! reads but cannot change (403).

use escapement_core::auth::Role;
use escapement_storage::reviews::review_escapes;
use escapement_tests::{TestApp, both_backends};

use crate::reviews::{escape, escape_ids, open_review};
use crate::seed;

both_backends!(TestApp:
    another_teams_review_does_not_exist_for_a_member,
    a_viewer_reads_a_review_but_cannot_change_it,
);

async fn another_teams_review_does_not_exist_for_a_member(app: TestApp) {
    let a = seed::team(&app, "Checkout").await;
    let b = seed::team(&app, "Platform").await;
    let a_escape = escape(&app, &a, "Checkout secret escape", "critical").await;
    escape(&app, &a, "Checkout queued escape", "high").await;
    let review = open_review(&app, &a, "Checkout secret review", &[a_escape]).await;
    let [e] = escape_ids(&app, review).await[..] else {
        panic!("one escape")
    };
    let team_id = a.team.to_string();
    let base = format!("/reviews/{review}/escapes/{e}");
    let action = app
        .post_form(
            &format!("{base}/actions"),
            &[
                ("title", "Secret action"),
                ("mechanism", "no_test"),
                ("target_layer", "unit_test"),
                ("effort", "s"),
                ("owner_team_id", team_id.as_str()),
            ],
        )
        .await;
    assert_eq!(action.status, 303, "{}", action.body);
    let action_id = review_escapes(app.db(), review).await.expect("escapes")[0].actions[0].id;

    let outsider = seed::member(&app, "outsider@example.com", &[(b.team, Role::TeamAdmin)])
        .await
        .1;
    for path in [
        format!("/reviews/{review}"),
        format!("/reviews/{review}/edit"),
        format!("/reviews/{review}/history"),
        format!("/reviews/{review}/export.md"),
        format!("/reviews/{review}/print"),
        format!("{base}?step=facts"),
        format!("/reviews/{review}/actions/{action_id}/edit"),
    ] {
        assert_eq!(
            app.get_with_cookies(&path, &outsider).await.status,
            404,
            "GET {path}"
        );
    }
    let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/reviews/{review}"),
            vec![
                ("version", "1"),
                ("title", "Taken"),
                ("incident_date", "2026-02-11"),
            ],
        ),
        (
            format!("/reviews/{review}/state"),
            vec![("to", "in_review"), ("version", "1")],
        ),
        (
            format!("/reviews/{review}/escapes"),
            vec![("defect_id", "00000000-0000-0000-0000-000000000000")],
        ),
        (
            format!("/reviews/{review}/escapes/new"),
            vec![("title", "x")],
        ),
        (format!("{base}/remove"), vec![]),
        (format!("{base}/facts"), vec![("version", "1")]),
        (format!("{base}/checklist"), vec![("version", "1")]),
        (format!("{base}/analysis"), vec![("version", "1")]),
        (
            format!("{base}/mechanism"),
            vec![("version", "1"), ("primary", "no_test")],
        ),
        (
            format!("{base}/no-action"),
            vec![("version", "1"), ("no_action_reason", "x")],
        ),
        (format!("{base}/actions"), vec![("title", "x")]),
        (
            format!("/reviews/{review}/actions/{action_id}"),
            vec![("version", "1"), ("title", "x")],
        ),
        (
            format!("/reviews/{review}/actions/{action_id}/delete"),
            vec![],
        ),
    ];
    for (path, fields) in &writes {
        let response = app.post_with_cookies(path, fields, &outsider).await;
        assert_eq!(response.status, 404, "POST {path}");
    }
    let stored = &review_escapes(app.db(), review).await.expect("escapes")[0];
    assert_eq!(
        (stored.version, stored.actions.len()),
        (1, 1),
        "nothing changed"
    );

    let list = app.get_with_cookies("/reviews", &outsider).await;
    assert!(!list.body.contains("Checkout secret review"));
    assert!(list.body.contains("No escape reviews yet"));
    let widened = app
        .get_with_cookies(&format!("/reviews?team={}", a.team), &outsider)
        .await;
    assert!(
        !widened.body.contains("Checkout secret review"),
        "a filter cannot widen the view"
    );
    let queue = app.get_with_cookies("/escapes", &outsider).await;
    assert!(!queue.body.contains("Checkout queued escape"));
    assert!(
        queue
            .body
            .contains("<strong>0</strong> escapes wait for review")
    );
    let form = app.get_with_cookies("/reviews/new", &outsider).await;
    assert!(
        !form.body.contains("Checkout queued escape"),
        "the new-review form offers only own escapes"
    );
    let team_a = a.team.to_string();
    let foreign = app
        .post_with_cookies(
            "/reviews",
            &[
                ("title", "Sneaky"),
                ("team_id", team_a.as_str()),
                ("incident_date", "2026-02-11"),
            ],
            &outsider,
        )
        .await;
    assert_eq!(
        foreign.status, 404,
        "another team does not exist for the outsider"
    );
}

async fn a_viewer_reads_a_review_but_cannot_change_it(app: TestApp) {
    let a = seed::team(&app, "Checkout").await;
    let coupon = escape(&app, &a, "Coupon total wrong", "critical").await;
    let review = open_review(&app, &a, "Outage", &[coupon]).await;
    let [e] = escape_ids(&app, review).await[..] else {
        panic!("one escape")
    };
    let viewer = seed::member(&app, "viewer@example.com", &[(a.team, Role::Viewer)])
        .await
        .1;
    let page = app
        .get_with_cookies(&format!("/reviews/{review}"), &viewer)
        .await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("Start the review"),
        "no state buttons for a viewer"
    );
    assert!(!page.body.contains("Edit details"));
    let step = app
        .get_with_cookies(
            &format!("/reviews/{review}/escapes/{e}?step=checklist"),
            &viewer,
        )
        .await;
    assert_eq!(step.status, 200);
    assert!(
        step.body
            .contains("Your role lets you read this review but not change it.")
    );
    assert!(!step.body.contains("Save and continue"));
    for (path, fields) in [
        (
            format!("/reviews/{review}/state"),
            vec![("to", "in_review"), ("version", "1")],
        ),
        (
            format!("/reviews/{review}/escapes/{e}/mechanism"),
            vec![("version", "1"), ("primary", "no_test")],
        ),
        (format!("/reviews/{review}/escapes/{e}/remove"), vec![]),
    ] {
        assert_eq!(
            app.post_with_cookies(&path, &fields, &viewer).await.status,
            403,
            "POST {path}"
        );
    }
    assert_eq!(
        app.get_with_cookies("/reviews/new", &viewer).await.status,
        403
    );
    assert_eq!(
        app.get_with_cookies(&format!("/reviews/{review}/export.md"), &viewer)
            .await
            .status,
        200
    );
}
