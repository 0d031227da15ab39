//! Storage suite: repositories and migrations against SQLite and PostgreSQL.

mod account_admin;
mod accounts;
mod backup;
mod checkpoint;
mod concurrency;
mod demo;
mod demo_load;
mod imports;
mod metric_definitions;
mod read_models;
mod reviews;
mod rollup;
mod signed_in;
mod stale_writes;
mod title_search;
mod user_admin;

use chrono::{Duration, TimeZone, Utc};
use escapement_core::{
    Boundary, DefectType, DetectedBy, NewDefect, NewTeam, Origin, Paging, Pipeline, ScopeFlags,
    Severity, StageKey,
};
use escapement_migrations::{Migrator, MigratorTrait};
use escapement_storage::catalog::{create_team, get_team, update_team};
use escapement_storage::defects::{
    DefectFilter, create_defect, get_defect, list_defects, update_defect,
};
use escapement_storage::demo::load_demo;
use escapement_storage::settings::{StageSettings, save_stage_settings, stage_settings};
use escapement_storage::{StorageError, connect};
use escapement_tests::{TestDb, both_backends};
use uuid::Uuid;

both_backends!(TestDb:
    migrations_roll_back_and_apply_again,
    stage_settings_default_and_round_trip,
    a_defect_round_trips_every_field,
    a_stale_update_is_refused_and_changes_nothing,
    team_names_are_unique_and_renames_are_versioned,
    escape_filters_follow_the_boundary,
    text_search_treats_wildcards_literally,
    the_demo_fills_an_empty_database_and_refuses_a_used_one,
);

fn defect(team_id: Uuid, title: &str, stage: &str, days_ago: i64) -> NewDefect {
    let detected = Utc
        .with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .expect("a date")
        - Duration::days(days_ago);
    NewDefect {
        title: title.to_owned(),
        description: "Line one\nLine two".to_owned(),
        severity: Severity::High,
        defect_type: DefectType::Security,
        origin: Origin::Configuration,
        discovery_stage: StageKey::parse(stage).expect("a stage"),
        expected_catch_stage: Some(StageKey::parse("unit_test").expect("a stage")),
        detected_by: DetectedBy::Monitoring,
        team_id,
        component_id: None,
        release_id: None,
        introduced_at: Some(detected - Duration::days(3)),
        detected_at: detected,
        resolved_at: Some(detected + Duration::hours(5)),
        reopened_count: 2,
        scope: ScopeFlags {
            confirmed: true,
            known_issue_accepted: false,
            cosmetic: true,
            test_environment: false,
            data_migration: true,
        },
        external_key: Some(format!("KEY-{}", Uuid::new_v4().simple())),
        incident_link: Some("https://status.example.com/1".to_owned()),
    }
}

pub(crate) async fn team(store: &TestDb, name: &str) -> Uuid {
    create_team(
        &store.db,
        &NewTeam {
            name: name.to_owned(),
        },
        Utc::now(),
    )
    .await
    .expect("team")
    .id
}

async fn migrations_roll_back_and_apply_again(store: TestDb) {
    Migrator::down(&store.db, None)
        .await
        .expect("every migration has a working down");
    Migrator::up(&store.db, None)
        .await
        .expect("and applies again");
    assert!(
        Migrator::get_pending_migrations(&store.db)
            .await
            .expect("status")
            .is_empty()
    );
}

async fn stage_settings_default_and_round_trip(store: TestDb) {
    let defaults = stage_settings(&store.db).await.expect("defaults");
    assert_eq!(defaults, StageSettings::default());
    assert_eq!(defaults.boundary.after().as_str(), "system_test");

    let boundary = Boundary::after_stage(StageKey::parse("uat").expect("key"));
    let settings = StageSettings {
        pipeline: Pipeline::default(),
        boundary: boundary.clone(),
    };
    save_stage_settings(
        &store.db,
        &settings,
        &escapement_storage::Actor::COMMAND_LINE,
        Utc::now(),
    )
    .await
    .expect("save");
    save_stage_settings(
        &store.db,
        &settings,
        &escapement_storage::Actor::COMMAND_LINE,
        Utc::now(),
    )
    .await
    .expect("saving twice updates in place");
    assert_eq!(
        stage_settings(&store.db).await.expect("load").boundary,
        boundary
    );
}

