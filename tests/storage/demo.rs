//! The demo reviews: every state, complete classified reviews, a mechanism mix that shifts
//! over the quarters, an unreviewed queue with recent critical escapes, blameless texts and
//! the same reviews for the same seed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use escapement_core::auth::{Role, UserDraft};
use escapement_core::review::{Question, blame_findings};
use escapement_core::{ActionStatus, Mechanism, Paging, ReviewState, Severity};
use escapement_storage::accounts::{create_user, set_membership};
use escapement_storage::catalog::list_teams;
use escapement_storage::defects::{DefectFilter, list_defects};
use escapement_storage::demo::{DemoReviewSummary, DemoReviewer, load_demo, load_demo_reviews};
use escapement_storage::reviews::{
    ReviewEscape, ReviewFilter, ReviewRow, get_review, list_reviews, review_escapes,
    unreviewed_escapes,
};
use escapement_storage::settings::stage_settings;
use escapement_storage::{Actor, StorageError};
use escapement_tests::{TestDb, both_backends};

both_backends!(TestDb:
    the_demo_reviews_cover_every_state_and_leave_escapes_unreviewed,
    the_same_seed_gives_the_same_demo_reviews,
);

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 30, 15, 0, 0)
        .single()
        .expect("a time")
}

/// The demo data set, a lead per team, and the demo reviews they write.
async fn demo_with_reviews(store: &TestDb, seed: u64, now: DateTime<Utc>) -> DemoReviewSummary {
    load_demo(&store.db, 2_500, seed, now, |_| {})
        .await
        .expect("demo");
    let mut reviewers = Vec::new();
    for team in list_teams(&store.db).await.expect("teams") {
        let draft = UserDraft {
            email: format!("{}.lead@example.com", team.name.to_lowercase()),
            display_name: format!("{} Team lead", team.name),
            password: "correct horse battery".to_owned(),
            password_confirmation: "correct horse battery".to_owned(),
        };
        let user = create_user(
            &store.db,
            &draft.validate().expect("valid"),
            "$argon2id$x",
            false,
            now,
        )
        .await
        .expect("user");
        set_membership(&store.db, team.id, user.id, Role::TeamAdmin, now)
            .await
            .expect("membership");
        reviewers.push(DemoReviewer {
            team_id: team.id,
            actor: Actor::user(user.id, user.display_name, "command line"),
        });
    }
    load_demo_reviews(&store.db, &reviewers, seed, now)
        .await
        .expect("demo reviews")
}

async fn all_reviews(store: &TestDb) -> Vec<ReviewRow> {
    let mut rows = Vec::new();
    for page in 1.. {
        let list = list_reviews(&store.db, &ReviewFilter::default(), Paging::new(page, 200))
            .await
            .expect("list");
        let done = list.rows.len() < 200;
        rows.extend(list.rows);
        if done {
            break;
        }
    }
    rows
}

fn assert_blameless(text: &str) {
    assert_eq!(blame_findings(text, &[]), vec![], "blame in: {text}");
}

fn check_escape(review: &ReviewRow, e: &ReviewEscape) {
    assert_blameless(&e.evidence);
    assert_blameless(&e.evidence_gap);
    assert_blameless(e.no_action_reason.as_deref().unwrap_or_default());
    for &q in Question::ALL {
        assert_blameless(e.checklist.note(q));
    }
    for a in &e.actions {
        assert_blameless(&a.title);
        assert!(a.due_date.is_some(), "{a:?}");
        assert_eq!(a.review_id, review.id);
    }
    let suggested: BTreeSet<Mechanism> = e
        .checklist
        .suggestions()
        .iter()
        .map(|s| s.mechanism)
        .collect();
    assert!(
        e.classification
            .primary()
            .into_iter()
            .chain(e.classification.contributing().iter().copied())
            .all(|m| suggested.contains(&m)),
        "the checklist suggests what the team confirmed: {e:?}"
    );
    if matches!(review.state, ReviewState::Classified | ReviewState::Closed) {
        assert!(e.facts_confirmed && e.checklist.is_complete());
        assert!(e.classification.primary().is_some(), "{e:?}");
        assert!(e.defect.data.expected_catch_stage.is_some());
        assert!(!e.evidence.is_empty() && !e.evidence_gap.is_empty());
        assert!(
            !e.actions.is_empty() || e.no_action_reason.is_some(),
            "an action or a reason: {e:?}"
        );
    }
}

/// The quarter an escape was detected in, as (year, quarter).
fn quarter(at: DateTime<Utc>) -> (i32, u32) {
    (at.year(), at.month0() / 3)
}

fn share(counts: &BTreeMap<Mechanism, usize>, of: &[Mechanism]) -> f64 {
    let total: usize = counts.values().sum();
    let part: usize = of.iter().filter_map(|m| counts.get(m)).sum();
    part as f64 / total.max(1) as f64
}

