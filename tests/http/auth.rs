//! Signing in and out, first-run setup, throttling and the login requirement.

use chrono::{TimeDelta, Utc};
use escapement_core::Paging;
use escapement_core::auth::{AuditEvent, ThrottlePolicy};
use escapement_storage::accounts::list_events;
use escapement_storage::sea_orm::ConnectionTrait;
use escapement_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, CSRF, TestApp, both_backends};
use escapement_web::auth::{SESSION_COOKIE, start_session};

use crate::seed::session_from;

both_backends!(TestApp:
    a_visitor_without_a_session_is_sent_to_sign_in,
    signing_in_rotates_the_session_and_signing_out_ends_it,
    a_wrong_password_is_refused_without_saying_which_part,
    sign_in_never_redirects_off_site,
    signing_out_works_from_an_error_page,
);

fn cookies(session: &str) -> String {
    format!("escapement_csrf={CSRF}; {SESSION_COOKIE}={session}")
}

async fn events(app: &TestApp) -> Vec<AuditEvent> {
    let (entries, _) = list_events(app.db(), Paging::new(1, 50))
        .await
        .expect("audit log");
    entries.into_iter().map(|e| e.event).collect()
}

async fn a_visitor_without_a_session_is_sent_to_sign_in(app: TestApp) {
    let anonymous = format!("escapement_csrf={CSRF}");
    for path in [
        "/defects",
        "/defects/new?team=x",
        "/settings/teams",
        "/no/such/page",
    ] {
        let response = app.get_with_cookies(path, &anonymous).await;
        assert_eq!(response.status, 303, "{path}");
        assert!(
            response.location().starts_with("/login?next=%2F"),
            "{path}: {}",
            response.location()
        );
    }
    let write = app
        .post_with_cookies("/settings/teams", &[("name", "Sneaky")], &anonymous)
        .await;
    assert_eq!(write.status, 303);
    assert!(
        app.get("/settings/teams")
            .await
            .body
            .contains("No teams yet"),
        "nothing was written"
    );
    for path in ["/login", "/healthz", "/static/app.css"] {
        assert_eq!(
            app.get_with_cookies(path, &anonymous).await.status,
            200,
            "{path} is public"
        );
    }
    let stale = app
        .get_with_cookies("/defects", &cookies("not-a-session"))
        .await;
    assert_eq!(stale.status, 303, "an unknown session counts as none");
}

