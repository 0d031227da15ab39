//! What every page shares: health, CSRF, security headers, error pages.

use escapement_tests::{Backend, CSRF, TestApp, both_backends};

both_backends!(TestApp:
    health_reports_a_reachable_database,
    health_reports_an_unreachable_database,
    a_form_without_a_matching_csrf_token_is_refused,
    the_csrf_token_is_bound_to_the_session_and_replaced_at_sign_in,
    a_form_post_that_is_not_url_encoded_is_refused,
    every_response_carries_the_security_headers,
    a_first_visit_sets_the_csrf_cookie,
    the_home_page_leads_to_the_reviews,
    an_internal_error_shows_a_page_without_details,
    an_exhausted_pool_answers_503_with_retry_after_and_health_keeps_answering,
);

async fn an_exhausted_pool_answers_503_with_retry_after_and_health_keeps_answering(app: TestApp) {
    use escapement_storage::sea_orm::TransactionTrait;
    // Hold every connection of the pool in an open transaction, as long-running requests do.
    let mut held = Vec::new();
    while !escapement_storage::pool_saturated(app.db()) {
        held.push(app.db().begin().await.expect("a connection"));
        assert!(held.len() <= 64, "the pool has a limit");
    }
    let started = std::time::Instant::now();
    let page = app.get("/defects").await;
    let waited = started.elapsed();
    assert_eq!(page.status, 503, "{}", page.body);
    assert!(
        page.headers.get("retry-after").is_some(),
        "Retry-After is sent"
    );
    assert!(page.body.contains("The service is busy"));
    assert!(
        waited <= escapement_storage::ACQUIRE_TIMEOUT + std::time::Duration::from_secs(2),
        "answered in {waited:?}"
    );
    let started = std::time::Instant::now();
    let health = app.get("/healthz").await;
    assert_eq!(health.status, 200, "{}", health.body);
    assert!(
        health.body.contains("\"database\":\"busy\""),
        "{}",
        health.body
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "health answers at once"
    );
    drop(held);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        app.get("/defects").await.status,
        200,
        "served again once the load is gone"
    );
    // The held transactions roll back as their connections return to the pool, which a
    // loaded machine may take a moment over.
    let mut health = app.get("/healthz").await.body;
    for _ in 0..30 {
        if health.contains("\"database\":\"ok\"") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        health = app.get("/healthz").await.body;
    }
    assert!(health.contains("\"database\":\"ok\""), "{health}");
}

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
    // Signed in, the token is the session's: the visitor cookie plays no part.
    let no_cookie = app
        .post_raw(
            "/settings/teams",
            format!("name=Checkout&csrf_token={CSRF}"),
            None,
        )
        .await;
    assert_eq!(no_cookie.status, 303, "{}", no_cookie.body);
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
    // The visitor's CSRF cookie is `Secure` too, like the session's.
    let first_visit = app
        .send(
            axum::http::Request::get("/login")
                .body(axum::body::Body::empty())
                .expect("a request"),
        )
        .await;
    let cookie = first_visit
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        cookie.starts_with("escapement_csrf=") && cookie.contains("; Secure"),
        "{cookie}"
    );
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

/// A form post as `cookies` with exactly this token (not rewritten: it is not `CSRF`).
async fn post_team(app: &TestApp, cookies: &str, token: &str, name: &str) -> u16 {
    let request = axum::http::Request::post("/settings/teams")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookies)
        .body(axum::body::Body::from(format!(
            "name={name}&csrf_token={token}"
        )))
        .expect("a request");
    app.send(request).await.status.as_u16()
}

async fn the_csrf_token_is_bound_to_the_session_and_replaced_at_sign_in(app: TestApp) {
    use escapement_web::auth::SESSION_COOKIE;
    use escapement_web::csrf::session_token;
    // A visitor token planted in the cookie (by a sibling subdomain, say) and sent back in
    // the field is no longer enough once signed in.
    let planted = "a".repeat(64);
    let (_, kim) = crate::seed::member(&app, "kim@example.com", &[]).await;
    let kim_secret = kim
        .split("; ")
        .find_map(|c| c.strip_prefix(&format!("{SESSION_COOKIE}=")))
        .expect("kim's session")
        .to_owned();
    let kim_planted = format!("escapement_csrf={planted}; {SESSION_COOKIE}={kim_secret}");
    assert_eq!(
        post_team(&app, &kim_planted, &planted, "Planted").await,
        403
    );

    // The token of another session is refused; the session's own is taken.
    let admin = app.cookies();
    let admin_secret = admin
        .split("; ")
        .find_map(|c| c.strip_prefix(&format!("{SESSION_COOKIE}=")))
        .expect("the admin's session")
        .to_owned();
    let kims_token = session_token(&kim_secret);
    assert_eq!(post_team(&app, &admin, &kims_token, "Borrowed").await, 403);
    let own = session_token(&admin_secret);
    assert_eq!(post_team(&app, &admin, &own, "Own").await, 303);

    // Signing in replaces the token: the one the login page showed is refused afterwards.
    let visitor = format!("escapement_csrf={planted}");
    let login = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &visitor)
        .body(axum::body::Body::from(
            serde_urlencoded::to_string([
                ("csrf_token", planted.as_str()),
                ("email", escapement_tests::ADMIN_EMAIL),
                ("password", escapement_tests::ADMIN_PASSWORD),
            ])
            .expect("a form"),
        ))
        .expect("a request");
    let signed_in = app.send(login).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let fresh = crate::seed::session_from(&signed_in);
    let after = format!("{visitor}; {SESSION_COOKIE}={fresh}");
    assert_eq!(post_team(&app, &after, &planted, "Old token").await, 403);
    assert_eq!(
        post_team(&app, &after, &session_token(&fresh), "New token").await,
        303
    );
    let teams = app.get("/settings/teams").await.body;
    assert!(
        !teams.contains("Planted") && !teams.contains("Borrowed") && !teams.contains("Old token")
    );
}

async fn a_form_post_that_is_not_url_encoded_is_refused(app: TestApp) {
    for content_type in [
        "text/plain",
        "application/json",
        "multipart/form-data; boundary=x",
    ] {
        let request = axum::http::Request::post("/settings/teams")
            .header("content-type", content_type)
            .header("cookie", app.cookies())
            .body(axum::body::Body::from(format!(
                "name=Plain&csrf_token={CSRF}"
            )))
            .expect("a request");
        let refused = app.send(request).await;
        assert_eq!(refused.status, 415, "{content_type}");
        assert!(refused.body.contains("This form was not sent as a form"));
    }
    let request = axum::http::Request::post("/settings/teams")
        .header("cookie", app.cookies())
        .body(axum::body::Body::from(format!(
            "name=Plain&csrf_token={CSRF}"
        )))
        .expect("a request");
    assert_eq!(app.send(request).await.status, 415, "no content type");
    assert!(!app.get("/settings/teams").await.body.contains("Plain"));
}
