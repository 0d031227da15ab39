//! The maintained roll-up always equals a full scan: random sequences of defect creates and
//! edits, reviews that take escapes in and let them go, mechanism saves, analysis steps that
//! move the expected stage, and state changes that make mechanisms count or stop counting.
//! After each sequence every grouped count is compared with a scan of the defects, and a
//! few groupings are also compared with plain `GROUP BY` queries written independently of
//! the roll-up code.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use escapement_core::review::{Analysis, Classification};
use escapement_core::{
    DefectType, DetectedBy, Mechanism, NewComponent, NewDefect, NewRelease, Origin, ReviewState,
    ScopeFlags, Severity, StageKey,
};
use escapement_storage::catalog::{create_component, create_release};
use escapement_storage::defects::{create_defect, get_defect, update_defect};
use escapement_storage::reviews::{
    StepWrite, change_state, create_review, get_review, record_escape, remove_escape,
    review_escapes, save_analysis, save_classification, save_no_action_reason,
};
use escapement_storage::rollup::{self, CountFilter};
use escapement_storage::sea_orm::{ConnectionTrait, Statement};
use escapement_tests::{TestDb, both_backends};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::reviews::{actor, details};
use crate::team;

both_backends!(TestDb:
    random_writes_keep_the_rollup_equal_to_a_scan,
    verify_finds_a_tampered_group_and_rebuild_repairs_it,
);

const STAGES: [&str; 10] = [
    "requirements_review",
    "design_review",
    "code_review",
    "unit_test",
    "integration_test",
    "system_test",
    "staging",
    "uat",
    "beta",
    "production",
];

struct World {
    teams: Vec<(Uuid, Vec<Uuid>, Vec<Uuid>)>,
    defects: Vec<Uuid>,
    reviews: Vec<Uuid>,
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    *items.choose(rng).expect("not empty")
}

/// Instants near quarter and year boundaries as well as in the middle of quarters.
fn instant(rng: &mut StdRng) -> DateTime<Utc> {
    let bases = [
        Utc.with_ymd_and_hms(2025, 12, 31, 23, 59, 59),
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0),
        Utc.with_ymd_and_hms(2026, 3, 31, 23, 0, 0),
        Utc.with_ymd_and_hms(2026, 5, 15, 12, 0, 0),
        Utc.with_ymd_and_hms(2026, 9, 30, 23, 59, 59),
    ];
    pick(rng, &bases).single().expect("a time")
}

fn random_defect(rng: &mut StdRng, world: &World, team: usize, escaped: bool) -> NewDefect {
    let (team_id, components, releases) = &world.teams[team];
    let stage_index = if escaped {
        rng.random_range(6..10)
    } else {
        rng.random_range(0..10)
    };
    let detected_at = instant(rng);
    NewDefect {
        title: format!("Defect {}", rng.random_range(0..1_000_000)),
        description: String::new(),
        severity: pick(rng, Severity::ALL),
        defect_type: pick(rng, DefectType::ALL),
        origin: Origin::Code,
        discovery_stage: StageKey::parse(STAGES[stage_index]).expect("stage"),
        expected_catch_stage: rng
            .random_bool(0.5)
            .then(|| StageKey::parse(STAGES[rng.random_range(0..=stage_index)]).expect("stage")),
        detected_by: pick(rng, DetectedBy::ALL),
        team_id: *team_id,
        component_id: rng.random_bool(0.8).then(|| pick(rng, components)),
        release_id: rng.random_bool(0.7).then(|| pick(rng, releases)),
        introduced_at: rng
            .random_bool(0.7)
            .then(|| detected_at - Duration::hours(rng.random_range(0..5_000))),
        detected_at,
        resolved_at: rng
            .random_bool(0.6)
            .then(|| detected_at + Duration::minutes(rng.random_range(0..200_000))),
        reopened_count: u32::from(rng.random_bool(0.2)),
        scope: ScopeFlags {
            confirmed: rng.random_bool(0.8),
            known_issue_accepted: rng.random_bool(0.1),
            cosmetic: rng.random_bool(0.1),
            test_environment: rng.random_bool(0.1),
            data_migration: rng.random_bool(0.1),
        },
        external_key: None,
        incident_link: None,
    }
}