async fn signing_in_rotates_the_session_and_signing_out_ends_it(app: TestApp) {
    let planted = start_session(app.db(), app.admin_id, Utc::now())
        .await
        .expect("a session");
    let login = app
        .post_with_cookies(
            "/login",
            &[
                ("email", "Admin@Example.com"),
                ("password", ADMIN_PASSWORD),
                ("next", "/settings/teams"),
            ],
            &cookies(&planted),
        )
        .await;
    assert_eq!(login.status, 303, "{}", login.body);
    assert_eq!(login.location(), "/settings/teams");
    let fresh = session_from(&login);
    assert_ne!(fresh, planted, "the session id changes at sign-in");
    let cookie = login
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(
        app.get_with_cookies("/defects", &cookies(&planted))
            .await
            .status,
        303,
        "the old session is gone"
    );
    let page = app.get_with_cookies("/defects", &cookies(&fresh)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Ada Admin") && page.body.contains("Sign out"));

    let logout = app
        .post_with_cookies("/logout", &[], &cookies(&fresh))
        .await;
    assert_eq!(logout.status, 303);
    assert_eq!(logout.location(), "/login");
    assert_eq!(
        app.get_with_cookies("/defects", &cookies(&fresh))
            .await
            .status,
        303,
        "signed out on the server"
    );
    let logged = events(&app).await;
    assert!(
        logged.contains(&AuditEvent::LoginSucceeded) && logged.contains(&AuditEvent::Logout),
        "{logged:?}"
    );
}

async fn a_wrong_password_is_refused_without_saying_which_part(app: TestApp) {
    let anonymous = format!("escapement_csrf={CSRF}");
    for (email, password) in [
        (ADMIN_EMAIL, "wrong password here"),
        ("nobody@example.com", ADMIN_PASSWORD),
    ] {
        let response = app
            .post_with_cookies(
                "/login",
                &[("email", email), ("password", password)],
                &anonymous,
            )
            .await;
        assert_eq!(response.status, 422);
        assert!(
            response
                .body
                .contains("Enter a correct email address and password")
        );
        assert!(!response.body.contains("$argon2"), "no hash in any page");
        assert!(
            response
                .headers
                .get("set-cookie")
                .and_then(|v| v.to_str().ok())
                .is_none_or(|c| !c.starts_with(SESSION_COOKIE))
        );
    }
    let empty = app
        .post_with_cookies("/login", &[("email", ""), ("password", "")], &anonymous)
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Enter an email address"));
    assert_eq!(
        events(&app)
            .await
            .iter()
            .filter(|e| **e == AuditEvent::LoginFailed)
            .count(),
        2
    );
}

async fn sign_in_never_redirects_off_site(app: TestApp) {
    let anonymous = format!("escapement_csrf={CSRF}");
    for next in [
        "//evil.example.com/",
        "https://evil.example.com/",
        "/\\evil.example.com",
        "/\t/evil.example.com/",
        "/\n/evil.example.com/",
        "/\r\nSet-Cookie: a=b",
    ] {
        let response = app
            .post_with_cookies(
                "/login",
                &[
                    ("email", ADMIN_EMAIL),
                    ("password", ADMIN_PASSWORD),
                    ("next", next),
                ],
                &anonymous,
            )
            .await;
        assert_eq!(response.status, 303);
        assert_eq!(response.location(), "/", "{next}");
    }
}

async fn throttled(backend: Backend) {
    let policy = ThrottlePolicy {
        free_failures: 1,
        max_failures: 3,
        base_delay: TimeDelta::milliseconds(10),
        max_delay: TimeDelta::milliseconds(20),
        ..ThrottlePolicy::default()
    };
    let Some(app) = TestApp::with_state(backend, |mut state| {
        state.throttle = policy;
        state
    })
    .await
    else {
        return;
    };
    let anonymous = format!("escapement_csrf={CSRF}");
    let attempt = [("email", ADMIN_EMAIL), ("password", "wrong password here")];
    for _ in 0..3 {
        assert_eq!(
            app.post_with_cookies("/login", &attempt, &anonymous)
                .await
                .status,
            422
        );
    }
    let refused = app.post_with_cookies("/login", &attempt, &anonymous).await;
    assert_eq!(refused.status, 429);
    assert!(refused.body.contains("Too many failed login attempts"));
    assert_eq!(
        refused
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("900"),
        "the refusal says how long to wait: the window"
    );
    let correct = app
        .post_with_cookies(
            "/login",
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
            &anonymous,
        )
        .await;
    assert_eq!(
        correct.status, 429,
        "even the right password waits out the refusal"
    );
    assert!(events(&app).await.contains(&AuditEvent::LoginRefused));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_are_slowed_then_refused_on_sqlite() {
    throttled(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_are_slowed_then_refused_on_postgres() {
    throttled(Backend::Postgres).await;
}

async fn setup(backend: Backend) {
    let Some(app) = TestApp::with_state(backend, |mut state| {
        state.setup_token = Some("a".repeat(64).into());
        state
    })
    .await
    else {
        return;
    };
    // Start from an empty instance: no user at all.
    for table in ["sessions", "users"] {
        app.db()
            .execute_unprepared(&format!("DELETE FROM {table}"))
            .await
            .expect("empty the instance");
    }
    // A team member but no instance administrator (what `escapement demo` leaves): the
    // setup stays open, so somebody can administer the instance.
    crate::seed::member(&app, "demo.lead@example.com", &[]).await;
    let anonymous = format!("escapement_csrf={CSRF}");
    let token = "a".repeat(64);
    assert_eq!(
        app.get_with_cookies("/setup?token=wrong", &anonymous)
            .await
            .status,
        404
    );
    let form = app
        .get_with_cookies(&format!("/setup?token={token}"), &anonymous)
        .await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Create the first administrator"));
    let short = app
        .post_with_cookies(
            "/setup",
            &[
                ("token", &token),
                ("email", "first@example.com"),
                ("display_name", "First"),
                ("password", "short"),
                ("password_confirmation", "short"),
            ],
            &anonymous,
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(
        short
            .body
            .contains("Password must be 12 characters or more")
    );
    let password = "a long enough passphrase";
    let created = app
        .post_with_cookies(
            "/setup",
            &[
                ("token", &token),
                ("email", "first@example.com"),
                ("display_name", "First"),
                ("password", password),
                ("password_confirmation", password),
            ],
            &anonymous,
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let session = session_from(&created);
    assert_eq!(
        app.get_with_cookies("/settings/teams", &cookies(&session))
            .await
            .status,
        200,
        "signed in as the new admin"
    );
    assert_eq!(
        app.get_with_cookies(&format!("/setup?token={token}"), &anonymous)
            .await
            .status,
        404,
        "setup closes"
    );
    assert!(events(&app).await.contains(&AuditEvent::SetupCompleted));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_setup_creates_the_admin_once_on_sqlite() {
    setup(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_setup_creates_the_admin_once_on_postgres() {
    setup(Backend::Postgres).await;
}

both_backends!(TestApp: the_audit_log_is_for_instance_admins, a_session_works_on_every_server_sharing_the_database);

async fn the_audit_log_is_for_instance_admins(app: TestApp) {
    let anonymous = format!("escapement_csrf={CSRF}");
    app.post_with_cookies(
        "/login",
        &[("email", ADMIN_EMAIL), ("password", "not the password")],
        &anonymous,
    )
    .await;
    let page = app.get("/settings/audit").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Login failed") && page.body.contains(ADMIN_EMAIL),
        "{}",
        page.body
    );
    assert!(app.get("/settings").await.body.contains("/settings/audit"));

    let draft = escapement_core::auth::UserDraft {
        email: "member@example.com".to_owned(),
        display_name: "Member".to_owned(),
        password: "a long enough passphrase".to_owned(),
        password_confirmation: "a long enough passphrase".to_owned(),
    };
    let member = escapement_storage::accounts::create_user(
        app.db(),
        &draft.validate().expect("valid"),
        "x",
        false,
        Utc::now(),
    )
    .await
    .expect("member");
    let session = start_session(app.db(), member.id, Utc::now())
        .await
        .expect("session");
    assert_eq!(
        app.get_with_cookies("/settings/audit", &cookies(&session))
            .await
            .status,
        403
    );
}

async fn a_session_works_on_every_server_sharing_the_database(app: TestApp) {
    // A second instance of the application over the same database, as behind a load balancer.
    let second = escapement_web::app(escapement_web::AppState::new(app.db().clone()));
    let anonymous = format!("escapement_csrf={CSRF}");
    let login = app
        .post_with_cookies(
            "/login",
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
            &anonymous,
        )
        .await;
    let session = session_from(&login);
    let request = axum::http::Request::get("/defects")
        .header("cookie", cookies(&session))
        .body(axum::body::Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(second, request)
        .await
        .expect("response");
    assert_eq!(
        response.status(),
        200,
        "the session created by one server is accepted by another"
    );
}

async fn signing_out_works_from_an_error_page(app: TestApp) {
    let token = regex::Regex::new(
        r#"action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]*)""#,
    )
    .expect("a valid pattern");
    for path in [
        "/no/such/page",
        "/defects/00000000-0000-0000-0000-000000000000",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        let field = token
            .captures(&page.body)
            .map(|c| c[1].to_owned())
            .unwrap_or_default();
        assert_eq!(
            field, CSRF,
            "{path}: the error page carries the visitor's token"
        );
    }
    let page = app.get("/no/such/page").await;
    let field = token
        .captures(&page.body)
        .map(|c| c[1].to_owned())
        .unwrap_or_default();
    let body = serde_urlencoded::to_string([("csrf_token", field.as_str())]).expect("a form");
    let request = axum::http::Request::post("/logout")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", app.cookies())
        .body(axum::body::Body::from(body))
        .expect("a valid request");
    let signed_out = app.send(request).await;
    assert_eq!(
        signed_out.status, 303,
        "signing out from the error page works"
    );
    assert_eq!(signed_out.location(), "/login");
    assert_eq!(
        app.get("/defects").await.status,
        303,
        "the session has ended"
    );
}