async fn the_demo_reviews_cover_every_state_and_leave_escapes_unreviewed(store: TestDb) {
    let now = Utc::now();
    let summary = demo_with_reviews(&store, 7, now).await;
    let reviews = all_reviews(&store).await;
    assert_eq!(reviews.len(), summary.reviews);
    assert!(summary.reviews >= 12, "{summary:?}");
    let states: BTreeSet<ReviewState> = reviews.iter().map(|r| r.state).collect();
    assert_eq!(states.len(), 4, "every state: {states:?}");

    let mut escapes = 0;
    let mut actions = 0;
    let mut statuses = BTreeSet::new();
    let mut by_quarter: BTreeMap<(i32, u32), BTreeMap<Mechanism, usize>> = BTreeMap::new();
    for row in &reviews {
        let review = get_review(&store.db, row.id).await.expect("review");
        assert_blameless(&review.title);
        assert_blameless(&review.summary);
        assert!(!review.participants.is_empty());
        assert!(review.incident_date <= now.date_naive());
        let list = review_escapes(&store.db, row.id).await.expect("escapes");
        assert!((1..=4).contains(&list.len()), "{}", review.title);
        for e in &list {
            check_escape(row, e);
            let near = (e.defect.data.detected_at.date_naive() - review.incident_date).num_days();
            assert!((0..=14).contains(&near), "incident near detection");
            actions += e.actions.len();
            statuses.extend(e.actions.iter().map(|a| a.status));
            if let Some(m) = e.classification.primary() {
                *by_quarter
                    .entry(quarter(e.defect.data.detected_at))
                    .or_default()
                    .entry(m)
                    .or_default() += 1;
            }
        }
        escapes += list.len();
    }
    assert_eq!((escapes, actions), (summary.escapes, summary.actions));
    assert_eq!(statuses.len(), ActionStatus::ALL.len(), "{statuses:?}");
    // Every dropped action says why, as the change form requires of a person.
    let wont_do = |reason: bool| {
        use escapement_storage::entities::improvement_action::{Column, Entity};
        use escapement_storage::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let q = Entity::find().filter(Column::Status.eq(ActionStatus::WontDo.key()));
        let q = if reason {
            q.filter(Column::StatusReason.is_not_null())
        } else {
            q
        };
        q.count(&store.db)
    };
    let (all, with_reason) = (
        wont_do(false).await.expect("count"),
        wont_do(true).await.expect("count"),
    );
    assert!(
        all > 0 && all == with_reason,
        "{with_reason} of {all} won't-do actions have a reason"
    );

    // The mix shifts: the oldest and newest quarters differ, and over each year missing
    // tests fall while broken automation and environment mismatches rise.
    let (oldest, newest) = (
        by_quarter.values().next().expect("a quarter"),
        by_quarter.values().last().expect("a quarter"),
    );
    assert_ne!(oldest, newest);
    let mut halves = [BTreeMap::new(), BTreeMap::new()];
    for (q, counts) in &by_quarter {
        let recent = usize::from(q >= &quarter(now - Duration::days(365)));
        for (m, n) in counts {
            *halves[recent].entry(*m).or_default() += n;
        }
    }
    let rising = [Mechanism::BrokenAutomation, Mechanism::EnvironmentMismatch];
    assert!(
        share(&halves[0], &[Mechanism::NoTest]) > share(&halves[1], &[Mechanism::NoTest]),
        "{halves:?}"
    );
    assert!(
        share(&halves[1], &rising) > share(&halves[0], &rising),
        "{halves:?}"
    );

    // Plenty stays for the unreviewed queue, recent critical escapes among them.
    let stages = stage_settings(&store.db).await.expect("stages");
    let all = DefectFilter {
        escaped: Some(true),
        ..DefectFilter::default()
    };
    let escaped = list_defects(&store.db, &all, &stages, Paging::new(1, 1))
        .await
        .expect("escapes")
        .total;
    let queue = unreviewed_escapes(
        &store.db,
        &DefectFilter::default(),
        &stages,
        Paging::new(1, 5),
    )
    .await
    .expect("queue");
    assert_eq!(queue.total + escapes as u64, escaped);
    assert!(queue.total * 4 >= escaped, "a good share stays unreviewed");
    let critical = DefectFilter {
        unreviewed: true,
        severity: Some(Severity::Critical),
        ..all
    };
    let newest_critical = list_defects(&store.db, &critical, &stages, Paging::new(1, 1))
        .await
        .expect("critical");
    assert!(
        newest_critical
            .rows
            .first()
            .is_some_and(|d| now - d.detected_at < Duration::days(60)),
        "a recent critical escape waits for review"
    );

    let again = load_demo_reviews(&store.db, &[], 7, now).await;
    assert!(matches!(again, Err(StorageError::Invalid(_))));
}

/// Titles, states and mechanisms of every review, in a stable order.
async fn fingerprint(store: &TestDb) -> Vec<(String, String, ReviewState, Vec<String>)> {
    let mut out = Vec::new();
    for row in all_reviews(store).await {
        let mechanisms = review_escapes(&store.db, row.id)
            .await
            .expect("escapes")
            .iter()
            .map(|e| format!("{:?}", e.classification))
            .collect();
        out.push((
            row.incident_date.to_string(),
            row.title,
            row.state,
            mechanisms,
        ));
    }
    out.sort();
    out
}

async fn the_same_seed_gives_the_same_demo_reviews(store: TestDb) {
    let now = fixed_now();
    let first = demo_with_reviews(&store, 42, now).await;
    let other = TestDb::spawn(store.backend)
        .await
        .expect("a second database");
    let second = demo_with_reviews(&other, 42, now).await;
    assert_eq!(first, second);
    assert_eq!(fingerprint(&store).await, fingerprint(&other).await);
}