fn random_classification(rng: &mut StdRng) -> Classification {
    let primary = pick(rng, Mechanism::ALL);
    let contributing: Vec<Mechanism> = (0..rng.random_range(0..4))
        .map(|_| pick(rng, Mechanism::ALL))
        .collect();
    Classification::new(Some(primary), contributing)
}

/// One random write; refusals (a stale version, a guard) are part of the game.
async fn step(
    store: &TestDb,
    rng: &mut StdRng,
    world: &mut World,
    who: &escapement_storage::Actor,
) {
    let db = &store.db;
    let now = Utc::now();
    let team = rng.random_range(0..world.teams.len());
    match rng.random_range(0..9) {
        0 | 1 => {
            let escaped = rng.random_bool(0.5);
            let d = random_defect(rng, world, team, escaped);
            let created = create_defect(db, &d, now).await.expect("create");
            world.defects.push(created.id);
        }
        2 if !world.defects.is_empty() => {
            let id = pick(rng, &world.defects);
            let current = get_defect(db, id).await.expect("defect");
            let team = world
                .teams
                .iter()
                .position(|(t, _, _)| *t == current.data.team_id)
                .expect("team");
            let mut d = random_defect(rng, world, team, false);
            // An escape under review stays an escape: the review requires it.
            if STAGES
                .iter()
                .position(|s| *s == current.data.discovery_stage.as_str())
                > Some(5)
            {
                d.discovery_stage = current.data.discovery_stage.clone();
                d.expected_catch_stage = None;
            }
            let _ = update_defect(db, id, current.version, &d, now).await;
        }
        3 => {
            let d = random_defect(rng, world, team, true);
            let r = create_review(
                db,
                &details(world.teams[team].0, "Review", 3),
                &[],
                who,
                now,
            )
            .await
            .expect("review");
            world.reviews.push(r.id);
            let (defect_id, _) = record_escape(db, r.id, &d, who, now).await.expect("record");
            world.defects.push(defect_id);
        }
        4 | 5 if !world.reviews.is_empty() => {
            let review_id = pick(rng, &world.reviews);
            for e in review_escapes(db, review_id).await.expect("escapes") {
                let w = StepWrite::new(review_id, e.id, e.version, who, now);
                if rng.random_bool(0.5) {
                    if save_classification(db, &w, &random_classification(rng))
                        .await
                        .is_ok()
                    {
                        let all = review_escapes(db, review_id).await.expect("escapes");
                        let e = all.iter().find(|x| x.id == e.id).expect("escape");
                        let w = StepWrite::new(review_id, e.id, e.version, who, now);
                        let _ = save_no_action_reason(db, &w, Some("Covered elsewhere")).await;
                    }
                } else {
                    let stage = rng
                        .random_bool(0.7)
                        .then(|| StageKey::parse(STAGES[rng.random_range(0..6)]).expect("stage"));
                    let analysis = Analysis {
                        expected_catch_stage: stage,
                        evidence: String::new(),
                        evidence_gap: String::new(),
                    };
                    let _ = save_analysis(db, &w, e.defect.version, &analysis).await;
                }
            }
        }
        6 | 7 if !world.reviews.is_empty() => {
            let review_id = pick(rng, &world.reviews);
            let review = get_review(db, review_id).await.expect("review");
            // Forward most of the time, so that reviews reach classified and closed, and
            // sometimes back, so that mechanisms stop counting again.
            let forward = rng.random_bool(0.75);
            let to = match (review.state, forward) {
                (ReviewState::Draft, _) => ReviewState::InReview,
                (ReviewState::InReview, true) => ReviewState::Classified,
                (ReviewState::InReview, false) => ReviewState::Draft,
                (ReviewState::Classified, true) => ReviewState::Closed,
                (ReviewState::Classified | ReviewState::Closed, _) => ReviewState::InReview,
            };
            let _ = change_state(db, review_id, review.version, to, who, now).await;
        }
        8 if !world.reviews.is_empty() => {
            let review_id = pick(rng, &world.reviews);
            let escapes = review_escapes(db, review_id).await.expect("escapes");
            if let Some(e) = escapes.first() {
                let _ = remove_escape(db, (review_id, e.id, e.version), who, now).await;
            }
        }
        _ => {}
    }
}

