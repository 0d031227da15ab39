//! Defects through the API: create, validation with field details, cursor pagination with
//! the list's filters, partial updates under the version check, and team isolation.

use std::collections::HashSet;

use axum::http::Method;
use escapement_core::auth::Role;
use escapement_tests::{ADMIN_EMAIL, TestApp, both_backends};
use serde_json::{Value, json};

use super::{Api, fields};
use crate::seed;

both_backends!(TestApp:
    defects_are_created_listed_page_by_page_and_updated_under_their_version,
    bad_defect_input_gets_a_problem_naming_each_field,
    a_token_sees_and_changes_only_its_teams_defects,
);

fn defect(team: &seed::Seeded, title: &str, stage: &str, detected: &str) -> Value {
    json!({
        "team_id": team.team,
        "title": title,
        "severity": "high",
        "defect_type": "functional",
        "discovery_stage": stage,
        "detected_by": "automated_test",
        "component_id": team.component,
        "detected_at": detected,
    })
}

async fn defects_are_created_listed_page_by_page_and_updated_under_their_version(app: TestApp) {
    let team = seed::team(&app, "Payments").await;
    let api = Api::new(&app, ADMIN_EMAIL).await;
    let mut ids = Vec::new();
    for (i, (stage, day)) in [
        ("production", "2026-03-01T10:00:00.123456Z"),
        ("unit_test", "2026-03-02T10:00:00Z"),
        ("unit_test", "2026-03-03T10:00:00Z"),
    ]
    .iter()
    .enumerate()
    {
        let created = api
            .post(
                "/api/v1/defects",
                defect(&team, &format!("Defect {i}"), stage, day),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.body["version"], 1);
        assert_eq!(created.body["origin"], "unknown", "the form's default");
        assert_eq!(created.body["confirmed"], true, "the form's default");
        assert_eq!(created.body["escaped"], *stage == "production");
        ids.push(created.body["id"].as_str().expect("an id").to_owned());
    }

    // Two a page, newest detection first; the cursor walks every row once.
    let first = api.get("/api/v1/defects?limit=2").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(first.body["items"][0]["title"], "Defect 2");
    let next = first.body["next"].as_str().expect("a next page");
    assert!(
        next.contains("limit=2") && next.contains("cursor="),
        "{next}"
    );
    let all = api.all("/api/v1/defects?limit=2").await;
    let seen: Vec<&str> = all.iter().filter_map(|d| d["id"].as_str()).collect();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 3, "no row twice");
    let titles: Vec<&str> = all.iter().filter_map(|d| d["title"].as_str()).collect();
    assert_eq!(titles, ["Defect 2", "Defect 1", "Defect 0"]);

    // The list's filters.
    let escaped = api.all("/api/v1/defects?escaped=yes").await;
    assert_eq!(escaped.len(), 1);
    assert_eq!(escaped[0]["id"].as_str(), Some(ids[0].as_str()));
    let searched = api.all("/api/v1/defects?q=efect%201").await;
    assert_eq!(searched.len(), 1);
    assert_eq!(searched[0]["title"], "Defect 1");
    for bad in [
        "/api/v1/defects?severity=urgent",
        "/api/v1/defects?escaped=maybe",
        "/api/v1/defects?cursor=bm90IGEgY3Vyc29y",
        "/api/v1/defects?limit=0",
        "/api/v1/defects?limit=500",
    ] {
        let refused = api.get(bad).await;
        assert_eq!(refused.status, 400, "{bad}: {}", refused.body);
    }

    // A partial update keeps what it leaves out, to the microsecond.
    let path = format!("/api/v1/defects/{}", ids[0]);
    let before = api.get(&path).await;
    assert_eq!(before.status, 200);
    let renamed = api
        .patch(
            &path,
            json!({"version": 1, "title": "Renamed", "component_id": null}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["title"], "Renamed");
    assert_eq!(renamed.body["version"], 2);
    assert_eq!(renamed.body["component_id"], Value::Null, "null clears");
    assert_eq!(renamed.body["detected_at"], before.body["detected_at"]);
    assert_eq!(renamed.body["severity"], "high");

    // A stale version changes nothing and says which version is current.
    let stale = api
        .patch(&path, json!({"version": 1, "title": "Lost"}))
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.body["current_version"], 2);
    assert_eq!(api.get(&path).await.body["title"], "Renamed");
    let unversioned = api.patch(&path, json!({"title": "No version"})).await;
    assert_eq!(unversioned.status, 422);
    assert_eq!(fields(&unversioned), ["version"]);

    let missing = api
        .get("/api/v1/defects/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(missing.status, 404);
}

