//! A page past the end of a list says so and links to the last page, instead of the empty
//! state of a list with nothing in it.

use escapement_tests::{TestApp, both_backends};

use crate::seed::{self, defect_form, esc, record};

both_backends!(TestApp: a_page_past_the_end_of_a_list_says_so_and_links_to_the_last);

async fn a_page_past_the_end_of_a_list_says_so_and_links_to_the_last(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    record(
        &app,
        &defect_form(&team, "Coupon total wrong", "high", "production"),
    )
    .await;
    for (path, last) in [
        ("/defects?page=99", "/defects?page=1"),
        ("/escapes?page=99", "/escapes?page=1"),
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            page.body.contains("There is no page 99"),
            "{path}: {}",
            page.body
        );
        assert!(page.body.contains("The list ends at page 1."), "{path}");
        assert!(
            page.body.contains(&format!("href=\"{}\"", esc(last))),
            "{path}"
        );
        assert!(!page.body.contains("No defects recorded yet"), "{path}");
    }
    // An empty list is still the empty state, whatever the page.
    let reviews = app.get("/reviews?page=3").await;
    assert!(reviews.body.contains("No escape reviews yet"));
    assert!(!reviews.body.contains("There is no page"));
}
