//! The defect list's title search against a plain scan in Rust: the same matches, counts and
//! pages through the text index (SQLite FTS5 trigram, PostgreSQL pg_trgm) as
//! `title.to_lowercase().contains(text)` over every defect, with and without the other
//! filters, and the index following creates, edits and deletes.

use chrono::Utc;
use escapement_core::{Paging, Severity, StageKey};
use escapement_migrations::{Migrator, MigratorTrait};
use escapement_storage::catalog::list_teams;
use escapement_storage::defects::{
    DefectFilter, DefectListPage, create_defect, get_defect, list_defects, update_defect,
};
use escapement_storage::demo::load_demo;
use escapement_storage::entities::defect;
use escapement_storage::sea_orm::{ConnectionTrait, EntityTrait, Statement};
use escapement_storage::settings::StageSettings;
use escapement_tests::{Backend, TestDb, both_backends};

use crate::{defect as new_defect, team};

both_backends!(TestDb:
    title_search_equals_a_scan_with_every_filter,
    title_search_follows_creates_edits_and_deletes,
    title_search_indexes_defects_that_existed_before_the_migration,
);

/// Titles with the characters `LIKE` and FTS5 treat specially, mixed case and short words.
const SPECIAL_TITLES: &[&str] = &[
    "100% off coupon",
    "1000 off coupon",
    "snake_case field",
    "snakeXcase field",
    r"C:\temp\path is rejected",
    "C:/temp/path is accepted",
    r#"Say "hi" twice"#,
    "MiXeD CaSe COUPON code",
    "ab",
    "zz top",
    "* OR ^ NEAR(a b) title:x",
];

/// Searches: words with many and few matches, no match, `%`, `_`, `\`, `"`, FTS5 syntax,
/// one and two characters, case, and surrounding spaces.
const SEARCHES: &[&str] = &[
    "coupon",
    "COUPON",
    "the",
    "Payments: ",
    "mobile",
    "zzzqqq",
    "100%",
    "%",
    "_",
    "snake_case",
    r"\",
    r"\temp",
    r#""hi""#,
    r#"""#,
    "* OR",
    "NEAR(a",
    "title:x",
    "e",
    "ab",
    "Zz",
    "  field ",
    "off c",
    r"%_\",
];

/// The list's own order: newest detection first, ties by id, descending.
fn newest_first(a: &defect::Model, b: &defect::Model) -> std::cmp::Ordering {
    b.detected_at.cmp(&a.detected_at).then(b.id.cmp(&a.id))
}

/// What `filter` must match, decided in Rust over every defect.
fn scan<'a>(
    all: &'a [defect::Model],
    filter: &DefectFilter,
    escaped_keys: &[String],
) -> Vec<&'a defect::Model> {
    let text = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase);
    let mut matches: Vec<&defect::Model> = all
        .iter()
        .filter(|d| {
            let escaped = escaped_keys.contains(&d.discovery_stage);
            filter
                .visible_teams
                .as_ref()
                .is_none_or(|teams| teams.contains(&d.team_id))
                && filter.team_id.is_none_or(|t| t == d.team_id)
                && filter
                    .component_id
                    .is_none_or(|c| Some(c) == d.component_id)
                && filter.severity.is_none_or(|s| s.key() == d.severity)
                && filter
                    .discovery_stage
                    .as_ref()
                    .is_none_or(|s| s.as_str() == d.discovery_stage)
                && filter.escaped.is_none_or(|e| e == escaped)
                && text
                    .as_deref()
                    .is_none_or(|t| d.title.to_lowercase().contains(t))
        })
        .collect();
    matches.sort_by(|a, b| newest_first(a, b));
    matches
}

async fn all_defects(store: &TestDb) -> Vec<defect::Model> {
    defect::Entity::find()
        .all(&store.db)
        .await
        .expect("every defect")
}

async fn page(store: &TestDb, filter: &DefectFilter, page: u64) -> DefectListPage {
    list_defects(
        &store.db,
        filter,
        &StageSettings::default(),
        Paging::new(page, 50),
    )
    .await
    .unwrap_or_else(|e| panic!("list {filter:?}: {e}"))
}