async fn bad_defect_input_gets_a_problem_naming_each_field(app: TestApp) {
    let team = seed::team(&app, "Payments").await;
    let api = Api::new(&app, ADMIN_EMAIL).await;
    let mut body = defect(&team, "", "nowhere", "2026-03-01");
    body["severity"] = json!("urgent");
    let refused = api.post("/api/v1/defects", body).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let named = fields(&refused);
    for field in ["title", "severity", "discovery_stage"] {
        assert!(named.iter().any(|f| f == field), "{field} not in {named:?}");
    }

    let nul = api
        .post(
            "/api/v1/defects",
            defect(&team, "Null\u{0}byte", "production", "2026-03-01"),
        )
        .await;
    assert_eq!(nul.status, 422, "{}", nul.body);
    assert_eq!(fields(&nul), ["title"]);

    let future = api
        .post(
            "/api/v1/defects",
            defect(&team, "From the future", "production", "2999-01-01"),
        )
        .await;
    assert_eq!(future.status, 422);
    assert_eq!(fields(&future), ["detected_at"]);

    let mut unknown = defect(&team, "Typo field", "production", "2026-03-01");
    unknown["titel"] = json!("x");
    assert_eq!(api.post("/api/v1/defects", unknown).await.status, 422);

    let wrong_type = api
        .post("/api/v1/defects", json!({"team_id": team.team, "title": 7}))
        .await;
    assert_eq!(wrong_type.status, 422);

    let not_json = api
        .raw(
            Method::POST,
            "/api/v1/defects",
            "application/json",
            "{".to_owned(),
        )
        .await;
    assert_eq!(not_json.status, 400);
    let form = api
        .raw(
            Method::POST,
            "/api/v1/defects",
            "application/x-www-form-urlencoded",
            "title=x".to_owned(),
        )
        .await;
    assert_eq!(form.status, 415);

    // Nothing of it was written.
    assert!(api.all("/api/v1/defects").await.is_empty());
}

async fn a_token_sees_and_changes_only_its_teams_defects(app: TestApp) {
    let a = seed::team(&app, "Alpha").await;
    let b = seed::team(&app, "Beta").await;
    let admin = Api::new(&app, ADMIN_EMAIL).await;
    let created = admin
        .post(
            "/api/v1/defects",
            defect(&a, "Alpha's", "production", "2026-03-01"),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().expect("an id").to_owned();

    seed::member(&app, "beta-editor@example.com", &[(b.team, Role::Editor)]).await;
    let stranger = Api::new(&app, "beta-editor@example.com").await;
    assert!(stranger.all("/api/v1/defects").await.is_empty());
    let path = format!("/api/v1/defects/{id}");
    assert_eq!(stranger.get(&path).await.status, 404);
    assert_eq!(
        stranger
            .patch(&path, json!({"version": 1, "title": "Mine"}))
            .await
            .status,
        404
    );
    assert_eq!(
        stranger
            .post(
                "/api/v1/defects",
                defect(&a, "Into Alpha", "production", "2026-03-01")
            )
            .await
            .status,
        404
    );
    // Its own team needs no team_id: it has exactly one.
    let mut own = defect(&b, "Beta's", "production", "2026-03-01");
    own.as_object_mut().expect("an object").remove("team_id");
    let recorded = stranger.post("/api/v1/defects", own).await;
    assert_eq!(recorded.status, 201, "{}", recorded.body);
    assert_eq!(
        recorded.body["team_id"].as_str(),
        Some(b.team.to_string().as_str())
    );

    seed::member(&app, "alpha-viewer@example.com", &[(a.team, Role::Viewer)]).await;
    let viewer = Api::new(&app, "alpha-viewer@example.com").await;
    assert_eq!(viewer.get(&path).await.status, 200);
    let refused = viewer
        .patch(&path, json!({"version": 1, "title": "Viewer"}))
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(admin.get(&path).await.body["title"], "Alpha's");
}
