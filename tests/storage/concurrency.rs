//! Concurrent writers on both databases: saves of different rows all go through side by
//! side, and two saves of one row at the same version end with one winner and one `Stale`,
//! never with a database error (on SQLite: "database is locked").

use std::future::Future;
use std::sync::Arc;

use chrono::Utc;
use escapement_core::review::Classification;
use escapement_core::{Mechanism, ReviewState};
use escapement_storage::defects::{create_defect, get_defect, update_defect};
use escapement_storage::reviews::{
    StepWrite, add_action, change_state, create_review, delete_action, get_review, review_escapes,
    save_classification,
};
use escapement_storage::{Result, StorageError};
use escapement_tests::{TestDb, both_backends};
use tokio::sync::Barrier;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::reviews::{action, actor, details, escape};
use crate::{defect, team};

both_backends!(TestDb:
    concurrent_saves_of_different_rows_all_succeed_and_a_race_for_one_row_has_one_winner,
    classifying_a_review_while_its_only_action_is_deleted_lets_exactly_one_of_them_happen,
);

/// Writers of each kind that start at once: four times the pool's SQLite connections.
const WRITERS: usize = 32;

/// Which write a task made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    /// A guided step of its own review: a transaction that reads, then writes.
    Step,
    /// An edit of its own defect: single statements outside a transaction.
    DefectEdit,
    /// One of two saves of the same step at the same version.
    Race,
}

/// Starts `write` on the runtime; it waits at `start` so every writer begins together.
fn spawn<F>(tasks: &mut JoinSet<(Write, Result<()>)>, start: &Arc<Barrier>, kind: Write, write: F)
where
    F: Future<Output = Result<()>> + Send + 'static,
{
    let start = Arc::clone(start);
    tasks.spawn(async move {
        start.wait().await;
        (kind, write.await)
    });
}

async fn concurrent_saves_of_different_rows_all_succeed_and_a_race_for_one_row_has_one_winner(
    store: TestDb,
) {
    let who = actor(&store).await;
    let t = team(&store, "Checkout").await;
    let mut steps: Vec<(Uuid, Uuid)> = Vec::new();
    for i in 0..=WRITERS {
        let d = escape(&store, t, &format!("Escape {i}"), 3).await;
        let review = create_review(
            &store.db,
            &details(t, &format!("Review {i}"), 3),
            &[d],
            &who,
            Utc::now(),
        )
        .await
        .expect("review");
        let e = review_escapes(&store.db, review.id).await.expect("escapes")[0].id;
        steps.push((review.id, e));
    }
    let (race_review, race_escape) = steps.pop().expect("the raced step");
    let mut defects = Vec::new();
    for i in 0..WRITERS {
        let d = create_defect(
            &store.db,
            &defect(t, &format!("Defect {i}"), "system_test", 2),
            Utc::now(),
        )
        .await
        .expect("defect");
        defects.push(d.id);
    }

    let start = Arc::new(Barrier::new(2 * WRITERS + 2));
    let mut tasks = JoinSet::new();
    let classified = Classification::new(Some(Mechanism::NoTest), []);
    for &(review, escape) in &steps {
        let (db, who, c) = (store.db.clone(), who.clone(), classified.clone());
        spawn(&mut tasks, &start, Write::Step, async move {
            save_classification(
                &db,
                &StepWrite::new(review, escape, 1, &who, Utc::now()),
                &c,
            )
            .await
        });
    }
    for (i, &id) in defects.iter().enumerate() {
        let (db, edited) = (
            store.db.clone(),
            defect(t, &format!("Edited {i}"), "system_test", 2),
        );
        spawn(&mut tasks, &start, Write::DefectEdit, async move {
            update_defect(&db, id, 1, &edited, Utc::now())
                .await
                .map(|_| ())
        });
    }
    for mechanism in [Mechanism::NoTest, Mechanism::MissedReview] {
        let (db, who) = (store.db.clone(), who.clone());
        let c = Classification::new(Some(mechanism), []);
        spawn(&mut tasks, &start, Write::Race, async move {
            save_classification(
                &db,
                &StepWrite::new(race_review, race_escape, 1, &who, Utc::now()),
                &c,
            )
            .await
        });
    }
    let mut outcomes = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        outcomes.push(joined.expect("a writer runs to its end"));
    }

    let db_errors: Vec<String> = outcomes
        .iter()
        .filter_map(|(kind, r)| match r {
            Err(StorageError::Db(e)) => Some(format!("{kind:?}: {e}")),
            _ => None,
        })
        .collect();
    eprintln!(
        "{:?}: {} of {} concurrent writes failed with a database error",
        store.backend,
        db_errors.len(),
        outcomes.len()
    );
    assert!(db_errors.is_empty(), "database errors: {db_errors:#?}");
    for (kind, result) in &outcomes {
        if *kind != Write::Race {
            assert!(result.is_ok(), "{kind:?} on its own row: {result:?}");
        }
    }
    let race: Vec<&Result<()>> = outcomes
        .iter()
        .filter(|(kind, _)| *kind == Write::Race)
        .map(|(_, r)| r)
        .collect();
    assert_eq!(race.iter().filter(|r| r.is_ok()).count(), 1, "{race:?}");
    assert_eq!(
        race.iter()
            .filter(|r| matches!(r, Err(StorageError::Stale { current_version: 2 })))
            .count(),
        1,
        "{race:?}"
    );

    for &(review, _) in &steps {
        let saved = &review_escapes(&store.db, review).await.expect("escapes")[0];
        assert_eq!((saved.version, &saved.classification), (2, &classified));
    }
    for (i, &id) in defects.iter().enumerate() {
        let saved = get_defect(&store.db, id).await.expect("defect");
        assert_eq!(
            (saved.version, saved.data.title.as_str()),
            (2, format!("Edited {i}").as_str())
        );
    }
    let raced = &review_escapes(&store.db, race_review)
        .await
        .expect("escapes")[0];
    assert_eq!(raced.version, 2, "the winner's save, and only that one");
}

