//! Sign-in throttling as an attacker meets it: per account and per client address (the
//! peer's, or the hop a trusted proxy names), and counted atomically.

use std::net::IpAddr;

use chrono::TimeDelta;
use escapement_core::auth::ThrottlePolicy;
use escapement_tests::tcp::post_form_over_tcp;
use escapement_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp};

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
