//! Backup and restore: a backup restored on the other engine backs up to the same content,
//! with the same roll-up; a database with data, a newer format, another schema and a damaged
//! file are refused without writing anything; gzip; the commands through real files.

use std::io::Cursor;

use chrono::Utc;
use escapement_core::Mechanism;
use escapement_core::auth::TokenName;
use escapement_core::backlog::ClusterKey;
use escapement_core::import::Preset;
use escapement_core::metrics::{DefinitionChange, TallyChange};
use escapement_core::{Pipeline, Severity, StageKey};
use escapement_storage::Actor;
use escapement_storage::accounts::issue_token;
use escapement_storage::backlog::dismiss_suggestion;
use escapement_storage::backup::{
    BackupError, BackupOptions, Compression, TABLES, restore_backup, unclassified_tables,
    write_backup,
};
use escapement_storage::imports::save_mapping;
use escapement_storage::metrics::{current_definition, save_definition, save_tallies};
use escapement_storage::rollup;
use escapement_storage::sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use escapement_tests::{Backend, TestDb, both_backends};
use escapement_web::cli::demo::run_demo;
use escapement_web::cli::{BackupArgs, DemoArgs, RestoreArgs, run_backup, run_restore};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::team;

both_backends!(TestDb:
    a_backup_restored_on_the_other_engine_backs_up_to_the_same_content,
    every_table_of_the_schema_is_backed_up_or_left_out_on_purpose,
    a_database_with_data_is_refused_and_left_as_it_was,
    a_newer_format_or_another_schema_is_refused,
    a_gzip_backup_restores_like_a_plain_one,
    a_damaged_backup_names_the_line_table_and_column_and_writes_nothing,
    the_commands_back_up_and_restore_through_files,
);

fn other(backend: Backend) -> Backend {
    match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    }
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("a row")
        .try_get_by_index::<i64>(0)
        .expect("a number")
}

async fn uuid_pair(db: &DatabaseConnection, sql: &str) -> (Uuid, Uuid) {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("a row");
    (
        row.try_get_by_index(0).expect("a UUID"),
        row.try_get_by_index(1).expect("a UUID"),
    )
}

/// The demo (defects, accounts, reviews, actions, history, audit events) and a row in each
/// table the demo leaves empty, so every table and kind of column takes part.
async fn fill(store: &TestDb) {
    let demo = DemoArgs {
        defects: 400,
        seed: 11,
        replace: false,
    };
    let report = run_demo(&store.db, &demo, "backup test password", Utc::now(), |_| {})
        .await
        .expect("demo");
    let account = report.accounts.first().expect("a demo account");
    let token = TokenName::parse("Backup test").expect("a name");
    issue_token(
        &store.db,
        account.user_id,
        &token,
        &"ab".repeat(32),
        Actor::COMMAND_LINE,
        Utc::now(),
    )
    .await
    .expect("token");
    let actor = Actor {
        user_id: Some(account.user_id),
        ..Actor::COMMAND_LINE
    };
    dismiss_suggestion(
        &store.db,
        ClusterKey {
            team_id: account.team_id,
            mechanism: Mechanism::ALL[0],
            component_id: None,
        },
        "Covered by the new staging checks",
        &actor,
        Utc::now(),
    )
    .await
    .expect("dismissal");
    let (release_id, team_id) = uuid_pair(&store.db, "SELECT id, team_id FROM releases").await;
    save_tallies(
        &store.db,
        release_id,
        team_id,
        &[TallyChange {
            stage: StageKey::parse("unit_test").expect("a stage"),
            severity: Severity::High,
            seen: Some(0),
            count: 42,
        }],
        Utc::now(),
    )
    .await
    .expect("tallies");
    let preset = Preset::from_key("jira").expect("a preset");
    save_mapping(
        &store.db,
        account.team_id,
        "Jira export",
        &preset.mapping(&Pipeline::default()),
        Utc::now(),
    )
    .await
    .expect("mapping");
    let current = current_definition(&store.db).await.expect("definition");
    let mut definition = current.definition.clone();
    definition.scope.cosmetic = !definition.scope.cosmetic;
    save_definition(
        &store.db,
        current.version,
        &DefinitionChange {
            definition,
            note: "Cosmetic defects switched".to_owned(),
        },
        &actor,
        Utc::now(),
    )
    .await
    .expect("definition");
    for table in TABLES {
        let n = scalar(&store.db, &format!("SELECT COUNT(*) FROM {table}")).await;
        assert!(n > 0, "the source has rows in {table}");
    }
    let history = scalar(&store.db, "SELECT COUNT(*) FROM review_history").await;
    assert!(
        history > 1_000,
        "a table of several insert batches, got {history}"
    );
}

