//! Reviews, the backlog and actions through the API: a classified review reads as its page
//! does (escapes, checklist answers, mechanisms, actions), an action moves under its
//! version, and a review starts as the form starts one.

use escapement_tests::{ADMIN_EMAIL, TestApp, both_backends};
use serde_json::json;

use super::{Api, fields};
use crate::story::Story;

both_backends!(TestApp:
    a_classified_review_reads_with_its_escapes_mechanisms_and_actions,
    an_action_moves_through_the_backlog_under_its_version,
    a_review_starts_through_the_api_as_through_the_form,
);

async fn a_classified_review_reads_with_its_escapes_mechanisms_and_actions(app: TestApp) {
    let story = Story::classified(&app).await;
    let api = Api::new(&app, ADMIN_EMAIL).await;
    let listed = api.all("/api/v1/reviews?state=classified").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0]["id"].as_str(),
        Some(story.review.to_string().as_str())
    );
    assert_eq!(listed[0]["escapes"], 2);
    assert!(api.all("/api/v1/reviews?state=draft").await.is_empty());
    assert_eq!(api.get("/api/v1/reviews?state=finished").await.status, 400);
    assert_eq!(api.get("/api/v1/reviews?from=yesterday").await.status, 400);

    let review = api.get(&format!("/api/v1/reviews/{}", story.review)).await;
    assert_eq!(review.status, 200, "{}", review.body);
    let r = &review.body;
    assert_eq!(r["state"], "classified");
    assert_eq!(r["title"], "Black Friday checkout outage");
    let coupon = &r["escapes"][0];
    assert_eq!(coupon["defect"]["title"], "Coupon total wrong");
    assert_eq!(coupon["classification"]["primary"], "no_test");
    let contributing: Vec<&str> = coupon["classification"]["contributing"]
        .as_array()
        .expect("contributing")
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    assert!(
        contributing.contains(&"missed_review") && contributing.contains(&"unrepresentative_data")
    );
    let coverage = coupon["checklist"]
        .as_array()
        .expect("a checklist")
        .iter()
        .find(|q| q["question"] == "automated_coverage")
        .expect("the coverage question");
    assert_eq!(coverage["answer"], "no");
    assert_eq!(coverage["note"], "Only unit tests cover coupons");
    assert_eq!(coupon["actions"][0]["title"], "Add coupon contract tests");
    assert_eq!(coupon["actions"][0]["status"], "accepted");
    let banner = &r["escapes"][1];
    assert_eq!(banner["classification"]["primary"], "missed_review");
    assert_eq!(banner["no_action_reason"], "The banner was removed");
    assert_eq!(banner["actions"], json!([]));
}