async fn a_defect_round_trips_every_field(store: TestDb) {
    let team_id = team(&store, "Checkout").await;
    let new = defect(team_id, "Round trip", "production", 0);
    let now = Utc::now();
    let created = create_defect(&store.db, &new, now).await.expect("create");
    assert_eq!(created.version, 1);
    let loaded = get_defect(&store.db, created.id).await.expect("load");
    assert_eq!(loaded.data, new);
    assert_eq!(loaded.id, created.id);
    assert!(matches!(
        get_defect(&store.db, Uuid::now_v7()).await,
        Err(StorageError::NotFound)
    ));
}

async fn a_stale_update_is_refused_and_changes_nothing(store: TestDb) {
    let team_id = team(&store, "Checkout").await;
    let created = create_defect(
        &store.db,
        &defect(team_id, "Before", "staging", 0),
        Utc::now(),
    )
    .await
    .expect("create");
    let mut changed = created.data.clone();
    changed.title = "After".to_owned();
    let updated = update_defect(&store.db, created.id, 1, &changed, Utc::now())
        .await
        .expect("update");
    assert_eq!((updated.version, updated.data.title.as_str()), (2, "After"));

    changed.title = "Lost update".to_owned();
    let stale = update_defect(&store.db, created.id, 1, &changed, Utc::now()).await;
    assert!(
        matches!(stale, Err(StorageError::Stale { current_version: 2 })),
        "{stale:?}"
    );
    assert_eq!(
        get_defect(&store.db, created.id)
            .await
            .expect("load")
            .data
            .title,
        "After"
    );
    let missing = update_defect(&store.db, Uuid::now_v7(), 1, &changed, Utc::now()).await;
    assert!(matches!(missing, Err(StorageError::NotFound)));
}

async fn team_names_are_unique_and_renames_are_versioned(store: TestDb) {
    let id = team(&store, "Checkout").await;
    let duplicate = create_team(
        &store.db,
        &NewTeam {
            name: "Checkout".to_owned(),
        },
        Utc::now(),
    )
    .await;
    match duplicate {
        Err(StorageError::Invalid(errors)) => assert_eq!(
            errors.get("name"),
            Some("A team with this name already exists")
        ),
        other => panic!("expected a field error, got {other:?}"),
    }
    let renamed = update_team(
        &store.db,
        id,
        1,
        &NewTeam {
            name: "Payments".to_owned(),
        },
        Utc::now(),
    )
    .await
    .expect("rename");
    assert_eq!((renamed.name.as_str(), renamed.version), ("Payments", 2));
    assert!(matches!(
        update_team(
            &store.db,
            id,
            1,
            &NewTeam {
                name: "X".to_owned()
            },
            Utc::now()
        )
        .await,
        Err(StorageError::Stale { .. })
    ));
    assert_eq!(
        get_team(&store.db, id).await.expect("team").name,
        "Payments"
    );
}

async fn escape_filters_follow_the_boundary(store: TestDb) {
    let team_id = team(&store, "Checkout").await;
    // DOMAIN.md: 20 unit, 10 system, 5 UAT and 3 production defects.
    for (stage, count) in [
        ("unit_test", 20),
        ("system_test", 10),
        ("uat", 5),
        ("production", 3),
    ] {
        for i in 0..count {
            create_defect(
                &store.db,
                &defect(team_id, &format!("{stage} {i}"), stage, i),
                Utc::now(),
            )
            .await
            .expect("create");
        }
    }
    let all = DefectFilter::default();
    let paging = Paging::new(1, 50);
    let default = StageSettings::default();
    let page = list_defects(&store.db, &all, &default, paging)
        .await
        .expect("list");
    assert_eq!(
        (page.total, page.escaped),
        (38, 8),
        "8 / 38 = 21.1% with the default boundary"
    );
    assert_eq!(page.rows.len(), 38);

    let before_production = StageSettings {
        pipeline: Pipeline::default(),
        boundary: Boundary::after_stage(StageKey::parse("beta").expect("key")),
    };
    let page = list_defects(&store.db, &all, &before_production, paging)
        .await
        .expect("list");
    assert_eq!(
        (page.total, page.escaped),
        (38, 3),
        "3 / 38 = 7.9% with the boundary before production"
    );

    let escaped_only = DefectFilter {
        escaped: Some(true),
        ..DefectFilter::default()
    };
    let page = list_defects(&store.db, &escaped_only, &default, paging)
        .await
        .expect("list");
    assert_eq!(page.total, 8);
    assert!(
        page.rows
            .iter()
            .all(|r| r.discovery_stage == "uat" || r.discovery_stage == "production")
    );
    let caught = DefectFilter {
        escaped: Some(false),
        team_id: Some(team_id),
        ..DefectFilter::default()
    };
    assert_eq!(
        list_defects(&store.db, &caught, &default, paging)
            .await
            .expect("list")
            .total,
        30
    );
    let other_team = DefectFilter {
        team_id: Some(Uuid::now_v7()),
        ..DefectFilter::default()
    };
    assert_eq!(
        list_defects(&store.db, &other_team, &default, paging)
            .await
            .expect("list")
            .total,
        0
    );
}

