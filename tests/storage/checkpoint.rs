//! Bulk work gives SQLite's disk back: a large import ends with its write-ahead log
//! truncated (it held the whole file while the import ran), and so does a demo load
//! followed by the checkpoint the `demo` command ends with. On PostgreSQL the checkpoint
//! is a no-op that succeeds.

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use escapement_core::Pipeline;
use escapement_core::import::Preset;
use escapement_storage::checkpoint;
use escapement_storage::demo::load_demo;
use escapement_storage::imports::{ImportOptions, import_defects};
use escapement_tests::{Backend, TestDb, both_backends};

use crate::team;

both_backends!(TestDb:
    a_large_import_leaves_the_write_ahead_log_empty,
    the_checkpoint_after_a_demo_load_empties_the_write_ahead_log,
);

/// A log this small after bulk work has been truncated (the work itself writes megabytes).
const SMALL: u64 = 64 * 1024;

/// The write-ahead log beside an SQLite test database; `None` on PostgreSQL.
fn wal_file(store: &TestDb) -> Option<PathBuf> {
    let path = store.url.strip_prefix("sqlite://")?;
    (store.backend == Backend::Sqlite).then(|| PathBuf::from(format!("{path}-wal")))
}

fn bytes_of(path: &PathBuf) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

async fn a_large_import_leaves_the_write_ahead_log_empty(store: TestDb) {
    let team_id = team(&store, "Bulk").await;
    let mut text = "title,severity,discovery_stage,origin,defect_type,detected_by,component,release,discovered_at,introduced_at,resolved_at,external_key,description\n".to_owned();
    for i in 0..20_000 {
        text.push_str(&format!(
            "Defect number {i} with a title long enough to take room,high,production,,functional,customer,Area {},R{},2026-03-1{},,,BULK-{i},{}\n",
            i % 7,
            i % 5,
            i % 10,
            "A description that takes some room in every row. ".repeat(4)
        ));
    }
    let wal = wal_file(&store);
    let mut peak = 0;
    let report = import_defects(
        &store.db,
        team_id,
        text.as_bytes(),
        &Preset::Generic.mapping(&Pipeline::default()),
        ImportOptions {
            write: true,
            only_valid: false,
            existing_catalog_only: false,
        },
        Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0)
            .single()
            .expect("a date"),
        |_, _, _| peak = peak.max(wal.as_ref().map_or(0, bytes_of)),
    )
    .await
    .expect("imported");
    assert_eq!(report.created, 20_000);
    if let Some(wal) = &wal {
        assert!(peak > 4 * SMALL, "the import filled the log: {peak} bytes");
        let after = bytes_of(wal);
        assert!(after < SMALL, "{after} bytes of log left after the import");
    }
}

async fn the_checkpoint_after_a_demo_load_empties_the_write_ahead_log(store: TestDb) {
    let now = Utc
        .with_ymd_and_hms(2026, 12, 1, 12, 0, 0)
        .single()
        .expect("a date");
    load_demo(&store.db, 5_000, 7, now, |_| {})
        .await
        .expect("demo");
    let wal = wal_file(&store);
    let before = wal.as_ref().map_or(0, bytes_of);
    checkpoint(&store.db).await.expect("checkpoint");
    if let Some(wal) = &wal {
        assert!(
            before > 4 * SMALL,
            "the demo filled the log: {before} bytes"
        );
        let after = bytes_of(wal);
        assert!(
            after < SMALL,
            "{after} bytes of log left after the checkpoint"
        );
    }
}
