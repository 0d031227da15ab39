//! Saves based on an old page: the version check covers every row a save writes, so a stale
//! save is refused instead of overwriting what someone saved meanwhile.

use chrono::Utc;
use escapement_core::review::Analysis;
use escapement_core::{Paging, StageKey};
use escapement_storage::StorageError;
use escapement_storage::defects::{get_defect, update_defect};
use escapement_storage::reviews::{
    StepWrite, create_review, list_history, review_escapes, save_analysis,
};
use escapement_tests::{TestDb, both_backends};

use crate::reviews::{actor, details, escape};

/// The versions an analysis page was based on: the escape's and its defect's.
#[derive(Debug, Clone, Copy)]
struct AnalysisVersions {
    escape: i32,
    defect: i32,
}
use crate::{defect, team};

both_backends!(TestDb:
    a_stale_analysis_keeps_the_expected_catch_stage_set_on_the_defect_form_meanwhile,
);

fn stage(key: &str) -> Option<StageKey> {
    Some(StageKey::parse(key).expect("a stage"))
}

fn analysis(expected: &str) -> Analysis {
    Analysis {
        expected_catch_stage: stage(expected),
        evidence: "A contract test".to_owned(),
        evidence_gap: "No contract suite".to_owned(),
    }
}

async fn a_stale_analysis_keeps_the_expected_catch_stage_set_on_the_defect_form_meanwhile(
    store: TestDb,
) {
    let who = actor(&store).await;
    let t = team(&store, "Checkout").await;
    let d = escape(&store, t, "Coupon total wrong", 3).await;
    let review = create_review(&store.db, &details(t, "Outage", 3), &[d], &who, Utc::now())
        .await
        .expect("review");
    let e = review_escapes(&store.db, review.id).await.expect("escapes")[0].clone();
    // The reviewer's analysis page shows the escape and the defect as they are now.
    let page = AnalysisVersions {
        escape: e.version,
        defect: e.defect.version,
    };
    assert_eq!(e.defect.data.expected_catch_stage, stage("unit_test"));

    let mut edited = defect(t, "Coupon total wrong", "production", 3);
    edited.expected_catch_stage = stage("integration_test");
    update_defect(&store.db, d, e.defect.version, &edited, Utc::now())
        .await
        .expect("the defect form saves first");

    // The reviewer kept the stage the page showed and wrote the evidence.
    let err = save_analysis(
        &store.db,
        &StepWrite::new(review.id, e.id, page.escape, &who, Utc::now()),
        page.defect,
        &analysis("unit_test"),
    )
    .await
    .expect_err("the defect changed since the page was loaded");
    assert!(
        matches!(err, StorageError::Stale { current_version: 2 }),
        "{err:?}"
    );
    let saved = &review_escapes(&store.db, review.id).await.expect("escapes")[0];
    assert_eq!(
        saved.defect.data.expected_catch_stage,
        stage("integration_test"),
        "the defect form's stage is kept"
    );
    assert_eq!(
        (saved.version, saved.evidence.as_str()),
        (1, ""),
        "all or nothing"
    );
    let (history, _) = list_history(&store.db, review.id, Paging::new(1, 50))
        .await
        .expect("history");
    assert!(
        !history.iter().any(|h| h.field == "expected catch stage"),
        "no history for a refused save"
    );

    // A save that leaves the defect's stage as it is now writes no defect row: no conflict.
    save_analysis(
        &store.db,
        &StepWrite::new(review.id, e.id, page.escape, &who, Utc::now()),
        page.defect,
        &analysis("integration_test"),
    )
    .await
    .expect("only the escape is written");
    let current = AnalysisVersions {
        escape: 2,
        defect: 2,
    };
    save_analysis(
        &store.db,
        &StepWrite::new(review.id, e.id, current.escape, &who, Utc::now()),
        current.defect,
        &analysis("system_test"),
    )
    .await
    .expect("based on the current versions");
    let saved = get_defect(&store.db, d).await.expect("defect");
    assert_eq!(
        (saved.version, saved.data.expected_catch_stage),
        (3, stage("system_test"))
    );
    let err = update_defect(&store.db, d, 2, &edited, Utc::now())
        .await
        .expect_err("a defect form from before the analysis is stale too");
    assert!(
        matches!(err, StorageError::Stale { current_version: 3 }),
        "{err:?}"
    );
}
