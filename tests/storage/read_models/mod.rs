//! Read models: each page's data comes back whole, with every name resolved, in a fixed
//! number of queries whatever the number of escapes.

use chrono::{NaiveDate, Utc};
use escapement_core::review::Participant;
use escapement_core::{NewComponent, NewRelease};
use escapement_storage::Actor;
use escapement_storage::catalog::{create_component, create_release};
use escapement_storage::defects::create_defect;
use escapement_storage::reviews::{add_action, create_review, review_escapes};
use escapement_tests::TestDb;
use uuid::Uuid;

use crate::reviews::{action, actor, details};
use crate::{defect, team};

mod defects;
mod kept;
mod reviews;

/// A team with two components and two releases, and a review of three escapes: one in
/// each component and release, one with neither; a fourth escape no review covers.
struct Fixture {
    who: Actor,
    team: Uuid,
    /// A second team, owner of one action.
    platform: Uuid,
    review: Uuid,
    /// The defects of the review's escapes, in the order they were added.
    covered: [Uuid; 3],
    uncovered: Uuid,
}

/// A defect of `team` in a new component and release named `names`: (defect, component).
async fn named(store: &TestDb, team: Uuid, title: &str, names: (&str, &str)) -> (Uuid, Uuid) {
    let now = Utc::now();
    let component = create_component(
        &store.db,
        &NewComponent {
            name: names.0.to_owned(),
            team_id: team,
            description: String::new(),
        },
        now,
    )
    .await
    .expect("component");
    let release = create_release(
        &store.db,
        &NewRelease {
            name: names.1.to_owned(),
            team_id: team,
            released_on: NaiveDate::from_ymd_opt(2026, 4, 1).expect("date"),
        },
        now,
    )
    .await
    .expect("release");
    let mut new = defect(team, title, "production", 3);
    new.component_id = Some(component.id);
    new.release_id = Some(release.id);
    let defect = create_defect(&store.db, &new, now).await.expect("defect");
    (defect.id, component.id)
}

async fn fixture(store: &TestDb) -> Fixture {
    let who = actor(store).await;
    let platform = team(store, "Platform").await;
    let team = team(store, "Checkout").await;
    let (coupons, coupons_component) =
        named(store, team, "Coupon total wrong", ("Coupons", "2.1")).await;
    let (payments, _) = named(store, team, "Card declined twice", ("Payments", "2.2")).await;
    let bare = defect(team, "Banner typo", "production", 2);
    let bare = create_defect(&store.db, &bare, Utc::now())
        .await
        .expect("defect")
        .id;
    let uncovered = defect(team, "Slow search", "production", 1);
    let uncovered = create_defect(&store.db, &uncovered, Utc::now())
        .await
        .expect("defect")
        .id;
    let covered = [coupons, payments, bare];
    let mut review = details(team, "Checkout outage", 3);
    review.participants = vec![Participant {
        name: "Sam Ortiz".to_owned(),
        role: "facilitator".to_owned(),
    }];
    let review = create_review(&store.db, &review, &covered, &who, Utc::now())
        .await
        .expect("review")
        .id;
    let escapes = review_escapes(&store.db, review).await.expect("escapes");
    let mut tested = action(team, "Contract tests for coupons");
    tested.component_id = Some(coupons_component);
    let monitored = action(platform, "Alert on declines");
    let second = action(team, "Coupon property tests");
    for (escape, a) in [(0, &tested), (1, &monitored), (0, &second)] {
        add_action(&store.db, review, escapes[escape].id, a, &who, Utc::now())
            .await
            .expect("action");
    }
    Fixture {
        who,
        team,
        platform,
        review,
        covered,
        uncovered,
    }
}

/// A second review of the team, of the one escape the fixture left uncovered.
async fn single_review(store: &TestDb, f: &Fixture) -> Uuid {
    let details = details(f.team, "Search slowdown", 4);
    create_review(&store.db, &details, &[f.uncovered], &f.who, Utc::now())
        .await
        .expect("review")
        .id
}

/// What `read` returns and the statements it costs once its values are kept: the fewest of
/// three reads. The tests of this process share the kept values, and one that fills a map
/// up makes it forget everything; the read that misses keeps its value again.
async fn kept_cost<T, F, Fut>(db: &escapement_tests::CountingDb<'_>, mut read: F) -> (T, usize)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    db.take();
    let mut best: Option<(T, usize)> = None;
    for _ in 0..3 {
        let value = read().await;
        let n = db.take();
        if best.as_ref().is_none_or(|(_, fewest)| n < *fewest) {
            best = Some((value, n));
        }
    }
    best.expect("three reads")
}
