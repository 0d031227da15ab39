//! The maintained roll-up: grouped counts of defects (and of the contributing mechanisms of
//! classified escapes) and of their detection and resolution times, kept in
//! `defect_counts` and `defect_durations` so metrics and list counts never scan `defects`.
//!
//! Every write that changes a defect or whether its mechanisms count goes through
//! [`track`]: it locks the defects it will change and reads what they contribute now;
//! [`Tracked::settle`], after the write and in the same transaction, reads them again and
//! applies the difference. What a defect contributes is defined once, in core
//! ([`escapement_core::metrics::contributions`]); [`scan`] computes the same counts from
//! the defects themselves, for `rollup verify`, `rollup rebuild` and the tests.

mod facts;
mod range;
mod read;
mod scan;
mod stamps;
mod write;

pub(crate) use facts::facts_of;
pub use range::{RangeCells, range_cells};
pub(crate) use read::counted_teams;
pub use read::{CountFilter, Detail, count_cells, count_defects, duration_cells};
pub use scan::{Difference, ensure_current, rebuild, scan, verify};
pub(crate) use scan::{rebuild_in, write_all};
pub use stamps::{Kept, read_once};
pub(crate) use stamps::{kept, reading, renew_every, renew_team};
pub use write::Delta;
pub(crate) use write::{Tracked, track};

/// Locks the roll-up exclusively for the rest of the transaction (PostgreSQL; a no-op on
/// SQLite, whose write transaction holds the database).
pub(crate) async fn lock_exclusive(db: &impl sea_orm::ConnectionTrait) -> crate::Result<()> {
    write::lock_rollup(db, true).await
}

/// [`write_all`] in a bulk load: on PostgreSQL its rows go by `COPY` in the load's
/// transaction.
pub(crate) async fn write_all_in_load(
    txn: &crate::demo::bulk::LoadTxn,
    delta: Delta,
) -> crate::Result<()> {
    scan::write_all_by(txn, delta, Some(txn)).await
}
