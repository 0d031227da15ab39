//! The guided review in a real browser: sign in, start the review, walk one escape through
//! facts, checklist, analysis, mechanism and actions, then classify and close it.

use chrono::Utc;
use escapement_core::review::ReviewDetails;
use escapement_core::{DefectType, DetectedBy, NewDefect, Origin, ScopeFlags, Severity, StageKey};
use escapement_storage::defects::create_defect;
use escapement_storage::reviews::{Actor, create_review};
use escapement_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp, both_backends, seed_team};
use fantoccini::{Client, Locator};

use crate::{button, choose, text_of, wait_for, webdriver};

both_backends!(TestApp: walking_a_review_from_start_to_close);

const ESCAPE: &str = "Coupon total wrong when two discounts stack";

async fn walking_a_review_from_start_to_close(app: TestApp) {
    let seeded = seed_team(&app, "Checkout").await;
    let defect = NewDefect {
        title: ESCAPE.to_owned(),
        description: String::new(),
        severity: Severity::Critical,
        defect_type: DefectType::Functional,
        origin: Origin::Code,
        discovery_stage: StageKey::parse("production").expect("stage"),
        expected_catch_stage: None,
        detected_by: DetectedBy::Customer,
        team_id: seeded.team,
        component_id: Some(seeded.component),
        release_id: Some(seeded.release),
        introduced_at: None,
        detected_at: Utc::now(),
        resolved_at: None,
        reopened_count: 0,
        scope: ScopeFlags {
            confirmed: true,
            ..ScopeFlags::default()
        },
        external_key: Some("SHOP-1432".to_owned()),
        incident_link: None,
    };
    let defect = create_defect(app.db(), &defect, Utc::now())
        .await
        .expect("defect");
    let details = ReviewDetails {
        title: "Black Friday checkout outage".to_owned(),
        team_id: seeded.team,
        incident_date: Utc::now().date_naive(),
        incident_link: None,
        summary: "Coupons **doubled** the order total for 40 minutes.".to_owned(),
        participants: vec![],
    };
    let actor = Actor {
        user_id: app.admin_id,
        name: "Ada Admin".to_owned(),
    };
    let review = create_review(app.db(), &details, &[defect.id], &actor, Utc::now())
        .await
        .expect("review");
    let base = format!("http://{}", app.serve().await);
    let backend = match app.store.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let review_path = format!("/reviews/{}", review.id);
    webdriver::with_browser(&format!("review-{backend}"), move |client| {
        walk(client, base, review_path, backend)
    })
    .await;
    drop(app);
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

async fn walk(client: Client, base: String, review_path: String, backend: &'static str) {
    client
        .goto(&format!("{base}{review_path}"))
        .await
        .expect("open the review");
    wait_for(&client, "input#password", "the sign-in page").await;
    type_into(&client, "email", ADMIN_EMAIL).await;
    type_into(&client, "password", ADMIN_PASSWORD).await;
    click_button(&client, "Sign in").await;
    wait_for(
        &client,
        "section.review-checklist",
        "the review page after signing in",
    )
    .await;
    let missing = text_of(&client, "section.review-checklist").await;
    assert!(
        missing.contains(&format!("'{ESCAPE}' has no primary mechanism")),
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
        .find(Locator::LinkText(ESCAPE))
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

    client
        .goto(&format!(
            "{base}{}",
            client.current_url().await.expect("url").path()
        ))
        .await
        .expect("reload the step");
    click(&client, "nav.tabs a[href$='step=analysis']").await;
    let hint = wait_for(
        &client,
        "div.blame-hint",
        "the blameless hint on the analysis",
    )
    .await;
    let hint = hint.text().await.expect("hint text");
    assert!(hint.contains("“QA missed”"), "{hint}");
    assert!(
        hint.contains("What evidence or test would have caught it earlier"),
        "{hint}"
    );
    webdriver::save_full_page_screenshot(&client, &format!("review-blame-hint-{backend}.png"))
        .await;

    client
        .goto(&format!("{base}{review_path}"))
        .await
        .expect("back to the review");
    wait_for(&client, "section.review-checklist", "the review page").await;
    assert!(
        text_of(&client, "section.review-checklist").await.contains(
            "Every escape is classified and has an action or a reason why none is needed."
        )
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
    let history = wait_for(&client, "table.list", "the history tab").await;
    let history = history.text().await.expect("history text");
    assert!(
        history.contains("Closed") && history.contains("primary mechanism"),
        "{history}"
    );
}