async fn backup(db: &DatabaseConnection, compression: Compression) -> Vec<u8> {
    let options = BackupOptions {
        compression,
        ..BackupOptions::default()
    };
    backup_with(db, options).await
}

async fn backup_with(db: &DatabaseConnection, options: BackupOptions) -> Vec<u8> {
    let mut file = Vec::new();
    write_backup(db, &mut file, options, Utc::now(), |_| {})
        .await
        .expect("backup");
    file
}

/// The backup's lines as JSON, the header without its `created_at`.
fn content(file: &[u8]) -> Vec<Json> {
    let text = std::str::from_utf8(file).expect("UTF-8");
    let mut lines: Vec<Json> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    if let Some(Json::Object(header)) = lines.first_mut() {
        assert!(
            header.remove("created_at").is_some(),
            "the header has a time"
        );
    }
    lines
}

fn assert_same_content(first: &[u8], second: &[u8]) {
    let (first, second) = (content(first), content(second));
    for (i, (a, b)) in first.iter().zip(&second).enumerate() {
        assert_eq!(a, b, "line {} differs", i + 1);
    }
    assert_eq!(first.len(), second.len(), "as many lines");
}

/// Rows and counted defects per grain of the roll-up, for comparing two databases.
async fn rollup_shape(db: &DatabaseConnection) -> Vec<(i64, i64, i64)> {
    let sql = "SELECT CAST(grain AS BIGINT), CAST(COUNT(*) AS BIGINT), CAST(SUM(n) AS BIGINT) \
               FROM defect_counts GROUP BY grain ORDER BY grain";
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query");
    rows.iter()
        .map(|r| {
            (
                r.try_get_by_index(0).expect("grain"),
                r.try_get_by_index(1).expect("rows"),
                r.try_get_by_index(2).expect("sum"),
            )
        })
        .collect()
}

async fn a_backup_restored_on_the_other_engine_backs_up_to_the_same_content(source: TestDb) {
    fill(&source).await;
    let first = backup(&source.db, Compression::None).await;
    let Some(target) = TestDb::spawn(other(source.backend)).await else {
        return;
    };
    let summary = restore_backup(&target.db, Cursor::new(first.clone()), |_| {})
        .await
        .expect("restore");
    assert_eq!(summary.tables.len(), TABLES.len());
    assert_eq!(
        summary
            .tables
            .iter()
            .find(|(t, _)| t == "defects")
            .map(|(_, n)| *n),
        Some(400)
    );
    let second = backup(&target.db, Compression::None).await;
    assert_same_content(&first, &second);
    // Short pages read every table, composite and text keys included, across many keyset
    // pages, in the same order as one page does.
    let paged = BackupOptions {
        page_rows: 2,
        ..BackupOptions::default()
    };
    assert_same_content(&first, &backup_with(&target.db, paged).await);
    assert_same_content(&first, &backup_with(&source.db, paged).await);

    assert!(
        rollup::verify(&target.db).await.expect("verify").is_empty(),
        "the restored roll-up equals a full scan"
    );
    assert_eq!(
        rollup::scan(&target.db).await.expect("scan"),
        rollup::scan(&source.db).await.expect("scan"),
        "the defects and reviews define the same roll-up"
    );
    assert_eq!(
        rollup_shape(&target.db).await,
        rollup_shape(&source.db).await
    );
    let all = rollup::CountFilter::default();
    assert_eq!(
        rollup::count_defects(&target.db, &all)
            .await
            .expect("count"),
        rollup::count_defects(&source.db, &all)
            .await
            .expect("count"),
    );
    // The title search index of the target engine covers the restored defects.
    let searched = escapement_storage::defects::list_defects(
        &target.db,
        &escapement_storage::defects::DefectFilter {
            text: Some("the".to_owned()),
            ..Default::default()
        },
        &escapement_storage::settings::stage_settings(&target.db)
            .await
            .expect("stages"),
        escapement_core::Paging::new(1, 10),
    )
    .await
    .expect("search");
    let expected = scalar(
        &target.db,
        "SELECT COUNT(*) FROM defects WHERE lower(title) LIKE '%the%'",
    )
    .await;
    assert_eq!(searched.total as i64, expected);
}

