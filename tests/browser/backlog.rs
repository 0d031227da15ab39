//! The backlog in a real browser: two classified escapes of one mechanism and component make
//! a suggestion; accept it, move the action through in progress to done with its form, see
//! the confirmation and "Did it work?", then export it from the export page as Jira CSV and
//! read the file the browser downloaded. At phone width the backlog does not scroll sideways.

use chrono::{Duration, Utc};
use escapement_core::StageKey;
use escapement_core::review::{Classification, ReviewDetails};
use escapement_core::{DefectType, DetectedBy, Mechanism, NewDefect, Origin, ScopeFlags, Severity};
use escapement_storage::Actor;
use escapement_storage::defects::create_defect;
use escapement_storage::reviews::{StepWrite, create_review, review_escapes, save_classification};
use escapement_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp, both_backends, seed_team};
use fantoccini::{Client, Locator};
use std::path::PathBuf;
use uuid::Uuid;

use crate::{WAIT, button, choose, text_of, wait_for, webdriver};

both_backends!(TestApp: accepting_a_suggestion_moving_it_to_done_and_exporting_it);

/// A confirmed production escape of `team`'s component, found `days_ago` days ago.
fn escape(
    team: Uuid,
    component: Uuid,
    title: &str,
    severity: Severity,
    days_ago: i64,
) -> NewDefect {
    let detected_at = Utc::now() - Duration::days(days_ago);
    NewDefect {
        title: title.to_owned(),
        description: String::new(),
        severity,
        defect_type: DefectType::Functional,
        origin: Origin::Code,
        discovery_stage: StageKey::parse("production").expect("stage"),
        expected_catch_stage: None,
        detected_by: DetectedBy::Customer,
        team_id: team,
        component_id: Some(component),
        release_id: None,
        introduced_at: Some(detected_at - Duration::days(5)),
        detected_at,
        resolved_at: None,
        reopened_count: 0,
        scope: ScopeFlags {
            confirmed: true,
            ..ScopeFlags::default()
        },
        external_key: None,
        incident_link: None,
    }
}

async fn accepting_a_suggestion_moving_it_to_done_and_exporting_it(app: TestApp) {
    // Checkout's component Coupons: two escapes, both classified "No test existed", in a
    // review with no action yet — the backlog suggests one.
    let seeded = seed_team(&app, "Checkout").await;
    let now = Utc::now();
    let mut defects = Vec::new();
    for (title, severity, days_ago) in [
        ("Coupon total wrong", Severity::High, 20),
        ("Coupon applied twice", Severity::Critical, 3),
    ] {
        let new = escape(seeded.team, seeded.component, title, severity, days_ago);
        defects.push(create_defect(app.db(), &new, now).await.expect("defect").id);
    }
    let who = Actor::user(app.admin_id, "Ada Admin", "203.0.113.9");
    let details = ReviewDetails {
        title: "Coupon incidents review".to_owned(),
        team_id: seeded.team,
        incident_date: now.date_naive(),
        incident_link: None,
        summary: String::new(),
        participants: Vec::new(),
    };
    let review = create_review(app.db(), &details, &defects, &who, now)
        .await
        .expect("a review");
    for e in review_escapes(app.db(), review.id).await.expect("escapes") {
        let w = StepWrite::new(review.id, e.id, e.version, &who, now);
        save_classification(
            app.db(),
            &w,
            &Classification::new(Some(Mechanism::NoTest), []),
        )
        .await
        .expect("a classification");
    }
    let base = format!("http://{}", app.serve().await);
    let backend = match app.store.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    webdriver::with_browser_downloads(&format!("backlog-{backend}"), move |client, downloads| {
        walk(client, base, downloads, backend)
    })
    .await;
    drop(app);
}

/// How far the page scrolls sideways at the current window size, and its scroll width.
async fn sideways(client: &Client) -> (i64, i64) {
    let measured = client
        .execute(
            "const e = document.documentElement; return [e.scrollWidth - e.clientWidth, e.scrollWidth];",
            Vec::new(),
        )
        .await
        .expect("measure the page width");
    let number = |i: usize| measured[i].as_i64().expect("a whole number of pixels");
    (number(0), number(1))
}

