//! Review storage: creation in one transaction, guided steps with version checks and history,
//! the state machine's guards, actions, the review list and the unreviewed queue.

use chrono::{NaiveDate, Utc};
use escapement_core::auth::UserDraft;
use escapement_core::review::{
    Analysis, Answer, Checklist, Classification, NewAction, Question, ReviewDetails,
};
use escapement_core::{ActionStatus, Effort, Mechanism, Paging, ReviewState, Severity, StageKey};
use escapement_storage::accounts::create_user;
use escapement_storage::defects::{DefectFilter, create_defect, get_defect};
use escapement_storage::reviews::{
    ReviewFilter, StepWrite, add_action, add_escape, change_state, confirm_facts, create_review,
    delete_action, get_review, list_history, list_reviews, record_escape, remove_escape,
    review_escapes, save_analysis, save_checklist, save_classification, save_no_action_reason,
    unreviewed_count, unreviewed_escapes, update_action, update_review,
};
use escapement_storage::settings::stage_settings;
use escapement_storage::{Actor, StorageError};
use escapement_tests::{TestDb, both_backends};
use uuid::Uuid;

use crate::{defect, team};

both_backends!(TestDb:
    a_review_and_its_escapes_are_created_all_or_nothing,
    an_escape_is_covered_by_one_review_only,
    guided_steps_are_saved_with_their_history,
    a_stale_step_is_refused_and_changes_nothing,
    the_state_machine_guards_classification_and_locks_closed_reviews,
    actions_are_added_changed_and_deleted,
    the_review_list_filters_and_counts,
    the_unreviewed_queue_puts_the_most_severe_and_oldest_first,
    an_escape_recorded_from_a_review_is_added_with_it_or_not_at_all,
);

pub(crate) async fn actor(store: &TestDb) -> Actor {
    let draft = UserDraft {
        email: format!("{}@example.com", Uuid::new_v4().simple()),
        display_name: "Dana Reyes".to_owned(),
        password: "correct horse battery".to_owned(),
        password_confirmation: "correct horse battery".to_owned(),
    };
    let user = create_user(
        &store.db,
        &draft.validate().expect("valid"),
        "$argon2id$x",
        false,
        Utc::now(),
    )
    .await
    .expect("user");
    Actor::user(user.id, user.display_name, "203.0.113.9")
}

pub(crate) fn details(team_id: Uuid, title: &str, day: u32) -> ReviewDetails {
    ReviewDetails {
        title: title.to_owned(),
        team_id,
        incident_date: NaiveDate::from_ymd_opt(2026, 5, day).expect("date"),
        incident_link: None,
        summary: "Coupons doubled the total.".to_owned(),
        participants: vec![],
    }
}

pub(crate) async fn escape(store: &TestDb, team_id: Uuid, title: &str, days_ago: i64) -> Uuid {
    create_defect(
        &store.db,
        &defect(team_id, title, "production", days_ago),
        Utc::now(),
    )
    .await
    .expect("defect")
    .id
}

async fn a_review_and_its_escapes_are_created_all_or_nothing(store: TestDb) {
    let who = actor(&store).await;
    let t = team(&store, "Checkout").await;
    let other = team(&store, "Platform").await;
    let a = escape(&store, t, "Coupon total wrong", 3).await;
    let b = escape(&store, t, "Banner typo", 2).await;
    let inside = create_defect(
        &store.db,
        &defect(t, "Found in unit tests", "unit_test", 1),
        Utc::now(),
    )
    .await
    .expect("defect")
    .id;
    let foreign = escape(&store, other, "Other team's bug", 1).await;
    for bad in [inside, foreign, Uuid::now_v7()] {
        let err = create_review(
            &store.db,
            &details(t, "Outage", 3),
            &[a, bad],
            &who,
            Utc::now(),
        )
        .await
        .expect_err("refused");
        assert!(
            matches!(err, StorageError::Invalid(ref e) if e.get("defect_id").is_some()),
            "{err:?}"
        );
    }
    let none = list_reviews(&store.db, &ReviewFilter::default(), Paging::new(1, 20))
        .await
        .expect("list");
    assert_eq!(none.total, 0, "nothing half-written");

    let review = create_review(
        &store.db,
        &details(t, "Outage", 3),
        &[a, b],
        &who,
        Utc::now(),
    )
    .await
    .expect("created");
    assert_eq!(review.state, ReviewState::Draft);
    assert_eq!(review.team_name, "Checkout");
    let escapes = review_escapes(&store.db, review.id).await.expect("escapes");
    let titles: Vec<&str> = escapes
        .iter()
        .map(|e| e.defect.data.title.as_str())
        .collect();
    assert_eq!(titles, ["Coupon total wrong", "Banner typo"]);
    let (history, total) = list_history(&store.db, review.id, Paging::new(1, 50))
        .await
        .expect("history");
    assert_eq!(total, 3);
    assert!(history.iter().all(|h| h.actor == "Dana Reyes"));
}

