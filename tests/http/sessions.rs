//! Sessions end on the server: after 8 hours without a request, 14 days after sign-in
//! however busy, and at sign-out. The clock is moved by moving a session's timestamps into
//! the past, exactly as far as the clock would have moved on.

use chrono::TimeDelta;
use escapement_storage::entities::session;
use escapement_storage::sea_orm::{ActiveModelTrait, EntityTrait, Set};
use escapement_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, CSRF, TestApp, both_backends};
use escapement_web::auth::{SESSION_COOKIE, session_id};

use crate::seed::session_from;

both_backends!(TestApp:
    a_session_idle_for_eight_hours_is_refused,
    a_busy_session_is_refused_fourteen_days_after_sign_in,
    signing_out_deletes_the_session_on_the_server,
);

/// Signs the admin in through the login form; returns the new session's cookie value.
async fn sign_in(app: &TestApp) -> String {
    let login = app
        .post_with_cookies(
            "/login",
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
            &format!("escapement_csrf={CSRF}"),
        )
        .await;
    assert_eq!(login.status, 303, "{}", login.body);
    session_from(&login)
}

async fn stored(app: &TestApp, secret: &str) -> Option<session::Model> {
    session::Entity::find_by_id(session_id(secret))
        .one(app.db())
        .await
        .expect("read the session")
}

/// Moves the session `by` into the past, as if that much time had gone by.
async fn age(app: &TestApp, secret: &str, by: TimeDelta) {
    let row = stored(app, secret).await.expect("the session is stored");
    let mut moved: session::ActiveModel = row.clone().into();
    moved.created_at = Set(row.created_at - by);
    moved.last_seen_at = Set(row.last_seen_at - by);
    moved.expires_at = Set(row.expires_at - by);
    moved.update(app.db()).await.expect("age the session");
}

/// The status of `GET /defects` with the session, and whether it was sent to sign in.
async fn visit(app: &TestApp, secret: &str) -> (u16, bool) {
    let cookies = format!("escapement_csrf={CSRF}; {SESSION_COOKIE}={secret}");
    let response = app.get_with_cookies("/defects", &cookies).await;
    (
        response.status.as_u16(),
        response.location() == "/login?next=%2Fdefects",
    )
}

async fn a_session_idle_for_eight_hours_is_refused(app: TestApp) {
    let secret = sign_in(&app).await;
    age(&app, &secret, TimeDelta::hours(8) - TimeDelta::minutes(1)).await;
    assert_eq!(
        visit(&app, &secret).await,
        (200, false),
        "7 h 59 min idle is fine"
    );
    age(&app, &secret, TimeDelta::hours(8) + TimeDelta::minutes(1)).await;
    assert_eq!(
        visit(&app, &secret).await,
        (303, true),
        "8 h 1 min after the last request the session is over"
    );
}

async fn a_busy_session_is_refused_fourteen_days_after_sign_in(app: TestApp) {
    let secret = sign_in(&app).await;
    // A request every 6 hours for 13 days and 18 hours: never idle for long.
    for step in 1..=55 {
        age(&app, &secret, TimeDelta::hours(6)).await;
        assert_eq!(visit(&app, &secret).await, (200, false), "step {step}");
    }
    let row = stored(&app, &secret).await.expect("the session");
    assert_eq!(
        row.expires_at,
        row.created_at + TimeDelta::days(14),
        "each request extends the session, but never past 14 days after sign-in"
    );
    age(&app, &secret, TimeDelta::hours(6) + TimeDelta::minutes(1)).await;
    assert_eq!(
        visit(&app, &secret).await,
        (303, true),
        "14 days and 1 minute after sign-in, though last used 6 hours ago"
    );
}

async fn signing_out_deletes_the_session_on_the_server(app: TestApp) {
    let secret = sign_in(&app).await;
    assert_eq!(visit(&app, &secret).await, (200, false));
    let cookies = format!("escapement_csrf={CSRF}; {SESSION_COOKIE}={secret}");
    let logout = app.post_with_cookies("/logout", &[], &cookies).await;
    assert_eq!((logout.status.as_u16(), logout.location()), (303, "/login"));
    assert!(
        stored(&app, &secret).await.is_none(),
        "the session row is gone"
    );
    assert_eq!(
        visit(&app, &secret).await,
        (303, true),
        "the old cookie no longer signs anyone in"
    );
}
