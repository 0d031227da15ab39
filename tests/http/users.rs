//! User administration over HTTP: an instance admin edits, deactivates, reactivates and sets
//! a new password for an account; every signed-in user changes their own password. Password
//! hashes and typed passwords never come back in a response.

use axum::body::Body;
use axum::http::Request;
use chrono::Utc;
use escapement_core::Paging;
use escapement_core::auth::{AuditEvent, Role, TokenName};
use escapement_storage::accounts::{create_token, get_user, list_events};
use escapement_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, CSRF, TestApp, TestResponse, both_backends};
use escapement_web::auth::{SESSION_COOKIE, api_token_hash, new_api_token};

use crate::seed::{self, member, session_from, signed_in};

both_backends!(TestApp:
    an_admin_renames_a_user_and_makes_them_admin,
    the_last_instance_admin_cannot_drop_their_own_flag,
    a_deactivated_user_is_signed_out_refused_at_sign_in_and_their_token_answers_401,
    an_admin_sets_a_new_password_that_ends_the_users_sessions,
    a_user_changes_their_own_password_and_other_sessions_end,
);

const NEW_PASSWORD: &str = "a brand new long passphrase";

async fn sign_in(app: &TestApp, email: &str, password: &str) -> TestResponse {
    app.post_with_cookies(
        "/login",
        &[("email", email), ("password", password)],
        &format!("escapement_csrf={CSRF}"),
    )
    .await
}

fn cookie_for(secret: &str) -> String {
    format!("escapement_csrf={CSRF}; {SESSION_COOKIE}={secret}")
}

fn sent_to_sign_in(r: &TestResponse) -> bool {
    r.status == 303 && r.location().starts_with("/login")
}

async fn last_event(app: &TestApp) -> (AuditEvent, String) {
    let entries = list_events(app.db(), Paging::new(1, 1))
        .await
        .expect("log")
        .0;
    (entries[0].event, entries[0].subject.clone())
}

fn no_secrets(r: &TestResponse) {
    assert!(
        !r.body.contains("$argon2"),
        "no password hash in a response"
    );
    assert!(
        !r.body.contains(NEW_PASSWORD),
        "a typed password is never echoed"
    );
}

