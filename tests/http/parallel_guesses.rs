//! Sixty guesses at one account sent at once are counted exactly: with a limit of twenty,
//! exactly twenty passwords are checked and recorded as failures and the other forty are
//! refused unchecked (each attempt is recorded before it is judged, in a write
//! transaction, so no two guesses can both see a count below the limit for one slot).

use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use escapement_core::Paging;
use escapement_core::auth::{AuditEvent, ThrottlePolicy};
use escapement_storage::accounts::{count_login_failures, list_events};
use escapement_tests::{ADMIN_EMAIL, Backend, CSRF, TestApp};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

const GUESSES: usize = 60;
const LIMIT: u32 = 20;

async fn sixty_parallel_guesses_are_counted_exactly(backend: Backend) {
    let Some(app) = TestApp::with_state(backend, |mut state| {
        state.throttle = ThrottlePolicy {
            free_failures: LIMIT,
            max_failures: LIMIT,
            ..ThrottlePolicy::default()
        };
        // Every check gets its turn: a busy answer would leave a slot free for another.
        state.hashing.wait = std::time::Duration::from_secs(60);
        state
    })
    .await
    else {
        return;
    };
    let app = Arc::new(app);
    let start = Arc::new(Barrier::new(GUESSES));
    let mut guesses = JoinSet::new();
    for n in 0..GUESSES {
        let (app, start) = (Arc::clone(&app), Arc::clone(&start));
        guesses.spawn(async move {
            let anonymous = format!("escapement_csrf={CSRF}");
            let password = format!("wrong password number {n}");
            let guess = [("email", ADMIN_EMAIL), ("password", password.as_str())];
            start.wait().await;
            app.post_with_cookies("/login", &guess, &anonymous)
                .await
                .status
                .as_u16()
        });
    }
    let statuses = guesses.join_all().await;
    let checked = statuses.iter().filter(|s| **s == 422).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        (checked, refused),
        (LIMIT as usize, GUESSES - LIMIT as usize),
        "{statuses:?}"
    );
    let (failures, _) = count_login_failures(
        app.db(),
        ADMIN_EMAIL,
        "unknown",
        Utc::now() - TimeDelta::hours(1),
    )
    .await
    .expect("count failures");
    assert_eq!(failures, u64::from(LIMIT), "each checked guess counts once");
    let (events, _) = list_events(app.db(), Paging::new(1, 100))
        .await
        .expect("audit log");
    let logged = events
        .iter()
        .filter(|e| e.event == AuditEvent::LoginFailed)
        .count();
    assert_eq!(
        logged, checked,
        "each checked guess is logged, no refusal is"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_parallel_guesses_are_counted_exactly_on_sqlite() {
    sixty_parallel_guesses_are_counted_exactly(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_parallel_guesses_are_counted_exactly_on_postgres() {
    sixty_parallel_guesses_are_counted_exactly(Backend::Postgres).await;
}