async fn an_escape_is_covered_by_one_review_only(store: TestDb) {
    let who = actor(&store).await;
    let t = team(&store, "Checkout").await;
    let a = escape(&store, t, "Coupon total wrong", 3).await;
    let first = create_review(&store.db, &details(t, "First", 3), &[a], &who, Utc::now())
        .await
        .expect("first");
    let second = create_review(&store.db, &details(t, "Second", 4), &[], &who, Utc::now())
        .await
        .expect("second");
    let err = add_escape(&store.db, second.id, a, &who, Utc::now())
        .await
        .expect_err("taken");
    assert!(
        matches!(err, StorageError::Invalid(ref e) if e.get("defect_id") == Some("Another review already covers this escape")),
        "{err:?}"
    );
    let escape = review_escapes(&store.db, first.id).await.expect("escapes")[0].clone();
    let stale = remove_escape(
        &store.db,
        (first.id, escape.id, escape.version - 1),
        &who,
        Utc::now(),
    )
    .await
    .expect_err("a stale removal");
    assert!(matches!(stale, StorageError::Stale { .. }), "{stale:?}");
    assert_eq!(
        review_escapes(&store.db, first.id)
            .await
            .expect("escapes")
            .len(),
        1,
        "a stale removal removes nothing"
    );
    remove_escape(
        &store.db,
        (first.id, escape.id, escape.version),
        &who,
        Utc::now(),
    )
    .await
    .expect("removed");
    add_escape(&store.db, second.id, a, &who, Utc::now())
        .await
        .expect("now free");
    assert!(
        get_defect(&store.db, a).await.is_ok(),
        "removing an escape keeps the defect"
    );
}

async fn guided_steps_are_saved_with_their_history(store: TestDb) {
    let who = actor(&store).await;
    let t = team(&store, "Checkout").await;
    let a = escape(&store, t, "Coupon total wrong", 3).await;
    let review = create_review(&store.db, &details(t, "Outage", 3), &[a], &who, Utc::now())
        .await
        .expect("review");
    let e = &review_escapes(&store.db, review.id).await.expect("escapes")[0];
    confirm_facts(
        &store.db,
        &StepWrite::new(review.id, e.id, 1, &who, Utc::now()),
    )
    .await
    .expect("facts");
    let mut checklist = Checklist::new();
    checklist.set(
        Question::AutomatedCoverage,
        Some(Answer::No),
        "only unit tests",
    );
    save_checklist(
        &store.db,
        &StepWrite::new(review.id, e.id, 2, &who, Utc::now()),
        &checklist,
    )
    .await
    .expect("checklist");
    let analysis = Analysis {
        expected_catch_stage: Some(StageKey::parse("integration_test").expect("stage")),
        evidence: "A contract test".to_owned(),
        evidence_gap: "No contract suite".to_owned(),
    };
    save_analysis(
        &store.db,
        &StepWrite::new(review.id, e.id, 3, &who, Utc::now()),
        1,
        &analysis,
    )
    .await
    .expect("analysis");
    let classification = Classification::new(Some(Mechanism::NoTest), [Mechanism::MissedReview]);
    save_classification(
        &store.db,
        &StepWrite::new(review.id, e.id, 4, &who, Utc::now()),
        &classification,
    )
    .await
    .expect("mechanism");
    save_no_action_reason(
        &store.db,
        &StepWrite::new(review.id, e.id, 5, &who, Utc::now()),
        Some("Feature removed"),
    )
    .await
    .expect("reason");

    let saved = &review_escapes(&store.db, review.id).await.expect("escapes")[0];
    assert!(saved.facts_confirmed);
    assert_eq!(saved.checklist, checklist);
    assert_eq!(saved.evidence_gap, "No contract suite");
    assert_eq!(saved.classification, classification);
    assert_eq!(saved.no_action_reason.as_deref(), Some("Feature removed"));
    assert_eq!(saved.version, 6);
    assert_eq!(
        saved
            .defect
            .data
            .expected_catch_stage
            .as_ref()
            .map(StageKey::as_str),
        Some("integration_test"),
        "the expected catch stage lives on the defect"
    );
    assert!(
        saved
            .work()
            .missing()
            .iter()
            .all(|m| !m.blocks_classification)
    );

    let (history, _) = list_history(&store.db, review.id, Paging::new(1, 50))
        .await
        .expect("history");
    let changed: Vec<(&str, &str, &str)> = history
        .iter()
        .filter(|h| h.subject == "Escape 'Coupon total wrong'")
        .map(|h| (h.field.as_str(), h.old_value.as_str(), h.new_value.as_str()))
        .collect();
    assert!(
        changed.contains(&("primary mechanism", "", "No test existed")),
        "{changed:?}"
    );
    assert!(
        changed.contains(&("expected catch stage", "unit_test", "integration_test")),
        "{changed:?}"
    );
    assert!(
        changed.contains(&(
            "Was there automated coverage for this failure mode?",
            "",
            "No"
        )),
        "{changed:?}"
    );
    assert!(
        changed.contains(&("facts confirmed", "no", "yes")),
        "{changed:?}"
    );
}

