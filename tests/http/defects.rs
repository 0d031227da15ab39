//! Defects over HTTP: create, show, edit, conflicts, the list and its filters.

use escapement_tests::{TestApp, both_backends};

use crate::seed::{self, DEFAULT_KEYS, defect_form, esc, pairs, pipeline_form, record, set};

both_backends!(TestApp:
    recording_a_defect_shows_it_on_its_page_and_in_the_list,
    an_empty_defect_form_is_refused_with_every_field_named,
    invalid_input_keeps_what_the_user_typed,
    a_component_of_another_team_is_refused,
    editing_a_defect_saves_the_change,
    a_stale_edit_gets_a_conflict_page_with_both_versions,
    list_filters_narrow_the_defects,
    the_list_is_paginated_fifty_a_page,
    moving_the_boundary_reclassifies_escapes,
    unknown_defects_answer_not_found,
    markup_in_user_input_is_escaped,
    a_duplicate_external_key_is_refused_within_a_team,
);

async fn recording_a_defect_shows_it_on_its_page_and_in_the_list(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let id = record(
        &app,
        &defect_form(
            &team,
            "Coupon total wrong when two discounts stack",
            "high",
            "production",
        ),
    )
    .await;

    let page = app.get(&format!("/defects/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<h1>Coupon total wrong when two discounts stack</h1>")
    );
    assert!(
        page.body.contains("Escaped"),
        "a production defect is an escape"
    );
    assert!(page.body.contains("Coupons") && page.body.contains("Checkout 1.0"));

    let list = app.get("/defects").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&format!("href=\"/defects/{id}\"")));
    assert!(
        list.body
            .contains("<strong>1</strong> defect, <strong>1</strong> escaped")
    );
}

async fn an_empty_defect_form_is_refused_with_every_field_named(app: TestApp) {
    seed::team(&app, "Checkout").await;
    let response = app.post_form("/defects", &[]).await;
    assert_eq!(response.status, 422);
    for message in [
        "Enter a title",
        "Select a severity",
        "Select a defect type",
        "Select the stage where the defect was discovered",
        "Select who or what detected the defect",
        "Select a team",
        "Enter the date the defect was detected",
    ] {
        assert!(
            response.body.contains(message),
            "missing message: {message}"
        );
    }
    assert!(
        response.body.contains("There is a problem"),
        "the error summary is shown"
    );
    assert!(
        response.body.contains("href=\"#title\""),
        "the summary links to the field"
    );
    assert!(response.body.contains("id=\"title-error\""));
    assert!(
        app.get("/defects")
            .await
            .body
            .contains("<strong>0</strong> defects"),
        "nothing was written"
    );
}

async fn invalid_input_keeps_what_the_user_typed(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let mut form = defect_form(&team, "Kept title", "high", "production");
    set(&mut form, "resolved_at", "2026-02-01T00:00");
    set(&mut form, "incident_link", "ftp://example.com/x");
    let response = app.post_form("/defects", &pairs(&form)).await;
    assert_eq!(response.status, 422);
    assert!(response.body.contains("value=\"Kept title\""));
    assert!(
        response
            .body
            .contains("Resolved date must be on or after the detected date"),
        "{}",
        response.body
    );
    assert!(response.body.contains(&esc(
        "Incident link must be a web address starting with http:// or https://"
    )));
    assert!(
        response.body.contains("<option value=\"high\" selected>"),
        "the chosen severity stays selected"
    );
}

async fn a_component_of_another_team_is_refused(app: TestApp) {
    let checkout = seed::team(&app, "Checkout").await;
    let platform = seed::team(&app, "Platform").await;
    let mut form = defect_form(&checkout, "Wrong component", "low", "unit_test");
    set(&mut form, "component_id", &platform.component.to_string());
    let response = app.post_form("/defects", &pairs(&form)).await;
    assert_eq!(response.status, 422);
    assert!(
        response
            .body
            .contains("Select a component of the chosen team")
    );
}

async fn editing_a_defect_saves_the_change(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let form = defect_form(&team, "Original title", "medium", "system_test");
    let id = record(&app, &form).await;

    let edit = app.get(&format!("/defects/{id}/edit")).await;
    assert_eq!(edit.status, 200);
    assert!(edit.body.contains("value=\"Original title\""));
    assert!(edit.body.contains("name=\"version\" value=\"1\""));

    let mut changed = form.clone();
    set(&mut changed, "title", "Changed title");
    changed.push(("version".to_owned(), "1".to_owned()));
    let response = app
        .post_form(&format!("/defects/{id}"), &pairs(&changed))
        .await;
    assert_eq!(response.status, 303, "{}", response.body);
    let page = app.get(&format!("/defects/{id}")).await;
    assert!(page.body.contains("<h1>Changed title</h1>"));
    assert!(page.body.contains("version 2"));
}

