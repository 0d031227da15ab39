//! The dashboard in a real browser, on the demo data: filter it to one team and a quarter
//! range with the filter form, check the headline figure says its counts, follow the escape
//! rate to the defects behind it and find the same count there, and keep screenshots of the
//! charts at desktop and phone width.

use chrono::Utc;
use escapement_core::metrics::Quarter;
use escapement_storage::catalog::list_teams;
use escapement_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp, both_backends};
use escapement_web::cli::DemoArgs;
use escapement_web::cli::demo::run_demo;
use fantoccini::{Client, Locator};

use crate::{button, choose, text_of, wait_for, webdriver};

both_backends!(TestApp: filtering_the_dashboard_and_following_a_number);

async fn filtering_the_dashboard_and_following_a_number(app: TestApp) {
    let args = DemoArgs {
        defects: 600,
        seed: 2026,
        replace: false,
    };
    run_demo(
        app.db(),
        &args,
        "demo password for tests",
        Utc::now(),
        |_| {},
    )
    .await
    .expect("the demo");
    let checkout = list_teams(app.db())
        .await
        .expect("teams")
        .into_iter()
        .find(|t| t.name == "Checkout")
        .expect("the demo's Checkout team");
    let base = format!("http://{}", app.serve().await);
    let backend = match app.store.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let team = checkout.id.to_string();
    webdriver::with_browser(&format!("dashboard-{backend}"), move |client| {
        walk(client, base, team, backend)
    })
    .await;
    drop(app);
}

async fn walk(client: Client, base: String, team: String, backend: &'static str) {
    client
        .goto(&format!("{base}/dashboard"))
        .await
        .expect("open the dashboard");
    wait_for(&client, "input#password", "the sign-in page").await;
    for (id, text) in [("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)] {
        client
            .find(Locator::Id(id))
            .await
            .expect("a sign-in field")
            .send_keys(text)
            .await
            .expect("type");
    }
    button(&client, "Sign in")
        .await
        .click()
        .await
        .expect("sign in");
    wait_for(
        &client,
        "section.headlines",
        "the dashboard after signing in",
    )
    .await;

    // One team, the last four quarters, through the filter form.
    let last = Quarter::of(Utc::now());
    let first = last.prev().prev().prev();
    choose(&client, "team", &team).await;
    choose(&client, "from", &first.to_string()).await;
    choose(&client, "to", &last.to_string()).await;
    button(&client, "Apply filters")
        .await
        .click()
        .await
        .expect("apply the filters");
    // The headlines are on the page before the filters apply too: wait for what only the
    // filtered page shows, so the checks below never read the page being left.
    wait_for(
        &client,
        ".filter-actions a[href='/dashboard']",
        "the filtered dashboard's Clear filters link",
    )
    .await;
    wait_for(&client, "section.headlines", "the filtered dashboard").await;
    let url = client.current_url().await.expect("the URL");
    assert!(url.as_str().contains(&format!("team={team}")), "{url}");
    let subtitle = text_of(&client, "p.subtitle").await;
    assert!(
        subtitle.starts_with(&format!("{} to {}", first.label(), last.label())),
        "{subtitle}"
    );
    for chart in [
        "mechanisms-title",
        "releases-title",
        "matrix-title",
        "durations-title",
    ] {
        client
            .find(Locator::Css(&format!("svg[aria-labelledby='{chart}']")))
            .await
            .unwrap_or_else(|e| panic!("the chart {chart}: {e}"));
    }
    webdriver::save_full_page_screenshot(&client, &format!("dashboard-1280-{backend}.png")).await;

    // The escape rate's detail names its numerator; its link lists exactly those escapes.
    let detail = text_of(&client, "div.figure p.figure-detail").await;
    let escapes: u64 = detail
        .split(" of ")
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("the detail starts with the numerator: {detail}"));
    client
        .find(Locator::Css("div.figure p.figure-value a"))
        .await
        .expect("the escape rate's link")
        .click()
        .await
        .expect("follow the escape rate");
    wait_for(
        &client,
        "p#result-count",
        "the defects behind the escape rate",
    )
    .await;
    let count = text_of(&client, "p#result-count").await;
    assert!(
        count.starts_with(&format!("{escapes} defect")),
        "the list counts the number clicked ({escapes}): {count}"
    );
    assert!(
        text_of(&client, "p.drill")
            .await
            .contains("in the metric definition's scope")
    );

    // Phone width: the page fits, the charts scroll inside their own boxes.
    client.back().await.expect("back to the dashboard");
    wait_for(&client, "section.headlines", "the dashboard again").await;
    client.set_window_size(390, 900).await.expect("phone width");
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            Vec::new(),
        )
        .await
        .expect("measure")
        .as_i64()
        .expect("a number");
    assert!(overflow <= 0, "the page scrolls sideways by {overflow} px");
    webdriver::save_full_page_screenshot(&client, &format!("dashboard-390-{backend}.png")).await;
}