/// `(team, severity, stage) → count` from a plain GROUP BY over the defects.
async fn scanned_by_stage(store: &TestDb) -> BTreeMap<(Uuid, String, String), i64> {
    let backend = store.db.get_database_backend();
    let rows = store
        .db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT team_id, severity, discovery_stage, COUNT(*) AS n FROM defects \
             GROUP BY team_id, severity, discovery_stage",
        ))
        .await
        .expect("group by");
    rows.iter()
        .map(|r| {
            (
                (
                    r.try_get::<Uuid>("", "team_id").expect("team"),
                    r.try_get::<String>("", "severity").expect("severity"),
                    r.try_get::<String>("", "discovery_stage").expect("stage"),
                ),
                r.try_get::<i64>("", "n").expect("n"),
            )
        })
        .collect()
}

/// `mechanism → count` of primary mechanisms of escapes whose review is classified or
/// closed, from a plain join.
async fn scanned_mechanisms(store: &TestDb) -> BTreeMap<String, i64> {
    let backend = store.db.get_database_backend();
    let rows = store
        .db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT e.primary_mechanism AS m, COUNT(*) AS n FROM review_escapes e \
             JOIN reviews r ON r.id = e.review_id \
             WHERE r.state IN ('classified', 'closed') AND e.primary_mechanism IS NOT NULL \
             GROUP BY e.primary_mechanism",
        ))
        .await
        .expect("group by");
    rows.iter()
        .map(|r| {
            (
                r.try_get::<String>("", "m").expect("m"),
                r.try_get::<i64>("", "n").expect("n"),
            )
        })
        .collect()
}

/// The defect list's counts come from the roll-up: for many filters they must equal the
/// number of rows the list's own query returns.
async fn list_counts_equal_rows(store: &TestDb, world: &World, seed: u64) {
    use escapement_core::metrics::{Period, Quarter, ReopenedPolicy};
    use escapement_storage::defects::{DefectFilter, InScope, list_defects};
    let stages = escapement_storage::settings::stage_settings(&store.db)
        .await
        .expect("stages");
    let def = escapement_storage::metrics::current_definition(&store.db)
        .await
        .expect("definition")
        .definition;
    let as_escaped = InScope {
        reopened: ReopenedPolicy::AsEscaped,
        ..InScope::of(&def)
    };
    let separately = InScope {
        reopened: ReopenedPolicy::Separately,
        ..InScope::of(&def)
    };
    let q1 = Quarter::new(2026, 1).expect("quarter");
    let mut filters = vec![
        DefectFilter::default(),
        DefectFilter {
            in_scope: Some(InScope::of(&def)),
            ..DefectFilter::default()
        },
        DefectFilter {
            in_scope: Some(as_escaped),
            ..DefectFilter::default()
        },
        DefectFilter {
            in_scope: Some(separately),
            detected: Some(Period::quarters(q1, q1)),
            ..DefectFilter::default()
        },
        // Days that are not whole quarters: the rows count themselves.
        DefectFilter {
            in_scope: Some(InScope::of(&def)),
            detected: Some(Period::new(
                chrono::NaiveDate::from_ymd_opt(2026, 3, 31).expect("day"),
                chrono::NaiveDate::from_ymd_opt(2026, 5, 15).expect("day"),
            )),
            ..DefectFilter::default()
        },
        DefectFilter {
            mechanism: Some(Mechanism::NoTest),
            ..DefectFilter::default()
        },
        DefectFilter {
            unreviewed: true,
            ..DefectFilter::default()
        },
        DefectFilter {
            contributing: Some(Mechanism::EnvironmentMismatch),
            in_scope: Some(InScope::of(&def)),
            ..DefectFilter::default()
        },
        DefectFilter {
            contributing: Some(Mechanism::MissedReview),
            no_component: true,
            ..DefectFilter::default()
        },
        DefectFilter {
            expected_stage: Some(None),
            no_release: true,
            ..DefectFilter::default()
        },
        DefectFilter {
            severity: Some(Severity::Critical),
            defect_type: Some(DefectType::Functional),
            in_scope: Some(InScope::of(&def)),
            ..DefectFilter::default()
        },
        DefectFilter {
            discovery_stage: Some(StageKey::parse("production").expect("stage")),
            expected_stage: Some(Some(StageKey::parse("unit_test").expect("stage"))),
            ..DefectFilter::default()
        },
    ];
    for (team, components, releases) in &world.teams {
        filters.push(DefectFilter {
            team_id: Some(*team),
            component_id: Some(components[0]),
            ..DefectFilter::default()
        });
        filters.push(DefectFilter {
            visible_teams: Some(vec![*team]),
            release_id: Some(releases[1]),
            in_scope: Some(as_escaped),
            ..DefectFilter::default()
        });
    }
    let all = escapement_core::Paging::new(1, 100_000);
    for base in filters {
        for escaped in [None, Some(true), Some(false)] {
            let filter = DefectFilter {
                escaped,
                ..base.clone()
            };
            let page = list_defects(&store.db, &filter, &stages, all)
                .await
                .expect("list");
            assert_eq!(
                page.rows.len() as u64,
                page.total,
                "seed {seed}: {filter:?}"
            );
            if escaped.is_none() {
                let only = DefectFilter {
                    escaped: Some(true),
                    ..base.clone()
                };
                let escapes = list_defects(&store.db, &only, &stages, all)
                    .await
                    .expect("list");
                assert_eq!(
                    escapes.rows.len() as u64,
                    page.escaped,
                    "seed {seed}: {filter:?}"
                );
            }
        }
    }
}

