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

/// Replaces every team's stamp, for a change every team's kept values may depend on (the
/// stage settings, a backlog write). In team order, like every renewal.
pub(crate) async fn renew_every(db: &impl ConnectionTrait) -> Result<()> {
    let teams = db
        .query_all(&Query::select().column("id").from("teams").to_owned())
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<Uuid>(0))
        .collect::<std::result::Result<BTreeSet<Uuid>, _>>()?;
    renew(db, &teams).await
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
///
/// Inside [`read_once`], every team's stamps are read at the first call and the later
/// calls take theirs from that reading.
async fn read(db: &impl ConnectionTrait, teams: Option<&[Uuid]>) -> Result<Option<String>> {
    if let Ok(Some(key)) = SNAPSHOT.try_with(|s| s.borrow().as_ref().map(|s| key_of(s, teams))) {
        return Ok(key);
    }
    if matches!(teams, Some([])) {
        return Ok(Some(String::new()));
    }
    let in_scope = reading();
    let mut select = Query::select();
    select
        .from("teams")
        .left_join(TABLE, Expr::col((TABLE, "team_id")).equals(("teams", "id")))
        .column(("teams", "id"))
        .column((TABLE, "stamp"))
        .order_by(("teams", "id"), Order::Asc);
    if let Some(teams) = teams.filter(|_| !in_scope) {
        select.and_where(Expr::col(("teams", "id")).is_in(teams.iter().copied()));
    }
    let mut stamps = Vec::new();
    for row in db.query_all(&select).await? {
        let team: Uuid = row.try_get_by_index(0)?;
        stamps.push((team, row.try_get_by_index::<Option<Uuid>>(1)?));
    }
    let key = key_of(&stamps, teams);
    if in_scope {
        // Ignored outside a scope, which `in_scope` rules out.
        let _ = SNAPSHOT.try_with(|s| *s.borrow_mut() = Some(stamps));
    }
    Ok(key)
}

/// The key of `teams` (all for `None`) from `stamps`, every team's stamp in team order.
/// Past [`SPELLED_OUT`] teams the pairs are summed up in 128 bits (two hashes of them), so
/// an organisation with hundreds of teams does not spend kilobytes of key per value; the
/// stamps are random, so two different sets of them share a sum by chance alone.
fn key_of(stamps: &[(Uuid, Option<Uuid>)], teams: Option<&[Uuid]>) -> Option<String> {
    let mut key = String::new();
    let mut pairs = Vec::new();
    for (team, stamp) in stamps {
        if teams.is_some_and(|teams| !teams.contains(team)) {
            continue;
        }
        pairs.push((*team, (*stamp)?));
    }
    if pairs.len() <= SPELLED_OUT {
        for (team, stamp) in pairs {
            key.push_str(&format!("{team}={stamp};"));
        }
        return Some(key);
    }
    let sum = |seed: u8| {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        seed.hash(&mut h);
        pairs.hash(&mut h);
        h.finish()
    };
    Some(format!(
        "{} teams #{:016x}{:016x};",
        pairs.len(),
        sum(1),
        sum(2)
    ))
}

/// How many teams' stamps a key spells out before it sums them up.
const SPELLED_OUT: usize = 8;

tokio::task_local! {
    /// Every team's stamps, as [`read`] found them first inside [`read_once`].
    static SNAPSHOT: std::cell::RefCell<Option<Vec<(Uuid, Option<Uuid>)>>>;
}

/// Whether this task runs inside [`read_once`] (a request that only reads).
pub(crate) fn reading() -> bool {
    SNAPSHOT.try_with(|_| ()).is_ok()
}

/// Runs `f` with the stamps read at most once: a page that reads several kept values (its
/// rows, its counts, the catalog, the stage settings) checks the stamps with one statement.
/// For requests that read only: a write inside `f` would not be seen by the values read
/// after it. What is read after the stamps is never older than they are, so this is as
/// safe as reading them before each value.
pub async fn read_once<F: std::future::Future>(f: F) -> F::Output {
    SNAPSHOT.scope(std::cell::RefCell::new(None), f).await
}

