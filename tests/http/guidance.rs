//! The review guides its writer: a review started from an escape is filled in from it, the
//! facts step shows the defect's description and link, a save is confirmed on the next page,
//! a blameless hint holds the writer on the step they wrote, a mechanism chosen with no
//! checklist answer is warned about, and a page a user cannot change reads as read-only or
//! says what is missing first.

use escapement_core::auth::Role;
use escapement_tests::{TestApp, both_backends};
use uuid::Uuid;

use crate::reviews::{escape_ids, open_review};
use crate::seed::{self, defect_form, esc, member, record, set};

both_backends!(TestApp:
    a_review_started_from_an_escape_takes_its_title_date_and_link,
    a_save_is_confirmed_on_the_page_it_leads_to,
    blame_in_a_saved_step_keeps_the_writer_on_it_with_the_hint,
    a_mechanism_step_without_any_checklist_answer_says_so,
    the_pipeline_reads_as_read_only_for_a_team_lead,
    an_admin_with_no_team_is_told_to_create_one_first,
);

/// A review of one escape of a new team: the review, the escape and the defect.
async fn one_escape_review(app: &TestApp) -> (Uuid, Uuid, Uuid) {
    let team = seed::team(app, "Checkout").await;
    let defect = record(app, &defect_form(&team, "Coupon", "high", "production")).await;
    let review = open_review(app, &team, "Coupons", &[defect]).await;
    let [e] = escape_ids(app, review).await[..] else {
        panic!("one escape")
    };
    (review, e, defect)
}