async fn text_search_treats_wildcards_literally(store: TestDb) {
    let team_id = team(&store, "Checkout").await;
    for title in [
        "100% off coupon",
        "1000 off coupon",
        "snake_case field",
        "snakeXcase field",
    ] {
        create_defect(
            &store.db,
            &defect(team_id, title, "unit_test", 0),
            Utc::now(),
        )
        .await
        .expect("create");
    }
    let stages = StageSettings::default();
    let search = |text: &str| DefectFilter {
        text: Some(text.to_owned()),
        ..DefectFilter::default()
    };
    for (text, expected) in [
        ("100%", 1),
        ("snake_case", 1),
        ("COUPON", 2),
        ("  field ", 2),
    ] {
        let page = list_defects(&store.db, &search(text), &stages, Paging::new(1, 50))
            .await
            .expect("list");
        assert_eq!(page.total, expected, "search `{text}`");
    }
}

async fn the_demo_fills_an_empty_database_and_refuses_a_used_one(store: TestDb) {
    let mut reported = Vec::new();
    let summary = load_demo(&store.db, 2_500, 7, Utc::now(), |n| reported.push(n))
        .await
        .expect("demo");
    assert_eq!(
        (
            summary.teams,
            summary.components,
            summary.releases,
            summary.defects
        ),
        (3, 12, 24, 2_500)
    );
    assert_eq!(reported.last(), Some(&2_500), "progress reaches the total");
    let stages = StageSettings::default();
    let page = list_defects(
        &store.db,
        &DefectFilter::default(),
        &stages,
        Paging::new(1, 50),
    )
    .await
    .expect("list");
    assert_eq!(page.total, 2_500);
    let share = page.escaped as f64 / page.total as f64;
    assert!(
        (0.15..0.45).contains(&share),
        "a plausible share of escapes, got {share}"
    );
    for row in &page.rows {
        let defect = get_defect(&store.db, row.id)
            .await
            .expect("a bulk-loaded defect reads back");
        assert_eq!(defect.data.title, row.title);
        assert_eq!(defect.data.detected_at, row.detected_at);
        assert_eq!(defect.version, 1);
    }
    // Stored values sort and filter like rows written one by one.
    let newest = list_defects(
        &store.db,
        &DefectFilter::default(),
        &stages,
        Paging::new(1, 1),
    )
    .await
    .expect("list");
    let team_id = create_team(
        &store.db,
        &NewTeam {
            name: "Late".to_owned(),
        },
        Utc::now(),
    )
    .await
    .expect("team")
    .id;
    let mut late = defect(team_id, "Newer than every demo defect", "unit_test", 0);
    late.detected_at = newest.rows[0].detected_at + Duration::seconds(1);
    create_defect(&store.db, &late, Utc::now())
        .await
        .expect("create");
    let first = list_defects(
        &store.db,
        &DefectFilter::default(),
        &stages,
        Paging::new(1, 1),
    )
    .await
    .expect("list");
    assert_eq!(first.rows[0].title, "Newer than every demo defect");
    assert_eq!(
        index_count(&store).await,
        expected_indexes(&store),
        "the demo rebuilt every index"
    );

    let again = load_demo(&store.db, 10, 7, Utc::now(), |_| {}).await;
    assert!(
        matches!(again, Err(StorageError::Invalid(_))),
        "the demo never mixes into existing data"
    );
}

async fn index_count(store: &TestDb) -> i64 {
    use escapement_storage::sea_orm::{ConnectionTrait, Statement};
    let sql = match store.backend {
        escapement_tests::Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index' AND tbl_name = 'defects'"
        }
        escapement_tests::Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'defects'"
        }
    };
    let row = store
        .db
        .query_one_raw(Statement::from_string(store.db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

/// The primary key, the unique external-key index and the eight list indexes (the last the
/// unreviewed queue's); on PostgreSQL also the title search's trigram index (SQLite's is a
/// table of its own).
fn expected_indexes(store: &TestDb) -> i64 {
    match store.backend {
        escapement_tests::Backend::Sqlite => 10,
        escapement_tests::Backend::Postgres => 11,
    }
}

#[tokio::test]
async fn an_unsupported_database_url_is_refused() {
    assert!(matches!(
        connect("mysql://localhost/x").await,
        Err(StorageError::UnsupportedUrl(_))
    ));
}