async fn a_stale_edit_gets_a_conflict_page_with_both_versions(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let form = defect_form(&team, "Shared defect", "medium", "system_test");
    let id = record(&app, &form).await;

    let mut first = form.clone();
    set(&mut first, "title", "Their title");
    first.push(("version".to_owned(), "1".to_owned()));
    assert_eq!(
        app.post_form(&format!("/defects/{id}"), &pairs(&first))
            .await
            .status,
        303
    );

    let mut second = form.clone();
    set(&mut second, "title", "My title");
    second.push(("version".to_owned(), "1".to_owned()));
    let response = app
        .post_form(&format!("/defects/{id}"), &pairs(&second))
        .await;
    assert_eq!(response.status, 409);
    assert!(response.body.contains("Someone else changed this defect"));
    assert!(
        response
            .body
            .contains("<td data-label=\"Saved now\">Their title</td>"),
        "the saved value is shown"
    );
    assert!(
        response.body.contains("value=\"My title\""),
        "the user's input is kept"
    );
    assert!(
        response.body.contains("name=\"version\" value=\"2\""),
        "a resubmit is based on the saved version"
    );
    assert!(
        app.get(&format!("/defects/{id}"))
            .await
            .body
            .contains("<h1>Their title</h1>"),
        "nothing was overwritten"
    );
}

async fn list_filters_narrow_the_defects(app: TestApp) {
    let checkout = seed::team(&app, "Checkout").await;
    let platform = seed::team(&app, "Platform").await;
    record(
        &app,
        &defect_form(&checkout, "Coupon rounding", "high", "production"),
    )
    .await;
    record(
        &app,
        &defect_form(&checkout, "Cart badge overlaps", "low", "unit_test"),
    )
    .await;
    record(
        &app,
        &defect_form(&platform, "Search timeout", "critical", "staging"),
    )
    .await;

    let count = |body: &str| {
        let start = body.find("id=\"result-count\"").expect("a result count");
        body[start..start + 120].to_owned()
    };
    let cases = [
        (
            format!("/defects?team={}", checkout.team),
            "<strong>2</strong> defects, <strong>1</strong> escaped",
        ),
        (
            format!("/defects?component={}", platform.component),
            "<strong>1</strong> defect, <strong>1</strong> escaped",
        ),
        (
            format!("/defects?release={}", checkout.release),
            "<strong>2</strong> defects",
        ),
        (
            "/defects?severity=critical".to_owned(),
            "<strong>1</strong> defect,",
        ),
        (
            "/defects?stage=unit_test".to_owned(),
            "<strong>1</strong> defect, <strong>0</strong> escaped",
        ),
        (
            "/defects?escaped=yes".to_owned(),
            "<strong>2</strong> defects, <strong>2</strong> escaped",
        ),
        (
            "/defects?escaped=no".to_owned(),
            "<strong>1</strong> defect, <strong>0</strong> escaped",
        ),
        ("/defects?q=COUPON".to_owned(), "<strong>1</strong> defect,"),
        ("/defects?q=100%25".to_owned(), "<strong>0</strong> defects"),
        (
            format!("/defects?team={}&escaped=yes&q=coupon", checkout.team),
            "<strong>1</strong> defect,",
        ),
    ];
    for (url, expected) in cases {
        let response = app.get(&url).await;
        assert_eq!(response.status, 200, "{url}");
        assert!(
            count(&response.body).contains(expected),
            "{url}: {}",
            count(&response.body)
        );
    }
    let filtered = app.get("/defects?q=coupon").await.body;
    assert!(filtered.contains("Coupon rounding") && !filtered.contains("Search timeout"));

    let ignored = app.get("/defects?severity=bogus&team=not-a-uuid").await;
    assert_eq!(ignored.status, 200);
    assert!(
        ignored
            .body
            .contains("The severity filter “bogus” is unknown and was ignored.")
    );
    assert!(
        ignored
            .body
            .contains("The team filter “not-a-uuid” is not a valid id and was ignored.")
    );
    assert!(count(&ignored.body).contains("<strong>3</strong> defects"));

    let none = app.get("/defects?q=nothing-like-this").await;
    assert!(none.body.contains("No defects match these filters"));
}