async fn a_stale_step_is_refused_and_changes_nothing(store: TestDb) {
    let who = actor(&store).await;
    let t = team(&store, "Checkout").await;
    let a = escape(&store, t, "Coupon total wrong", 3).await;
    let review = create_review(&store.db, &details(t, "Outage", 3), &[a], &who, Utc::now())
        .await
        .expect("review");
    let e = &review_escapes(&store.db, review.id).await.expect("escapes")[0];
    let first = Classification::new(Some(Mechanism::NoTest), []);
    save_classification(
        &store.db,
        &StepWrite::new(review.id, e.id, 1, &who, Utc::now()),
        &first,
    )
    .await
    .expect("first");
    let second = Classification::new(Some(Mechanism::MissedReview), []);
    let err = save_classification(
        &store.db,
        &StepWrite::new(review.id, e.id, 1, &who, Utc::now()),
        &second,
    )
    .await
    .expect_err("stale");
    assert!(
        matches!(err, StorageError::Stale { current_version: 2 }),
        "{err:?}"
    );
    let saved = &review_escapes(&store.db, review.id).await.expect("escapes")[0];
    assert_eq!(saved.classification, first);
    let (history, _) = list_history(&store.db, review.id, Paging::new(1, 50))
        .await
        .expect("history");
    assert!(
        !history
            .iter()
            .any(|h| h.new_value == "Human review missed it"),
        "no history for a refused write"
    );

    let err = update_review(
        &store.db,
        review.id,
        7,
        &details(t, "Renamed", 3),
        &who,
        Utc::now(),
    )
    .await
    .expect_err("stale");
    assert!(
        matches!(err, StorageError::Stale { current_version: 1 }),
        "{err:?}"
    );
    let other = team(&store, "Platform").await;
    let err = update_review(
        &store.db,
        review.id,
        1,
        &details(other, "Moved", 3),
        &who,
        Utc::now(),
    )
    .await
    .expect_err("team is fixed");
    assert!(matches!(err, StorageError::Invalid(_)), "{err:?}");
    let renamed = update_review(
        &store.db,
        review.id,
        1,
        &details(t, "Renamed", 3),
        &who,
        Utc::now(),
    )
    .await
    .expect("renamed");
    assert_eq!((renamed.title.as_str(), renamed.version), ("Renamed", 2));
}