async fn an_admin_renames_a_user_and_makes_them_admin(app: TestApp) {
    let team = seed::team(&app, "Checkout").await.team;
    let (kim, _) = member(&app, "kim@example.com", &[(team, Role::Viewer)]).await;
    let page = app.get(&format!("/settings/users/{kim}")).await;
    assert!(page.body.contains(&format!("/settings/users/{kim}/edit")));
    let form = app.get(&format!("/settings/users/{kim}/edit")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"csrf_token\""));
    let long = "K".repeat(101);
    let bad = app
        .post_form(
            &format!("/settings/users/{kim}/edit"),
            &[("display_name", &long), ("is_admin", "on")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains(&long), "the input is kept");
    assert!(bad.body.contains(" checked"), "the checkbox is kept");
    let saved = app
        .post_form(
            &format!("/settings/users/{kim}/edit"),
            &[("display_name", "Kim Kowalski"), ("is_admin", "on")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let kim_now = get_user(app.db(), kim).await.expect("kim");
    assert_eq!(
        (kim_now.display_name.as_str(), kim_now.is_admin),
        ("Kim Kowalski", true)
    );
    let (event, subject) = last_event(&app).await;
    assert_eq!(event, AuditEvent::UserUpdated);
    assert!(subject.contains("kim@example.com"), "{subject}");
    no_secrets(&app.get(&format!("/settings/users/{kim}")).await);
    no_secrets(&app.get("/settings/users").await);
}

async fn the_last_instance_admin_cannot_drop_their_own_flag(app: TestApp) {
    let me = app.admin_id;
    let refused = app
        .post_form(
            &format!("/settings/users/{me}/edit"),
            &[("display_name", "Ada Admin")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("This is the last instance administrator")
    );
    assert!(get_user(app.db(), me).await.expect("me").is_admin);
    let cannot = app
        .post_form(&format!("/settings/users/{me}/deactivate"), &[])
        .await;
    assert_eq!(cannot.status, 409, "an admin cannot deactivate themselves");
    assert!(get_user(app.db(), me).await.expect("me").is_active());
}

async fn a_deactivated_user_is_signed_out_refused_at_sign_in_and_their_token_answers_401(
    app: TestApp,
) {
    let team = seed::team(&app, "Checkout").await.team;
    let (kim, _) = member(&app, "kim@example.com", &[(team, Role::Editor)]).await;
    let reset = app
        .post_form(
            &format!("/settings/users/{kim}/password"),
            &[
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(reset.status, 303, "{}", reset.body);
    let login = sign_in(&app, "kim@example.com", NEW_PASSWORD).await;
    assert_eq!(login.status, 303, "{}", login.body);
    let session = cookie_for(&session_from(&login));
    let token = new_api_token();
    let name = TokenName::parse("ci").expect("a name");
    create_token(app.db(), kim, &name, &api_token_hash(&token), Utc::now())
        .await
        .expect("a token");
    let me = |token: String| {
        Request::get("/api/v1/me")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request")
    };
    assert_eq!(app.send(me(token.clone())).await.status, 200);
    assert_eq!(app.get_with_cookies("/defects", &session).await.status, 200);

    let off = app
        .post_form(&format!("/settings/users/{kim}/deactivate"), &[])
        .await;
    assert_eq!(off.status, 303, "{}", off.body);
    assert_eq!(last_event(&app).await.0, AuditEvent::UserDeactivated);
    assert!(
        sent_to_sign_in(&app.get_with_cookies("/defects", &session).await),
        "the existing session is refused"
    );
    assert!(
        sent_to_sign_in(
            &app.get_with_cookies("/defects", &signed_in(&app, kim).await)
                .await
        ),
        "a session that somehow remains is refused too"
    );
    assert_eq!(app.send(me(token.clone())).await.status, 401);
    let refused = sign_in(&app, "kim@example.com", NEW_PASSWORD).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Enter a correct email address and password"),
        "the same answer as a wrong password"
    );
    let page = app.get(&format!("/settings/users/{kim}")).await;
    assert!(page.body.contains("Deactivated on"));
    assert!(page.body.contains("/reactivate"));
    assert!(
        app.get("/settings/users")
            .await
            .body
            .contains("(deactivated)")
    );

    let on = app
        .post_form(&format!("/settings/users/{kim}/reactivate"), &[])
        .await;
    assert_eq!(on.status, 303);
    assert_eq!(last_event(&app).await.0, AuditEvent::UserReactivated);
    assert_eq!(
        sign_in(&app, "kim@example.com", NEW_PASSWORD).await.status,
        303
    );
    assert_eq!(
        app.send(me(token)).await.status,
        200,
        "the token works again"
    );
}

async fn an_admin_sets_a_new_password_that_ends_the_users_sessions(app: TestApp) {
    let (kim, kim_cookies) = member(&app, "kim@example.com", &[]).await;
    let form = app.get(&format!("/settings/users/{kim}/password")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"csrf_token\""));
    let short = app
        .post_form(
            &format!("/settings/users/{kim}/password"),
            &[
                ("password", "short-pass"),
                ("password_confirmation", "short-pass"),
            ],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(
        short
            .body
            .contains("Password must be 12 characters or more")
    );
    assert!(!short.body.contains("short-pass"), "never echoed");
    let mismatch = app
        .post_form(
            &format!("/settings/users/{kim}/password"),
            &[
                ("password", NEW_PASSWORD),
                ("password_confirmation", "something else entirely"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.body.contains("Passwords do not match"));
    no_secrets(&mismatch);
    assert_eq!(
        app.get_with_cookies("/defects", &kim_cookies).await.status,
        200
    );
    let reset = app
        .post_form(
            &format!("/settings/users/{kim}/password"),
            &[
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(reset.status, 303, "{}", reset.body);
    assert_eq!(
        last_event(&app).await,
        (AuditEvent::PasswordReset, "kim@example.com".to_owned())
    );
    assert!(sent_to_sign_in(
        &app.get_with_cookies("/defects", &kim_cookies).await
    ));
    assert_eq!(
        sign_in(&app, "kim@example.com", NEW_PASSWORD).await.status,
        303
    );
    let (_, viewer) = member(&app, "vic@example.com", &[]).await;
    let refused = app
        .post_with_cookies(
            &format!("/settings/users/{kim}/password"),
            &[
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
            &viewer,
        )
        .await;
    assert_eq!(refused.status, 403, "only instance admins");
}

async fn a_user_changes_their_own_password_and_other_sessions_end(app: TestApp) {
    let other = session_from(&sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await);
    let menu = app.get("/defects").await;
    assert!(
        menu.body.contains("href=\"/settings/password\""),
        "in the account menu"
    );
    let form = app.get("/settings/password").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"csrf_token\""));
    let wrong = app
        .post_form(
            "/settings/password",
            &[
                ("current_password", "not my password at all"),
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("Your current password is not correct"));
    assert!(!wrong.body.contains("not my password at all"));
    no_secrets(&wrong);
    let changed = app
        .post_form(
            "/settings/password",
            &[
                ("current_password", ADMIN_PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    no_secrets(&changed);
    assert_eq!(
        last_event(&app).await,
        (AuditEvent::PasswordChanged, ADMIN_EMAIL.to_owned())
    );
    let fresh = cookie_for(&session_from(&changed));
    assert_eq!(
        app.get_with_cookies("/defects", &fresh).await.status,
        200,
        "this browser continues in a new session"
    );
    assert!(sent_to_sign_in(
        &app.get_with_cookies("/defects", &cookie_for(&other)).await
    ));
    assert!(
        sent_to_sign_in(&app.get("/defects").await),
        "the old session is rotated"
    );
    assert_eq!(sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 422);
    assert_eq!(sign_in(&app, ADMIN_EMAIL, NEW_PASSWORD).await.status, 303);
}
