//! The roll-up's stamps, and the counts, list pages and catalogs kept under them.
//!
//! Every write that changes a team's defects, the roll-up rows it reads them from, or its
//! catalog (the team's name, its components and releases) replaces that team's stamp (a
//! random UUID in `rollup_stamps`) in its own transaction, or after its write:
//! [`Delta::apply`](super::Delta::apply) for the teams of the defects it tracked,
//! [`renew_team`] for a catalog write, the rebuilds all of them. So a value computed after
//! reading the stamps of the teams it covers holds for as long as those stamps read the
//! same, and [`Kept`] keeps it under them: a list's "N defects, M escaped" and its page of
//! rows are read once per change instead of once per request, and each server that shares
//! the database checks the stamps with one indexed read.
//!
//! Reading the stamps *before* the counts is what makes this safe: a write that commits in
//! between is seen by the counts (newer than the stamps they are kept under, which no later
//! request reads again), never the other way round. Stamps are random, so counts kept for
//! one database are never taken for another's in the same process (the tests open many).

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use uuid::Uuid;

use crate::Result;

const TABLE: &str = "rollup_stamps";

/// Replaces the stamps of `teams`, in team order (writers of the same teams on PostgreSQL
/// wait for each other there instead of deadlocking).
pub(super) async fn renew(db: &impl ConnectionTrait, teams: &BTreeSet<Uuid>) -> Result<()> {
    if teams.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert.into_table(TABLE).columns(["team_id", "stamp"]);
    for team in teams {
        insert.values_panic([(*team).into(), Uuid::new_v4().into()]);
    }
    insert.on_conflict(
        OnConflict::column("team_id")
            .update_column("stamp")
            .to_owned(),
    );
    db.execute(&insert).await?;
    Ok(())
}

/// Replaces the stamp of `team`, whose catalog (its name, a component's or a release's)
/// changed: list rows and filter choices kept under it show those names.
pub(crate) async fn renew_team(db: &impl ConnectionTrait, team: Uuid) -> Result<()> {
    renew(db, &BTreeSet::from([team])).await
}

/// Replaces every stamp: the roll-up was written again from scratch, for `teams`.
pub(super) async fn renew_all(db: &impl ConnectionTrait, teams: &BTreeSet<Uuid>) -> Result<()> {
    db.execute(&Query::delete().from_table(TABLE).to_owned())
        .await?;
    renew(db, teams).await
}

/// The stamps of `teams` (every team's for `None`), as one key: `team=stamp` in team order.
/// `None` when one of the teams has no stamp (a database written before stamps existed,
/// until its first write or rebuild): nothing can be kept for it then. Every key names
/// stamps, which are random, so no two databases share one (the tests open many in one
/// process); a key without teams selects no defect, so it counts nothing in any database.
async fn read(db: &impl ConnectionTrait, teams: Option<&[Uuid]>) -> Result<Option<String>> {
    let mut select = Query::select();
    select
        .from("teams")
        .left_join(TABLE, Expr::col((TABLE, "team_id")).equals(("teams", "id")))
        .column(("teams", "id"))
        .column((TABLE, "stamp"))
        .order_by(("teams", "id"), Order::Asc);
    if let Some(teams) = teams {
        if teams.is_empty() {
            return Ok(Some(String::new()));
        }
        select.and_where(Expr::col(("teams", "id")).is_in(teams.iter().copied()));
    }
    let mut key = String::new();
    for row in db.query_all(&select).await? {
        let team: Uuid = row.try_get_by_index(0)?;
        let Some(stamp) = row.try_get_by_index::<Option<Uuid>>(1)? else {
            return Ok(None);
        };
        key.push_str(&format!("{team}={stamp};"));
    }
    Ok(Some(key))
}

/// Values computed from the data of some teams, each kept under those teams' stamps until
/// the stamps change (or the map is full, when it forgets everything and starts again: at
/// `cap` values, or when their keys, which hold the filters' text, reach `KEY_BYTES`).
/// Misses of the same key compute one at a time: the first computes, the others wait for
/// it and take its value, so a burst of requests for one page costs one computation (and
/// its memory) instead of one each.
pub(crate) struct Kept<V> {
    cap: usize,
    /// The values, and the bytes of their keys.
    map: Mutex<Option<(HashMap<String, V>, usize)>>,
    computing: [tokio::sync::Mutex<()>; 16],
}

impl<V: Clone> Kept<V> {
    pub(crate) const fn new(cap: usize) -> Self {
        Kept {
            cap,
            map: Mutex::new(None),
            computing: [const { tokio::sync::Mutex::const_new(()) }; 16],
        }
    }

    /// The value `what` names over `teams` (every team for `None`): the one kept under their
    /// current stamps, or `compute`'s, then kept. `what` must name everything else the value
    /// depends on (the filter, the stages it counts as escapes).
    pub(crate) async fn get<F, Fut>(
        &self,
        db: &impl ConnectionTrait,
        teams: Option<&[Uuid]>,
        what: &str,
        compute: F,
    ) -> Result<V>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V>>,
    {
        let Some(mut key) = read(db, teams).await? else {
            return compute().await;
        };
        key.push('|');
        key.push_str(what);
        if let Some(value) = self.lookup(&key) {
            return Ok(value);
        }
        let stripe = key
            .bytes()
            .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
        let _turn = self.computing[stripe % self.computing.len()].lock().await;
        if let Some(value) = self.lookup(&key) {
            return Ok(value);
        }
        let value = compute().await?;
        let mut kept = self.lock();
        let (map, bytes) = kept.get_or_insert_with(|| (HashMap::new(), 0));
        if map.len() >= self.cap || *bytes + key.len() > KEY_BYTES {
            map.clear();
            *bytes = 0;
        }
        *bytes += key.len();
        map.insert(key, value.clone());
        Ok(value)
    }

    fn lookup(&self, key: &str) -> Option<V> {
        self.lock()
            .as_ref()
            .and_then(|(map, _)| map.get(key).cloned())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(HashMap<String, V>, usize)>> {
        // A panic while holding the map leaves nothing half-written in it: keep using it.
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The most a [`Kept`] spends on its keys before it starts again.
const KEY_BYTES: usize = 2 << 20;

/// The list counts ("N defects, M escaped") of a filter.
static COUNTS: Kept<(u64, u64)> = Kept::new(4_096);

/// The pair of counts `what` names over `teams`, kept under their stamps (see [`Kept::get`]).
pub(crate) async fn kept<F, Fut>(
    db: &impl ConnectionTrait,
    teams: Option<&[Uuid]>,
    what: String,
    compute: F,
) -> Result<(u64, u64)>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(u64, u64)>>,
{
    COUNTS.get(db, teams, &what, compute).await
}