async fn the_state_machine_guards_classification_and_locks_closed_reviews(store: TestDb) {
    let who = actor(&store).await;
    let t = team(&store, "Checkout").await;
    let empty = create_review(&store.db, &details(t, "Empty", 3), &[], &who, Utc::now())
        .await
        .expect("review");
    let err = change_state(
        &store.db,
        empty.id,
        1,
        ReviewState::InReview,
        &who,
        Utc::now(),
    )
    .await
    .expect_err("no escape");
    assert!(
        matches!(err, StorageError::Blocked(ref b) if b.reasons[0].contains("at least one escaped defect")),
        "{err:?}"
    );

    let a = escape(&store, t, "Coupon total wrong", 3).await;
    let review = create_review(&store.db, &details(t, "Outage", 3), &[a], &who, Utc::now())
        .await
        .expect("review");
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
    let err = change_state(
        &store.db,
        review.id,
        review.version,
        ReviewState::Classified,
        &who,
        Utc::now(),
    )
    .await
    .expect_err("unclassified");
    let StorageError::Blocked(blocked) = err else {
        panic!("blocked expected: {err:?}")
    };
    assert_eq!(
        blocked.reasons,
        [
            "'Coupon total wrong' has no primary mechanism",
            "'Coupon total wrong' has no improvement action and no reason why none is needed",
        ]
    );
    let e = &review_escapes(&store.db, review.id).await.expect("escapes")[0];
    save_classification(
        &store.db,
        &StepWrite::new(review.id, e.id, 1, &who, Utc::now()),
        &Classification::new(Some(Mechanism::NoTest), []),
    )
    .await
    .expect("classified");
    save_no_action_reason(
        &store.db,
        &StepWrite::new(review.id, e.id, 2, &who, Utc::now()),
        Some("Feature removed"),
    )
    .await
    .expect("reason");
    let review = change_state(
        &store.db,
        review.id,
        review.version,
        ReviewState::Classified,
        &who,
        Utc::now(),
    )
    .await
    .expect("classified");
    let review = change_state(
        &store.db,
        review.id,
        review.version,
        ReviewState::Closed,
        &who,
        Utc::now(),
    )
    .await
    .expect("closed");
    assert!(review.closed_at.is_some());

    let err = save_no_action_reason(
        &store.db,
        &StepWrite::new(review.id, e.id, 3, &who, Utc::now()),
        None,
    )
    .await
    .expect_err("locked");
    assert!(
        matches!(err, StorageError::Blocked(ref b) if b.reasons == ["This review is closed: reopen it to change it"]),
        "{err:?}"
    );
    let review = change_state(
        &store.db,
        review.id,
        review.version,
        ReviewState::InReview,
        &who,
        Utc::now(),
    )
    .await
    .expect("reopened");
    assert!(review.closed_at.is_none());
    let (history, _) = list_history(&store.db, review.id, Paging::new(1, 50))
        .await
        .expect("history");
    assert_eq!(history[0].field, "state (reopened)");
    assert_eq!(
        (history[0].old_value.as_str(), history[0].new_value.as_str()),
        ("Closed", "In review")
    );
    let err = change_state(
        &store.db,
        review.id,
        review.version - 1,
        ReviewState::Classified,
        &who,
        Utc::now(),
    )
    .await
    .expect_err("stale");
    assert!(matches!(err, StorageError::Stale { .. }), "{err:?}");
}

pub(crate) fn action(team_id: Uuid, title: &str) -> NewAction {
    NewAction {
        title: title.to_owned(),
        mechanism: Mechanism::NoTest,
        component_id: None,
        target_layer: StageKey::parse("integration_test").expect("stage"),
        effort: Effort::M,
        owner_team_id: team_id,
        due_date: NaiveDate::from_ymd_opt(2026, 12, 15),
        status: ActionStatus::Proposed,
    }
}