async fn walk(client: Client, base: String, downloads: PathBuf, backend: &'static str) {
    client
        .goto(&format!("{base}/backlog"))
        .await
        .expect("open the backlog");
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
    wait_for(&client, "ol.backlog", "the backlog after signing in").await;
    let count = text_of(&client, "p#result-count").await;
    assert!(
        count.starts_with("0 actions, 1 suggested"),
        "result count: {count:?}"
    );
    let item = text_of(&client, "li.backlog-suggestion").await;
    assert!(
        item.contains("Suggested") && item.contains("No test existed"),
        "{item}"
    );
    assert!(item.contains("Addresses 2 escapes"), "{item}");

    // Phone width: the suggestion with its buttons and the filters fit without sideways scroll.
    client.set_window_size(390, 900).await.expect("phone width");
    let (overflow, width) = sideways(&client).await;
    assert!(
        overflow <= 0 && width <= 390,
        "the backlog scrolls sideways at 390 px: scroll width {width}, {overflow} px too wide"
    );
    webdriver::save_full_page_screenshot(&client, &format!("backlog-390-{backend}.png")).await;
    client
        .set_window_size(1280, 1000)
        .await
        .expect("desktop width");
    webdriver::save_full_page_screenshot(&client, &format!("backlog-1280-{backend}.png")).await;

    // Accepting lands on the new action's page, with a confirmation.
    button(&client, "Accept as an action")
        .await
        .click()
        .await
        .expect("accept the suggestion");
    let notice = wait_for(&client, "p.notice.success", "the accepted action's page").await;
    let notice = notice.text().await.expect("notice text");
    assert!(notice.starts_with("Suggestion accepted"), "{notice}");
    let url = client.current_url().await.expect("the action's URL");
    let action_id = url
        .path()
        .strip_prefix("/backlog/actions/")
        .and_then(|id| Uuid::parse_str(id).ok())
        .unwrap_or_else(|| panic!("landed on an action's page, not {url}"));
    assert_eq!(
        text_of(&client, "p.subtitle .badge").await,
        "Accepted",
        "an accepted suggestion is an accepted action"
    );
    assert_eq!(
        text_of(&client, "h2#escapes").await,
        "Escapes it addresses (2)"
    );
    assert!(
        client.find(Locator::Css("h2#effect")).await.is_err(),
        "no \"Did it work?\" before the action is done"
    );

    // Through the form: in progress, then done; each save says so on the page it leads to.
    for (status, label) in [("in_progress", "In progress"), ("done", "Done")] {
        choose(&client, "status", status).await;
        button(&client, "Save changes")
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("save the move to {label}: {e}"));
        wait_for(
            &client,
            &format!("p.subtitle .badge.status-{status}"),
            &format!("the action moved to {label}"),
        )
        .await;
        assert_eq!(text_of(&client, "p.subtitle .badge").await, label);
        assert_eq!(text_of(&client, "p.notice.success").await, "Action saved");
        assert!(
            client
                .current_url()
                .await
                .expect("url")
                .as_str()
                .ends_with("?saved=1")
        );
    }
    let effect = text_of(&client, "section[aria-labelledby='effect']").await;
    assert!(effect.starts_with("Did it work?"), "{effect}");
    assert!(
        effect.contains("Too early to tell.") && effect.contains("fewer than the 14 needed"),
        "done today, the comparison waits: {effect}"
    );
    webdriver::save_full_page_screenshot(&client, &format!("backlog-action-done-{backend}.png"))
        .await;

    // The export page, from the backlog's button: Jira, done actions, Download.
    client
        .goto(&format!("{base}/backlog"))
        .await
        .expect("back to the backlog");
    wait_for(&client, "p#result-count", "the backlog again").await;
    client
        .find(Locator::XPath("//a[normalize-space()='Export']"))
        .await
        .expect("the Export button")
        .click()
        .await
        .expect("open the export page");
    wait_for(&client, "input#format-jira-csv", "the export page").await;
    client
        .find(Locator::Css("label[for='format-jira-csv']"))
        .await
        .expect("the Jira option's label")
        .click()
        .await
        .expect("choose Jira");
    assert!(
        client
            .find(Locator::Id("format-jira-csv"))
            .await
            .expect("the Jira option")
            .is_selected()
            .await
            .expect("checked"),
        "Jira is chosen"
    );
    choose(&client, "status", "done").await;
    webdriver::save_full_page_screenshot(&client, &format!("backlog-export-{backend}.png")).await;
    button(&client, "Download")
        .await
        .click()
        .await
        .expect("download the export");

    // The file the browser saved: Jira's header with three Labels columns and our action.
    let bytes = webdriver::downloaded(&downloads, "escapement-backlog-jira.csv", WAIT).await;
    let text = String::from_utf8(bytes).expect("the export is UTF-8");
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect();
    let [header, row] = &rows[..] else {
        panic!("the header and the one done action: {text}")
    };
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("the column {name} in {header:?}"))
    };
    assert_eq!(
        header.iter().filter(|h| *h == "Labels").count(),
        3,
        "{header:?}"
    );
    assert_eq!(row[column("Issue Type")], "Task");
    let labels: Vec<&str> = header
        .iter()
        .zip(row)
        .filter(|(h, _)| *h == "Labels")
        .map(|(_, v)| v.as_str())
        .collect();
    assert!(
        labels.contains(&"escape-mechanism:no_test"),
        "the mechanism label: {labels:?}"
    );
    assert!(
        labels.contains(&format!("escapement:{action_id}").as_str()),
        "the action's label: {labels:?}"
    );
    let description = &row[column("Description")];
    assert!(
        description.contains("Coupon total wrong") && description.contains("Coupon applied twice"),
        "the escapes it addresses: {description}"
    );
    assert!(
        description.contains(&format!("/backlog/actions/{action_id}")),
        "the link back: {description}"
    );
    // The download left the export page showing.
    assert!(
        client
            .current_url()
            .await
            .expect("url")
            .path()
            .ends_with("/backlog/export"),
        "the page stays"
    );
}
