//! The metric definition pages over HTTP: instance admins change the definition through the
//! form protocol, everyone signed in reads it and its versions, and the card says which
//! version is in force.

use chrono::Utc;
use escapement_core::auth::Role;
use escapement_storage::metrics::{current_definition, definition_history};
use escapement_tests::{TestApp, both_backends};

use crate::seed::{self, DEFAULT_KEYS, esc, pairs, pipeline_form};

both_backends!(TestApp:
    an_instance_admin_saves_version_2_and_the_history_lists_both_with_note_and_author,
    team_admins_and_editors_read_the_definition_but_cannot_change_it,
    anonymous_visitors_are_sent_to_sign_in,
    bad_input_names_every_field_and_writes_nothing,
    a_save_based_on_an_old_version_is_refused_beside_what_is_saved_now,
    moving_the_boundary_on_the_pipeline_page_appends_a_version_that_says_so,
    the_card_shows_the_new_version_after_a_save,
    a_version_page_answers_404_for_a_missing_version_and_400_for_a_non_number,
);

/// The definition form with the defaults, based on `version`, with `note`; `extra` fields
/// replace fields of the same name.
pub(crate) fn definition_form(
    version: &str,
    note: &str,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("boundary", "system_test"),
        ("customer_found", "on"),
        ("cosmetic", "on"),
        ("data_migration", "on"),
        ("weight_critical", "8"),
        ("weight_high", "4"),
        ("weight_medium", "2"),
        ("weight_low", "1"),
        ("reopened", "as_recurring"),
        ("window", "per_quarter"),
        ("note", note),
        ("version", version),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    form.retain(|(name, _)| !extra.iter().any(|(k, _)| k == name));
    form.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    form
}

fn today() -> String {
    Utc::now().format("%-d %b %Y").to_string()
}

