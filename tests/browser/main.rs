//! Browser suite: headless Chromium through WebDriver against the real server, on SQLite and
//! PostgreSQL. Needs `chromedriver` and Chromium; skipped without them unless `CI=true`.
//!
//! Screenshots of the pages it reaches (and of the page a failing test stopped on) are saved
//! under `tests/screenshots/`, which git ignores.

mod backlog;
mod dashboard;
mod phone;
mod review;
mod setup;
mod webdriver;

use std::time::Duration;

use escapement_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp, both_backends, seed_team};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

both_backends!(TestApp: recording_and_finding_a_defect);

/// How long a page may take to show what the test waits for.
pub(crate) const WAIT: Duration = Duration::from_secs(15);

const TITLE: &str = "Coupon total wrong when two discounts stack";

/// Ids (as form values) of the seeded catalog.
struct Seeded {
    team: String,
    component: String,
}

/// A team "Checkout" with a component "Coupons" and a release "Checkout 1.0".
async fn seed(app: &TestApp) -> Seeded {
    let seeded = seed_team(app, "Checkout").await;
    Seeded {
        team: seeded.team.to_string(),
        component: seeded.component.to_string(),
    }
}

async fn recording_and_finding_a_defect(app: TestApp) {
    let seeded = seed(&app).await;
    let base = format!("http://{}", app.serve().await);
    let backend = match app.store.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    webdriver::with_browser(backend, move |client| {
        record_and_find(client, base, seeded, backend)
    })
    .await;
    // The server and its database live until the browser is done with them.
    drop(app);
}

async fn record_and_find(client: Client, base: String, seeded: Seeded, backend: &'static str) {
    // The empty form comes back with an error summary and a message at the title field.
    client
        .goto(&format!("{base}/defects/new"))
        .await
        .expect("open the new-defect form");
    // Signed out, the form sends the visitor to sign in first and then back to it.
    wait_for(&client, "input#password", "the sign-in page").await;
    client
        .find(Locator::Id("email"))
        .await
        .expect("the email field")
        .send_keys(ADMIN_EMAIL)
        .await
        .expect("type the email address");
    client
        .find(Locator::Id("password"))
        .await
        .expect("the password field")
        .send_keys(ADMIN_PASSWORD)
        .await
        .expect("type the password");
    button(&client, "Sign in")
        .await
        .click()
        .await
        .expect("sign in");
    wait_for(
        &client,
        "input#title",
        "the new-defect form after signing in",
    )
    .await;
    button(&client, "Record defect")
        .await
        .click()
        .await
        .expect("submit the empty form");
    let summary = wait_for(
        &client,
        "div.error-summary",
        "the error summary after an empty submit",
    )
    .await;
    assert!(
        summary
            .is_displayed()
            .await
            .expect("error summary visibility"),
        "the error summary is visible"
    );
    let summary_text = summary.text().await.expect("error summary text");
    assert!(
        summary_text.contains("There is a problem"),
        "error summary heading: {summary_text:?}"
    );
    let title_link = summary
        .find(Locator::Css("a[href='#title']"))
        .await
        .expect("a summary link to the title field");
    assert_eq!(
        title_link.text().await.expect("summary link text"),
        "Enter a title"
    );
    summary
        .find(Locator::Css("a[href='#severity']"))
        .await
        .expect("a summary link to the severity field");
    let title_error = client
        .find(Locator::Css("p.error-message#title-error"))
        .await
        .expect("the title field error");
    assert!(
        title_error
            .is_displayed()
            .await
            .expect("title error visibility"),
        "the title error is visible"
    );
    let title_error_text = title_error.text().await.expect("title error text");
    assert!(
        title_error_text.contains("Enter a title"),
        "title field error: {title_error_text:?}"
    );
    let severity_error = client
        .find(Locator::Css("p.error-message#severity-error"))
        .await
        .expect("the severity error");
    assert!(
        severity_error
            .is_displayed()
            .await
            .expect("severity error visibility"),
        "the severity error is visible"
    );
    webdriver::save_full_page_screenshot(&client, &format!("defect-form-errors-{backend}.png"))
        .await;

    // A complete form records the defect and shows it; production is past the boundary.
    let title = client
        .find(Locator::Id("title"))
        .await
        .expect("the title field");
    title.clear().await.expect("clear the title field");
    title.send_keys(TITLE).await.expect("type the title");
    choose(&client, "severity", "high").await;
    choose(&client, "defect_type", "functional").await;
    choose(&client, "team_id", &seeded.team).await;
    choose(&client, "component_id", &seeded.component).await;
    choose(&client, "discovery_stage", "production").await;
    choose(&client, "detected_by", "customer").await;
    button(&client, "Record defect")
        .await
        .click()
        .await
        .expect("submit the filled-in form");
    wait_for(
        &client,
        "dl.summary",
        "the defect page after a valid submit",
    )
    .await;
    let heading = client
        .find(Locator::Css("h1"))
        .await
        .expect("the page heading");
    assert_eq!(heading.text().await.expect("heading text"), TITLE);
    let badge = client
        .find(Locator::Css("p.subtitle .badge.escaped"))
        .await
        .expect("the escaped badge");
    assert_eq!(badge.text().await.expect("badge text"), "Escaped");
    let url = client.current_url().await.expect("the defect page URL");
    let defect_path = url.path().to_owned();
    assert!(
        defect_path.starts_with("/defects/"),
        "redirected to the defect, not {url}"
    );
    webdriver::save_full_page_screenshot(&client, &format!("defect-{backend}.png")).await;

    // The list finds it by title words among escaped defects.
    client
        .goto(&format!("{base}/defects"))
        .await
        .expect("open the defect list");
    let q = wait_for(&client, "input#q", "the filter form").await;
    q.send_keys("two discounts")
        .await
        .expect("type into the title filter");
    choose(&client, "escaped", "yes").await;
    button(&client, "Apply filters")
        .await
        .click()
        .await
        .expect("apply the filters");
    // Only the server marks an option `selected` in the markup: this is the new page.
    wait_for(
        &client,
        "select#escaped option[value='yes'][selected]",
        "the list filtered to escaped defects",
    )
    .await;
    let count = text_of(&client, "p#result-count").await;
    assert!(
        count.starts_with("1 defect, 1 escaped"),
        "result count: {count:?}"
    );
    let rows = client
        .find_all(Locator::Css("table.list tbody tr"))
        .await
        .expect("the result rows");
    assert_eq!(rows.len(), 1, "one matching row");
    let link = rows[0]
        .find(Locator::Css("td a"))
        .await
        .expect("the row's title link");
    assert_eq!(link.text().await.expect("link text"), TITLE);
    assert_eq!(
        link.attr("href").await.expect("link target").as_deref(),
        Some(defect_path.as_str())
    );
    webdriver::save_full_page_screenshot(&client, &format!("defects-filtered-{backend}.png")).await;

    // Among defects that did not escape there is none, and the page says so.
    choose(&client, "escaped", "no").await;
    button(&client, "Apply filters")
        .await
        .click()
        .await
        .expect("apply the changed filters");
    wait_for(
        &client,
        "select#escaped option[value='no'][selected]",
        "the list filtered to non-escaped defects",
    )
    .await;
    let count = text_of(&client, "p#result-count").await;
    assert!(
        count.starts_with("0 defects, 0 escaped"),
        "result count: {count:?}"
    );
    let rows = client
        .find_all(Locator::Css("table.list tbody tr"))
        .await
        .expect("the result rows");
    assert!(rows.is_empty(), "no rows when nothing matches");
    assert_eq!(
        text_of(&client, "div.empty-state h2").await,
        "No defects match these filters"
    );
}

