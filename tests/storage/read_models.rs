//! Read models: each page's data comes back whole, with every name resolved, in a fixed
//! number of queries whatever the number of escapes.

use chrono::{NaiveDate, Utc};
use escapement_core::{NewComponent, NewRelease, ReviewState};
use escapement_storage::StorageError;
use escapement_storage::catalog::{create_component, create_release};
use escapement_storage::defects::{CoveringReview, create_defect, defect_detail};
use escapement_storage::reviews::create_review;
use escapement_tests::{CountingDb, TestDb, both_backends};
use uuid::Uuid;

use crate::reviews::{actor, details};
use crate::{defect, team};

both_backends!(TestDb:
    a_defect_detail_names_its_team_component_release_and_review_in_one_query,
);

/// A team with two components and two releases, and a review of three escapes: one in
/// each component and release, one with neither; a fourth escape no review covers.
struct Fixture {
    team: Uuid,
    review: Uuid,
    /// The defects of the review's escapes, in the order they were added.
    covered: [Uuid; 3],
    uncovered: Uuid,
}

async fn named(store: &TestDb, team: Uuid, title: &str, names: (&str, &str)) -> Uuid {
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
    create_defect(&store.db, &new, now)
        .await
        .expect("defect")
        .id
}

async fn fixture(store: &TestDb) -> Fixture {
    let who = actor(store).await;
    let team = team(store, "Checkout").await;
    let coupons = named(store, team, "Coupon total wrong", ("Coupons", "2.1")).await;
    let payments = named(store, team, "Card declined twice", ("Payments", "2.2")).await;
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
    let review = create_review(
        &store.db,
        &details(team, "Checkout outage", 3),
        &covered,
        &who,
        Utc::now(),
    )
    .await
    .expect("review")
    .id;
    Fixture {
        team,
        review,
        covered,
        uncovered,
    }
}

async fn a_defect_detail_names_its_team_component_release_and_review_in_one_query(store: TestDb) {
    let f = fixture(&store).await;
    let db = CountingDb::new(&store.db);
    let detail = defect_detail(&db, f.covered[0]).await.expect("detail");
    assert_eq!(db.take(), 1, "one query");
    assert_eq!(detail.defect.id, f.covered[0]);
    assert_eq!(detail.defect.data.title, "Coupon total wrong");
    assert_eq!(detail.defect.data.team_id, f.team);
    assert_eq!(detail.team_name, "Checkout");
    assert_eq!(detail.component_name.as_deref(), Some("Coupons"));
    assert_eq!(detail.release_name.as_deref(), Some("2.1"));
    assert_eq!(
        detail.review,
        Some(CoveringReview {
            id: f.review,
            title: "Checkout outage".to_owned(),
            state: ReviewState::Draft,
        })
    );

    let payments = defect_detail(&db, f.covered[1]).await.expect("detail");
    assert_eq!(payments.component_name.as_deref(), Some("Payments"));
    assert_eq!(payments.release_name.as_deref(), Some("2.2"));
    let bare = defect_detail(&db, f.covered[2]).await.expect("detail");
    assert_eq!((bare.component_name, bare.release_name), (None, None));
    assert_eq!(bare.review.map(|r| r.id), Some(f.review));
    let uncovered = defect_detail(&db, f.uncovered).await.expect("detail");
    assert_eq!(uncovered.team_name, "Checkout");
    assert_eq!(uncovered.review, None, "no review covers it");
    assert_eq!(db.take(), 3, "one query each");

    let missing = defect_detail(&store.db, Uuid::now_v7()).await;
    assert!(
        matches!(missing, Err(StorageError::NotFound)),
        "{missing:?}"
    );
}