async fn actions_are_added_changed_and_deleted(store: TestDb) {
    let who = actor(&store).await;
    let t = team(&store, "Checkout").await;
    let a = escape(&store, t, "Coupon total wrong", 3).await;
    let review = create_review(&store.db, &details(t, "Outage", 3), &[a], &who, Utc::now())
        .await
        .expect("review");
    let e = &review_escapes(&store.db, review.id).await.expect("escapes")[0];
    let mut bad = action(t, "Contract tests");
    bad.owner_team_id = Uuid::now_v7();
    let err = add_action(&store.db, review.id, e.id, &bad, &who, Utc::now())
        .await
        .expect_err("no such team");
    assert!(
        matches!(err, StorageError::Invalid(ref v) if v.get("owner_team_id").is_some()),
        "{err:?}"
    );
    let added = add_action(
        &store.db,
        review.id,
        e.id,
        &action(t, "Contract tests"),
        &who,
        Utc::now(),
    )
    .await
    .expect("added");
    assert_eq!(added.owner_team_name, "Checkout");
    let mut changed = action(t, "Contract tests for coupons");
    changed.status = ActionStatus::Accepted;
    let updated = update_action(
        &store.db,
        (review.id, added.id, 1),
        &changed,
        &who,
        Utc::now(),
    )
    .await
    .expect("updated");
    assert_eq!(
        (updated.status, updated.version),
        (ActionStatus::Accepted, 2)
    );
    let err = update_action(
        &store.db,
        (review.id, added.id, 1),
        &action(t, "x"),
        &who,
        Utc::now(),
    )
    .await
    .expect_err("stale");
    assert!(
        matches!(err, StorageError::Stale { current_version: 2 }),
        "{err:?}"
    );
    assert_eq!(
        review_escapes(&store.db, review.id).await.expect("escapes")[0]
            .actions
            .len(),
        1
    );
    // A delete carrying the version before the update is stale and deletes nothing.
    let stale = delete_action(&store.db, (review.id, added.id, 1), &who, Utc::now())
        .await
        .expect_err("a stale delete");
    assert!(
        matches!(stale, StorageError::Stale { current_version: 2 }),
        "{stale:?}"
    );
    assert_eq!(
        review_escapes(&store.db, review.id).await.expect("escapes")[0]
            .actions
            .len(),
        1,
        "a stale delete deletes nothing"
    );
    delete_action(&store.db, (review.id, added.id, 2), &who, Utc::now())
        .await
        .expect("deleted");
    assert!(
        review_escapes(&store.db, review.id).await.expect("escapes")[0]
            .actions
            .is_empty()
    );
    let (history, _) = list_history(&store.db, review.id, Paging::new(1, 50))
        .await
        .expect("history");
    assert!(
        history
            .iter()
            .any(|h| h.field == "status" && h.old_value == "Proposed" && h.new_value == "Accepted")
    );
    assert!(history.iter().any(|h| h.field == "action deleted"));
}

async fn the_review_list_filters_and_counts(store: TestDb) {
    let who = actor(&store).await;
    let t = team(&store, "Checkout").await;
    let other = team(&store, "Platform").await;
    let a = escape(&store, t, "Coupon total wrong", 3).await;
    let b = escape(&store, t, "Banner typo", 2).await;
    create_review(
        &store.db,
        &details(t, "Older", 3),
        &[a, b],
        &who,
        Utc::now(),
    )
    .await
    .expect("review");
    let newer = create_review(&store.db, &details(t, "Newer", 20), &[], &who, Utc::now())
        .await
        .expect("review");
    create_review(
        &store.db,
        &details(other, "Elsewhere", 10),
        &[],
        &who,
        Utc::now(),
    )
    .await
    .expect("review");
    let all = list_reviews(&store.db, &ReviewFilter::default(), Paging::new(1, 20))
        .await
        .expect("list");
    let titles: Vec<(&str, u64)> = all
        .rows
        .iter()
        .map(|r| (r.title.as_str(), r.escapes))
        .collect();
    assert_eq!(titles, [("Newer", 0), ("Elsewhere", 0), ("Older", 2)]);
    let mine = ReviewFilter {
        visible_teams: Some(vec![t]),
        ..ReviewFilter::default()
    };
    assert_eq!(
        list_reviews(&store.db, &mine, Paging::new(1, 20))
            .await
            .expect("list")
            .total,
        2
    );
    let widened = ReviewFilter {
        team_id: Some(other),
        ..mine.clone()
    };
    assert_eq!(
        list_reviews(&store.db, &widened, Paging::new(1, 20))
            .await
            .expect("list")
            .total,
        0,
        "a filter cannot widen visibility"
    );
    let dated = ReviewFilter {
        from: NaiveDate::from_ymd_opt(2026, 5, 5),
        to: NaiveDate::from_ymd_opt(2026, 5, 15),
        ..ReviewFilter::default()
    };
    let rows = list_reviews(&store.db, &dated, Paging::new(1, 20))
        .await
        .expect("list")
        .rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].title, "Elsewhere");
    let drafts = ReviewFilter {
        state: Some(ReviewState::Draft),
        ..ReviewFilter::default()
    };
    assert_eq!(
        list_reviews(&store.db, &drafts, Paging::new(1, 2))
            .await
            .expect("list")
            .rows
            .len(),
        2,
        "paged"
    );
    let page2 = list_reviews(&store.db, &drafts, Paging::new(2, 2))
        .await
        .expect("list");
    assert_eq!((page2.total, page2.rows.len()), (3, 1));
    assert_eq!(
        get_review(&store.db, newer.id).await.expect("review").title,
        "Newer"
    );
}