async fn a_review_started_from_an_escape_takes_its_title_date_and_link(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let mut form = defect_form(&team, "Coupon applied twice", "high", "production");
    set(&mut form, "detected_at", "2026-03-04T08:15");
    set(&mut form, "introduced_at", "2026-03-01T08:15");
    set(
        &mut form,
        "incident_link",
        "https://status.example.com/incidents/7",
    );
    set(&mut form, "description", "Totals doubled at checkout.");
    let defect = record(&app, &form).await;

    let page = app.get(&format!("/reviews/new?defect={defect}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains(r#"name="title" value="Coupon applied twice""#),
        "the title comes from the escape"
    );
    assert!(
        page.body.contains(r#"value="2026-03-04""#),
        "the incident date is the detection date, not today"
    );
    assert!(
        page.body
            .contains(&esc("https://status.example.com/incidents/7")),
        "the incident link comes from the escape"
    );

    let review = open_review(&app, &team, "Coupons", &[defect]).await;
    let [e] = escape_ids(&app, review).await[..] else {
        panic!("one escape")
    };
    let facts = app
        .get(&format!("/reviews/{review}/escapes/{e}?step=facts"))
        .await;
    assert!(facts.body.contains("Totals doubled at checkout."));
    assert!(
        facts.body.contains(&format!(
            r#"<a href="{}" rel="noopener noreferrer">"#,
            esc("https://status.example.com/incidents/7")
        )),
        "the incident link is a link"
    );
}

async fn a_save_is_confirmed_on_the_page_it_leads_to(app: TestApp) {
    let (review, e, defect) = one_escape_review(&app).await;
    let saved = app
        .post_form(
            &format!("/reviews/{review}/escapes/{e}/facts"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let next = app.get(saved.location()).await;
    assert!(
        next.body
            .contains(r#"<p class="notice success" role="status">Facts confirmed.</p>"#),
        "{}",
        next.body
    );
    // Without the key, or with one the app does not know, nothing is confirmed.
    for path in [
        format!("/reviews/{review}/escapes/{e}?step=checklist"),
        format!("/reviews/{review}/escapes/{e}?step=checklist&done=%3Cscript%3E"),
    ] {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("notice success"), "{path}");
    }
    let defect_saved = app
        .get(&format!("/defects/{defect}?done=defect_saved"))
        .await;
    assert!(defect_saved.body.contains("Defect saved."));
}

async fn blame_in_a_saved_step_keeps_the_writer_on_it_with_the_hint(app: TestApp) {
    // The participants are Dana Reyes and Lee Park: their first names count as people.
    let (review, e, _) = one_escape_review(&app).await;
    let base = format!("/reviews/{review}/escapes/{e}");
    let analysis = |evidence: &'static str, version: &'static str| {
        let app = &app;
        let base = base.clone();
        async move {
            app.post_form(
                &format!("{base}/analysis"),
                &[
                    ("version", version),
                    ("defect_version", "1"),
                    ("expected_catch_stage", "integration_test"),
                    ("evidence", evidence),
                    ("evidence_gap", "No contract suite for coupons"),
                ],
            )
            .await
        }
    };
    let blamed = analysis("Dana skipped the contract test", "1").await;
    assert_eq!(blamed.status, 303, "the text is saved: {}", blamed.body);
    assert_eq!(
        blamed.location(),
        format!("{base}?step=analysis&done=analysis_saved"),
        "a save whose text reads as blame stays on its step"
    );
    let page = app.get(blamed.location()).await;
    assert!(page.body.contains("A thought on wording"));
    assert!(
        page.body.contains("“Dana”"),
        "the name without @ is flagged"
    );
    assert!(
        page.body
            .contains("Saved where it should have been caught.")
    );
    assert!(
        page.body.contains(&format!(
            r#"<a href="{}">continue to mechanism</a>"#,
            esc(&format!("{base}?step=mechanism"))
        )),
        "the writer can move on without changing the text: {}",
        page.body
    );

    let reworded = analysis("An API contract test on the coupon total", "2").await;
    assert_eq!(
        reworded.location(),
        format!("{base}?step=mechanism&done=analysis_saved"),
        "blameless text moves on"
    );
}

async fn a_mechanism_step_without_any_checklist_answer_says_so(app: TestApp) {
    let (review, e, _) = one_escape_review(&app).await;
    let base = format!("/reviews/{review}/escapes/{e}");
    let warning = "No checklist question is answered for this escape.";
    let before = app.get(&format!("{base}?step=mechanism")).await;
    assert!(before.body.contains(warning));
    let answered = app
        .post_form(
            &format!("{base}/checklist"),
            &[("version", "1"), ("answer_automated_coverage", "no")],
        )
        .await;
    assert_eq!(answered.status, 303, "{}", answered.body);
    let after = app.get(&format!("{base}?step=mechanism")).await;
    assert!(!after.body.contains(warning), "one answer is enough");
}

async fn the_pipeline_reads_as_read_only_for_a_team_lead(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let (_, lead) = member(&app, "lead@example.com", &[(team.team, Role::TeamAdmin)]).await;
    let form = r#"<form method="post" action="/settings/pipeline""#;
    let read = app.get_with_cookies("/settings/pipeline", &lead).await;
    assert_eq!(read.status, 200);
    assert!(!read.body.contains(form), "no form the lead cannot save");
    assert!(
        read.body
            .contains("Only an instance administrator changes the pipeline")
    );
    assert!(
        read.body.contains("System test (QA)"),
        "the stages are listed"
    );
    let admin = app.get("/settings/pipeline").await;
    assert!(admin.body.contains(form), "the instance admin edits it");
}

async fn an_admin_with_no_team_is_told_to_create_one_first(app: TestApp) {
    for path in ["/reviews/new", "/defects/new", "/defects/import"] {
        let page = app.get(path).await;
        assert_eq!(page.status, 409, "{path}: {}", page.body);
        assert!(page.body.contains("create a team first"), "{path}");
        assert!(
            page.body.contains(&format!(
                r#"<a class="button" href="{}">Create a team</a>"#,
                esc("/settings/teams")
            )),
            "{path}"
        );
        assert!(!page.body.contains("read-only"), "{path}");
    }
}
