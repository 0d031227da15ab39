//! Forms based on an old page, through HTTP: a stale save comes back as the conflict page
//! instead of overwriting what another form saved meanwhile.

use escapement_storage::defects::get_defect;
use escapement_tests::{TestApp, both_backends};

use crate::reviews::{escape_ids, open_review};
use crate::seed::{self, defect_form, pairs, record, set};

both_backends!(TestApp:
    a_stale_analysis_does_not_overwrite_the_stage_saved_on_the_defect_form,
    a_stale_delete_of_an_action_or_removal_of_an_escape_deletes_nothing,
);

async fn a_stale_delete_of_an_action_or_removal_of_an_escape_deletes_nothing(app: TestApp) {
    use chrono::Utc;
    use escapement_core::review::NewAction;
    use escapement_core::{ActionStatus, Effort, Mechanism, StageKey};
    use escapement_storage::Actor;
    use escapement_storage::reviews::{add_action, review_escapes, update_action};

    let team = seed::team(&app, "Checkout").await;
    let defect = record(
        &app,
        &defect_form(&team, "Coupon total wrong", "high", "production"),
    )
    .await;
    let review = open_review(&app, &team, "Outage", &[defect]).await;
    let [e] = escape_ids(&app, review).await[..] else {
        panic!("one escape")
    };
    let who = Actor::user(app.admin_id, "Ada Admin", "203.0.113.9");
    let new_action = |title: &str| NewAction {
        title: title.to_owned(),
        mechanism: Mechanism::NoTest,
        component_id: None,
        target_layer: StageKey::parse("integration_test").expect("a stage"),
        effort: Effort::S,
        owner_team_id: team.team,
        due_date: None,
        status: ActionStatus::Proposed,
    };
    let action = add_action(
        app.db(),
        review,
        e,
        &new_action("Add a contract test"),
        &who,
        Utc::now(),
    )
    .await
    .expect("an action");
    // The step links to the confirmation page, whose form carries the version it shows.
    let delete = format!("/reviews/{review}/actions/{}/delete", action.id);
    let step = app
        .get(&format!("/reviews/{review}/escapes/{e}?step=actions"))
        .await
        .body;
    assert!(step.contains(&format!("href=\"{delete}\"")), "{step}");
    let page = app.get(&delete).await.body;
    assert!(
        page.contains(&format!("action=\"{delete}\""))
            && page.contains("name=\"version\" value=\"1\""),
        "the delete form carries the version the page shows"
    );
    // Someone edits the action after the page was shown.
    update_action(
        app.db(),
        (review, action.id, 1),
        &new_action("Add two contract tests"),
        &who,
        Utc::now(),
    )
    .await
    .expect("edited");
    let stale = app.post_form(&delete, &[("version", "1")]).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("so it was not deleted"));
    let actions = |app: &TestApp| {
        let db = app.db().clone();
        async move {
            review_escapes(&db, review).await.expect("escapes")[0]
                .actions
                .len()
        }
    };
    assert_eq!(actions(&app).await, 1, "the stale delete deleted nothing");
    let deleted = app.post_form(&delete, &[("version", "2")]).await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert_eq!(actions(&app).await, 0);

    let shown = app.get(&format!("/reviews/{review}")).await.body;
    let remove = format!("/reviews/{review}/escapes/{e}/remove");
    let version = review_escapes(app.db(), review).await.expect("escapes")[0].version;
    assert!(
        shown.contains(&format!("name=\"version\" value=\"{version}\"")),
        "the remove form carries the escape's version"
    );
    let old = (version - 1).to_string();
    let stale = app.post_form(&remove, &[("version", &old)]).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("so it was not removed"));
    assert_eq!(
        review_escapes(app.db(), review)
            .await
            .expect("escapes")
            .len(),
        1
    );
    let removed = app
        .post_form(&remove, &[("version", &version.to_string())])
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    assert!(
        review_escapes(app.db(), review)
            .await
            .expect("escapes")
            .is_empty()
    );
}

async fn a_stale_analysis_does_not_overwrite_the_stage_saved_on_the_defect_form(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let form = defect_form(&team, "Coupon total wrong", "high", "production");
    let defect = record(&app, &form).await;
    let review = open_review(&app, &team, "Outage", &[defect]).await;
    let [e] = escape_ids(&app, review).await[..] else {
        panic!("one escape")
    };
    let base = format!("/reviews/{review}/escapes/{e}");
    let page = app.get(&format!("{base}?step=analysis")).await;
    assert!(
        page.body.contains("name=\"defect_version\" value=\"1\""),
        "{}",
        page.body
    );

    let mut edited = form.clone();
    set(&mut edited, "expected_catch_stage", "integration_test");
    edited.push(("version".to_owned(), "1".to_owned()));
    let saved = app
        .post_form(&format!("/defects/{defect}"), &pairs(&edited))
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    let analysis = [
        ("version", "1"),
        ("defect_version", "1"),
        ("expected_catch_stage", "unit_test"),
        ("evidence", "A contract test"),
        ("evidence_gap", "No contract suite"),
    ];
    let stale = app.post_form(&format!("{base}/analysis"), &analysis).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(
        stale.body.contains("name=\"defect_version\" value=\"2\""),
        "ready to resubmit on the defect's current version"
    );
    assert!(
        stale.body.contains(">A contract test</textarea>"),
        "my input kept"
    );
    assert!(
        stale.body.contains("Where it should have been caught"),
        "the conflicting field is named"
    );
    let kept = get_defect(app.db(), defect).await.expect("defect");
    assert_eq!(
        kept.data.expected_catch_stage.as_ref().map(|s| s.as_str()),
        Some("integration_test"),
        "the defect form's stage is kept"
    );

    let mut resubmit = analysis;
    resubmit[1] = ("defect_version", "2");
    let merged = app.post_form(&format!("{base}/analysis"), &resubmit).await;
    assert_eq!(merged.status, 303, "{}", merged.body);
    let now = get_defect(app.db(), defect).await.expect("defect");
    assert_eq!(
        now.data.expected_catch_stage.as_ref().map(|s| s.as_str()),
        Some("unit_test"),
        "a deliberate resubmit replaces it"
    );
}
