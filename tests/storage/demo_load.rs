//! A demo load is all or nothing on both engines: one that fails part-way through its
//! defects (on PostgreSQL, in the middle of their COPY) leaves no team, defect, roll-up row
//! or demo mark behind, keeps the title search index, and the database takes a full load
//! afterwards.

use escapement_storage::catalog::list_teams;
use escapement_storage::demo::{DemoState, demo_state, load_demo};
use escapement_storage::rollup::verify;
use escapement_storage::sea_orm::{ConnectionTrait, Statement};
use escapement_tests::{Backend, TestDb, both_backends};

both_backends!(TestDb:
    a_demo_load_that_fails_part_way_leaves_the_database_as_it_was,
);

/// A trigger that refuses one defect late in the load (the 700th of the first team).
async fn refuse_a_late_defect(store: &TestDb) {
    let statements: &[&str] = match store.backend {
        Backend::Sqlite => &["CREATE TRIGGER test_refuse BEFORE INSERT ON defects \
             WHEN NEW.external_key LIKE '%-100700' \
             BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"],
        Backend::Postgres => &[
            "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.external_key LIKE '%-100700' THEN RAISE EXCEPTION 'refused for the test'; \
             END IF; RETURN NEW; END $$",
            "CREATE TRIGGER test_refuse BEFORE INSERT ON defects \
             FOR EACH ROW EXECUTE FUNCTION test_refuse()",
        ],
    };
    for sql in statements {
        store.db.execute_unprepared(sql).await.expect("trigger");
    }
}

async fn count(store: &TestDb, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    store
        .db
        .query_one_raw(Statement::from_string(store.db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("a row")
        .try_get::<i64>("", "n")
        .expect("a count")
}

async fn a_demo_load_that_fails_part_way_leaves_the_database_as_it_was(store: TestDb) {
    refuse_a_late_defect(&store).await;
    let mut reported = Vec::new();
    let failed = load_demo(&store.db, 2_500, 7, chrono::Utc::now(), |n| {
        reported.push(n)
    })
    .await;
    assert!(failed.is_err(), "the trigger stops the load");
    assert!(
        reported.last().is_some_and(|n| *n >= 1_000),
        "batches were sent before the failure: {reported:?}"
    );
    assert!(list_teams(&store.db).await.expect("teams").is_empty());
    for table in [
        "defects",
        "components",
        "releases",
        "defect_counts",
        "defect_durations",
    ] {
        assert_eq!(count(&store, table).await, 0, "{table} is empty");
    }
    assert_eq!(
        demo_state(&store.db).await.expect("state"),
        DemoState::Never
    );
    assert_eq!(
        super::index_count(&store).await,
        super::expected_indexes(&store),
        "the suspended title index came back with the rollback"
    );

    let drop = match store.backend {
        Backend::Sqlite => "DROP TRIGGER test_refuse",
        Backend::Postgres => "DROP TRIGGER test_refuse ON defects",
    };
    store
        .db
        .execute_unprepared(drop)
        .await
        .expect("drop the trigger");
    let summary = load_demo(&store.db, 2_500, 7, chrono::Utc::now(), |_| {})
        .await
        .expect("the database takes a full load afterwards");
    assert_eq!(summary.defects, 2_500);
    assert_eq!(count(&store, "defects").await, 2_500);
    assert!(verify(&store.db).await.expect("verify").is_empty());
}
