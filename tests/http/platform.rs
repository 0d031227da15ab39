//! What every page shares: health, CSRF, security headers, error pages.

use escapement_tests::{Backend, CSRF, TestApp, both_backends};

both_backends!(TestApp:
    health_reports_a_reachable_database,
    health_reports_an_unreachable_database,
    a_form_without_a_matching_csrf_token_is_refused,
    every_response_carries_the_security_headers,
    a_first_visit_sets_the_csrf_cookie,
    the_home_page_leads_to_the_reviews,
    an_internal_error_shows_a_page_without_details,
);

async fn an_internal_error_shows_a_page_without_details(app: TestApp) {
    app.db().clone().close().await.expect("close the pool");
    let response = app.get("/defects").await;
    assert_eq!(response.status, 500);
    assert!(
        response
            .body
            .contains("Sorry, there is a problem with the service")
    );
    let lower = response.body.to_lowercase();
    for detail in ["pool", "sqlx", "database", "closed", "error:"] {
        assert!(!lower.contains(detail), "the page leaks `{detail}`");
    }
}

async fn health_reports_a_reachable_database(app: TestApp) {
    let response = app.get("/healthz").await;
    assert_eq!(response.status, 200);
    let json: serde_json::Value = serde_json::from_str(&response.body).expect("JSON");
    assert_eq!(json, serde_json::json!({"status": "ok", "database": "ok"}));
}

async fn health_reports_an_unreachable_database(app: TestApp) {
    app.db().clone().close().await.expect("close the pool");
    let response = app.get("/healthz").await;
    assert_eq!(response.status, 503);
    let json: serde_json::Value = serde_json::from_str(&response.body).expect("JSON");
    assert_eq!(json["database"], "unavailable");
}

async fn a_form_without_a_matching_csrf_token_is_refused(app: TestApp) {
    let no_field = app
        .post_raw("/settings/teams", "name=Checkout".to_owned(), Some(CSRF))
        .await;
    assert_eq!(no_field.status, 403);
    let no_cookie = app
        .post_raw(
            "/settings/teams",
            format!("name=Checkout&csrf_token={CSRF}"),
            None,
        )
        .await;
    assert_eq!(no_cookie.status, 403);
    let other = "f".repeat(64);
    let mismatch = app
        .post_raw(
            "/settings/teams",
            format!("name=Checkout&csrf_token={other}"),
            Some(CSRF),
        )
        .await;
    assert_eq!(mismatch.status, 403);
    assert!(mismatch.body.contains("reload the page"));
    assert!(
        app.get("/settings/teams")
            .await
            .body
            .contains("No teams yet"),
        "nothing was written"
    );
}

async fn every_response_carries_the_security_headers(app: TestApp) {
    for path in ["/defects", "/no/such/page", "/healthz", "/static/app.css"] {
        let response = app.get(path).await;
        let header = |name: &str| {
            response
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        assert!(
            header("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            !header("content-security-policy").contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "same-origin", "{path}");
        assert_eq!(
            header("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
            "{path}"
        );
        assert_eq!(
            header("strict-transport-security"),
            "",
            "{path}: no HSTS while the public URL is not https"
        );
    }
}

async fn an_https_public_url_adds_hsts(backend: Backend) {
    let Some(app) = TestApp::with_state(backend, |mut state| {
        state.secure_cookies = true;
        state
    })
    .await
    else {
        return;
    };
    for path in ["/defects", "/no/such/page", "/login", "/static/app.css"] {
        let response = app.get(path).await;
        assert_eq!(
            response
                .headers
                .get("strict-transport-security")
                .and_then(|v| v.to_str().ok()),
            Some("max-age=31536000"),
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_public_url_adds_hsts_on_sqlite() {
    an_https_public_url_adds_hsts(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_public_url_adds_hsts_on_postgres() {
    an_https_public_url_adds_hsts(Backend::Postgres).await;
}

async fn a_first_visit_sets_the_csrf_cookie(app: TestApp) {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let response = app
        .router
        .clone()
        .oneshot(Request::get("/login").body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(cookie.starts_with("escapement_csrf="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let token = cookie
        .trim_start_matches("escapement_csrf=")
        .split(';')
        .next()
        .unwrap_or("")
        .to_owned();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    assert!(
        String::from_utf8_lossy(&body).contains(&format!("name=\"csrf_token\" value=\"{token}\""))
    );
}

async fn the_home_page_leads_to_the_reviews(app: TestApp) {
    let response = app.get("/").await;
    assert_eq!(response.status, 303);
    assert_eq!(response.location(), "/reviews");
    let reviews = app.get("/reviews").await;
    assert!(reviews.body.contains("No escape reviews yet"));
    let empty = app.get("/defects").await;
    assert!(empty.body.contains("No defects recorded yet"));
    assert!(empty.body.contains("<title>Defects · Escapement</title>"));
}
