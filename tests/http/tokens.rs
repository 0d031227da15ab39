//! The API token page: a user's own tokens, created (the value shown once), used, revoked.

use axum::body::Body;
use axum::http::Request;
use escapement_core::Paging;
use escapement_core::auth::{AuditEvent, Role, TokenName};
use escapement_storage::accounts::list_events;
use escapement_storage::accounts::{create_token, list_tokens, list_users};
use escapement_tests::{CSRF, TestApp, TestResponse, both_backends};
use escapement_web::auth::{api_token_hash, new_api_token};

use crate::seed::{self, member};

both_backends!(TestApp:
    a_user_creates_sees_once_uses_and_revokes_their_own_token,
    a_token_is_no_browser_session_it_cannot_make_tokens_or_admins,
);

/// The first API token in a page, if any.
fn token_in(body: &str) -> Option<String> {
    let start = body.find("esc_")?;
    let token: String = body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    (token.len() == 47).then_some(token)
}

async fn me(app: &TestApp, token: &str) -> TestResponse {
    let request = Request::get("/api/v1/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    app.send(request).await
}

async fn a_user_creates_sees_once_uses_and_revokes_their_own_token(app: TestApp) {
    let checkout = seed::team(&app, "Checkout").await.team;
    let (kim_id, kim) = member(&app, "kim@example.com", &[(checkout, Role::Viewer)]).await;
    let menu = app.get_with_cookies("/defects", &kim).await.body;
    assert!(
        menu.contains("href=\"/settings/tokens\""),
        "the account menu links to tokens"
    );
    let empty = app.get_with_cookies("/settings/tokens", &kim).await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("You have no API tokens"));

    let unnamed = app
        .post_with_cookies("/settings/tokens", &[("name", "  ")], &kim)
        .await;
    assert_eq!(unnamed.status, 422);
    assert!(unnamed.body.contains("Enter a token name"));
    let long = "x".repeat(81);
    let too_long = app
        .post_with_cookies("/settings/tokens", &[("name", &long)], &kim)
        .await;
    assert_eq!(too_long.status, 422);
    assert!(
        too_long.body.contains(&format!("value=\"{long}\"")),
        "input kept"
    );
    assert!(token_in(&too_long.body).is_none());

    let created = app
        .post_with_cookies("/settings/tokens", &[("name", "CI export")], &kim)
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(created.body.contains("shown only this once"));
    let token = token_in(&created.body).expect("the new token is shown");
    let listed = app.get_with_cookies("/settings/tokens", &kim).await.body;
    assert!(listed.contains("CI export") && listed.contains("Never"));
    assert!(token_in(&listed).is_none(), "the value is shown only once");
    assert!(!listed.contains(&escapement_web::auth::api_token_hash(&token)));

    let answer = me(&app, &token).await;
    assert_eq!(answer.status, 200);
    assert!(answer.body.contains("kim@example.com"));
    let used = app.get_with_cookies("/settings/tokens", &kim).await.body;
    assert!(!used.contains("Never"), "the last use is shown");

    let id = escapement_storage::accounts::list_tokens(app.db(), kim_id)
        .await
        .expect("tokens")[0]
        .id;
    let revoke = format!("/settings/tokens/{id}/revoke");
    let (_, other) = member(&app, "other@example.com", &[(checkout, Role::TeamAdmin)]).await;
    assert_eq!(
        app.post_with_cookies(&revoke, &[], &other).await.status,
        404
    );
    assert_eq!(
        app.post_form(&revoke, &[]).await.status,
        404,
        "not even an admin's"
    );
    assert_eq!(me(&app, &token).await.status, 200, "still active");

    let revoked = app.post_with_cookies(&revoke, &[], &kim).await;
    assert_eq!(
        (revoked.status.as_u16(), revoked.location()),
        (303, "/settings/tokens")
    );
    assert_eq!(me(&app, &token).await.status, 401);
    assert!(
        app.get_with_cookies("/settings/tokens", &kim)
            .await
            .body
            .contains("Revoked")
    );
    assert_eq!(app.post_with_cookies(&revoke, &[], &kim).await.status, 404);

    let (events, _) = list_events(app.db(), Paging::new(1, 50))
        .await
        .expect("log");
    let subjects: Vec<(AuditEvent, &str)> = events
        .iter()
        .map(|e| (e.event, e.subject.as_str()))
        .collect();
    assert!(subjects.contains(&(AuditEvent::TokenCreated, "CI export for kim@example.com")));
    assert!(subjects.contains(&(AuditEvent::TokenRevoked, "CI export of kim@example.com")));
}

/// A form post carrying the admin's token (and a matching CSRF cookie and field, which a
/// script can forge), but no session.
async fn post_by_token(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    token: &str,
) -> TestResponse {
    let mut all = vec![("csrf_token", CSRF)];
    all.extend_from_slice(fields);
    let body = serde_urlencoded::to_string(&all).expect("encode the form");
    let request = Request::post(path)
        .header("authorization", format!("Bearer {token}"))
        .header("cookie", format!("escapement_csrf={CSRF}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    app.send(request).await
}

async fn a_token_is_no_browser_session_it_cannot_make_tokens_or_admins(app: TestApp) {
    let token = new_api_token();
    let name = TokenName::parse("Admin script").expect("a name");
    let hash = api_token_hash(&token);
    create_token(app.db(), app.admin_id, &name, &hash, chrono::Utc::now())
        .await
        .expect("a token");
    assert_eq!(
        me(&app, &token).await.status,
        200,
        "a credential under /api/v1"
    );
    let users_before = list_users(app.db()).await.expect("users").len();

    let page = Request::get("/settings/tokens")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let page = app.send(page).await;
    assert_eq!(page.status, 303, "a page is not shown to a token");
    assert!(page.location().starts_with("/login?next="));

    let made = post_by_token(&app, "/settings/tokens", &[("name", "Child")], &token).await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert!(made.location().starts_with("/login?next="));
    assert!(token_in(&made.body).is_none());
    let tokens = list_tokens(app.db(), app.admin_id).await.expect("tokens");
    assert_eq!(tokens.len(), 1, "the token made no token");

    let admin = post_by_token(
        &app,
        "/settings/users",
        &[
            ("email", "mallory@example.com"),
            ("display_name", "Mallory"),
            ("password", "a long enough passphrase"),
            ("password_confirmation", "a long enough passphrase"),
            ("is_admin", "on"),
        ],
        &token,
    )
    .await;
    assert_eq!(admin.status, 303, "{}", admin.body);
    assert!(admin.location().starts_with("/login?next="));
    let users = list_users(app.db()).await.expect("users");
    assert_eq!(users.len(), users_before, "the token made no account");
}
