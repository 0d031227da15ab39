//! A classified or closed review reads as a record on its own page: each escape's facts,
//! where it should have been caught, its checklist, its mechanisms with the answers behind
//! them, its actions with status and due date, and who classified and closed it, and when.
//! The print view carries the checklist too.

use escapement_tests::{TestApp, both_backends};

use crate::seed::esc;
use crate::story::Story;

both_backends!(TestApp:
    a_classified_review_names_each_mechanism_and_action_on_its_page,
    a_closed_review_says_who_closed_it_and_prints_its_checklist,
);

/// The part of the review page that is the record.
fn record_of(body: &str) -> &str {
    let start = body
        .find("id=\"record-title\"")
        .unwrap_or_else(|| panic!("the page has no record:\n{body}"));
    &body[start..]
}

async fn a_classified_review_names_each_mechanism_and_action_on_its_page(app: TestApp) {
    let story = Story::classified(&app).await;
    let page = app.get(&format!("/reviews/{}", story.review)).await;
    assert_eq!(page.status, 200);
    let record = record_of(&page.body);
    for text in [
        "What the review found",
        "Classified by Ada Admin on",
        "Escape 1: Coupon total wrong",
        "Escape 2: Banner typo",
        // Where it should have been caught, and the checklist behind the mechanism.
        "Integration / API test",
        "Was there automated coverage for this failure mode?",
        "Only unit tests cover coupons",
        "“Was there automated coverage for this failure mode? No”",
        // Each action with its status and due date, or why none is needed.
        "Add coupon contract tests",
        "30 Jun 2026",
        "Accepted",
        "No action needed: The banner was removed",
    ] {
        assert!(
            record.contains(&esc(text)),
            "the record lacks {text}:\n{record}"
        );
    }
    // Each primary mechanism, and the contributing ones.
    for markup in [
        "<strong>Primary:</strong> No test existed",
        "<strong>Primary:</strong> Human review missed it",
        "<strong>Contributing:</strong> Test data was not representative",
        "30 Jun 2026 <span class=\"due-overdue\">overdue</span>",
    ] {
        assert!(
            record.contains(markup),
            "the record lacks {markup}:\n{record}"
        );
    }
    // An escape classified without a checklist answer says so instead of listing blanks.
    assert!(record.contains("No question was answered."), "{record}");
    assert!(
        !record.contains("disabled"),
        "the record is text, not disabled forms"
    );
}

async fn a_closed_review_says_who_closed_it_and_prints_its_checklist(app: TestApp) {
    let story = Story::closed(&app).await;
    let page = app.get(&format!("/reviews/{}", story.review)).await;
    let record = record_of(&page.body);
    assert!(record.contains("Closed by Ada Admin on"), "{record}");
    let print = app.get(&format!("/reviews/{}/print", story.review)).await;
    assert_eq!(print.status, 200);
    for text in [
        "Closed by Ada Admin on",
        "Checklist",
        "Was there automated coverage for this failure mode?",
        "Only unit tests cover coupons",
        "Add coupon contract tests",
    ] {
        assert!(
            print.body.contains(&esc(text)),
            "the print view lacks {text}"
        );
    }
}
