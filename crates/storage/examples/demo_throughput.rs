//! Measures `load_demo` throughput against a baseline in the same run: a bare sea-orm
//! `insert_many` of narrow three-column rows in 1,000-row batches into a scratch table on the
//! same database. Prints rows per second for both and their ratio.
//!
//! `cargo run --release -p escapement-storage --example demo_throughput -- sqlite:///tmp/bench.db 1000000`

use std::time::Instant;

use escapement_storage::sea_orm::entity::prelude::*;
use escapement_storage::sea_orm::{ActiveValue::Set, ConnectionTrait};

mod scratch {
    use escapement_storage::sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bench_scratch")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub n: i64,
        pub label: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

async fn baseline(db: &escapement_storage::Db, rows: u64) -> Result<f64, DbErr> {
    db.execute_unprepared("DROP TABLE IF EXISTS bench_scratch")
        .await?;
    let uuid_type = match db.get_database_backend() {
        escapement_storage::sea_orm::DatabaseBackend::Sqlite => "BLOB",
        _ => "UUID",
    };
    db.execute_unprepared(&format!(
        "CREATE TABLE bench_scratch (id {uuid_type} PRIMARY KEY, n BIGINT NOT NULL, label TEXT NOT NULL)"
    ))
    .await?;
    let started = Instant::now();
    let mut written = 0;
    while written < rows {
        let txn = escapement_storage::begin_write(db).await?;
        for _ in 0..50 {
            let size = 1_000.min(rows - written);
            if size == 0 {
                break;
            }
            let batch = (0..size).map(|i| scratch::ActiveModel {
                id: Set(Uuid::now_v7()),
                n: Set((written + i) as i64),
                label: Set(format!("row {}", written + i)),
            });
            scratch::Entity::insert_many(batch).exec(&txn).await?;
            written += size;
        }
        txn.commit().await?;
    }
    let rate = rows as f64 / started.elapsed().as_secs_f64();
    db.execute_unprepared("DROP TABLE bench_scratch").await?;
    Ok(rate)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "sqlite:///tmp/escapement-bench.db".to_owned());
    let rows: u64 = args
        .next()
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let db = escapement_storage::connect(&url).await?;
    escapement_storage::migrate(&db).await?;

    let base = baseline(&db, rows).await?;
    println!("baseline  bare insert_many, 3 columns: {rows} rows at {base:>9.0} rows/s");

    let started = Instant::now();
    let mut rows_done_at = started;
    let summary = escapement_storage::demo::load_demo(&db, rows, 2026, chrono::Utc::now(), |n| {
        if n == rows {
            rows_done_at = Instant::now();
        }
    })
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    let rows_seconds = (rows_done_at - started).as_secs_f64();
    println!(
        "          of which rows {rows_seconds:.1} s, commit {:.1} s",
        seconds - rows_seconds
    );
    let rate = summary.defects as f64 / seconds;
    println!(
        "demo      load_demo, 26 columns, 9 indexes: {} defects in {seconds:.1} s at {rate:>9.0} defects/s",
        summary.defects
    );
    println!("ratio     demo / baseline = {:.2}", rate / base);
    Ok(())
}