/// The list for `filter` agrees with the scan: both counts, the first page, the last page.
async fn check(store: &TestDb, all: &[defect::Model], filter: &DefectFilter, keys: &[String]) {
    let expected = scan(all, filter, keys);
    let escaped = expected
        .iter()
        .filter(|d| keys.contains(&d.discovery_stage))
        .count();
    let first = page(store, filter, 1).await;
    assert_eq!(
        (first.total, first.escaped),
        (expected.len() as u64, escaped as u64),
        "counts of {filter:?}"
    );
    let ids = |p: &DefectListPage| p.rows.iter().map(|r| r.id).collect::<Vec<_>>();
    let want = |from: usize| {
        expected
            .iter()
            .skip(from)
            .take(50)
            .map(|d| d.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), want(0), "first page of {filter:?}");
    let pages = expected.len().div_ceil(50).max(1);
    if pages > 1 {
        let last = page(store, filter, pages as u64).await;
        assert_eq!(
            ids(&last),
            want((pages - 1) * 50),
            "last page of {filter:?}"
        );
    }
}

fn escaped_keys() -> Vec<String> {
    let stages = StageSettings::default();
    stages
        .pipeline
        .escaped_stage_keys(&stages.boundary)
        .into_iter()
        .map(|k| k.as_str().to_owned())
        .collect()
}

async fn title_search_equals_a_scan_with_every_filter(store: TestDb) {
    // 3,000 demo defects: "the" matches more than a thousand (a page walks the time index),
    // "coupon" a few hundred (a page starts from the matches).
    load_demo(&store.db, 3_000, 11, Utc::now(), |_| {})
        .await
        .expect("demo");
    let teams = list_teams(&store.db).await.expect("teams");
    let checkout = teams
        .iter()
        .find(|t| t.name == "Checkout")
        .expect("the demo's Checkout team")
        .id;
    for (i, title) in SPECIAL_TITLES.iter().enumerate() {
        let stage = if i % 2 == 0 {
            "production"
        } else {
            "unit_test"
        };
        create_defect(
            &store.db,
            &new_defect(checkout, title, stage, i as i64),
            Utc::now(),
        )
        .await
        .expect("create");
    }
    // The demo builds the index once after its load; the defects written after it went
    // through the triggers again.
    check_index(&store).await;
    let all = all_defects(&store).await;
    let keys = escaped_keys();
    let a_component = all
        .iter()
        .find_map(|d| d.component_id)
        .expect("a demo component");
    let filters = [
        DefectFilter::default(),
        DefectFilter {
            team_id: Some(checkout),
            ..DefectFilter::default()
        },
        DefectFilter {
            visible_teams: Some(vec![checkout, teams[0].id]),
            ..DefectFilter::default()
        },
        DefectFilter {
            visible_teams: Some(Vec::new()),
            ..DefectFilter::default()
        },
        DefectFilter {
            escaped: Some(true),
            ..DefectFilter::default()
        },
        DefectFilter {
            escaped: Some(false),
            team_id: Some(checkout),
            ..DefectFilter::default()
        },
        DefectFilter {
            severity: Some(Severity::High),
            ..DefectFilter::default()
        },
        DefectFilter {
            discovery_stage: Some(StageKey::parse("production").expect("a stage")),
            ..DefectFilter::default()
        },
        DefectFilter {
            component_id: Some(a_component),
            ..DefectFilter::default()
        },
    ];
    let mut checked_many = false;
    for base in &filters {
        for text in SEARCHES {
            let filter = DefectFilter {
                text: Some((*text).to_owned()),
                ..base.clone()
            };
            checked_many |= scan(&all, &filter, &keys).len() >= 1_000;
            check(&store, &all, &filter, &keys).await;
        }
    }
    assert!(
        checked_many,
        "some search matches a thousand defects or more"
    );
    let coupons = DefectFilter {
        text: Some("coupon".to_owned()),
        ..DefectFilter::default()
    };
    assert!(
        (100..1_000).contains(&scan(&all, &coupons, &keys).len()),
        "the demo has a few hundred coupon defects"
    );
}