async fn every_table_of_the_schema_is_backed_up_or_left_out_on_purpose(store: TestDb) {
    assert_eq!(
        unclassified_tables(&store.db).await.expect("tables"),
        Vec::<String>::new(),
        "add a new table to backup::TABLES (in foreign-key order) or backup::EXCLUDED"
    );
    // A table nobody classified stops the backup instead of being left out silently.
    store
        .db
        .execute_unprepared("CREATE TABLE unlisted_notes (id INTEGER PRIMARY KEY)")
        .await
        .expect("create");
    let mut file = Vec::new();
    let refused = write_backup(
        &store.db,
        &mut file,
        BackupOptions::default(),
        Utc::now(),
        |_| {},
    )
    .await;
    match refused {
        Err(BackupError::Schema(message)) => {
            assert!(message.contains("unlisted_notes"), "{message}")
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
}

async fn a_database_with_data_is_refused_and_left_as_it_was(store: TestDb) {
    team(&store, "Checkout").await;
    let file = backup(&store.db, Compression::None).await;
    let refused = restore_backup(&store.db, Cursor::new(file), |_| {}).await;
    match refused {
        Err(err @ BackupError::NotEmpty(_)) => {
            let message = err.to_string();
            assert!(message.contains("teams: 1 rows"), "{message}");
            assert!(message.contains("empty database"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(scalar(&store.db, "SELECT COUNT(*) FROM teams").await, 1);
}

async fn a_newer_format_or_another_schema_is_refused(store: TestDb) {
    let file = String::from_utf8(backup(&store.db, Compression::None).await).expect("UTF-8");
    assert!(file.starts_with("{\"format\":\"escapement-backup\",\"version\":1,"));
    let newer = file.replacen("\"version\":1", "\"version\":2", 1);
    match restore_backup(&store.db, Cursor::new(newer.into_bytes()), |_| {}).await {
        Err(err @ BackupError::NewerVersion { found: 2 }) => {
            assert!(err.to_string().contains("format version 2, newer"), "{err}");
        }
        other => panic!("expected a newer-version refusal, got {other:?}"),
    }
    let schema = escapement_storage::backup::current_schema();
    let unknown = file.replacen(&schema, "m20991231_000001_from_the_future", 1);
    match restore_backup(&store.db, Cursor::new(unknown.into_bytes()), |_| {}).await {
        Err(BackupError::Schema(message)) => {
            assert!(
                message.contains("m20991231_000001_from_the_future"),
                "{message}"
            );
            assert!(
                message.contains("not one this Escapement knows"),
                "{message}"
            );
        }
        other => panic!("expected a schema refusal, got {other:?}"),
    }
    let older = file.replacen(&schema, "m20261126_000004_create_reviews", 1);
    match restore_backup(&store.db, Cursor::new(older.into_bytes()), |_| {}).await {
        Err(BackupError::Schema(message)) => {
            assert!(
                message.contains("older than this Escapement's")
                    && message.contains("restore it with the release that wrote it"),
                "{message}"
            );
        }
        other => panic!("expected a schema refusal, got {other:?}"),
    }
    let not_a_backup = b"{\"hello\":1}\n".to_vec();
    assert!(matches!(
        restore_backup(&store.db, Cursor::new(not_a_backup), |_| {}).await,
        Err(BackupError::Invalid(_))
    ));
    // Each refusal left the database as empty as it was: the real file still restores.
    restore_backup(&store.db, Cursor::new(file.into_bytes()), |_| {})
        .await
        .expect("the unchanged backup restores");
}

async fn a_gzip_backup_restores_like_a_plain_one(source: TestDb) {
    let team_id = team(&source, "Checkout").await;
    escapement_storage::defects::create_defect(
        &source.db,
        &crate::defect(team_id, "Gzipped", "production", 1),
        Utc::now(),
    )
    .await
    .expect("defect");
    let plain = backup(&source.db, Compression::None).await;
    let gzip = backup(&source.db, Compression::Gzip).await;
    assert_eq!(&gzip[..2], &[0x1f, 0x8b], "a gzip stream");
    assert!(gzip.len() < plain.len());
    let target = TestDb::spawn(source.backend)
        .await
        .expect("a second database");
    let cut = gzip[..gzip.len() / 2].to_vec();
    let message = restore_backup(&target.db, Cursor::new(cut), |_| {})
        .await
        .expect_err("a cut gzip file is refused")
        .to_string();
    assert!(
        message.contains("damaged or cut short") || message.contains("cut short"),
        "{message}"
    );
    restore_backup(&target.db, Cursor::new(gzip), |_| {})
        .await
        .expect("restore");
    assert_same_content(&plain, &backup(&target.db, Compression::None).await);
}

async fn a_damaged_backup_names_the_line_table_and_column_and_writes_nothing(source: TestDb) {
    let team_id = team(&source, "Checkout").await;
    escapement_storage::defects::create_defect(
        &source.db,
        &crate::defect(team_id, "Damaged", "production", 1),
        Utc::now(),
    )
    .await
    .expect("defect");
    let file = String::from_utf8(backup(&source.db, Compression::None).await).expect("UTF-8");
    let lines: Vec<&str> = file.lines().collect();
    let defect_line = lines
        .iter()
        .position(|l| l.contains("\"title\":\"Damaged\""))
        .expect("the defect's line");
    let target = TestDb::spawn(source.backend)
        .await
        .expect("a second database");

    let mut damaged = lines.clone();
    let bad = regex::Regex::new("\"detected_at\":\"[^\"]*\"")
        .expect("regex")
        .replace(lines[defect_line], "\"detected_at\":\"yesterday\"")
        .into_owned();
    damaged[defect_line] = &bad;
    let refused = restore_backup(
        &target.db,
        Cursor::new(damaged.join("\n").into_bytes()),
        |_| {},
    )
    .await;
    let message = refused.expect_err("refused").to_string();
    assert!(
        message.contains(&format!(
            "defects row 1 (line {}), column detected_at",
            defect_line + 1
        )) && message.contains("expected an RFC 3339 timestamp, found \"yesterday\""),
        "{message}"
    );
    assert_eq!(
        scalar(&target.db, "SELECT COUNT(*) FROM teams").await,
        0,
        "nothing written"
    );

    let cut = lines[..defect_line].join("\n");
    let message = restore_backup(&target.db, Cursor::new(cut.into_bytes()), |_| {})
        .await
        .expect_err("refused")
        .to_string();
    assert!(
        message.contains("cut short") && message.contains("row 1 of the 1 rows of defects"),
        "{message}"
    );

    let garbage = vec![0x1f, 0x8b, 0xff, 0x00, 0x13];
    let message = restore_backup(&target.db, Cursor::new(garbage), |_| {})
        .await
        .expect_err("refused")
        .to_string();
    assert!(message.contains("compressed data is damaged"), "{message}");
    assert_eq!(
        scalar(&target.db, "SELECT COUNT(*) FROM teams").await,
        0,
        "nothing written"
    );
}

async fn the_commands_back_up_and_restore_through_files(source: TestDb) {
    team(&source, "Checkout").await;
    let dir = std::env::temp_dir().join(format!("escapement-backup-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let file = dir.join("escapement.jsonl.gz");
    let (mut out, mut log) = (Vec::new(), Vec::new());
    run_backup(
        &source.db,
        &BackupArgs { file: file.clone() },
        &mut out,
        &mut log,
    )
    .await
    .expect("backup");
    let (out, log) = (
        String::from_utf8(out).expect("text"),
        String::from_utf8(log).expect("text"),
    );
    assert!(
        out.starts_with(&format!("Backed up {} tables, ", TABLES.len())),
        "{out}"
    );
    assert!(log.contains("  teams: 1 rows\n"), "{log}");
    assert!(log.contains("  defects: 0 rows\n"), "{log}");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("list")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(names, ["escapement.jsonl.gz"], "no partial file is left");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    }

    let target = TestDb::spawn(other(source.backend)).await;
    let target = match target {
        Some(t) => t,
        None => TestDb::spawn(source.backend)
            .await
            .expect("a second database"),
    };
    let (mut out, mut log) = (Vec::new(), Vec::new());
    run_restore(
        &target.db,
        &RestoreArgs { file: file.clone() },
        &mut out,
        &mut log,
    )
    .await
    .expect("restore");
    assert!(
        String::from_utf8(out)
            .expect("text")
            .contains("rebuilt the metrics roll-up")
    );
    assert_eq!(scalar(&target.db, "SELECT COUNT(*) FROM teams").await, 1);

    let again = run_restore(
        &target.db,
        &RestoreArgs { file },
        &mut Vec::new(),
        &mut Vec::new(),
    )
    .await;
    let message = format!("{:#}", again.expect_err("a second restore is refused"));
    assert!(
        message.contains("nothing was changed") && message.contains("not empty"),
        "{message}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
