//! Actions past their due date are flagged when saved and marked overdue wherever they
//! appear; the close step counts the actions still open; deleting an action asks first, on
//! a page of its own.

use escapement_storage::reviews::review_escapes;
use escapement_tests::{TestApp, both_backends};

use crate::reviews::{escape, escape_ids, open_review, walk_to_mechanism};
use crate::seed;

both_backends!(TestApp:
    a_past_due_date_is_flagged_and_the_close_step_counts_open_actions,
    deleting_an_action_asks_on_a_page_of_its_own,
);

/// A review by the new team `team` of one escape walked to a confirmed mechanism, and an
/// action due `due`; returns the review and the escape.
async fn with_action(app: &TestApp, team: &str, due: &str) -> (uuid::Uuid, uuid::Uuid) {
    let team = seed::team(app, team).await;
    let coupon = escape(app, &team, "Coupon total wrong", "high").await;
    let review = open_review(app, &team, "Outage", &[coupon]).await;
    let [e] = escape_ids(app, review).await[..] else {
        panic!("one escape")
    };
    walk_to_mechanism(app, review, e).await;
    let base = format!("/reviews/{review}/escapes/{e}");
    let classified = app
        .post_form(
            &format!("{base}/mechanism"),
            &[("version", "4"), ("primary", "no_test")],
        )
        .await;
    assert_eq!(classified.status, 303, "{}", classified.body);
    let team_id = team.team.to_string();
    let saved = app
        .post_form(
            &format!("{base}/actions"),
            &[
                ("title", "Add coupon contract tests"),
                ("mechanism", "no_test"),
                ("component_id", ""),
                ("target_layer", "integration_test"),
                ("effort", "m"),
                ("owner_team_id", team_id.as_str()),
                ("due_date", due),
                ("status", "accepted"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    (review, e)
}

async fn a_past_due_date_is_flagged_and_the_close_step_counts_open_actions(app: TestApp) {
    let (review, e) = with_action(&app, "Checkout", "2020-01-15").await;
    // The save lands on the actions step, which says the date is past.
    let step = app
        .get(&format!("/reviews/{review}/escapes/{e}?step=actions"))
        .await;
    assert!(
        step.body.contains("1 action is past its due date"),
        "{}",
        step.body
    );
    assert!(
        step.body
            .contains("15 Jan 2020 <span class=\"due-overdue\">overdue</span>")
    );
    // The backlog marks it too.
    let backlog = app.get("/backlog").await;
    assert!(backlog.body.contains("due-overdue"), "{}", backlog.body);
    // Classified, the review page counts the open action before it is closed.
    for (to, version) in [("in_review", "1"), ("classified", "2")] {
        let moved = app
            .post_form(
                &format!("/reviews/{review}/state"),
                &[("to", to), ("version", version)],
            )
            .await;
        assert_eq!(moved.status, 303, "{to}: {}", moved.body);
    }
    let page = app.get(&format!("/reviews/{review}")).await;
    assert!(
        page.body
            .contains("<strong>1 action is still open</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("and it is overdue"), "{}", page.body);
    assert!(page.body.contains("Close the review"));

    // A due date ahead is no warning.
    let (later, e) = with_action(&app, "Payments", "2999-01-01").await;
    let step = app
        .get(&format!("/reviews/{later}/escapes/{e}?step=actions"))
        .await;
    assert!(!step.body.contains("past its due date"));
    assert!(!step.body.contains("due-overdue"));
}

async fn deleting_an_action_asks_on_a_page_of_its_own(app: TestApp) {
    let (review, e) = with_action(&app, "Checkout", "2999-01-01").await;
    let action = review_escapes(app.db(), review).await.expect("escapes")[0].actions[0].id;
    let step = app
        .get(&format!("/reviews/{review}/escapes/{e}?step=actions"))
        .await;
    let confirm_href = format!("/reviews/{review}/actions/{action}/delete");
    assert!(
        step.body
            .contains(&format!("<a href=\"{confirm_href}\">Delete")),
        "the step links to the confirmation: {}",
        step.body
    );
    let confirm = app.get(&confirm_href).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("Delete this action?"));
    assert!(confirm.body.contains("Add coupon contract tests"));
    assert!(
        confirm
            .body
            .contains("<input type=\"hidden\" name=\"csrf_token\"")
    );
    assert_eq!(
        review_escapes(app.db(), review).await.expect("escapes")[0]
            .actions
            .len(),
        1,
        "opening the page deletes nothing"
    );
    let deleted = app.post_form(&confirm_href, &[("version", "1")]).await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert!(
        review_escapes(app.db(), review).await.expect("escapes")[0]
            .actions
            .is_empty()
    );
}
