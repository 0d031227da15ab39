//! Sign-in throttling as an attacker meets it: per account and per client address (the
//! peer's, or the hop a trusted proxy names), and password checks
//! bounded so that parallel sign-ins cannot exhaust the memory.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use escapement_core::auth::ThrottlePolicy;
use escapement_storage::accounts::count_login_failures;
use escapement_tests::tcp::post_form_over_tcp;
use escapement_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, CSRF, TestApp};
use escapement_web::state::HashingLimit;
use tokio::sync::Semaphore;

/// Three failures in the window refuse; the ones before are barely slowed.
fn strict_policy() -> ThrottlePolicy {
    ThrottlePolicy {
        free_failures: 1,
        max_failures: 3,
        base_delay: TimeDelta::milliseconds(10),
        max_delay: TimeDelta::milliseconds(20),
        ..ThrottlePolicy::default()
    }
}

async fn app_behind(backend: Backend, trusted: &[&str]) -> Option<TestApp> {
    let trusted: Vec<IpAddr> = trusted
        .iter()
        .map(|a| a.parse().expect("an address"))
        .collect();
    TestApp::with_state(backend, |mut state| {
        state.throttle = strict_policy();
        state.trusted_proxies = trusted.into();
        state
    })
    .await
}

const GUESS: [(&str, &str); 2] = [
    ("email", "victim@example.com"),
    ("password", "wrong password here"),
];
const ADMIN: [(&str, &str); 2] = [("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)];

async fn guessing_one_account_does_not_lock_out_another_from_elsewhere(backend: Backend) {
    let Some(app) = app_behind(backend, &["127.0.0.1"]).await else {
        return;
    };
    let addr = app.serve().await;
    let attacker = [("X-Forwarded-For", "203.0.113.66")];
    for _ in 0..3 {
        let failed = post_form_over_tcp(addr, "/login", &GUESS, &attacker).await;
        assert_eq!(failed.status, 422);
    }
    let refused = post_form_over_tcp(addr, "/login", &GUESS, &attacker).await;
    assert_eq!(refused.status, 429, "the guessed account is refused");
    let elsewhere = [("X-Forwarded-For", "198.51.100.20")];
    let admin = post_form_over_tcp(addr, "/login", &ADMIN, &elsewhere).await;
    assert_eq!(
        admin.status, 303,
        "another account from another address signs in: {}",
        admin.body
    );
    let audit = app.get("/settings/audit").await;
    assert!(
        audit.body.contains("203.0.113.66") && audit.body.contains("198.51.100.20"),
        "the audit log shows each client's address"
    );
    assert!(!audit.body.contains("unknown"), "no address is unknown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_one_account_does_not_lock_out_another_from_elsewhere_on_sqlite() {
    guessing_one_account_does_not_lock_out_another_from_elsewhere(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_one_account_does_not_lock_out_another_from_elsewhere_on_postgres() {
    guessing_one_account_does_not_lock_out_another_from_elsewhere(Backend::Postgres).await;
}

async fn a_forwarded_header_from_an_untrusted_peer_changes_nothing(backend: Backend) {
    let Some(app) = app_behind(backend, &[]).await else {
        return;
    };
    let addr = app.serve().await;
    for n in 0..3 {
        let claimed = format!("203.0.113.{n}");
        let headers = [("X-Forwarded-For", claimed.as_str())];
        let failed = post_form_over_tcp(addr, "/login", &GUESS, &headers).await;
        assert_eq!(failed.status, 422);
    }
    let other = [
        ("email", "someone@example.com"),
        ("password", "wrong password here"),
    ];
    let headers = [("X-Forwarded-For", "203.0.113.200")];
    let refused = post_form_over_tcp(addr, "/login", &other, &headers).await;
    assert_eq!(
        refused.status, 429,
        "the failures count for the peer, whatever address it claims"
    );
    let audit = app.get("/settings/audit").await;
    assert!(audit.body.contains("127.0.0.1"));
    assert!(!audit.body.contains("203.0.113.1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_header_from_an_untrusted_peer_changes_nothing_on_sqlite() {
    a_forwarded_header_from_an_untrusted_peer_changes_nothing(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_header_from_an_untrusted_peer_changes_nothing_on_postgres() {
    a_forwarded_header_from_an_untrusted_peer_changes_nothing(Backend::Postgres).await;
}

async fn a_sign_in_waiting_too_long_to_check_its_password_is_told_to_retry(backend: Backend) {
    let permits = Arc::new(Semaphore::new(1));
    let limit = HashingLimit {
        permits: Arc::clone(&permits),
        wait: Duration::from_millis(50),
    };
    let Some(app) = TestApp::with_state(backend, |mut state| {
        state.hashing = limit;
        state
    })
    .await
    else {
        return;
    };
    let anonymous = format!("escapement_csrf={CSRF}");
    let held = Arc::clone(&permits)
        .acquire_owned()
        .await
        .expect("the one permit");
    let busy = app.post_with_cookies("/login", &ADMIN, &anonymous).await;
    assert_eq!(busy.status, 503, "not a 500, and not a sign-in");
    assert_eq!(
        busy.headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    assert!(
        busy.body
            .contains("Too many people are signing in right now")
    );
    assert!(
        busy.body.contains("name=\"email\""),
        "the form is there again"
    );
    let (by_account, _) = count_login_failures(
        app.db(),
        ADMIN_EMAIL,
        "unknown",
        Utc::now() - TimeDelta::hours(1),
    )
    .await
    .expect("count failures");
    assert_eq!(by_account, 0, "an unchecked attempt is no failure");
    drop(held);
    let signed_in = app.post_with_cookies("/login", &ADMIN, &anonymous).await;
    assert_eq!(signed_in.status, 303, "with a turn free, signing in works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_waiting_too_long_to_check_its_password_is_told_to_retry_on_sqlite() {
    a_sign_in_waiting_too_long_to_check_its_password_is_told_to_retry(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_waiting_too_long_to_check_its_password_is_told_to_retry_on_postgres() {
    a_sign_in_waiting_too_long_to_check_its_password_is_told_to_retry(Backend::Postgres).await;
}

async fn other_password_checks_wait_their_turn_too(backend: Backend) {
    let permits = Arc::new(Semaphore::new(1));
    let limit = HashingLimit {
        permits: Arc::clone(&permits),
        wait: Duration::from_millis(50),
    };
    let Some(app) = TestApp::with_state(backend, |mut state| {
        state.hashing = limit;
        state
    })
    .await
    else {
        return;
    };
    let held = Arc::clone(&permits)
        .acquire_owned()
        .await
        .expect("the one permit");
    let new_password = "a brand new passphrase";
    let change = [
        ("current_password", ADMIN_PASSWORD),
        ("password", new_password),
        ("password_confirmation", new_password),
    ];
    let busy = app.post_form("/settings/password", &change).await;
    assert_eq!(busy.status, 503, "not a 500");
    assert!(busy.headers.contains_key("retry-after"));
    assert!(busy.body.contains("Nothing was changed"));
    let add = [
        ("email", "new@example.com"),
        ("display_name", "New Person"),
        ("password", new_password),
        ("password_confirmation", new_password),
    ];
    let busy = app.post_form("/settings/users", &add).await;
    assert_eq!(busy.status, 503);
    drop(held);
    let changed = app.post_form("/settings/password", &change).await;
    assert_eq!(
        changed.status, 303,
        "with a turn free, the change goes through"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_password_checks_wait_their_turn_too_on_sqlite() {
    other_password_checks_wait_their_turn_too(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_password_checks_wait_their_turn_too_on_postgres() {
    other_password_checks_wait_their_turn_too(Backend::Postgres).await;
}
