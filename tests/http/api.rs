//! The JSON API's authentication: bearer tokens created on the command line.

use axum::body::Body;
use axum::http::Request;
use escapement_storage::sea_orm::{ConnectionTrait, Statement};
use escapement_tests::{ADMIN_EMAIL, TestApp, TestResponse, both_backends};
use escapement_web::cli::{TokenCommand, run_token};

both_backends!(TestApp:
    an_api_token_authenticates_until_it_is_revoked,
    an_unknown_api_path_answers_a_json_problem_not_the_html_page,
);

async fn with_bearer(app: &TestApp, token: &str) -> TestResponse {
    let mut request = Request::get("/api/v1/me");
    if !token.is_empty() {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    app.send(request.body(Body::empty()).expect("request"))
        .await
}

async fn an_api_token_authenticates_until_it_is_revoked(app: TestApp) {
    let anonymous = with_bearer(&app, "").await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        anonymous
            .headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );

    let mut out = Vec::new();
    let create = TokenCommand::Create {
        email: ADMIN_EMAIL.to_owned(),
        name: "CI export".to_owned(),
    };
    run_token(app.db(), create, &mut out)
        .await
        .expect("create a token");
    let printed = String::from_utf8_lossy(&out).into_owned();
    let token = printed
        .lines()
        .last()
        .expect("the token line")
        .trim()
        .to_owned();
    assert!(token.starts_with("esc_") && token.len() == 47, "{token}");

    let me = with_bearer(&app, &token).await;
    assert_eq!(me.status, 200, "{}", me.body);
    let json: serde_json::Value = serde_json::from_str(&me.body).expect("JSON");
    assert_eq!(json["email"], ADMIN_EMAIL);
    assert_eq!(json["is_admin"], true);
    assert!(!me.body.contains("hash"), "no hash in the answer");

    // Only a hash is stored.
    let backend = app.db().get_database_backend();
    let stored = app
        .db()
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT token_hash FROM api_tokens",
        ))
        .await
        .expect("query")
        .expect("a row");
    let hash: String = stored.try_get("", "token_hash").expect("hash");
    assert_ne!(hash, token);
    assert!(!hash.contains(&token[4..]));

    let id = printed
        .split_whitespace()
        .nth(1)
        .expect("the token id")
        .to_owned();
    let mut listing = Vec::new();
    run_token(
        app.db(),
        TokenCommand::List {
            email: ADMIN_EMAIL.to_owned(),
        },
        &mut listing,
    )
    .await
    .expect("list");
    let listing = String::from_utf8_lossy(&listing).into_owned();
    assert!(
        listing.contains("CI export") && listing.contains("active") && !listing.contains(&token)
    );

    run_token(
        app.db(),
        TokenCommand::Revoke {
            id: id.parse().expect("a uuid"),
        },
        &mut Vec::new(),
    )
    .await
    .expect("revoke");
    assert_eq!(
        with_bearer(&app, &token).await.status,
        401,
        "a revoked token no longer works"
    );
    assert_eq!(with_bearer(&app, "esc_not-a-real-token").await.status, 401);
}

async fn an_unknown_api_path_answers_a_json_problem_not_the_html_page(app: TestApp) {
    for path in ["/api/v1/nothing-here", "/api/v1/me/extra", "/api/v1"] {
        let answer = app.get(path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(
            answer
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{path}"
        );
        let problem: serde_json::Value = serde_json::from_str(&answer.body)
            .unwrap_or_else(|e| panic!("{path} answers JSON ({e}): {}", answer.body));
        assert_eq!(problem["type"], "about:blank", "{path}");
        assert_eq!(problem["title"], "Not Found", "{path}");
        assert_eq!(problem["status"], 404, "{path}");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(path), "{path}: {detail}");
    }
    // A page path that does not exist is still the HTML page.
    let page = app.get("/nothing-here").await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Page not found"), "{}", page.body);
    // Without a token or session the API answers 401 as before, revealing nothing.
    let anonymous = app.get_with_cookies("/api/v1/nothing-here", "").await;
    assert_eq!(anonymous.status, 401);
}
