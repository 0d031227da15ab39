//! Every kind of page at desktop (1280 px) and phone (390 px) width, on the demo data plus a
//! defect whose title is 200 characters without a space: each page is saved as a full-page
//! screenshot at both widths, and at 390 px none may be wider than the window.

use chrono::Utc;
use escapement_storage::reviews::review_escapes;
use escapement_tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp, both_backends, defect_form, seed_team,
};
use escapement_web::cli::DemoArgs;
use escapement_web::cli::demo::run_demo;
use fantoccini::{Client, Locator};
use uuid::Uuid;

use crate::{button, wait_for, webdriver};

both_backends!(TestApp: every_page_fits_a_phone_and_a_desktop);

/// Desktop and phone widths, in CSS pixels.
const WIDTHS: [u32; 2] = [1280, 390];

/// The window height the pages are measured at (the screenshots are of the whole page).
const HEIGHT: u32 = 900;

/// A title of 200 characters with no place to break it.
fn long_title() -> String {
    "Couponstacking".repeat(15).chars().take(200).collect()
}

async fn every_page_fits_a_phone_and_a_desktop(app: TestApp) {
    let args = DemoArgs {
        defects: 300,
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
    let long = long_title_defects(&app).await;
    let base = format!("http://{}", app.serve().await);
    let backend = match app.store.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    webdriver::with_browser(&format!("phone-{backend}"), move |client| {
        visit_all(client, base, long, backend)
    })
    .await;
    drop(app);
}

/// Where the 200-character title shows: its team, the escape a draft review covers, and
/// that review.
struct Long {
    team: Uuid,
    defect: Uuid,
    /// An uploaded file waiting for its import.
    import: Uuid,
    review: Uuid,
    action: Uuid,
}

/// Records two long-titled escapes in a team of its own and opens a draft review of the
/// first; the second stays in the unreviewed queue.
async fn long_title_defects(app: &TestApp) -> Long {
    let seeded = seed_team(app, "Phone").await;
    let (team, component) = (seeded.team.to_string(), seeded.component.to_string());
    let title = long_title();
    let description = format!("Seen on a phone: {title}");
    let record = async |severity: &str| {
        let mut form = defect_form(&seeded, &title, severity, "production");
        form.iter_mut()
            .filter(|(k, _)| k == "description")
            .for_each(|(_, v)| v.clone_from(&description));
        let fields: Vec<(&str, &str)> =
            form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let response = app.post_form("/defects", &fields).await;
        assert_eq!(response.status, 303, "record the defect: {}", response.body);
        let path = response.redirect_path();
        Uuid::parse_str(path.trim_start_matches("/defects/")).expect("the defect's id")
    };
    let defect = record("high").await;
    record("critical").await;
    let defect_id = defect.to_string();
    let response = app
        .post_form(
            "/reviews",
            &[
                ("title", title.as_str()),
                ("team_id", team.as_str()),
                ("incident_date", "2026-02-11"),
                ("incident_link", "https://status.example.com/incidents/42"),
                ("summary", description.as_str()),
                ("participants", "Dana Reyes (facilitator)"),
                ("defects", defect_id.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status, 303, "open the review: {}", response.body);
    let path = response.redirect_path();
    let review = Uuid::parse_str(path.trim_start_matches("/reviews/")).expect("the review's id");
    // A long-titled action, long past its due date, on the escape.
    let escape = review_escapes(app.db(), review).await.expect("the escapes")[0].id;
    let saved = app
        .post_form(
            &format!("/reviews/{review}/escapes/{escape}/actions"),
            &[
                ("title", title.as_str()),
                ("mechanism", "no_test"),
                ("component_id", component.as_str()),
                ("target_layer", "integration_test"),
                ("effort", "m"),
                ("owner_team_id", team.as_str()),
                ("due_date", "2020-01-15"),
                ("status", "accepted"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "add the action: {}", saved.body);
    let action = review_escapes(app.db(), review).await.expect("the escapes")[0].actions[0].id;
    // A Jira export waiting for its import, with the long title and a row in error.
    let file = format!(
        "Summary,Issue key,Priority,Created,Resolved,Component/s,Labels,Description\n{title},LONG-1,Highest,01/Dec/25 10:15 AM,,Coupons,found-in:staging,\"Two\nlines\"\nBroken,LONG-2,Urgent,yesterday,,NewComponentWithAVeryLongNameThatHasNoSpacesAtAllAnywhere,,\n"
    );
    let mapping =
        escapement_core::import::Preset::Jira.mapping(&escapement_core::Pipeline::default());
    let import = escapement_storage::imports::create_upload(
        app.db(),
        seeded.team,
        Some(app.admin_id),
        "jira-export-with-a-rather-long-file-name-2026-12-01.csv",
        file.into_bytes(),
        &mapping,
        Utc::now(),
    )
    .await
    .expect("an upload");
    Long {
        team: seeded.team,
        defect,
        review,
        action,
        import,
    }
}

/// The `href` of the first element matching `css` on the page at `path`.
async fn first_href(client: &Client, base: &str, path: &str, css: &str) -> String {
    client
        .goto(&format!("{base}{path}"))
        .await
        .unwrap_or_else(|e| panic!("open {path}: {e}"));
    let link = wait_for(client, css, &format!("a link on {path}")).await;
    let href = link
        .attr("href")
        .await
        .unwrap_or_else(|e| panic!("the href of `{css}` on {path}: {e}"))
        .unwrap_or_else(|| panic!("`{css}` on {path} has no href"));
    href.strip_prefix(base).unwrap_or(&href).to_owned()
}

/// How far the page at the current width is wider than the window, in CSS pixels.
async fn overflow(client: &Client) -> i64 {
    client
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            Vec::new(),
        )
        .await
        .expect("measure the page width")
        .as_i64()
        .expect("a whole number of pixels")
}

/// Opens `path` at each width, saves `{name}-{width}-{backend}.png` and says how much the
/// phone-width page is too wide, if it is.
async fn visit(
    client: &Client,
    base: &str,
    name: &str,
    path: &str,
    backend: &str,
) -> Option<String> {
    let mut too_wide = None;
    for width in WIDTHS {
        client
            .set_window_size(width, HEIGHT)
            .await
            .expect("set the window size");
        client
            .goto(&format!("{base}{path}"))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
        wait_for(client, "main h1", &format!("the {name} page")).await;
        if width < 1000 {
            let by = overflow(client).await;
            if by > 0 {
                too_wide = Some(format!("{name} ({path}) is {by} px wider than {width} px"));
            }
        }
        webdriver::save_full_page_screenshot(client, &format!("page-{name}-{width}-{backend}.png"))
            .await;
    }
    too_wide
}

async fn visit_all(client: Client, base: String, long: Long, backend: &'static str) {
    let Long {
        team,
        defect,
        review,
        action: long_action,
        import,
    } = long;
    let mut too_wide = Vec::new();
    // Signed out: the sign-in page.
    too_wide.extend(visit(&client, &base, "login", "/login", backend).await);
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
    wait_for(&client, "nav.site-nav .account", "signed in").await;

    let rows = "main table.list tbody tr td a";
    let classified = first_href(&client, &base, "/reviews?state=classified", rows).await;
    let closed = first_href(&client, &base, "/reviews?state=closed", rows).await;
    let classified_step = first_href(
        &client,
        &base,
        &classified,
        "main a[href*='/escapes/'][href*='step=']",
    )
    .await;
    let action = first_href(
        &client,
        &base,
        "/backlog",
        "main a[href^='/backlog/actions/']",
    )
    .await;
    let members = first_href(
        &client,
        &base,
        "/settings/teams",
        "main a[href$='/members']",
    )
    .await;
    let tallies = first_href(
        &client,
        &base,
        "/settings/releases",
        "main a[href$='/tallies']",
    )
    .await;
    let report = first_href(&client, &base, "/reports", "main a[href^='/reports/']").await;
    let escape = first_href(
        &client,
        &base,
        &format!("/reviews/{review}"),
        "main a[href*='/escapes/'][href*='step=']",
    )
    .await;
    let escape = escape.split('?').next().unwrap_or(&escape).to_owned();

    let mut pages: Vec<(String, String)> = [
        ("home", "/".to_owned()),
        ("dashboard", "/dashboard".to_owned()),
        ("defects", "/defects".to_owned()),
        ("defects-long-title", "/defects?q=Couponstacking".to_owned()),
        ("defect", format!("/defects/{defect}")),
        ("defect-new", "/defects/new".to_owned()),
        ("defect-edit", format!("/defects/{defect}/edit")),
        ("defects-import", "/defects/import".to_owned()),
        (
            "defects-import-preview",
            format!("/defects/import/{import}"),
        ),
        ("reviews", "/reviews".to_owned()),
        ("reviews-long-title", format!("/reviews?team={team}")),
        ("escapes", "/escapes".to_owned()),
        ("escapes-long-title", format!("/escapes?team={team}")),
        ("review-new", "/reviews/new".to_owned()),
        ("review-draft", format!("/reviews/{review}")),
        ("review-edit", format!("/reviews/{review}/edit")),
        ("review-history", format!("/reviews/{review}/history")),
        ("review-print", format!("/reviews/{review}/print")),
        (
            "action-edit",
            format!("/reviews/{review}/actions/{long_action}/edit"),
        ),
        (
            "action-delete",
            format!("/reviews/{review}/actions/{long_action}/delete"),
        ),
        (
            "backlog-long-action",
            format!("/backlog/actions/{long_action}"),
        ),
        ("review-classified", classified.clone()),
        ("review-classified-history", format!("{classified}/history")),
        ("review-classified-print", format!("{classified}/print")),
        ("review-classified-step", classified_step),
        ("review-closed", closed),
        ("backlog", "/backlog".to_owned()),
        ("backlog-action", action),
        ("backlog-export", "/backlog/export".to_owned()),
        ("backlog-links", "/backlog/links".to_owned()),
        ("reports", "/reports".to_owned()),
        ("report", report),
        ("settings", "/settings".to_owned()),
        ("settings-teams", "/settings/teams".to_owned()),
        ("settings-members", members),
        ("settings-components", "/settings/components".to_owned()),
        ("settings-releases", "/settings/releases".to_owned()),
        ("settings-tallies", tallies),
        ("settings-pipeline", "/settings/pipeline".to_owned()),
        ("settings-metrics", "/settings/metrics".to_owned()),
        (
            "settings-metric-versions",
            "/settings/metrics/versions".to_owned(),
        ),
        ("settings-users", "/settings/users".to_owned()),
        ("settings-user-new", "/settings/users/new".to_owned()),
        ("settings-tokens", "/settings/tokens".to_owned()),
        ("settings-password", "/settings/password".to_owned()),
        ("settings-audit", "/settings/audit".to_owned()),
        ("api-docs", "/docs/api".to_owned()),
        (
            "error-not-found",
            "/defects/00000000-0000-0000-0000-000000000000".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(name, path)| (name.to_owned(), path))
    .collect();
    for step in ["facts", "checklist", "analysis", "mechanism", "actions"] {
        pages.push((
            format!("review-step-{step}"),
            format!("{escape}?step={step}"),
        ));
    }
    // A confirmation after a save, above the step it led to.
    pages.push((
        "review-step-confirmed".to_owned(),
        format!("{escape}?step=mechanism&done=analysis_saved"),
    ));
    for (name, path) in &pages {
        too_wide.extend(visit(&client, &base, name, path, backend).await);
    }
    assert!(
        too_wide.is_empty(),
        "pages scroll sideways at phone width:\n{}",
        too_wide.join("\n")
    );
}