/// Values computed from the data of some teams, each kept under those teams' stamps until
/// the stamps change (or the map is full, when it forgets everything and starts again: at
/// `cap` values, or when their keys, which hold the filters' text, reach `KEY_BYTES`).
/// Inside [`read_once`], misses of the same key compute one at a time: the first computes,
/// the others wait for it and take its value, so a burst of requests for one page costs
/// one computation (and its memory) instead of one each.
pub struct Kept<V> {
    cap: usize,
    /// The values, and the bytes of their keys.
    map: Mutex<Option<(HashMap<String, V>, usize)>>,
    computing: [tokio::sync::Mutex<()>; 16],
}

impl<V: Clone> Kept<V> {
    pub const fn new(cap: usize) -> Self {
        Kept {
            cap,
            map: Mutex::new(None),
            computing: [const { tokio::sync::Mutex::const_new(()) }; 16],
        }
    }

    /// The value `what` names over `teams` (every team for `None`): the one kept under their
    /// current stamps, or `compute`'s, then kept. `what` must name everything else the value
    /// depends on (the filter, the stages it counts as escapes).
    pub async fn get<F, Fut, E>(
        &self,
        db: &impl ConnectionTrait,
        teams: Option<&[Uuid]>,
        what: &str,
        compute: F,
    ) -> std::result::Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = std::result::Result<V, E>>,
        E: From<crate::StorageError>,
    {
        let Some(mut key) = read(db, teams).await? else {
            return compute().await;
        };
        // Every team of a database without teams is every team of another such database:
        // nothing about it (its stage settings) may be kept under that empty key.
        if key.is_empty() && teams.is_none() {
            return compute().await;
        }
        key.push('|');
        key.push_str(what);
        if let Some(value) = self.lookup(&key) {
            return Ok(value);
        }
        // Only readers wait for each other's computations (inside `read_once`, which no
        // transaction is open around): a writer waiting here while it holds its
        // transaction (on SQLite, the database's one write lock) could wait for a reader
        // that waits for a connection the writers hold.
        let _turn = if reading() {
            let stripe = key
                .bytes()
                .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
            let turn = self.computing[stripe % self.computing.len()].lock().await;
            if let Some(value) = self.lookup(&key) {
                return Ok(value);
            }
            Some(turn)
        } else {
            None
        };
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

impl<V: Clone> Kept<std::sync::Arc<V>> {
    /// [`Kept::get`] of a value kept once behind an `Arc`, handed to each caller as a copy
    /// of its own.
    pub async fn get_owned<F, Fut, E>(
        &self,
        db: &impl ConnectionTrait,
        teams: Option<&[Uuid]>,
        what: &str,
        compute: F,
    ) -> std::result::Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = std::result::Result<V, E>>,
        E: From<crate::StorageError>,
    {
        let kept = self
            .get(db, teams, what, || async {
                compute().await.map(std::sync::Arc::new)
            })
            .await?;
        Ok(V::clone(&kept))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn stamps(n: u128) -> Vec<(Uuid, Option<Uuid>)> {
        (1..=n)
            .map(|i| (Uuid::from_u128(i), Some(Uuid::from_u128(1000 + i))))
            .collect()
    }

    #[test]
    fn a_key_spells_out_a_few_teams_and_sums_up_many() {
        let few = stamps(2);
        assert_eq!(
            key_of(&few, None).as_deref(),
            Some(
                format!(
                    "{}={};{}={};",
                    few[0].0,
                    few[0].1.unwrap_or_default(),
                    few[1].0,
                    few[1].1.unwrap_or_default()
                )
                .as_str()
            )
        );
        let only = [few[1].0];
        assert_eq!(
            key_of(&few, Some(&only)),
            Some(format!("{}={};", few[1].0, few[1].1.unwrap_or_default()))
        );
        assert_eq!(key_of(&few, Some(&[])), Some(String::new()));

        let many = stamps(300);
        let key = key_of(&many, None).unwrap_or_default();
        assert!(key.starts_with("300 teams #") && key.len() < 60, "{key}");
        let mut renewed = many.clone();
        renewed[150].1 = Some(Uuid::from_u128(7));
        assert_ne!(
            key_of(&renewed, None),
            Some(key.clone()),
            "one stamp changed"
        );
        assert_eq!(
            key_of(&many, None),
            Some(key),
            "the same stamps, the same key"
        );
        let mut unstamped = many;
        unstamped[3].1 = None;
        assert_eq!(key_of(&unstamped, None), None, "a team without a stamp");
    }
}