async fn the_unreviewed_queue_puts_the_most_severe_and_oldest_first(store: TestDb) {
    let who = actor(&store).await;
    let t = team(&store, "Checkout").await;
    let mut ids = Vec::new();
    for (title, severity, days_ago) in [
        ("low old", Severity::Low, 30),
        ("critical new", Severity::Critical, 1),
        ("critical old", Severity::Critical, 9),
        ("high", Severity::High, 5),
        ("covered critical", Severity::Critical, 40),
    ] {
        let mut d = defect(t, title, "production", days_ago);
        d.severity = severity;
        ids.push(
            create_defect(&store.db, &d, Utc::now())
                .await
                .expect("defect")
                .id,
        );
    }
    create_defect(
        &store.db,
        &defect(t, "not an escape", "unit_test", 50),
        Utc::now(),
    )
    .await
    .expect("defect");
    create_review(
        &store.db,
        &details(t, "Covers one", 3),
        &[ids[4]],
        &who,
        Utc::now(),
    )
    .await
    .expect("review");
    let stages = stage_settings(&store.db).await.expect("stages");
    let filter = DefectFilter {
        visible_teams: Some(vec![t]),
        ..DefectFilter::default()
    };
    let mut seen = Vec::new();
    for page in 1..=3 {
        let p = unreviewed_escapes(&store.db, &filter, &stages, Paging::new(page, 2))
            .await
            .expect("queue");
        assert_eq!(p.total, 4);
        seen.extend(p.rows.into_iter().map(|r| r.title));
    }
    assert_eq!(
        unreviewed_count(&store.db, &filter, &stages)
            .await
            .expect("count"),
        4
    );
    assert_eq!(seen, ["critical old", "critical new", "high", "low old"]);
    // A title search is counted from the defects, not the roll-up: the same answer.
    let searched = DefectFilter {
        text: Some("critical".to_owned()),
        ..filter.clone()
    };
    let p = unreviewed_escapes(&store.db, &searched, &stages, Paging::new(1, 20))
        .await
        .expect("queue");
    assert_eq!(p.total, 2);
    assert_eq!(p.rows.len(), 2);
    let nobody = DefectFilter {
        visible_teams: Some(vec![]),
        ..DefectFilter::default()
    };
    let p = unreviewed_escapes(&store.db, &nobody, &stages, Paging::new(1, 20))
        .await
        .expect("queue");
    assert_eq!((p.total, p.rows.len()), (0, 0));
}

async fn an_escape_recorded_from_a_review_is_added_with_it_or_not_at_all(store: TestDb) {
    let who = actor(&store).await;
    let t = team(&store, "Checkout").await;
    let review = create_review(&store.db, &details(t, "Outage", 3), &[], &who, Utc::now())
        .await
        .expect("review");
    let early = defect(t, "Found in unit tests", "unit_test", 1);
    let err = record_escape(&store.db, review.id, &early, &who, Utc::now())
        .await
        .expect_err("not an escape");
    assert!(
        matches!(err, StorageError::Invalid(ref e) if e.get("discovery_stage").is_some()),
        "{err:?}"
    );
    let stages = stage_settings(&store.db).await.expect("stages");
    let all = escapement_storage::defects::list_defects(
        &store.db,
        &DefectFilter::default(),
        &stages,
        Paging::new(1, 20),
    )
    .await
    .expect("list");
    assert_eq!(all.total, 0, "the refused defect was not written");
    let (defect_id, escape_id) = record_escape(
        &store.db,
        review.id,
        &defect(t, "Coupon total wrong", "production", 1),
        &who,
        Utc::now(),
    )
    .await
    .expect("recorded");
    let escapes = review_escapes(&store.db, review.id).await.expect("escapes");
    assert_eq!(
        (escapes[0].id, escapes[0].defect.id),
        (escape_id, defect_id)
    );
}