async fn the_list_is_paginated_fifty_a_page(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    for i in 0..53 {
        let mut form = defect_form(&team, &format!("Defect number {i:02}"), "low", "unit_test");
        set(&mut form, "detected_at", &format!("2026-03-01T10:{i:02}"));
        record(&app, &form).await;
    }
    let first = app.get("/defects").await.body;
    assert_eq!(
        first.matches("href=\"/defects/0").count(),
        50,
        "50 rows on the first page"
    );
    assert!(first.contains("Page 1 of 2"));
    assert!(first.contains("Defect number 52"), "newest first");
    assert!(first.contains(&format!("rel=\"next\" href=\"{}\"", esc("/defects?page=2"))));
    let second = app.get("/defects?page=2").await.body;
    assert!(second.contains("Page 2 of 2"));
    assert!(second.contains("Defect number 00") && !second.contains("Defect number 52"));
    assert!(second.contains("rel=\"prev\""));
    let filtered = app.get("/defects?severity=low&page=2").await.body;
    assert!(
        filtered.contains(&format!(
            "rel=\"prev\" href=\"{}\"",
            esc("/defects?severity=low&page=1")
        )),
        "pagination keeps filters"
    );
}

async fn moving_the_boundary_reclassifies_escapes(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    // The DOMAIN.md example, scaled down: 2 unit, 1 system, 1 UAT, 1 production.
    for stage in ["unit_test", "unit_test", "system_test", "uat", "production"] {
        record(
            &app,
            &defect_form(&team, &format!("Found at {stage}"), "medium", stage),
        )
        .await;
    }
    assert!(
        app.get("/defects")
            .await
            .body
            .contains("<strong>5</strong> defects, <strong>2</strong> escaped")
    );

    let settings = app.get("/settings/pipeline").await;
    assert_eq!(settings.status, 200);
    let form = pipeline_form("beta", &DEFAULT_KEYS, &[("label_production", "Live")]);
    let saved = app.post_form("/settings/pipeline", &pairs(&form)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let list = app.get("/defects").await.body;
    assert!(
        list.contains("<strong>5</strong> defects, <strong>1</strong> escaped"),
        "only production escapes now"
    );
    assert!(
        list.contains("<td data-label=\"Discovered at\">Live</td>"),
        "the renamed label is shown"
    );
}

async fn unknown_defects_answer_not_found(app: TestApp) {
    let missing = uuid::Uuid::now_v7();
    for path in [
        format!("/defects/{missing}"),
        format!("/defects/{missing}/edit"),
        "/defects/not-an-id".to_owned(),
        "/no/such/page".to_owned(),
        format!("/settings/teams/{missing}/edit"),
        format!("/settings/components/{missing}/edit"),
        format!("/settings/releases/{missing}/edit"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status, 404, "{path}");
        assert!(
            response.body.contains("Page not found"),
            "{path} renders the 404 page"
        );
    }
    let update = app
        .post_form(&format!("/defects/{missing}"), &[("title", "x")])
        .await;
    assert_eq!(update.status, 404);
}

async fn markup_in_user_input_is_escaped(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let id = record(
        &app,
        &defect_form(&team, "<script>alert(1)</script>", "low", "unit_test"),
    )
    .await;
    // An escape's title also shows in a review's picker, which is rendered ahead of the page.
    let escape = record(
        &app,
        &defect_form(&team, "<script>alert(2)</script>", "low", "production"),
    )
    .await;
    let other = record(&app, &defect_form(&team, "Plain", "low", "production")).await;
    let review = crate::reviews::open_review(&app, &team, "Markup review", &[other]).await;
    let review = format!("/reviews/{review}");
    for (path, title) in [
        ("/defects".to_owned(), "<script>alert(1)</script>"),
        (format!("/defects/{id}"), "<script>alert(1)</script>"),
        (format!("/defects/{escape}"), "<script>alert(2)</script>"),
        (review, "<script>alert(2)</script>"),
    ] {
        let body = app.get(&path).await.body;
        assert!(!body.contains(title), "{path}");
        assert!(body.contains(&esc(title)), "{path}");
    }
}

async fn a_duplicate_external_key_is_refused_within_a_team(app: TestApp) {
    let checkout = seed::team(&app, "Checkout").await;
    let platform = seed::team(&app, "Platform").await;
    let mut form = defect_form(&checkout, "First", "low", "unit_test");
    set(&mut form, "external_key", "CHK-1");
    record(&app, &form).await;
    let duplicate = app.post_form("/defects", &pairs(&form)).await;
    assert_eq!(duplicate.status, 422);
    assert!(
        duplicate
            .body
            .contains("This team already has a defect with this external key")
    );
    let mut other_team = defect_form(&platform, "Other team", "low", "unit_test");
    set(&mut other_team, "external_key", "CHK-1");
    record(&app, &other_team).await;
}
