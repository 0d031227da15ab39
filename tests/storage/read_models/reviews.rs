//! The review page's and the step pages' read models: the review document and the
//! workspace of one escape.

use chrono::Utc;
use escapement_core::auth::Role;
use escapement_storage::accounts::grant_role;
use escapement_storage::reviews::{
    escape_workspace, review_document, review_escapes, review_people,
};
use escapement_storage::settings::stage_settings;
use escapement_storage::{Actor, StorageError};
use escapement_tests::{CountingDb, TestDb, both_backends};
use uuid::Uuid;

use super::{fixture, kept_cost, single_review};
use crate::account_admin::user;

both_backends!(TestDb:
    a_review_document_names_every_escape_and_action_in_three_queries,
    an_escape_workspace_names_the_escape_and_the_people_in_four_queries,
);

async fn a_review_document_names_every_escape_and_action_in_three_queries(store: TestDb) {
    let f = fixture(&store).await;
    let db = CountingDb::new(&store.db);
    let record = review_document(&db, f.review).await.expect("document");
    assert_eq!(db.take(), 4, "the stamps, then review, escapes, actions");
    let (again, n) = kept_cost(&db, || async {
        review_document(&db, f.review).await.expect("document")
    })
    .await;
    assert_eq!(n, 1, "the stamps: the document is kept under them");
    assert_eq!(again, record);
    assert_eq!(record.review.title, "Checkout outage");
    assert_eq!(record.review.team_name, "Checkout");
    let defects: Vec<Uuid> = record.escapes().map(|e| e.defect.id).collect();
    assert_eq!(defects, f.covered, "in the order they were added");
    let names: Vec<(Option<&str>, Option<&str>)> = record
        .escapes
        .iter()
        .map(|n| (n.component_name.as_deref(), n.release_name.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            (Some("Coupons"), Some("2.1")),
            (Some("Payments"), Some("2.2")),
            (None, None)
        ]
    );
    let actions: Vec<Vec<(&str, &str, Option<&str>)>> = record
        .escapes()
        .map(|e| {
            e.actions
                .iter()
                .map(|a| {
                    let component = a.component_name.as_deref();
                    (a.title.as_str(), a.owner_team_name.as_str(), component)
                })
                .collect()
        })
        .collect();
    assert_eq!(
        actions,
        [
            vec![
                ("Contract tests for coupons", "Checkout", Some("Coupons")),
                ("Coupon property tests", "Checkout", None),
            ],
            vec![("Alert on declines", "Platform", None)],
            vec![],
        ]
    );
    let escapes = review_escapes(&store.db, f.review).await.expect("escapes");
    assert!(record.escapes().eq(escapes.iter()), "the same escapes");
    assert_eq!(escapes[1].actions[0].owner_team_id, f.platform);

    let stages = stage_settings(&store.db).await.expect("stages");
    let doc = record.document(&stages.pipeline, Utc::now());
    assert_eq!(doc.team, "Checkout");
    assert_eq!(doc.escapes[0].component.as_deref(), Some("Coupons"));
    assert_eq!(doc.escapes[1].release.as_deref(), Some("2.2"));
    assert_eq!(doc.escapes[2].component, None);
    assert_eq!(
        doc.escapes[0].discovered_at_stage,
        stages.pipeline.label_of("production")
    );
    assert_eq!(doc.escapes[1].actions[0].owner_team, "Platform");

    // One escape or three: the same three queries after the stamps.
    let one = single_review(&store, &f).await;
    let single = review_document(&db, one).await.expect("document");
    assert_eq!(db.take(), 4, "whatever the number of escapes");
    assert_eq!(single.escapes.len(), 1);
    assert_eq!(single.escapes[0].component_name, None);

    let missing = review_document(&store.db, Uuid::now_v7()).await;
    assert!(
        matches!(missing, Err(StorageError::NotFound)),
        "{missing:?}"
    );
}

async fn an_escape_workspace_names_the_escape_and_the_people_in_four_queries(store: TestDb) {
    let f = fixture(&store).await;
    for (email, name) in [
        ("zed@example.com", "Zed Quinn"),
        ("ada@example.com", "Ada Lind"),
    ] {
        let id = user(&store, email, name).await;
        grant_role(
            &store.db,
            f.team,
            id,
            Role::Editor,
            Actor::COMMAND_LINE,
            Utc::now(),
        )
        .await
        .expect("member");
    }
    let outsider = user(&store, "kim@example.com", "Kim Ng").await;
    grant_role(
        &store.db,
        f.platform,
        outsider,
        Role::Editor,
        Actor::COMMAND_LINE,
        Utc::now(),
    )
    .await
    .expect("member of another team");
    let escapes = review_escapes(&store.db, f.review).await.expect("escapes");

    let db = CountingDb::new(&store.db);
    let ws = escape_workspace(&db, f.review, escapes[1].id)
        .await
        .expect("workspace");
    assert_eq!(
        db.take(),
        5,
        "escapes, actions, then the stamps, members, participants"
    );
    assert_eq!(ws.escape().id, escapes[1].id);
    assert_eq!(ws.escape().defect.id, f.covered[1]);
    assert_eq!(ws.escapes(), escapes.as_slice(), "every escape, in order");
    assert_eq!(ws.component_name.as_deref(), Some("Payments"));
    assert_eq!(ws.release_name.as_deref(), Some("2.2"));
    assert_eq!(
        ws.people,
        ["Ada Lind", "Zed Quinn", "Sam Ortiz"],
        "members, then participants"
    );
    let (people, n) = kept_cost(&db, || async {
        review_people(&db, f.review).await.expect("people")
    })
    .await;
    assert_eq!(
        (people, n),
        (ws.people.clone(), 1),
        "the stamps: the people are kept under them"
    );

    let (first, n) = kept_cost(&db, || async {
        escape_workspace(&db, f.review, escapes[0].id)
            .await
            .expect("workspace")
    })
    .await;
    assert_eq!(n, 3, "escapes, actions and the stamps");
    assert_eq!(first.component_name.as_deref(), Some("Coupons"));
    assert_eq!(first.release_name.as_deref(), Some("2.1"));
    assert_eq!(first.escape().actions.len(), 2);
    let (bare, n) = kept_cost(&db, || async {
        escape_workspace(&db, f.review, escapes[2].id)
            .await
            .expect("workspace")
    })
    .await;
    assert_eq!((bare.component_name, bare.release_name), (None, None));
    assert_eq!(n, 3, "escapes, actions and the stamps");

    // One escape or three: the same five queries.
    let one = single_review(&store, &f).await;
    let only = review_escapes(&store.db, one).await.expect("escapes")[0].id;
    let single = escape_workspace(&db, one, only).await.expect("workspace");
    assert_eq!(db.take(), 5, "whatever the number of escapes");
    assert_eq!(
        single.people,
        ["Ada Lind", "Zed Quinn"],
        "no participants listed"
    );

    for (review, escape) in [(one, escapes[0].id), (f.review, Uuid::now_v7())] {
        let refused = escape_workspace(&store.db, review, escape).await;
        assert!(
            matches!(refused, Err(StorageError::NotFound)),
            "{refused:?}"
        );
    }
}