async fn an_instance_admin_saves_version_2_and_the_history_lists_both_with_note_and_author(
    app: TestApp,
) {
    let page = app.get("/settings/metrics").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"name="version" value="1""#));
    assert!(
        page.body
            .contains("Defects found after this stage count as escaped")
    );
    assert!(
        !page.body.contains(r#"<option value="production""#),
        "nothing escapes past the last stage, so it is no boundary"
    );
    assert!(page.body.contains("Why does the definition change?"));

    let form = definition_form(
        "1",
        "Count accepted known issues: customers still meet them",
        &[
            ("known_issues", "on"),
            ("weight_critical", "10"),
            ("weight_high", "5"),
            ("boundary", "staging"),
        ],
    );
    let saved = app.post_form("/settings/metrics", &pairs(&form)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location(), "/settings/metrics?saved=2");
    let confirmed = app.get(saved.location()).await;
    assert!(
        confirmed
            .body
            .contains("Metric definition saved as version 2")
    );

    let history = app.get("/settings/metrics/versions").await;
    assert_eq!(history.status, 200);
    let body = &history.body;
    let (two, one) = (
        body.find("Version 2").expect("version 2 is listed"),
        body.find("Version 1").expect("version 1 is listed"),
    );
    assert!(two < one, "newest first");
    assert!(body.contains(&esc(
        "Count accepted known issues: customers still meet them"
    )));
    assert!(body.contains(&format!("{} · Ada Admin", today())));
    assert!(
        body.contains(&esc(
            "Boundary: after System test (QA) → after Staging; Weights: 8/4/2/1 → 10/5/2/1; Known issues: left out → counted"
        )),
        "{body}"
    );
    assert!(body.contains("The first version."));

    let stored = definition_history(app.db()).await.expect("history");
    assert_eq!(
        stored.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(stored[0].actor, "Ada Admin");
    assert!(stored[0].definition.scope.known_issues);
}

async fn team_admins_and_editors_read_the_definition_but_cannot_change_it(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let (_, lead) = seed::member(&app, "lead@example.com", &[(team.team, Role::TeamAdmin)]).await;
    let (_, editor) = seed::member(&app, "editor@example.com", &[(team.team, Role::Editor)]).await;
    let form = definition_form("1", "Not allowed", &[("weight_critical", "20")]);
    for cookies in [&lead, &editor] {
        let refused = app
            .post_with_cookies("/settings/metrics", &pairs(&form), cookies)
            .await;
        assert_eq!(refused.status, 403);

        let page = app.get_with_cookies("/settings/metrics", cookies).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("The definition in full"));
        assert!(
            page.body
                .contains("Defects found after System test (QA) count as escaped")
        );
        assert!(
            page.body
                .contains("Weights: Critical\u{a0}8 · High\u{a0}4 · Medium\u{a0}2 · Low\u{a0}1"),
            "the card"
        );
        assert!(
            page.body
                .contains("Critical&nbsp;8 · High&nbsp;4 · Medium&nbsp;2 · Low&nbsp;1"),
            "the definition in full"
        );
        assert!(
            !page
                .body
                .contains(r#"<form method="post" action="/settings/metrics""#),
            "readers get no form"
        );
        assert!(!page.body.contains(r#"name="note""#));
        let history = app
            .get_with_cookies("/settings/metrics/versions", cookies)
            .await;
        assert_eq!(history.status, 200);
        assert_eq!(
            app.get_with_cookies("/settings/metrics/versions/1", cookies)
                .await
                .status,
            200
        );
    }
    assert_eq!(
        current_definition(app.db()).await.expect("current").version,
        1,
        "nothing was written"
    );
}

async fn anonymous_visitors_are_sent_to_sign_in(app: TestApp) {
    for path in [
        "/settings/metrics",
        "/settings/metrics/versions",
        "/settings/metrics/versions/1",
    ] {
        let response = app.get_with_cookies(path, "").await;
        assert_eq!(response.status, 303, "{path}");
        assert!(response.location().starts_with("/login?next="), "{path}");
    }
    let form = definition_form("1", "Anonymous", &[]);
    let response = app
        .post_with_cookies(
            "/settings/metrics",
            &pairs(&form),
            &format!("escapement_csrf={}", escapement_tests::CSRF),
        )
        .await;
    assert_eq!(response.status, 303);
    assert!(response.location().starts_with("/login?next="));
    assert_eq!(
        current_definition(app.db()).await.expect("current").version,
        1
    );
}

async fn bad_input_names_every_field_and_writes_nothing(app: TestApp) {
    let form = definition_form(
        "1",
        "   ",
        &[
            ("boundary", "production"),
            ("weight_critical", "0"),
            ("weight_high", "lots"),
            ("weight_medium", "1001"),
            ("weight_low", "-1"),
            ("reopened", "sometimes"),
            ("window", "weekly"),
        ],
    );
    let response = app.post_form("/settings/metrics", &pairs(&form)).await;
    assert_eq!(response.status, 422);
    let body = &response.body;
    assert!(body.contains("There is a problem"));
    for field in [
        "boundary",
        "weight_critical",
        "weight_high",
        "weight_medium",
        "weight_low",
        "reopened",
        "window",
        "note",
    ] {
        assert!(
            body.contains(&format!(r##"href="#{field}""##)),
            "the summary links to {field}"
        );
        assert!(
            body.contains(&format!(r#"id="{field}""#)),
            "the summary's link to {field} has a target"
        );
        assert!(
            body.contains(&format!(r#"id="{field}-error""#)),
            "{field} has its own message"
        );
    }
    assert!(body.contains(r#"value="lots""#), "the input is kept");
    assert!(body.contains("The boundary cannot be the last stage"));
    assert_eq!(
        definition_history(app.db()).await.expect("history").len(),
        1,
        "nothing was written"
    );
}

async fn a_save_based_on_an_old_version_is_refused_beside_what_is_saved_now(app: TestApp) {
    let first = definition_form(
        "1",
        "Weigh critical defects more",
        &[("weight_critical", "12")],
    );
    assert_eq!(
        app.post_form("/settings/metrics", &pairs(&first))
            .await
            .status,
        303
    );
    // Based on version 1 too, with cosmetic defects unticked.
    let mut late = definition_form("1", "Count cosmetic defects out", &[]);
    late.retain(|(k, _)| k != "cosmetic");
    let response = app.post_form("/settings/metrics", &pairs(&late)).await;
    assert_eq!(response.status, 409, "{}", response.body);
    let body = &response.body;
    assert!(body.contains("Someone else saved the metric definition"));
    assert!(body.contains("Version 2 is saved now"));
    assert!(
        body.contains(r#"name="version" value="2""#),
        "saving again is a deliberate choice"
    );
    assert!(
        body.contains("Count cosmetic defects out"),
        "the note is kept"
    );
    assert!(
        body.contains(&format!(
            r#"<th scope="row">Weights</th><td data-label="Saved now">{}</td><td data-label="Your input">{}</td>"#,
            esc("12/4/2/1"),
            esc("8/4/2/1")
        )),
        "what is saved now beside the input: {body}"
    );
    assert!(
        body.contains(r#"<th scope="row">Cosmetic defects</th><td data-label="Saved now">counted</td><td data-label="Your input">left out</td>"#)
    );
    assert_eq!(
        definition_history(app.db()).await.expect("history").len(),
        2,
        "the stale save wrote nothing"
    );
}

async fn moving_the_boundary_on_the_pipeline_page_appends_a_version_that_says_so(app: TestApp) {
    let form = pipeline_form("staging", &DEFAULT_KEYS, &[]);
    let response = app.post_form("/settings/pipeline", &pairs(&form)).await;
    assert_eq!(response.status, 303, "{}", response.body);
    let current = current_definition(app.db()).await.expect("current");
    assert_eq!(current.version, 2);
    assert_eq!(current.definition.boundary.after().as_str(), "staging");
    let history = app.get("/settings/metrics/versions").await.body;
    assert!(history.contains("Boundary moved on the pipeline page"));
    assert!(
        history.contains("Boundary: after Stage system_test → after Stage staging"),
        "{history}"
    );
    let page = app.get("/settings/metrics").await.body;
    assert!(page.contains(r#"<option value="staging" selected>"#));

    let unchanged = pipeline_form("staging", &DEFAULT_KEYS, &[("label_uat", "Acceptance")]);
    app.post_form("/settings/pipeline", &pairs(&unchanged))
        .await;
    assert_eq!(
        current_definition(app.db()).await.expect("current").version,
        2,
        "a pipeline save that keeps the boundary makes no version"
    );
}

async fn the_card_shows_the_new_version_after_a_save(app: TestApp) {
    let before = app.get("/settings/metrics").await.body;
    assert!(
        before.contains(r#"<aside class="definition-card" aria-label="Metric definition v1">"#)
    );
    assert!(before.contains("Escapes: found after System test (QA)"));
    assert!(before.contains(
        "Counted: customer-found, cosmetic, data-migration; left out: unconfirmed tickets, known issues, test-environment problems"
    ));
    let form = definition_form(
        "1",
        "Unconfirmed tickets count too",
        &[("unconfirmed", "on"), ("reopened", "as_escaped")],
    );
    let saved = app.post_form("/settings/metrics", &pairs(&form)).await;
    assert_eq!(saved.status, 303);
    let after = app.get("/settings/metrics").await.body;
    assert!(after.contains(r#"<aside class="definition-card" aria-label="Metric definition v2">"#));
    assert!(after.contains(&format!("Since {}", today())));
    assert!(after.contains(
        "Counted: customer-found, unconfirmed tickets, cosmetic, data-migration; left out: known issues, test-environment problems"
    ));
    assert!(after.contains("Reopened defects: As escaped"));
    assert!(after.contains(&format!(
        r#"href="{}""#,
        esc("/settings/metrics/versions/2")
    )));
    assert!(after.contains("Save as version 3"));
}

async fn a_version_page_answers_404_for_a_missing_version_and_400_for_a_non_number(app: TestApp) {
    let form = definition_form("1", "Weigh low defects more", &[("weight_low", "2")]);
    app.post_form("/settings/metrics", &pairs(&form)).await;
    let two = app.get("/settings/metrics/versions/2").await;
    assert_eq!(two.status, 200);
    assert!(two.body.contains("Metric definition version 2"));
    assert!(two.body.contains("In force now."));
    assert!(two.body.contains("Weigh low defects more"));
    assert!(two.body.contains(&esc("Weights: 8/4/2/1 → 8/4/2/2")));
    let one = app.get("/settings/metrics/versions/1").await;
    assert_eq!(one.status, 200);
    assert!(one.body.contains("Replaced by a later version."));
    assert_eq!(app.get("/settings/metrics/versions/3").await.status, 404);
    assert_eq!(app.get("/settings/metrics/versions/0").await.status, 404);
    assert_eq!(app.get("/settings/metrics/versions/two").await.status, 400);
    assert_eq!(
        app.get("/settings/metrics/versions/99999999999")
            .await
            .status,
        400
    );
}