async fn an_action_moves_through_the_backlog_under_its_version(app: TestApp) {
    let story = Story::classified(&app).await;
    let api = Api::new(&app, ADMIN_EMAIL).await;
    let backlog = api.all("/api/v1/backlog?status=all").await;
    let action = backlog
        .iter()
        .find(|i| i["kind"] == "action")
        .expect("the review's action is in the backlog");
    assert_eq!(action["title"], "Add coupon contract tests");
    assert!(action["score"]["value"].as_f64().is_some_and(|v| v > 0.0));
    let path = format!("/api/v1/actions/{}", action["id"].as_str().expect("an id"));
    let read = api.get(&path).await;
    assert_eq!(read.status, 200);
    assert_eq!(
        read.body["review_id"].as_str(),
        Some(story.review.to_string().as_str())
    );
    let version = read.body["version"].as_i64().expect("a version");

    let skipped = api
        .patch(
            &path,
            json!({"version": version, "status": "proposed", "due_date": "someday"}),
        )
        .await;
    assert_eq!(skipped.status, 422, "{}", skipped.body);
    assert_eq!(fields(&skipped), ["due_date"]);
    let wont = api
        .patch(&path, json!({"version": version, "status": "wont_do"}))
        .await;
    assert_eq!(wont.status, 422);
    assert_eq!(fields(&wont), ["reason"]);

    let started = api
        .patch(
            &path,
            json!({"version": version, "status": "in_progress", "external_key": "PAY-12"}),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    assert_eq!(started.body["status"], "in_progress");
    assert_eq!(started.body["external_key"], "PAY-12");
    assert_eq!(started.body["due_date"], "2026-06-30", "left as it was");
    let stale = api
        .patch(&path, json!({"version": version, "status": "done"}))
        .await;
    assert_eq!(stale.status, 409);
    assert_eq!(stale.body["current_version"], version + 1);
    assert_eq!(api.get(&path).await.body["status"], "in_progress");

    let suggested = api.get("/api/v1/backlog?status=whatever").await;
    assert_eq!(suggested.status, 400);
    let paged = api.get("/api/v1/backlog?status=all&limit=1").await;
    assert_eq!(paged.status, 200);
    assert_eq!(paged.body["items"].as_array().map(Vec::len), Some(1));
}

async fn a_review_starts_through_the_api_as_through_the_form(app: TestApp) {
    let story = Story::draft(&app).await;
    let api = Api::new(&app, ADMIN_EMAIL).await;
    let covered = api
        .post(
            "/api/v1/reviews",
            json!({
                "team_id": story.team.team,
                "title": "Coupon again",
                "incident_date": "2026-02-11",
                "defect_ids": [story.coupon],
            }),
        )
        .await;
    assert_eq!(covered.status, 422, "{}", covered.body);
    assert_eq!(fields(&covered), ["defect_ids"]);
    let escape = api
        .post(
            "/api/v1/defects",
            json!({
                "team_id": story.team.team,
                "title": "Coupon stacking",
                "severity": "high",
                "defect_type": "functional",
                "discovery_stage": "production",
                "detected_by": "customer",
                "detected_at": "2026-02-11T08:00:00Z",
            }),
        )
        .await;
    assert_eq!(escape.status, 201, "{}", escape.body);
    let defect = escape.body["id"].as_str().expect("an id").to_owned();
    let started = api
        .post(
            "/api/v1/reviews",
            json!({
                "team_id": story.team.team,
                "title": "Second look at the coupon",
                "incident_date": "2026-02-11",
                "participants": ["Ada Lovelace (facilitator)", "Grace Hopper"],
                "defect_ids": [defect],
            }),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    assert_eq!(started.body["state"], "draft");
    assert_eq!(
        started.body["escapes"][0]["defect"]["id"].as_str(),
        Some(defect.as_str())
    );
    assert_eq!(
        started.body["participants"].as_array().map(Vec::len),
        Some(2)
    );

    let refused = api
        .post(
            "/api/v1/reviews",
            json!({"team_id": story.team.team, "title": "", "defect_ids": []}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let named = fields(&refused);
    assert!(
        named.contains(&"title".to_owned()) && named.contains(&"defect_ids".to_owned()),
        "{named:?}"
    );
    assert_eq!(
        api.all("/api/v1/reviews").await.len(),
        2,
        "nothing more was started"
    );

    // Its details change under its version; its state moves as the workflow allows.
    let path = format!(
        "/api/v1/reviews/{}",
        started.body["id"].as_str().expect("an id")
    );
    let renamed = api
        .patch(&path, json!({"version": 1, "title": "Coupon stacking review", "participants": ["Ada Lovelace (facilitator)"]}))
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["title"], "Coupon stacking review");
    assert_eq!(
        renamed.body["incident_date"], "2026-02-11",
        "left as it was"
    );
    assert_eq!(
        renamed.body["participants"].as_array().map(Vec::len),
        Some(1)
    );
    let stale = api
        .patch(&path, json!({"version": 1, "summary": "Lost"}))
        .await;
    assert_eq!(stale.status, 409);
    assert_eq!(stale.body["current_version"], 2);
    let bad_date = api
        .patch(&path, json!({"version": 2, "incident_date": "2999-01-01"}))
        .await;
    assert_eq!(bad_date.status, 422);
    assert_eq!(fields(&bad_date), ["incident_date"]);

    let state = format!("{path}/state");
    let moved = api
        .post(&state, json!({"to": "in_review", "version": 2}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["state"], "in_review");
    let blocked = api
        .post(&state, json!({"to": "classified", "version": 3}))
        .await;
    assert_eq!(blocked.status, 409, "{}", blocked.body);
    assert!(!fields(&blocked).is_empty(), "every reason is listed");
    let unknown = api.post(&state, json!({"to": "finished"})).await;
    assert_eq!(unknown.status, 422);
    assert_eq!(fields(&unknown), ["to", "version"]);
    assert_eq!(api.get(&path).await.body["state"], "in_review");
}
