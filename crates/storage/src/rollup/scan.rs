//! The roll-up computed from the defects themselves: what `rollup verify` compares the
//! maintained tables with, and what `rollup rebuild` writes.

use std::collections::{BTreeMap, HashMap};

use escapement_core::metrics::{CountKey, DurationKey, contributions};
use sea_orm::sea_query::{Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};
use uuid::Uuid;

use super::facts::{FactRow, fact_rows, facts_of_rows};
use super::read::{stored_counts, stored_durations};
use super::write::{Delta, count_columns, duration_columns, lock_rollup};
use crate::Result;
use crate::demo::bulk::LoadTxn;
use crate::entities::defect;

/// Defects read per query while scanning.
const SCAN_CHUNK: u64 = 5_000;

/// The roll-up as the defects and reviews define it now, reading every defect once in
/// chunks of the primary key.
pub async fn scan(db: &impl ConnectionTrait) -> Result<Delta> {
    let mut delta = Delta::default();
    let mut after: Option<Uuid> = None;
    loop {
        let mut query = fact_rows()
            .order_by_asc(defect::Column::Id)
            .limit(SCAN_CHUNK);
        if let Some(id) = after {
            query = query.filter(defect::Column::Id.gt(id));
        }
        let rows = query.into_model::<FactRow>().all(db).await?;
        let Some(last) = rows.last().map(|r| r.id) else {
            break;
        };
        after = Some(last);
        for facts in facts_of_rows(db, rows).await? {
            delta.add(contributions(&facts), 1);
        }
    }
    Ok(delta)
}

/// One group where the maintained roll-up and the scan disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The group, in words (`defect_counts team=… quarter=2026-Q3 …`).
    pub group: String,
    /// What the roll-up holds.
    pub stored: (i64, i64),
    /// What the scan finds.
    pub scanned: (i64, i64),
}

fn describe(table: &str, columns: &[(&'static str, SimpleExpr)]) -> String {
    let mut text = table.to_owned();
    for (name, value) in columns {
        text.push(' ');
        text.push_str(name);
        text.push('=');
        text.push_str(&format!("{value:?}"));
    }
    text
}

fn differences<K: std::hash::Hash + Eq + Ord + Clone>(
    stored: &HashMap<K, (i64, i64)>,
    scanned: &HashMap<K, (i64, i64)>,
    name: impl Fn(&K) -> String,
) -> Vec<Difference> {
    let mut keys: Vec<&K> = stored.keys().chain(scanned.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let a = stored.get(k).copied().unwrap_or_default();
            let b = scanned.get(k).copied().unwrap_or_default();
            (a != b).then(|| Difference {
                group: name(k),
                stored: a,
                scanned: b,
            })
        })
        .collect()
}

/// Every group where the maintained roll-up differs from a full scan; empty when they agree.
pub async fn verify(db: &impl ConnectionTrait) -> Result<Vec<Difference>> {
    let switches = crate::metrics::current_definition(db)
        .await?
        .definition
        .scope;
    let scanned = scan(db).await?.stored(&switches);
    let counts: HashMap<CountKey, (i64, i64)> = stored_counts(db)
        .await?
        .into_iter()
        .map(|(k, n)| (k, (n, 0)))
        .collect();
    let scanned_counts: HashMap<CountKey, (i64, i64)> = scanned
        .counts
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|(k, n)| (k, (n, 0)))
        .collect();
    let mut found = differences(&counts, &scanned_counts, |k| {
        describe("defect_counts", &count_columns(k))
    });
    let durations: HashMap<DurationKey, (i64, i64)> =
        stored_durations(db).await?.into_iter().collect();
    let scanned_durations: HashMap<DurationKey, (i64, i64)> = scanned
        .durations
        .into_iter()
        .filter(|(_, d)| *d != (0, 0))
        .collect();
    found.extend(differences(&durations, &scanned_durations, |k| {
        describe("defect_durations", &duration_columns(k))
    }));
    Ok(found)
}

/// Rows per multi-row insert, under both engines' limits of bound parameters.
const INSERT_ROWS: usize = 500;

/// Replaces the stored roll-up with `delta`'s rows (which must all be positive), scopes
/// reduced under the definition in force, in multi-row inserts on `db` (a transaction the
/// caller holds, with the roll-up locked exclusively on PostgreSQL).
pub(crate) async fn write_all(db: &impl ConnectionTrait, delta: Delta) -> Result<()> {
    write_all_by(db, delta, None).await
}

/// [`write_all`], its rows sent by `load`'s `COPY` when the load has one (PostgreSQL).
pub(super) async fn write_all_by(
    db: &impl ConnectionTrait,
    delta: Delta,
    load: Option<&LoadTxn>,
) -> Result<()> {
    lock_rollup(db, true).await?;
    let switches = crate::metrics::current_definition(db)
        .await?
        .definition
        .scope;
    let delta = delta.stored(&switches);
    for table in ["defect_counts", "defect_durations"] {
        db.execute(&Query::delete().from_table(table).to_owned())
            .await?;
    }
    super::stamps::renew_all(db, &delta.teams).await?;
    let counts: BTreeMap<CountKey, i64> =
        delta.counts.into_iter().filter(|(_, n)| *n != 0).collect();
    let rows: Vec<Vec<SimpleExpr>> = counts
        .iter()
        .map(|(k, n)| {
            let mut row: Vec<SimpleExpr> = count_columns(k).into_iter().map(|(_, v)| v).collect();
            row.push((*n).into());
            row
        })
        .collect();
    let names: Vec<&'static str> = counts
        .keys()
        .next()
        .map(|k| count_columns(k).iter().map(|(c, _)| *c).collect())
        .unwrap_or_default();
    insert_rows(db, load, "defect_counts", names, &["n"], rows).await?;
    let durations: BTreeMap<DurationKey, (i64, i64)> = delta
        .durations
        .into_iter()
        .filter(|(_, d)| *d != (0, 0))
        .collect();
    let names: Vec<&'static str> = durations
        .keys()
        .next()
        .map(|k| duration_columns(k).iter().map(|(c, _)| *c).collect())
        .unwrap_or_default();
    let rows = durations
        .iter()
        .map(|(k, (n, s))| {
            let mut row: Vec<SimpleExpr> =
                duration_columns(k).into_iter().map(|(_, v)| v).collect();
            row.push((*n).into());
            row.push((*s).into());
            row
        })
        .collect();
    insert_rows(
        db,
        load,
        "defect_durations",
        names,
        &["n", "total_seconds"],
        rows,
    )
    .await
}