async fn title_search_follows_creates_edits_and_deletes(store: TestDb) {
    let team_id = team(&store, "Checkout").await;
    let keys = escaped_keys();
    let mut ids = Vec::new();
    for (i, title) in ["Alpha coupon", "Beta voucher", "Gamma COUPON", "Delta"]
        .iter()
        .enumerate()
    {
        let stage = if i % 2 == 0 {
            "production"
        } else {
            "unit_test"
        };
        ids.push(
            create_defect(
                &store.db,
                &new_defect(team_id, title, stage, i as i64),
                Utc::now(),
            )
            .await
            .expect("create")
            .id,
        );
    }
    let search = |text: &str| DefectFilter {
        text: Some(text.to_owned()),
        ..DefectFilter::default()
    };
    let agree = async |store: &TestDb| {
        let all = all_defects(store).await;
        for text in ["coupon", "voucher", "alpha", "delta", "ta", "a", "nothing"] {
            check(store, &all, &search(text), &keys).await;
        }
        check_index(store).await;
    };
    agree(&store).await;
    assert_eq!(page(&store, &search("coupon"), 1).await.total, 2);

    // A title edit moves the defect from one word to the other.
    let alpha = get_defect(&store.db, ids[0]).await.expect("load");
    let mut changed = alpha.data.clone();
    changed.title = "Alpha voucher".to_owned();
    update_defect(&store.db, ids[0], alpha.version, &changed, Utc::now())
        .await
        .expect("update");
    assert_eq!(page(&store, &search("coupon"), 1).await.total, 1);
    assert_eq!(page(&store, &search("voucher"), 1).await.total, 2);
    agree(&store).await;

    // An edit of anything else leaves the index as it is.
    let gamma = get_defect(&store.db, ids[2]).await.expect("load");
    let mut changed = gamma.data.clone();
    changed.severity = Severity::Low;
    update_defect(&store.db, ids[2], gamma.version, &changed, Utc::now())
        .await
        .expect("update");
    agree(&store).await;

    // A deleted defect is no longer found. The app deletes no defect one by one: a delete
    // behind its back is followed by a roll-up rebuild, which renews the counts kept.
    defect::Entity::delete_by_id(ids[1])
        .exec(&store.db)
        .await
        .expect("delete");
    escapement_storage::rollup::rebuild(&store.db)
        .await
        .expect("rebuild");
    assert_eq!(page(&store, &search("voucher"), 1).await.total, 1);
    agree(&store).await;

    // A new defect is found at once.
    create_defect(
        &store.db,
        &new_defect(team_id, "Epsilon coupon", "uat", 9),
        Utc::now(),
    )
    .await
    .expect("create");
    assert_eq!(page(&store, &search("coupon"), 1).await.total, 2);
    agree(&store).await;

    // SQLite's external-content index refers to rows by rowid; VACUUM keeps them.
    if store.backend == Backend::Sqlite {
        store.db.execute_unprepared("VACUUM").await.expect("vacuum");
        agree(&store).await;
    }
}

async fn title_search_indexes_defects_that_existed_before_the_migration(store: TestDb) {
    let team_id = team(&store, "Checkout").await;
    for (i, title) in ["Old coupon", "Old voucher", "older COUPON code"]
        .iter()
        .enumerate()
    {
        create_defect(
            &store.db,
            &new_defect(team_id, title, "production", i as i64),
            Utc::now(),
        )
        .await
        .expect("create");
    }
    // Undo the title search migration and the ones after it, with the defects in place,
    // then apply them again: the index is built over rows that were there before it.
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let at = names
        .iter()
        .position(|n| n == "m20261202_000010_add_title_search")
        .expect("the title search migration");
    let steps = u32::try_from(names.len() - at).expect("steps");
    Migrator::down(&store.db, Some(steps))
        .await
        .expect("the title search migration goes down");
    if store.backend == Backend::Sqlite {
        let index = store
            .db
            .query_one_raw(Statement::from_string(
                escapement_storage::sea_orm::DbBackend::Sqlite,
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'defects_fts'",
            ))
            .await
            .expect("schema")
            .and_then(|row| row.try_get_by_index::<i64>(0).ok());
        assert_eq!(index, Some(0), "the index is gone");
    }
    Migrator::up(&store.db, None).await.expect("and up again");
    let all = all_defects(&store).await;
    let keys = escaped_keys();
    for text in ["coupon", "voucher", "old", "nothing"] {
        let filter = DefectFilter {
            text: Some(text.to_owned()),
            ..DefectFilter::default()
        };
        check(&store, &all, &filter, &keys).await;
    }
    assert_eq!(
        page(
            &store,
            &DefectFilter {
                text: Some("coupon".to_owned()),
                ..DefectFilter::default()
            },
            1
        )
        .await
        .total,
        2
    );
    check_index(&store).await;
}

/// SQLite: the FTS index agrees with the titles in `defects` (FTS5's own check of an
/// external-content table). PostgreSQL keeps its index itself.
async fn check_index(store: &TestDb) {
    if store.backend == Backend::Sqlite {
        store
            .db
            .execute_raw(Statement::from_string(
                store.db.get_database_backend(),
                "INSERT INTO defects_fts(defects_fts, rank) VALUES ('integrity-check', 1)",
            ))
            .await
            .expect("the FTS index matches the defects table");
    }
}
