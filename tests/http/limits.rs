//! The limits on what a request may carry: a body over the route's limit is a readable 413,
//! a date outside the sane years or a range that ends before it starts a 422 naming the
//! field, never a 400 or a 5xx.

use escapement_tests::{CSRF, TestApp, both_backends};
use escapement_web::routes::DEFAULT_BODY_LIMIT;

use crate::seed::{self, defect_form, pairs, set};

both_backends!(TestApp:
    a_body_over_the_limit_is_a_readable_413_and_saves_nothing,
    a_review_range_that_ends_before_it_starts_names_the_field,
    a_date_in_year_minus_one_is_not_a_date,
);

async fn a_body_over_the_limit_is_a_readable_413_and_saves_nothing(app: TestApp) {
    let seeded = seed::team(&app, "Checkout").await;
    let mut form = defect_form(&seeded, "Huge", "high", "production");
    set(
        &mut form,
        "description",
        &"x".repeat(DEFAULT_BODY_LIMIT + 1),
    );
    let mut all = vec![("csrf_token", CSRF)];
    all.extend(pairs(&form));
    let body = serde_urlencoded::to_string(&all).expect("encode the form");
    let refused = app.post_raw("/defects", body, Some(CSRF)).await;
    assert_eq!(refused.status, 413, "{}", refused.body);
    assert!(refused.body.contains("What you sent is too large"));
    assert!(refused.body.contains("up to 1 MiB"));
    let list = app.get("/defects").await.body;
    assert!(!list.contains("Huge"), "nothing was saved");

    // Just under the limit the form is read and judged by its own rules.
    set(
        &mut form,
        "description",
        &"x".repeat(DEFAULT_BODY_LIMIT - 4096),
    );
    let judged = app.post_form("/defects", &pairs(&form)).await;
    assert_eq!(
        judged.status,
        422,
        "{}",
        &judged.body[..200.min(judged.body.len())]
    );
    assert!(judged.body.contains("Description"));
}

async fn a_review_range_that_ends_before_it_starts_names_the_field(app: TestApp) {
    let page = app.get("/reviews?from=2026-03-01&to=2026-01-31").await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body
            .contains("Incident to (2026-01-31) is before Incident from (2026-03-01)"),
        "{}",
        page.body
    );
    assert_eq!(
        app.get("/reviews?from=2026-01-31&to=2026-01-31")
            .await
            .status,
        200
    );
}

async fn a_date_in_year_minus_one_is_not_a_date(app: TestApp) {
    let seeded = seed::team(&app, "Checkout").await;
    let mut form = defect_form(&seeded, "Old bug", "high", "production");
    set(&mut form, "introduced_at", "");
    set(&mut form, "detected_at", "-0001-02-10T10:30");
    let refused = app.post_form("/defects", &pairs(&form)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Detected date must be a real date"));
}