async fn classifying_a_review_while_its_only_action_is_deleted_lets_exactly_one_of_them_happen(
    store: TestDb,
) {
    let who = actor(&store).await;
    let t = team(&store, "Checkout").await;
    let mut reviews = Vec::new();
    for i in 0..WRITERS {
        let d = escape(&store, t, &format!("Escape {i}"), 3).await;
        let review = create_review(
            &store.db,
            &details(t, &format!("Review {i}"), 3),
            &[d],
            &who,
            Utc::now(),
        )
        .await
        .expect("review");
        let e = review_escapes(&store.db, review.id).await.expect("escapes")[0].id;
        let primary = Classification::new(Some(Mechanism::NoTest), []);
        save_classification(
            &store.db,
            &StepWrite::new(review.id, e, 1, &who, Utc::now()),
            &primary,
        )
        .await
        .expect("mechanism");
        let only = add_action(
            &store.db,
            review.id,
            e,
            &action(t, "Add a contract test"),
            &who,
            Utc::now(),
        )
        .await
        .expect("the only action");
        let review = change_state(
            &store.db,
            review.id,
            1,
            ReviewState::InReview,
            &who,
            Utc::now(),
        )
        .await
        .expect("started");
        reviews.push((review.id, review.version, only.id));
    }

    let start = Arc::new(Barrier::new(2 * reviews.len()));
    let mut tasks = JoinSet::new();
    for &(review, version, only) in &reviews {
        let (db, by) = (store.db.clone(), who.clone());
        spawn(&mut tasks, &start, Write::Step, async move {
            change_state(
                &db,
                review,
                version,
                ReviewState::Classified,
                &by,
                Utc::now(),
            )
            .await
            .map(|_| ())
        });
        let (db, by) = (store.db.clone(), who.clone());
        spawn(&mut tasks, &start, Write::Race, async move {
            delete_action(&db, (review, only, 1), &by, Utc::now()).await
        });
    }
    let mut outcomes = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        outcomes.push(joined.expect("a writer runs to its end"));
    }
    let unexpected: Vec<String> = outcomes
        .iter()
        .filter(|(_, r)| !matches!(r, Ok(()) | Err(StorageError::Blocked(_))))
        .map(|(kind, r)| format!("{kind:?}: {r:?}"))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");

    let mut both = 0;
    for &(review, _, _) in &reviews {
        let state = get_review(&store.db, review).await.expect("review").state;
        let actions = review_escapes(&store.db, review).await.expect("escapes")[0]
            .actions
            .len();
        if state == ReviewState::Classified && actions == 0 {
            both += 1;
        }
    }
    let succeeded = outcomes.iter().filter(|(_, r)| r.is_ok()).count();
    eprintln!(
        "{:?}: {both} of {} reviews classified without an action; {succeeded} of {} writes saved",
        store.backend,
        reviews.len(),
        outcomes.len()
    );
    assert_eq!(both, 0, "a classified review lost its only action");
    assert_eq!(
        succeeded,
        reviews.len(),
        "one write of each pair, the other blocked"
    );
}