/// The rows counted from the defects of a range of days equal the roll-up's for a whole
/// quarter, and two halves of a quarter add up to it: what the dashboard reads for a range
/// that is not whole quarters is what the roll-up would hold if it were kept by day.
async fn ranges_equal_rollup(store: &TestDb, world: &World, seed: u64) {
    use escapement_core::metrics::{CountCell, DurationCell, Period, Quarter};
    use escapement_storage::rollup::{Detail, count_cells, duration_cells, range_cells};
    fn counts(cells: &[CountCell], into: &mut BTreeMap<String, u64>) {
        for c in cells {
            *into.entry(format!("{:?}", c.key)).or_default() += c.count;
        }
    }
    fn spans(cells: &[DurationCell], into: &mut BTreeMap<String, (u64, i64)>) {
        for c in cells {
            let e = into.entry(format!("{:?}", c.key)).or_default();
            e.0 += c.count;
            e.1 += c.total_seconds;
        }
    }
    let (team, components, releases) = &world.teams[0];
    let filters = [
        CountFilter::default(),
        CountFilter {
            team: Some(*team),
            component: Some(Some(components[0])),
            ..CountFilter::default()
        },
        CountFilter {
            visible_teams: Some(vec![*team]),
            release: Some(Some(releases[1])),
            severity: Some(Severity::High),
            ..CountFilter::default()
        },
        CountFilter {
            defect_type: Some(DefectType::Functional),
            expected_stage: Some(String::new()),
            scope_clear: Some(escapement_core::metrics::ScopeMask::EXCLUDED),
            ..CountFilter::default()
        },
        CountFilter {
            discovery_stages: Some(vec!["production".to_owned(), "uat".to_owned()]),
            mechanism: Some(escapement_core::metrics::MechanismSlot::Unreviewed),
            ..CountFilter::default()
        },
    ];
    let switches = escapement_storage::metrics::current_definition(&store.db)
        .await
        .expect("definition")
        .definition
        .scope;
    let first = Quarter::new(2025, 4).expect("quarter");
    let last = Quarter::new(2026, 3).expect("quarter");
    for q in Quarter::range(first, last) {
        let mid = q.first_day() + Duration::days(45);
        let whole = Period::quarters(q, q);
        let halves = [
            Period::new(q.first_day(), mid),
            Period::new(mid + Duration::days(1), q.last_day()),
        ];
        for base in &filters {
            let f = CountFilter {
                quarters: Some((q, q)),
                ..base.clone()
            };
            for detail in [Detail::ByRelease, Detail::ByComponent] {
                let mut stored = BTreeMap::new();
                counts(
                    &count_cells(&store.db, &f, detail).await.expect("cells"),
                    &mut stored,
                );
                let pick = |r: &rollup::RangeCells| match detail {
                    Detail::ByComponent => r.by_component.clone(),
                    _ => r.by_release.clone(),
                };
                let mut ranged = BTreeMap::new();
                counts(
                    &pick(
                        &range_cells(&store.db, &f, whole, &switches)
                            .await
                            .expect("range"),
                    ),
                    &mut ranged,
                );
                assert_eq!(stored, ranged, "seed {seed}, {q}, {detail:?}: {f:?}");
                let mut halved = BTreeMap::new();
                for half in halves {
                    counts(
                        &pick(
                            &range_cells(&store.db, &f, half, &switches)
                                .await
                                .expect("range"),
                        ),
                        &mut halved,
                    );
                }
                assert_eq!(
                    stored, halved,
                    "seed {seed}, {q} in halves, {detail:?}: {f:?}"
                );
            }
            let mut stored = BTreeMap::new();
            spans(
                &duration_cells(&store.db, &f).await.expect("durations"),
                &mut stored,
            );
            let mut halved = BTreeMap::new();
            for half in halves {
                spans(
                    &range_cells(&store.db, &f, half, &switches)
                        .await
                        .expect("range")
                        .durations,
                    &mut halved,
                );
            }
            assert_eq!(stored, halved, "seed {seed}, {q} durations: {f:?}");
        }
    }
    // What a dashboard reads for days that are not whole quarters (whole quarters from the
    // roll-up, partial ones from their days or as the quarter less the rest of it) equals
    // counting every day of the range from the defects.
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("day");
    for period in [
        Period::new(day(2025, 12, 20), day(2026, 3, 30)),
        Period::new(day(2026, 1, 2), day(2026, 5, 20)),
        Period::new(day(2026, 3, 31), day(2026, 3, 31)),
        Period::new(day(2025, 10, 1), day(2026, 9, 29)),
    ] {
        for base in &filters {
            let f = CountFilter {
                quarters: Some(period.cover()),
                period: Some(period),
                ..base.clone()
            };
            let inputs = escapement_storage::metrics::metric_inputs(&store.db, &f)
                .await
                .expect("inputs");
            let rows = range_cells(&store.db, &f, period, &switches)
                .await
                .expect("range");
            for (read, counted) in [
                (&inputs.counts, &rows.by_release),
                (&inputs.by_component, &rows.by_component),
            ] {
                let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
                counts(read, &mut a);
                counts(counted, &mut b);
                assert_eq!(a, b, "seed {seed}, {period:?}: {f:?}");
            }
            let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
            spans(&inputs.durations, &mut a);
            spans(&rows.durations, &mut b);
            assert_eq!(a, b, "seed {seed}, {period:?} durations: {f:?}");
        }
    }
}

