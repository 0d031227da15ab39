//! The metrics through the API: each says its definition version, what it counted and its
//! 95% interval, and links to the rows behind it; following the link lists exactly that many.

use escapement_tests::{ADMIN_EMAIL, TestApp, both_backends};
use serde_json::{Value, json};

use super::Api;
use crate::story::Story;

both_backends!(TestApp:
    every_metric_names_its_definition_and_links_the_rows_it_counted,
);

fn check_interval(rate: &Value) {
    let value = rate["value"].as_f64().expect("a value");
    let low = rate["interval"]["low"].as_f64().expect("a low end");
    let high = rate["interval"]["high"].as_f64().expect("a high end");
    assert!(low <= value && value <= high, "{rate}");
}

async fn every_metric_names_its_definition_and_links_the_rows_it_counted(app: TestApp) {
    let story = Story::classified(&app).await;
    let api = Api::new(&app, ADMIN_EMAIL).await;
    // Two defects caught before release beside the story's two escapes.
    for (title, day) in [("Caught early", "2026-02-11"), ("Caught too", "2026-03-05")] {
        let created = api
            .post(
                "/api/v1/defects",
                json!({
                    "team_id": story.team.team,
                    "title": title,
                    "severity": "medium",
                    "defect_type": "functional",
                    "discovery_stage": "unit_test",
                    "detected_by": "automated_test",
                    "detected_at": day,
                }),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
    }
    let range = "from=2026-Q1&to=2026-Q1";
    let rate = api
        .get(&format!("/api/v1/metrics/escape-rate?{range}"))
        .await;
    assert_eq!(rate.status, 200, "{}", rate.body);
    let b = &rate.body;
    assert_eq!(b["basis"]["definition_version"], 1);
    assert_eq!(b["basis"]["definition_url"], "/settings/metrics/versions/1");
    assert_eq!(b["basis"]["from"], "2026-01-01");
    assert_eq!(b["basis"]["to"], "2026-03-31");
    assert_eq!(b["escape_rate"]["numerator"], 2);
    assert_eq!(b["escape_rate"]["denominator"], 4);
    check_interval(&b["escape_rate"]);
    let behind = api.all(b["rows_api_url"].as_str().expect("a link")).await;
    assert_eq!(behind.len(), 2, "the link lists the numerator's rows");
    assert!(behind.iter().all(|d| d["escaped"] == true));
    assert!(
        b["rows_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("/defects?"))
    );
    let critical = b["per_severity"]
        .as_array()
        .expect("per severity")
        .iter()
        .find(|s| s["severity"] == "critical")
        .expect("critical");
    assert_eq!(critical["rate"]["numerator"], 1);

    let mechanisms = api
        .get(&format!("/api/v1/metrics/mechanisms?{range}"))
        .await;
    assert_eq!(mechanisms.status, 200, "{}", mechanisms.body);
    assert_eq!(mechanisms.body["basis"]["definition_version"], 1);
    let quarter = &mechanisms.body["quarters"][0];
    assert_eq!(quarter["quarter"], "2026-Q1");
    assert_eq!(quarter["classified"], 2);
    let no_test = quarter["mechanisms"]
        .as_array()
        .expect("mechanisms")
        .iter()
        .find(|m| m["mechanism"] == "no_test")
        .expect("no test");
    assert_eq!(no_test["primary"], 1);
    assert_eq!(no_test["share"]["denominator"], 2);
    let rows = api
        .all(no_test["rows_api_url"].as_str().expect("a link"))
        .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["title"], "Coupon total wrong");

    let matrix = api
        .get(&format!("/api/v1/metrics/layer-matrix?{range}"))
        .await;
    assert_eq!(matrix.status, 200, "{}", matrix.body);
    let m = &matrix.body;
    assert_eq!(m["total"], 4);
    let sum: u64 = m["column_totals"]
        .as_array()
        .expect("totals")
        .iter()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(sum, 4);
    let integration = m["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["expected"] == "integration_test")
        .expect("the coupon's expected stage");
    assert_eq!(integration["total"], 1);
    assert_eq!(integration["caught_in_time"]["numerator"], 0);
    assert_eq!(
        api.all(m["rows_api_url"].as_str().expect("a link"))
            .await
            .len(),
        4
    );

    for bad in ["severity=urgent", "from=2026-Q9", "team=not-an-id"] {
        let refused = api.get(&format!("/api/v1/metrics/escape-rate?{bad}")).await;
        assert_eq!(refused.status, 400, "{bad}: {}", refused.body);
    }
}