async fn insert_rows(
    db: &impl ConnectionTrait,
    load: Option<&LoadTxn>,
    table: &'static str,
    mut names: Vec<&'static str>,
    sums: &[&'static str],
    mut rows: Vec<Vec<SimpleExpr>>,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    names.extend(sums);
    // The key columns come in the order of the table's unique index: rows in that order
    // append to it instead of landing all over it.
    rows.sort_unstable_by(|a, b| {
        a.iter()
            .zip(b)
            .map(|(a, b)| index_order(a, b))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if let Some(load) = load
        && load.copy_rows(table, &names, &rows).await?
    {
        return Ok(());
    }
    // Plain values go into one prepared statement per chunk size, bound as they are:
    // building each insert through the query builder cost more than running it.
    if rows
        .iter()
        .flatten()
        .all(|cell| matches!(cell, SimpleExpr::Value(_)))
    {
        let backend = crate::Backend::of(db);
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        let head = format!("INSERT INTO \"{table}\" ({})", quoted.join(", "));
        let full = crate::demo::bulk::values_sql(&head, names.len(), backend, INSERT_ROWS);
        let mut left = rows.len();
        let mut cells = rows.into_iter().flatten().filter_map(|cell| match cell {
            SimpleExpr::Value(v) => Some(v),
            _ => None,
        });
        while left > 0 {
            let n = left.min(INSERT_ROWS);
            left -= n;
            let values: Vec<sea_orm::Value> = cells.by_ref().take(n * names.len()).collect();
            let sql = if n == INSERT_ROWS {
                full.clone()
            } else {
                crate::demo::bulk::values_sql(&head, names.len(), backend, n)
            };
            let stmt = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
            db.execute_raw(stmt).await?;
        }
        return Ok(());
    }
    for chunk in rows.chunks(INSERT_ROWS) {
        let mut insert = Query::insert();
        insert.into_table(table).columns(names.clone());
        for row in chunk {
            insert.values_panic(row.clone());
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

/// How the database orders two key values (numbers, text and UUIDs bytewise); other
/// values count as equal.
fn index_order(a: &SimpleExpr, b: &SimpleExpr) -> std::cmp::Ordering {
    use sea_orm::Value as V;
    match (a, b) {
        (SimpleExpr::Value(a), SimpleExpr::Value(b)) => match (a, b) {
            (V::SmallInt(a), V::SmallInt(b)) => a.cmp(b),
            (V::Int(a), V::Int(b)) => a.cmp(b),
            (V::BigInt(a), V::BigInt(b)) => a.cmp(b),
            (V::String(a), V::String(b)) => a.cmp(b),
            (V::Uuid(a), V::Uuid(b)) => a.cmp(b),
            _ => std::cmp::Ordering::Equal,
        },
        _ => std::cmp::Ordering::Equal,
    }
}

/// Recomputes the roll-up from the defects and replaces it, in one write transaction;
/// returns the number of count and duration rows written.
pub async fn rebuild(db: &DatabaseConnection) -> Result<(usize, usize)> {
    let txn = crate::begin_write(db).await?;
    let sizes = rebuild_in(&txn).await?;
    txn.commit().await?;
    Ok(sizes)
}

/// [`rebuild`] inside the caller's write transaction (a restore's, say): the roll-up
/// locked, scanned, replaced and its format recorded.
pub(crate) async fn rebuild_in(txn: &impl ConnectionTrait) -> Result<(usize, usize)> {
    // Locked before the scan, so no write lands between what is read and what is written.
    lock_rollup(txn, true).await?;
    let delta = scan(txn).await?;
    let sizes = (
        delta.counts.values().filter(|n| **n != 0).count(),
        delta.durations.values().filter(|d| **d != (0, 0)).count(),
    );
    write_all(txn, delta).await?;
    crate::settings::set_rollup_format(txn, FORMAT).await?;
    Ok(sizes)
}

/// The format of the rows this code writes: 2 has scopes reduced under the switches in
/// force and the coarse grains.
pub(crate) const FORMAT: i32 = 2;

/// Rebuilds the roll-up when its rows were written in an older format (after an upgrade),
/// and records the format; returns whether it rebuilt. A fresh database has no defects,
/// so its rebuild is instant.
pub async fn ensure_current(db: &DatabaseConnection) -> Result<bool> {
    if crate::settings::rollup_format(db).await? == Some(FORMAT) {
        return Ok(false);
    }
    let txn = crate::begin_write(db).await?;
    lock_rollup(&txn, true).await?;
    if crate::settings::rollup_format(&txn).await? == Some(FORMAT) {
        return Ok(false);
    }
    let delta = scan(&txn).await?;
    write_all(&txn, delta).await?;
    crate::settings::set_rollup_format(&txn, FORMAT).await?;
    txn.commit().await?;
    Ok(true)
}
