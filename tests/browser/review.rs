//! The guided review in a real browser, on the demo data: from the unreviewed queue, open a
//! review of two escapes, walk the first through facts, checklist, analysis, mechanism (accepting the
//! suggestion) and an action, classify the second with an action, then classify and close.

use chrono::Utc;
use escapement_core::Paging;
use escapement_storage::catalog::list_teams;
use escapement_storage::defects::DefectFilter;
use escapement_storage::reviews::unreviewed_escapes;
use escapement_storage::settings::stage_settings;
use escapement_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp, both_backends};
use escapement_web::cli::DemoArgs;
use escapement_web::cli::demo::run_demo;
use fantoccini::{Client, Locator};
use std::time::Instant;
use uuid::Uuid;

use crate::{button, choose, text_of, wait_for, webdriver};

both_backends!(TestApp: walking_a_review_from_start_to_close);

async fn walking_a_review_from_start_to_close(app: TestApp) {
    // The default demo data set: reviews in every state and a queue of unreviewed escapes.
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
    let stages = stage_settings(app.db()).await.expect("stages");
    let filter = DefectFilter {
        team_id: Some(checkout.id),
        ..DefectFilter::default()
    };
    let queue = unreviewed_escapes(app.db(), &filter, &stages, Paging::new(1, 2))
        .await
        .expect("the queue");
    let [first, second] = &queue.rows[..] else {
        panic!("the demo leaves at least two Checkout escapes unreviewed")
    };
    let base = format!("http://{}", app.serve().await);
    let backend = match app.store.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let picked = Picked {
        team: checkout.id,
        first: first.id,
        first_title: first.title.clone(),
        second: second.id,
        second_title: second.title.clone(),
    };
    webdriver::with_browser(&format!("review-{backend}"), move |client| {
        walk(client, base, picked, backend)
    })
    .await;
    drop(app);
}

/// The two escapes the walk reviews, both of the demo's Checkout team.
struct Picked {
    team: Uuid,
    first: Uuid,
    first_title: String,
    second: Uuid,
    second_title: String,
}

async fn click_button(client: &Client, label: &str) {
    button(client, label)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {label:?}: {e}"));
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("find `{css}`: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click `{css}`: {e}"));
}

async fn type_into(client: &Client, id: &str, text: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("find #{id}: {e}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into #{id}: {e}"));
}

