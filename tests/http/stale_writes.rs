//! Forms based on an old page, through HTTP: a stale save comes back as the conflict page
//! instead of overwriting what another form saved meanwhile.

use escapement_storage::defects::get_defect;
use escapement_tests::{TestApp, both_backends};

use crate::reviews::{escape_ids, open_review};
use crate::seed::{self, defect_form, pairs, record, set};

both_backends!(TestApp:
    a_stale_analysis_does_not_overwrite_the_stage_saved_on_the_defect_form,
);

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
