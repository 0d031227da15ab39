//! The defect page's read model: the defect with its names and covering review.

use escapement_core::ReviewState;
use escapement_storage::StorageError;
use escapement_storage::defects::{CoveringReview, defect_detail};
use escapement_tests::{CountingDb, TestDb, both_backends};
use uuid::Uuid;

use super::fixture;

both_backends!(TestDb:
    a_defect_detail_names_its_team_component_release_and_review_in_one_query,
);

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
