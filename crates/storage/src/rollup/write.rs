//! Applying changes to the roll-up: a [`Delta`] of count and duration rows, written as
//! upserts that add to what is stored, and the before/after tracking of defects a write
//! changes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use escapement_core::metrics::{
    ANY_ID, Contributions, CountKey, DurationKey, ScopeSwitches, contributions,
};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query, SimpleExpr};
use uuid::Uuid;

use super::facts::locked_facts;
use crate::Result;

/// What changes in the roll-up: per count row the change of its count, per duration row
/// the change of its count and of its seconds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delta {
    pub counts: HashMap<CountKey, i64>,
    /// Per duration row: (count, seconds).
    pub durations: HashMap<DurationKey, (i64, i64)>,
    /// The teams of the defects added or removed, whether or not their rows change (a
    /// title edit changes none): their stamps are renewed (see [`super::stamps`]).
    pub teams: BTreeSet<Uuid>,
}

impl Delta {
    /// Adds (`sign` 1) or removes (`sign` -1) what one defect contributes.
    pub fn add(&mut self, c: Contributions, sign: i64) {
        for key in c.counts {
            self.teams.insert(key.team);
            *self.counts.entry(key).or_default() += sign;
        }
        for (key, seconds) in c.durations {
            let entry = self.durations.entry(key).or_default();
            entry.0 += sign;
            entry.1 += sign * seconds;
        }
    }

    /// The rows the tables store for these changes: every scope reduced under `switches`
    /// (see [`ScopeSwitches::reduce`]), and every change also counted in the coarse
    /// grains (see [`grains_of_count`] and [`grains_of_duration`]).
    pub(crate) fn stored(self, switches: &ScopeSwitches) -> Delta {
        let mut out = Delta {
            teams: self.teams,
            ..Delta::default()
        };
        for (mut key, n) in self.counts {
            key.scope = switches.reduce(key.scope);
            for k in grains_of_count(key) {
                *out.counts.entry(k).or_default() += n;
            }
        }
        for (mut key, (n, seconds)) in self.durations {
            key.scope = switches.reduce(key.scope);
            for k in grains_of_duration(key) {
                let entry = out.durations.entry(k).or_default();
                entry.0 += n;
                entry.1 += seconds;
            }
        }
        out
    }

    /// Writes the changes: each non-zero one as an upsert that adds to the stored row, then
    /// removes the rows that fell to zero, so the tables hold only groups that exist.
    /// Scopes are reduced under the definition in force, read after taking the roll-up's
    /// shared lock, so a definition change that rebuilds the roll-up is either wholly
    /// before or wholly after this write.
    ///
    /// Rows are written in one global order (counts before durations, each sorted by key),
    /// so concurrent writers on PostgreSQL wait for each other instead of deadlocking.
    pub(crate) async fn apply(self, db: &impl ConnectionTrait) -> Result<()> {
        lock_rollup(db, false).await?;
        let switches = crate::metrics::current_definition(db)
            .await?
            .definition
            .scope;
        let delta = self.stored(&switches);
        // Before the rows, in team order: writers of a team wait here for each other.
        super::stamps::renew(db, &delta.teams).await?;
        let counts: BTreeMap<CountKey, i64> =
            delta.counts.into_iter().filter(|(_, n)| *n != 0).collect();
        for (key, n) in counts {
            upsert_count(db, &key, n).await?;
        }
        let durations: BTreeMap<DurationKey, (i64, i64)> = delta
            .durations
            .into_iter()
            .filter(|(_, d)| *d != (0, 0))
            .collect();
        for (key, (n, seconds)) in durations {
            upsert_duration(db, &key, n, seconds).await?;
        }
        Ok(())
    }
}

/// Takes the roll-up's table lock on PostgreSQL for the rest of the transaction: shared
/// (`ROW EXCLUSIVE`, what every incremental write takes, so writers do not wait for each
/// other) or exclusive (a rebuild, which waits for the writers in flight and holds off new
/// ones). SQLite's write transaction already holds the whole database.
pub(crate) async fn lock_rollup(db: &impl ConnectionTrait, exclusive: bool) -> Result<()> {
    if crate::Backend::of(db) == crate::Backend::Postgres {
        let mode = if exclusive {
            "EXCLUSIVE"
        } else {
            "ROW EXCLUSIVE"
        };
        db.execute_unprepared(&format!(
            "LOCK TABLE defect_counts, defect_durations IN {mode} MODE"
        ))
        .await?;
    }
    Ok(())
}

pub(super) fn nil(id: Option<Uuid>) -> Uuid {
    id.unwrap_or(Uuid::nil())
}

/// Grain bits: which dimensions a coarse row counts together.
pub(super) const ANY_COMPONENT: i16 = 1;
pub(super) const ANY_RELEASE: i16 = 2;
pub(super) const ANY_TYPE: i16 = 4;

/// A full count row and its two coarse rows: every component and type together (what a
/// page without those filters reads, releases kept), and every release and type together
/// (components kept, for the per-component tables).
pub(super) fn grains_of_count(key: CountKey) -> [CountKey; 3] {
    let by_release = CountKey {
        component: Some(ANY_ID),
        defect_type: None,
        ..key.clone()
    };
    let by_component = CountKey {
        release: Some(ANY_ID),
        defect_type: None,
        ..key.clone()
    };
    [key, by_release, by_component]
}

