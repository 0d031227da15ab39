//! Read models: each page's data comes back whole, with every name resolved, in a fixed
//! number of queries whatever the number of escapes.

use chrono::{NaiveDate, Utc};
use escapement_core::auth::Role;
use escapement_core::review::Participant;
use escapement_core::{NewComponent, NewRelease, ReviewState};
use escapement_storage::accounts::grant_role;
use escapement_storage::catalog::{create_component, create_release};
use escapement_storage::defects::{CoveringReview, create_defect, defect_detail};
use escapement_storage::reviews::{
    add_action, create_review, escape_workspace, review_document, review_escapes, review_people,
};
use escapement_storage::settings::stage_settings;
use escapement_storage::{Actor, StorageError};
use escapement_tests::{CountingDb, TestDb, both_backends};
use uuid::Uuid;

use crate::account_admin::user;
use crate::reviews::{action, actor, details};
use crate::{defect, team};

both_backends!(TestDb:
    a_defect_detail_names_its_team_component_release_and_review_in_one_query,
    a_review_document_names_every_escape_and_action_in_three_queries,
    an_escape_workspace_names_the_escape_and_the_people_in_four_queries,
);

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

async fn a_review_document_names_every_escape_and_action_in_three_queries(store: TestDb) {
    let f = fixture(&store).await;
    let db = CountingDb::new(&store.db);
    let record = review_document(&db, f.review).await.expect("document");
    assert_eq!(db.take(), 3, "review, escapes, actions");
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

    // One escape or three: the same three queries.
    let one = single_review(&store, &f).await;
    let single = review_document(&db, one).await.expect("document");
    assert_eq!(db.take(), 3, "whatever the number of escapes");
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
    assert_eq!(db.take(), 4, "escapes, actions, members, participants");
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
    let people = review_people(&db, f.review).await.expect("people");
    assert_eq!((people, db.take()), (ws.people.clone(), 2));

    let first = escape_workspace(&db, f.review, escapes[0].id)
        .await
        .expect("workspace");
    assert_eq!(first.component_name.as_deref(), Some("Coupons"));
    assert_eq!(first.release_name.as_deref(), Some("2.1"));
    assert_eq!(first.escape().actions.len(), 2);
    let bare = escape_workspace(&db, f.review, escapes[2].id)
        .await
        .expect("workspace");
    assert_eq!((bare.component_name, bare.release_name), (None, None));
    assert_eq!(db.take(), 8, "four queries each");

    // One escape or three: the same four queries.
    let one = single_review(&store, &f).await;
    let only = review_escapes(&store.db, one).await.expect("escapes")[0].id;
    let single = escape_workspace(&db, one, only).await.expect("workspace");
    assert_eq!(db.take(), 4, "whatever the number of escapes");
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
