//! Escape reviews through HTTP: the guided walk from draft to closed, refusals that say
//! why, input kept on bad input and on concurrent edits, blameless hints, exports and the
//! unreviewed queue.

use escapement_storage::reviews::review_escapes;
use escapement_tests::{TestApp, both_backends};
use uuid::Uuid;

use crate::seed::{self, Seeded, defect_form, esc, record};

both_backends!(TestApp:
    a_review_walks_from_draft_to_closed_through_the_guided_steps,
    bad_input_is_refused_with_the_input_kept,
    a_stale_step_shows_the_other_change_beside_mine,
    blame_phrasing_gets_a_hint_and_is_still_saved,
    a_review_exports_as_markdown_and_prints,
    the_unreviewed_queue_lists_what_no_review_covers,
    an_escape_is_recorded_on_the_spot_from_the_review,
    the_summary_is_rendered_as_safe_markdown,
);

/// Records an escape (found in production) and returns its id.
pub(crate) async fn escape(app: &TestApp, team: &Seeded, title: &str, severity: &str) -> Uuid {
    record(app, &defect_form(team, title, severity, "production")).await
}

/// Opens a review of `team` covering `defects`; returns its id.
pub(crate) async fn open_review(
    app: &TestApp,
    team: &Seeded,
    title: &str,
    defects: &[Uuid],
) -> Uuid {
    let team_id = team.team.to_string();
    let ids: Vec<String> = defects.iter().map(Uuid::to_string).collect();
    let mut fields = vec![
        ("title", title),
        ("team_id", team_id.as_str()),
        ("incident_date", "2026-02-11"),
        ("incident_link", "https://status.example.com/incidents/42"),
        ("summary", "Coupons **doubled** the order total."),
        ("participants", "Dana Reyes (facilitator)\nLee Park (QA)"),
    ];
    fields.extend(ids.iter().map(|id| ("defects", id.as_str())));
    let response = app.post_form("/reviews", &fields).await;
    assert_eq!(response.status, 303, "{}", response.body);
    let path = response.redirect_path();
    Uuid::parse_str(path.trim_start_matches("/reviews/")).expect("review id")
}

/// The escape ids of a review, in order.
pub(crate) async fn escape_ids(app: &TestApp, review: Uuid) -> Vec<Uuid> {
    review_escapes(app.db(), review)
        .await
        .expect("escapes")
        .iter()
        .map(|e| e.id)
        .collect()
}

const CHECKLIST_NO_TEST: &[(&str, &str)] = &[
    ("version", "2"),
    ("answer_unfamiliar_code", "yes"),
    ("answer_unclear_criteria", "no"),
    ("answer_automated_coverage", "no"),
    ("note_automated_coverage", "Only unit tests cover coupons"),
    ("answer_observable_in_test", "yes"),
    ("answer_untested_conditions", "unknown"),
    ("answer_production_differs", "no"),
];

pub(crate) async fn walk_to_mechanism(app: &TestApp, review: Uuid, escape: Uuid) {
    let base = format!("/reviews/{review}/escapes/{escape}");
    let facts = app
        .post_form(&format!("{base}/facts"), &[("version", "1")])
        .await;
    assert_eq!(facts.status, 303, "{}", facts.body);
    assert_eq!(
        facts.location(),
        format!("{base}?step=checklist&done=facts_confirmed")
    );
    let checklist = app
        .post_form(&format!("{base}/checklist"), CHECKLIST_NO_TEST)
        .await;
    assert_eq!(checklist.status, 303, "{}", checklist.body);
    assert_eq!(
        checklist.location(),
        format!("{base}?step=analysis&done=checklist_saved")
    );
    let analysis = app
        .post_form(
            &format!("{base}/analysis"),
            &[
                ("version", "3"),
                ("defect_version", "1"),
                ("expected_catch_stage", "integration_test"),
                ("evidence", "An API contract test on the coupon total"),
                ("evidence_gap", "The coupon service had no contract suite"),
            ],
        )
        .await;
    assert_eq!(analysis.status, 303, "{}", analysis.body);
    assert_eq!(
        analysis.location(),
        format!("{base}?step=mechanism&done=analysis_saved")
    );
}