async fn compare_with_scans(store: &TestDb, seed: u64) {
    let differences = rollup::verify(&store.db).await.expect("verify");
    assert!(differences.is_empty(), "seed {seed}: {differences:#?}");
    let cells = rollup::count_cells(
        &store.db,
        &CountFilter::default(),
        rollup::Detail::ByRelease,
    )
    .await
    .expect("cells");
    let mut by_stage: BTreeMap<(Uuid, String, String), i64> = BTreeMap::new();
    let mut mechanisms: BTreeMap<String, i64> = BTreeMap::new();
    for c in cells
        .iter()
        .filter(|c| c.key.role == escapement_core::metrics::Role::Primary)
    {
        let n = i64::try_from(c.count).expect("fits");
        *by_stage
            .entry((
                c.key.team,
                c.key.severity.key().to_owned(),
                c.key.discovery_stage.as_str().to_owned(),
            ))
            .or_default() += n;
        if let Some(m) = c.key.mechanism.mechanism() {
            *mechanisms.entry(m.key().to_owned()).or_default() += n;
        }
    }
    assert_eq!(by_stage, scanned_by_stage(store).await, "seed {seed}");
    assert_eq!(mechanisms, scanned_mechanisms(store).await, "seed {seed}");
    let durations = rollup::duration_cells(&store.db, &CountFilter::default())
        .await
        .expect("durations");
    let defects: u64 = by_stage
        .values()
        .map(|n| u64::try_from(*n).expect("n"))
        .sum();
    for kind in [
        escapement_core::metrics::DurationKind::Detect,
        escapement_core::metrics::DurationKind::Resolve,
    ] {
        let total: u64 = durations
            .iter()
            .filter(|d| d.key.kind == kind)
            .map(|d| d.count)
            .sum();
        assert_eq!(
            total, defects,
            "seed {seed}: every defect has one {kind:?} row"
        );
    }
}