async fn walk(client: Client, base: String, picked: Picked, backend: &'static str) {
    let Picked {
        team,
        first,
        first_title,
        second,
        second_title,
    } = picked;
    let started = Instant::now();
    // From the unreviewed queue: review the first escape, and add the second on the form.
    client
        .goto(&format!("{base}/escapes?team={team}"))
        .await
        .expect("open the queue");
    wait_for(&client, "input#password", "the sign-in page").await;
    type_into(&client, "email", ADMIN_EMAIL).await;
    type_into(&client, "password", ADMIN_PASSWORD).await;
    click_button(&client, "Sign in").await;
    wait_for(
        &client,
        "p#result-count",
        "the unreviewed queue after signing in",
    )
    .await;
    assert!(
        text_of(&client, "p#result-count")
            .await
            .ends_with("escapes wait for review")
    );
    webdriver::save_full_page_screenshot(&client, &format!("review-queue-{backend}.png")).await;
    click(&client, &format!("a[href='/reviews/new?defect={first}']")).await;
    wait_for(&client, "input#title", "the new-review form").await;
    let preselected = client
        .find(Locator::Id(&format!("defect-{first}")))
        .await
        .expect("the first escape's checkbox");
    assert!(
        preselected.is_selected().await.expect("checked"),
        "the escape from the queue is preselected"
    );
    // Started from an escape, the review is titled after it; this one covers two, so it is
    // renamed.
    let title = client
        .find(Locator::Id("title"))
        .await
        .expect("the title field");
    assert_eq!(
        title.prop("value").await.expect("value").as_deref(),
        Some(first_title.as_str()),
        "the title comes from the escape"
    );
    title.clear().await.expect("clear the title");
    type_into(&client, "title", "Black Friday checkout outage").await;
    type_into(
        &client,
        "summary",
        "Coupons **doubled** the order total for 40 minutes.",
    )
    .await;
    click(&client, &format!("label[for='defect-{second}']")).await;
    click_button(&client, "Open review").await;
    wait_for(&client, "section.review-checklist", "the new review's page").await;
    let review_path = client.current_url().await.expect("url").path().to_owned();
    let missing = text_of(&client, "section.review-checklist").await;
    assert!(
        missing.contains(&format!("'{first_title}' has no primary mechanism")),
        "{missing}"
    );
    webdriver::save_full_page_screenshot(&client, &format!("review-draft-{backend}.png")).await;

    click_button(&client, "Start the review").await;
    wait_for(
        &client,
        "span.badge.state-in_review",
        "the review in review",
    )
    .await;
    client
        .find(Locator::LinkText(&first_title))
        .await
        .expect("the escape's link")
        .click()
        .await
        .expect("open the escape");
    wait_for(&client, "dl.summary", "the facts step").await;
    click_button(&client, "The facts are right: continue").await;

    wait_for(
        &client,
        "fieldset#answer_automated_coverage",
        "the checklist step",
    )
    .await;
    // The script shows the "did that test run" follow-up only when there was coverage.
    let follow_up = client
        .find(Locator::Id("answer_test_ran_and_passed"))
        .await
        .expect("the follow-up question");
    assert!(
        !follow_up.is_displayed().await.expect("visibility"),
        "hidden without coverage"
    );
    click(&client, "label[for='answer_automated_coverage-yes']").await;
    assert!(
        follow_up.is_displayed().await.expect("visibility"),
        "shown once coverage is yes"
    );
    for (question, answer) in [
        ("unfamiliar_code", "yes"),
        ("unclear_criteria", "no"),
        ("automated_coverage", "no"),
        ("observable_in_test", "yes"),
        ("untested_conditions", "unknown"),
        ("production_differs", "no"),
    ] {
        click(&client, &format!("label[for='answer_{question}-{answer}']")).await;
    }
    type_into(
        &client,
        "note_automated_coverage",
        "Only unit tests cover coupons",
    )
    .await;
    webdriver::save_full_page_screenshot(&client, &format!("review-checklist-{backend}.png")).await;
    click_button(&client, "Save and continue").await;

    wait_for(&client, "select#expected_catch_stage", "the analysis step").await;
    // Text typed but not sent survives a reload in this browser, and is offered back.
    type_into(
        &client,
        "evidence",
        "An API contract test on the coupon total",
    )
    .await;
    let analysis_url = client.current_url().await.expect("url");
    client
        .goto(analysis_url.as_str())
        .await
        .expect("reload the analysis step");
    let restore = wait_for(
        &client,
        "button.restore-draft",
        "the offer to restore the typed text",
    )
    .await;
    restore.click().await.expect("restore the draft");
    let evidence = client
        .find(Locator::Id("evidence"))
        .await
        .expect("the evidence field");
    assert_eq!(
        evidence.prop("value").await.expect("value").as_deref(),
        Some("An API contract test on the coupon total")
    );
    choose(&client, "expected_catch_stage", "integration_test").await;
    type_into(
        &client,
        "evidence_gap",
        "QA missed it: the coupon service had no contract suite",
    )
    .await;
    click_button(&client, "Save and continue").await;

    // The wording reads as blame: the save stays on the analysis, with the hint and a way on.
    let hint = wait_for(
        &client,
        "div.blame-hint",
        "the blameless hint on the saved analysis",
    )
    .await;
    let hint = hint.text().await.expect("hint text");
    assert!(hint.contains("“QA missed”"), "{hint}");
    assert!(
        hint.contains("What evidence or test would have caught it earlier"),
        "{hint}"
    );
    assert!(
        text_of(&client, "p.notice.success")
            .await
            .contains("Saved where it should have been caught."),
        "the save is confirmed"
    );
    webdriver::save_full_page_screenshot(&client, &format!("review-blame-hint-{backend}.png"))
        .await;
    client
        .find(Locator::LinkText("continue to mechanism"))
        .await
        .expect("the way on past the hint")
        .click()
        .await
        .expect("continue");

    let suggestions = wait_for(
        &client,
        "div.suggestions",
        "the mechanism step with suggestions",
    )
    .await;
    let text = suggestions.text().await.expect("suggestions text");
    assert!(text.contains("No test existed"), "{text}");
    assert!(
        text.contains("because: Was there automated coverage for this failure mode? No"),
        "{text}"
    );
    click(&client, "label[for='primary-no_test']").await;
    click(&client, "label[for='contributing-missed_review']").await;
    webdriver::save_full_page_screenshot(&client, &format!("review-mechanism-{backend}.png")).await;
    click_button(&client, "Save and continue").await;

    wait_for(&client, "section#actions", "the actions step").await;
    type_into(&client, "title", "Add coupon contract tests").await;
    choose(&client, "mechanism", "no_test").await;
    choose(&client, "target_layer", "integration_test").await;
    click_button(&client, "Add action").await;
    wait_for(
        &client,
        "section#actions table.list",
        "the action in the list",
    )
    .await;
    assert!(
        text_of(&client, "section#actions table.list")
            .await
            .contains("Add coupon contract tests")
    );
    webdriver::save_full_page_screenshot(&client, &format!("review-actions-{backend}.png")).await;

    // The second escape: straight to its mechanism, then one action.
    client
        .find(Locator::LinkText(&second_title))
        .await
        .expect("the second escape in the stepper")
        .click()
        .await
        .expect("open the second escape");
    wait_for(&client, "nav.tabs", "the second escape's steps").await;
    click(&client, "nav.tabs a[href$='step=mechanism']").await;
    wait_for(
        &client,
        "fieldset#primary",
        "the second escape's mechanism step",
    )
    .await;
    click(&client, "label[for='primary-environment_mismatch']").await;
    click_button(&client, "Save and continue").await;
    wait_for(
        &client,
        "section#actions",
        "the second escape's actions step",
    )
    .await;
    type_into(
        &client,
        "title",
        "Compare price cache settings between staging and production",
    )
    .await;
    choose(&client, "mechanism", "environment_mismatch").await;
    choose(&client, "target_layer", "staging").await;
    choose(&client, "effort", "s").await;
    click_button(&client, "Add action").await;
    wait_for(
        &client,
        "section#actions table.list",
        "the second escape's action",
    )
    .await;

    client
        .goto(&format!("{base}{review_path}"))
        .await
        .expect("back to the review");
    wait_for(&client, "section.review-checklist", "the review page").await;
    assert!(
        text_of(&client, "section.review-checklist")
            .await
            .contains("Nothing stops the review from being classified.")
    );
    click_button(&client, "Mark as classified").await;
    wait_for(
        &client,
        "span.badge.state-classified",
        "the classified review",
    )
    .await;
    click_button(&client, "Close the review").await;
    wait_for(&client, "span.badge.state-closed", "the closed review").await;
    webdriver::save_full_page_screenshot(&client, &format!("review-closed-{backend}.png")).await;
    click(&client, "nav.tabs a[href$='/history']").await;
    let history = wait_for(&client, "ol.history", "the history tab").await;
    let history = history.text().await.expect("history text");
    assert!(
        history.contains("Closed") && history.contains("Primary mechanism"),
        "{history}"
    );
    eprintln!(
        "review walk on {backend}: queue → two escapes classified with actions → closed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