/// A full duration row, the row with every component and type together, and the row
/// with every component, release and type together.
pub(super) fn grains_of_duration(key: DurationKey) -> [DurationKey; 3] {
    let by_release = DurationKey {
        component: Some(ANY_ID),
        defect_type: None,
        ..key.clone()
    };
    let by_quarter = DurationKey {
        release: Some(ANY_ID),
        ..by_release.clone()
    };
    [key, by_release, by_quarter]
}

fn grain(component: Option<Uuid>, release: Option<Uuid>, any_type: bool) -> i16 {
    let mut g = 0;
    if component == Some(ANY_ID) {
        g |= ANY_COMPONENT;
    }
    if release == Some(ANY_ID) {
        g |= ANY_RELEASE;
    }
    if any_type {
        g |= ANY_TYPE;
    }
    g
}

/// The stored form of a defect type: its key, or `*` for every type together.
pub(super) fn type_code(t: Option<escapement_core::DefectType>) -> &'static str {
    t.map_or("*", |t| t.key())
}

/// The key columns of `defect_counts` and their values for `key`, in index order.
pub(super) fn count_columns(key: &CountKey) -> [(&'static str, SimpleExpr); 12] {
    [
        (
            "grain",
            grain(key.component, key.release, key.defect_type.is_none()).into(),
        ),
        ("team_id", key.team.into()),
        ("quarter", key.quarter.code().into()),
        ("component_id", nil(key.component).into()),
        ("release_id", nil(key.release).into()),
        ("severity", key.severity.key().into()),
        ("defect_type", type_code(key.defect_type).into()),
        ("discovery_stage", key.discovery_stage.as_str().into()),
        (
            "expected_stage",
            key.expected_stage
                .as_ref()
                .map_or("", |s| s.as_str())
                .into(),
        ),
        ("scope", i16::from(key.scope.bits()).into()),
        ("role", key.role.code().into()),
        ("mechanism", key.mechanism.code().into()),
    ]
}

/// The key columns of `defect_durations` and their values for `key`, in index order.
pub(super) fn duration_columns(key: &DurationKey) -> [(&'static str, SimpleExpr); 10] {
    [
        (
            "grain",
            grain(key.component, key.release, key.defect_type.is_none()).into(),
        ),
        ("team_id", key.team.into()),
        ("quarter", key.quarter.code().into()),
        ("component_id", nil(key.component).into()),
        ("release_id", nil(key.release).into()),
        ("severity", key.severity.key().into()),
        ("defect_type", type_code(key.defect_type).into()),
        ("scope", i16::from(key.scope.bits()).into()),
        ("kind", key.kind.code().into()),
        (
            "bucket",
            key.bucket.map_or(-1, |b| i16::from(b.index())).into(),
        ),
    ]
}

async fn upsert(
    db: &impl ConnectionTrait,
    table: &'static str,
    key: Vec<(&'static str, SimpleExpr)>,
    sums: &[(&'static str, i64)],
) -> Result<()> {
    let key_names: Vec<&'static str> = key.iter().map(|(c, _)| *c).collect();
    let mut columns = key_names.clone();
    columns.extend(sums.iter().map(|(c, _)| *c));
    let mut values: Vec<SimpleExpr> = key.iter().map(|(_, v)| v.clone()).collect();
    values.extend(sums.iter().map(|(_, v)| Expr::val(*v)));
    let mut conflict = OnConflict::columns(key_names);
    for (column, _) in sums {
        conflict.value(
            *column,
            Expr::col((table, *column)).add(Expr::cust(format!("excluded.{column}"))),
        );
    }
    let insert = Query::insert()
        .into_table(table)
        .columns(columns)
        .values_panic(values)
        .on_conflict(conflict)
        .to_owned();
    db.execute(&insert).await?;
    let mut delete = Query::delete();
    delete
        .from_table(table)
        .and_where(Expr::col(sums[0].0).eq(0));
    for (column, value) in key {
        delete.and_where(Expr::col(column).eq(value));
    }
    db.execute(&delete).await?;
    Ok(())
}

async fn upsert_count(db: &impl ConnectionTrait, key: &CountKey, n: i64) -> Result<()> {
    upsert(
        db,
        "defect_counts",
        count_columns(key).to_vec(),
        &[("n", n)],
    )
    .await
}

async fn upsert_duration(
    db: &impl ConnectionTrait,
    key: &DurationKey,
    n: i64,
    seconds: i64,
) -> Result<()> {
    upsert(
        db,
        "defect_durations",
        duration_columns(key).to_vec(),
        &[("n", n), ("total_seconds", seconds)],
    )
    .await
}

/// Defects a write is about to change, with what they contributed before it.
#[must_use = "settle the tracked defects after the write, in the same transaction"]
pub(crate) struct Tracked {
    ids: Vec<Uuid>,
    delta: Delta,
}

/// Locks the defects `ids` that exist (ids of defects about to be created may be given
/// too) and notes what they contribute now. Call it inside the write transaction before
/// changing them, and [`Tracked::settle`] after. Track every defect a use case changes
/// at once, before its first settle: a transaction that waits for a defect while it holds
/// roll-up rows could deadlock with one that holds the defect.
pub(crate) async fn track(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Tracked> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut delta = Delta::default();
    for facts in locked_facts(db, &ids).await? {
        delta.add(contributions(&facts), -1);
    }
    Ok(Tracked { ids, delta })
}

impl Tracked {
    /// Reads the tracked defects again and applies the difference to the roll-up.
    pub(crate) async fn settle(mut self, db: &impl ConnectionTrait) -> Result<()> {
        for facts in locked_facts(db, &self.ids).await? {
            self.delta.add(contributions(&facts), 1);
        }
        self.delta.apply(db).await
    }
}