async fn random_writes_keep_the_rollup_equal_to_a_scan(store: TestDb) {
    let who = actor(&store).await;
    let now = Utc::now();
    let mut world = World {
        teams: Vec::new(),
        defects: Vec::new(),
        reviews: Vec::new(),
    };
    for name in ["Payments", "Search"] {
        let id = team(&store, name).await;
        let mut components = Vec::new();
        let mut releases = Vec::new();
        for i in 0..2 {
            let c = NewComponent {
                team_id: id,
                name: format!("{name} component {i}"),
                description: String::new(),
            };
            components.push(
                create_component(&store.db, &c, now)
                    .await
                    .expect("component")
                    .id,
            );
            let r = NewRelease {
                team_id: id,
                name: format!("{name} 1.{i}"),
                released_on: chrono::NaiveDate::from_ymd_opt(2026, 1 + i, 10).expect("date"),
            };
            releases.push(
                create_release(&store.db, &r, now)
                    .await
                    .expect("release")
                    .id,
            );
        }
        world.teams.push((id, components, releases));
    }
    for seed in 0..6u64 {
        if seed == 3 {
            // New scope switches recompute the roll-up; writes after it follow the new ones.
            let current = escapement_storage::metrics::current_definition(&store.db)
                .await
                .expect("definition");
            let mut definition = current.definition.clone();
            definition.scope.known_issues = true;
            definition.scope.customer_found = false;
            let change = escapement_core::metrics::DefinitionChange {
                definition,
                note: "Count known issues, leave customer reports out".to_owned(),
            };
            escapement_storage::metrics::save_definition(
                &store.db,
                current.version,
                &change,
                &who,
                now,
            )
            .await
            .expect("save");
            compare_with_scans(&store, seed).await;
        }
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..40 {
            step(&store, &mut rng, &mut world, &who).await;
        }
        compare_with_scans(&store, seed).await;
        list_counts_equal_rows(&store, &world, seed).await;
        ranges_equal_rollup(&store, &world, seed).await;
    }
    assert!(world.defects.len() > 20, "the sequences wrote defects");
    let classified = rollup::count_defects(
        &store.db,
        &CountFilter {
            mechanism: Some(escapement_core::metrics::MechanismSlot::Is(
                Mechanism::NoTest,
            )),
            ..CountFilter::default()
        },
    )
    .await
    .expect("count");
    let all_mechanisms: i64 = scanned_mechanisms(&store).await.values().sum();
    assert!(
        all_mechanisms > 0,
        "some reviews reached classified ({classified} no-test)"
    );
}

async fn verify_finds_a_tampered_group_and_rebuild_repairs_it(store: TestDb) {
    let team_id = team(&store, "Payments").await;
    for days in 0..5 {
        crate::reviews::escape(&store, team_id, &format!("Escape {days}"), days).await;
    }
    assert!(rollup::verify(&store.db).await.expect("verify").is_empty());
    let backend = store.db.get_database_backend();
    store
        .db
        .execute_raw(Statement::from_string(
            backend,
            "UPDATE defect_counts SET n = n + 1",
        ))
        .await
        .expect("tamper");
    let differences = rollup::verify(&store.db).await.expect("verify");
    assert!(!differences.is_empty());
    assert!(
        differences[0].group.starts_with("defect_counts"),
        "{differences:?}"
    );
    let (counts, durations) = rollup::rebuild(&store.db).await.expect("rebuild");
    assert!(counts >= 1 && durations >= 2, "{counts} {durations}");
    assert!(rollup::verify(&store.db).await.expect("verify").is_empty());
}