/// Waits for `css` to be on the page; on timeout, says which page is showing instead.
pub(crate) async fn wait_for(client: &Client, css: &str, what: &str) -> Element {
    match client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element,
        Err(e) => {
            let url = client
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let problems = match client.find(Locator::Css("div.error-summary")).await {
                Ok(summary) => summary.text().await.unwrap_or_default(),
                Err(_) => String::from("(none)"),
            };
            panic!(
                "{what}: `{css}` did not appear within {WAIT:?} ({e}); the browser shows {url}; error summary: {problems}"
            )
        }
    }
}

/// The visible text of the element matching `css`, which must be on the page.
pub(crate) async fn text_of(client: &Client, css: &str) -> String {
    let element = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("find `{css}`: {e}"));
    element
        .text()
        .await
        .unwrap_or_else(|e| panic!("text of `{css}`: {e}"))
}

/// The button whose text is `label`.
pub(crate) async fn button(client: &Client, label: &str) -> Element {
    let xpath = format!("//button[normalize-space()='{label}']");
    client
        .find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("find the button {label:?}: {e}"))
}

/// Picks the option with `value` in the select whose id is `id`, and checks it took.
pub(crate) async fn choose(client: &Client, id: &str, value: &str) {
    let select = client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("find select#{id}: {e}"));
    select
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value:?} in select#{id}: {e}"));
    let chosen = select
        .prop("value")
        .await
        .unwrap_or_else(|e| panic!("value of select#{id}: {e}"));
    assert_eq!(
        chosen.as_deref(),
        Some(value),
        "select#{id} shows the chosen option"
    );
}