async fn a_review_walks_from_draft_to_closed_through_the_guided_steps(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let coupon = escape(&app, &team, "Coupon total wrong", "critical").await;
    let banner = escape(&app, &team, "Banner typo", "low").await;
    let review = open_review(
        &app,
        &team,
        "Black Friday checkout outage",
        &[coupon, banner],
    )
    .await;
    let [first, second] = escape_ids(&app, review).await[..] else {
        panic!("two escapes")
    };

    let page = app.get(&format!("/reviews/{review}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<title>Black Friday checkout outage · Checkout · Escapement</title>")
    );
    assert!(
        page.body
            .contains(&esc("'Coupon total wrong' has no primary mechanism"))
    );
    assert!(page.body.contains("Start the review"));
    assert!(
        page.body.contains("<strong>doubled</strong>"),
        "the summary is rendered Markdown"
    );

    let early = app
        .post_form(
            &format!("/reviews/{review}/state"),
            &[("to", "classified"), ("version", "1")],
        )
        .await;
    assert_eq!(early.status, 409);
    assert!(
        early
            .body
            .contains("A review that is draft cannot move to classified")
    );
    let started = app
        .post_form(
            &format!("/reviews/{review}/state"),
            &[("to", "in_review"), ("version", "1")],
        )
        .await;
    assert_eq!(started.status, 303, "{}", started.body);
    let blocked = app
        .post_form(
            &format!("/reviews/{review}/state"),
            &[("to", "classified"), ("version", "2")],
        )
        .await;
    assert_eq!(blocked.status, 409);
    assert!(blocked.body.contains("The review cannot move on yet"));
    assert!(
        blocked
            .body
            .contains(&esc("'Coupon total wrong' has no primary mechanism"))
    );
    assert!(blocked.body.contains(&esc(
        "'Banner typo' has no improvement action and no reason why none is needed"
    )));

    walk_to_mechanism(&app, review, first).await;
    let mechanism_page = app
        .get(&format!("/reviews/{review}/escapes/{first}?step=mechanism"))
        .await;
    assert!(mechanism_page.body.contains("Suggested by the answers"));
    assert!(
        mechanism_page
            .body
            .contains("because: Was there automated coverage for this failure mode? No")
    );
    assert!(
        mechanism_page
            .body
            .contains("because: Was it an unfamiliar code path or a new integration? Yes")
    );
    let base = format!("/reviews/{review}/escapes/{first}");
    let classified = app
        .post_form(
            &format!("{base}/mechanism"),
            &[
                ("version", "4"),
                ("primary", "no_test"),
                ("contributing", "missed_review"),
                ("contributing", "unrepresentative_data"),
            ],
        )
        .await;
    assert_eq!(classified.status, 303, "{}", classified.body);
    assert_eq!(
        classified.location(),
        format!("{base}?step=actions&done=mechanism_saved")
    );
    let team_id = team.team.to_string();
    let action = app
        .post_form(
            &format!("{base}/actions"),
            &[
                ("title", "Add coupon contract tests"),
                ("mechanism", "no_test"),
                ("component_id", ""),
                ("target_layer", "integration_test"),
                ("effort", "m"),
                ("owner_team_id", team_id.as_str()),
                ("due_date", "2026-12-15"),
                ("status", "accepted"),
            ],
        )
        .await;
    assert_eq!(action.status, 303, "{}", action.body);
    let actions_page = app.get(&format!("{base}?step=actions")).await;
    assert!(actions_page.body.contains("Add coupon contract tests"));
    let action_id = review_escapes(app.db(), review).await.expect("escapes")[0].actions[0].id;
    let edit = app
        .get(&format!("/reviews/{review}/actions/{action_id}/edit"))
        .await;
    assert_eq!(edit.status, 200);
    assert!(edit.body.contains("value=\"Add coupon contract tests\""));
    let changed = [
        ("title", "Add coupon contract tests to CI"),
        ("mechanism", "no_test"),
        ("target_layer", "integration_test"),
        ("effort", "s"),
        ("owner_team_id", team_id.as_str()),
        ("status", "in_progress"),
    ];
    let mut fields = vec![("version", "1")];
    fields.extend_from_slice(&changed);
    let saved = app
        .post_form(&format!("/reviews/{review}/actions/{action_id}"), &fields)
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let stale = app
        .post_form(&format!("/reviews/{review}/actions/{action_id}"), &fields)
        .await;
    assert_eq!(stale.status, 409);
    assert!(
        stale
            .body
            .contains("Someone else changed this action while you were editing it")
    );
    assert!(stale.body.contains("name=\"version\" value=\"2\""));

    let other = format!("/reviews/{review}/escapes/{second}");
    let mechanism = app
        .post_form(
            &format!("{other}/mechanism"),
            &[("version", "1"), ("primary", "missed_review")],
        )
        .await;
    assert_eq!(mechanism.status, 303, "{}", mechanism.body);
    let reason = app
        .post_form(
            &format!("{other}/no-action"),
            &[
                ("version", "2"),
                ("no_action_reason", "The banner was removed"),
            ],
        )
        .await;
    assert_eq!(reason.status, 303, "{}", reason.body);
    assert_eq!(
        reason.location(),
        format!("/reviews/{review}?done=no_action_saved")
    );

    let ready = app.get(&format!("/reviews/{review}")).await;
    assert!(
        ready
            .body
            .contains("Nothing stops the review from being classified.")
    );
    for (to, version) in [("classified", "2"), ("closed", "3")] {
        let moved = app
            .post_form(
                &format!("/reviews/{review}/state"),
                &[("to", to), ("version", version)],
            )
            .await;
        assert_eq!(moved.status, 303, "{to}: {}", moved.body);
        assert_eq!(moved.confirmation(), Some(to), "the move is confirmed");
    }
    let closed = app.get(&format!("/reviews/{review}?done=closed")).await;
    assert!(
        closed
            .body
            .contains(r#"<p class="notice success" role="status">Review closed.</p>"#),
        "the review page confirms the move"
    );
    assert!(closed.body.contains("Reopen the review"));
    assert!(
        !closed.body.contains("Edit details"),
        "a closed review is read-only"
    );
    let locked = app
        .post_form(
            &format!("{other}/mechanism"),
            &[("version", "3"), ("primary", "no_test")],
        )
        .await;
    assert_eq!(locked.status, 409);
    assert!(
        locked
            .body
            .contains("This review is closed: reopen it to change it")
    );
    let reopened = app
        .post_form(
            &format!("/reviews/{review}/state"),
            &[("to", "in_review"), ("version", "4")],
        )
        .await;
    assert_eq!(reopened.status, 303);

    let history = app.get(&format!("/reviews/{review}/history")).await;
    assert_eq!(history.status, 200);
    for text in [
        "State (reopened)",
        "Primary mechanism",
        "No test existed",
        "Add coupon contract tests",
        "Ada Admin",
        "Escape added",
    ] {
        assert!(history.body.contains(&esc(text)), "history shows {text}");
    }
    let list = app.get("/reviews?state=in_review").await;
    assert!(list.body.contains("Black Friday checkout outage"));
    assert!(
        app.get("/reviews?state=closed")
            .await
            .body
            .contains("No reviews match these filters")
    );
}

async fn bad_input_is_refused_with_the_input_kept(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let team_id = team.team.to_string();
    let refused = app
        .post_form(
            "/reviews",
            &[
                ("title", " "),
                ("team_id", team_id.as_str()),
                ("incident_date", "2099-01-01"),
                ("summary", "Kept summary text"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Enter a title"));
    assert!(
        refused
            .body
            .contains("Incident date must not be in the future")
    );
    assert!(refused.body.contains("Kept summary text"));
    let coupon = escape(&app, &team, "Coupon total wrong", "high").await;
    let review = open_review(&app, &team, "Outage", &[coupon]).await;
    let [e] = escape_ids(&app, review).await[..] else {
        panic!("one escape")
    };
    let base = format!("/reviews/{review}/escapes/{e}");
    let checklist = app
        .post_form(
            &format!("{base}/checklist"),
            &[
                ("version", "1"),
                ("answer_unclear_criteria", "maybe"),
                ("note_unclear_criteria", "Typed note stays"),
            ],
        )
        .await;
    assert_eq!(checklist.status, 422);
    assert!(checklist.body.contains("Choose Yes, No or Unknown"));
    assert!(checklist.body.contains("Typed note stays"));
    let mechanism = app
        .post_form(
            &format!("{base}/mechanism"),
            &[("version", "1"), ("contributing", "no_test")],
        )
        .await;
    assert_eq!(mechanism.status, 422);
    assert!(mechanism.body.contains("Select the primary mechanism"));
    assert!(
        mechanism.body.contains(
            "id=\"contributing-no_test\" name=\"contributing\" value=\"no_test\" checked"
        ),
        "choices kept"
    );
    let action = app
        .post_form(
            &format!("{base}/actions"),
            &[("title", "Half an action"), ("effort", "m")],
        )
        .await;
    assert_eq!(action.status, 422);
    for message in [
        "Select the mechanism this action addresses",
        "Select the layer the action strengthens",
        "Select the team that owns the action",
    ] {
        assert!(action.body.contains(message), "{message}");
    }
    assert!(action.body.contains("Half an action"));
    let reason = app
        .post_form(
            &format!("{base}/no-action"),
            &[("version", "1"), ("no_action_reason", "  ")],
        )
        .await;
    assert_eq!(reason.status, 422);
    assert!(reason.body.contains("Write why no action is needed"));
    let analysis = app
        .post_form(
            &format!("{base}/analysis"),
            &[
                ("version", "1"),
                ("expected_catch_stage", "the moon"),
                ("evidence", "Typed evidence stays"),
            ],
        )
        .await;
    assert_eq!(analysis.status, 422);
    assert!(analysis.body.contains("Select a stage from the pipeline"));
    assert!(analysis.body.contains("Typed evidence stays"));
    let add = app
        .post_form(
            &format!("/reviews/{review}/escapes"),
            &[("defect_id", "not-an-id")],
        )
        .await;
    assert_eq!(add.status, 422);
    assert!(add.body.contains("Select an escape to add"));
    let early = record(
        &app,
        &defect_form(&team, "Caught early", "low", "unit_test"),
    )
    .await;
    let early = early.to_string();
    let not_escape = app
        .post_form(
            &format!("/reviews/{review}/escapes"),
            &[("defect_id", early.as_str())],
        )
        .await;
    assert_eq!(not_escape.status, 422);
    assert!(
        not_escape
            .body
            .contains("Only escapes can be reviewed: this defect was found before the boundary")
    );
    let team_id = team.team.to_string();
    let added = app
        .post_form(
            &format!("{base}/actions"),
            &[
                ("title", "An action"),
                ("mechanism", "no_test"),
                ("target_layer", "unit_test"),
                ("effort", "s"),
                ("owner_team_id", team_id.as_str()),
            ],
        )
        .await;
    assert_eq!(added.status, 303);
    let action_id = review_escapes(app.db(), review).await.expect("escapes")[0].actions[0].id;
    let edit = app
        .post_form(
            &format!("/reviews/{review}/actions/{action_id}"),
            &[
                ("version", "1"),
                ("title", "Renamed action"),
                ("effort", "xl"),
            ],
        )
        .await;
    assert_eq!(edit.status, 422);
    assert!(edit.body.contains("Select an effort from the list"));
    assert!(edit.body.contains("Renamed action"));
    let unknown_state = app
        .post_form(
            &format!("/reviews/{review}/state"),
            &[("to", "finished"), ("version", "1")],
        )
        .await;
    assert_eq!(unknown_state.status, 400);
    let saved = &review_escapes(app.db(), review).await.expect("escapes")[0];
    assert_eq!(saved.version, 1, "nothing was written");
    assert_eq!(
        saved.actions[0].title, "An action",
        "the refused edit changed nothing"
    );
}

async fn a_stale_step_shows_the_other_change_beside_mine(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let coupon = escape(&app, &team, "Coupon total wrong", "high").await;
    let review = open_review(&app, &team, "Outage", &[coupon]).await;
    let [e] = escape_ids(&app, review).await[..] else {
        panic!("one escape")
    };
    let base = format!("/reviews/{review}/escapes/{e}");
    let loaded_at = (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339();
    let theirs = app
        .post_form(
            &format!("{base}/mechanism"),
            &[("version", "1"), ("primary", "no_test")],
        )
        .await;
    assert_eq!(theirs.status, 303);
    let mine = app
        .post_form(
            &format!("{base}/mechanism"),
            &[
                ("version", "1"),
                ("loaded_at", loaded_at.as_str()),
                ("primary", "environment_mismatch"),
            ],
        )
        .await;
    assert_eq!(mine.status, 409);
    assert!(
        mine.body
            .contains("Someone else saved this step while you were working on it")
    );
    assert!(
        mine.body
            .contains("Ada Admin changed <strong>primary mechanism</strong>"),
        "{}",
        mine.body
    );
    assert!(
        mine.body.contains(
            "<td class=\"prose\" data-label=\"Saved now\">No test existed</td><td class=\"prose\" data-label=\"Your input\">Environment mismatch</td>"
        ),
        "saved beside yours"
    );
    assert!(mine.body.contains("id=\"primary-environment_mismatch\" name=\"primary\" value=\"environment_mismatch\" checked"), "my input kept");
    assert!(
        mine.body.contains("name=\"version\" value=\"2\""),
        "ready to resubmit on the current version"
    );
    let merged = app
        .post_form(
            &format!("{base}/mechanism"),
            &[("version", "2"), ("primary", "environment_mismatch")],
        )
        .await;
    assert_eq!(merged.status, 303);

    let details = app.get(&format!("/reviews/{review}/edit")).await;
    assert!(details.body.contains("name=\"version\" value=\"1\""));
    let team_id = team.team.to_string();
    let first = app
        .post_form(
            &format!("/reviews/{review}"),
            &[
                ("version", "1"),
                ("title", "Their title"),
                ("team_id", team_id.as_str()),
                ("incident_date", "2026-02-11"),
            ],
        )
        .await;
    assert_eq!(first.status, 303);
    let second = app
        .post_form(
            &format!("/reviews/{review}"),
            &[
                ("version", "1"),
                ("title", "My title"),
                ("team_id", team_id.as_str()),
                ("incident_date", "2026-02-11"),
            ],
        )
        .await;
    assert_eq!(second.status, 409);
    assert!(second.body.contains("Their title") && second.body.contains("My title"));
}

async fn blame_phrasing_gets_a_hint_and_is_still_saved(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let coupon = escape(&app, &team, "Coupon total wrong", "high").await;
    let review = open_review(&app, &team, "Outage", &[coupon]).await;
    let [e] = escape_ids(&app, review).await[..] else {
        panic!("one escape")
    };
    let base = format!("/reviews/{review}/escapes/{e}");
    let saved = app
        .post_form(
            &format!("{base}/analysis"),
            &[
                ("version", "1"),
                ("evidence", "A contract test"),
                (
                    "evidence_gap",
                    "QA missed it because Dana Reyes was careless",
                ),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "blame never blocks saving");
    let page = app.get(&format!("{base}?step=analysis")).await;
    assert!(page.body.contains("A thought on wording"));
    for text in ["“QA missed”", "“Dana Reyes”", "“careless”"] {
        assert!(page.body.contains(text), "{text}");
    }
    assert!(page.body.contains(&esc(
        "What evidence or test would have caught it earlier, and why did it not exist?"
    )));
    let stored = &review_escapes(app.db(), review).await.expect("escapes")[0];
    assert_eq!(
        stored.evidence_gap,
        "QA missed it because Dana Reyes was careless"
    );
}

async fn a_review_exports_as_markdown_and_prints(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let coupon = escape(&app, &team, "Coupon total wrong", "critical").await;
    let review = open_review(&app, &team, "Black Friday: checkout outage", &[coupon]).await;
    let [e] = escape_ids(&app, review).await[..] else {
        panic!("one escape")
    };
    walk_to_mechanism(&app, review, e).await;
    let md = app.get(&format!("/reviews/{review}/export.md")).await;
    assert_eq!(md.status, 200);
    assert_eq!(md.headers["content-type"], "text/markdown; charset=utf-8");
    assert_eq!(
        md.headers["content-disposition"],
        "attachment; filename=\"escape-review-black-friday-checkout-outage.md\""
    );
    assert!(
        md.body
            .starts_with("# Escape review: Black Friday: checkout outage\n")
    );
    assert!(md.body.contains("| Was there automated coverage for this failure mode? | No | Only unit tests cover coupons |"));
    assert!(
        md.body
            .contains("- Should have been caught at: Integration / API test")
    );
    assert!(md.body.contains("- Dana Reyes (facilitator)"));
    let print = app.get(&format!("/reviews/{review}/print")).await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains("Escape 1: Coupon total wrong"));
    assert!(
        print
            .body
            .contains("An API contract test on the coupon total")
    );
}

async fn the_unreviewed_queue_lists_what_no_review_covers(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    assert!(
        app.get("/escapes")
            .await
            .body
            .contains("No escapes are waiting for review")
    );
    let low = escape(&app, &team, "Low escape", "low").await;
    escape(&app, &team, "Critical escape", "critical").await;
    record(
        &app,
        &defect_form(&team, "Caught in unit tests", "critical", "unit_test"),
    )
    .await;
    let queue = app.get("/escapes").await;
    assert!(
        queue
            .body
            .contains("<strong>2</strong> escapes wait for review")
    );
    let critical_at = queue.body.find("Critical escape").expect("listed");
    let low_at = queue.body.find("Low escape").expect("listed");
    assert!(critical_at < low_at, "most severe first");
    assert!(!queue.body.contains("Caught in unit tests"));
    assert!(
        queue
            .body
            .contains(&format!("href=\"/reviews/new?defect={low}\""))
    );
    let form = app.get(&format!("/reviews/new?defect={low}")).await;
    assert!(
        form.body.contains(&format!("value=\"{low}\" checked")),
        "the escape is preselected"
    );
    let other = seed::team(&app, "Platform").await;
    let elsewhere = escape(&app, &other, "Platform escape", "high").await;
    let form = app.get(&format!("/reviews/new?defect={elsewhere}")).await;
    assert!(
        form.body.contains(&format!(
            "<option value=\"{}\" selected>Platform</option>",
            other.team
        )),
        "the escape's team is preselected"
    );
    let defect_page = app.get(&format!("/defects/{low}")).await;
    assert!(defect_page.body.contains(">Start review</a>"));
    let review = open_review(&app, &team, "Low one", &[low]).await;
    let covered = app.get(&format!("/defects/{low}")).await;
    assert!(covered.body.contains(&format!(
        "href=\"/reviews/{review}\">Covered by review: Low one</a>"
    )));
    let after = app.get("/escapes").await;
    assert!(
        after
            .body
            .contains("<strong>2</strong> escapes wait for review")
    );
    assert!(!after.body.contains("Low escape"));
    assert!(
        app.get("/reviews")
            .await
            .body
            .contains("2 escapes are waiting for review")
    );
}

async fn an_escape_is_recorded_on_the_spot_from_the_review(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let review = open_review(&app, &team, "Outage", &[]).await;
    let fields = |stage: &'static str| {
        vec![
            ("title", "Found during the incident"),
            ("severity", "high"),
            ("defect_type", "functional"),
            ("discovery_stage", stage),
            ("detected_by", "monitoring"),
            ("detected_at", "2026-02-11T08:00"),
        ]
    };
    let refused = app
        .post_form(
            &format!("/reviews/{review}/escapes/new"),
            &fields("unit_test"),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("An escape is found after the boundary: choose a later discovery stage")
    );
    assert!(
        refused.body.contains("Found during the incident"),
        "input kept"
    );
    let recorded = app
        .post_form(
            &format!("/reviews/{review}/escapes/new"),
            &fields("production"),
        )
        .await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    let [e] = escape_ids(&app, review).await[..] else {
        panic!("one escape")
    };
    assert_eq!(
        recorded.location(),
        format!("/reviews/{review}/escapes/{e}?step=facts")
    );
    let facts = app.get(recorded.location()).await;
    assert!(facts.body.contains("The facts are right: continue"));
    assert!(facts.body.contains(&esc("Monitoring / alerting")));
}

async fn the_summary_is_rendered_as_safe_markdown(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let review = open_review(&app, &team, "Outage", &[]).await;
    let team_id = team.team.to_string();
    let updated = app
        .post_form(
            &format!("/reviews/{review}"),
            &[
                ("version", "1"),
                ("title", "Outage"),
                ("team_id", team_id.as_str()),
                ("incident_date", "2026-02-11"),
                (
                    "summary",
                    "<script>alert(1)</script>\n\n[status](javascript:alert(2)) *calm*",
                ),
            ],
        )
        .await;
    assert_eq!(updated.status, 303, "{}", updated.body);
    let page = app.get(&format!("/reviews/{review}")).await;
    assert!(!page.body.contains("<script>alert"));
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.body.contains("href=\"javascript"), "no script link");
    assert!(page.body.contains("<em>calm</em>"));
}
