//! Whether a demo finished: `escapement demo` commits its defects, then adds its accounts,
//! then writes its reviews. A crash between those steps would leave a database with demo
//! defects but no reviews and no printed password, which a rerun refuses because it has
//! teams. The load marks the database `loading` in its own transaction and the command
//! marks it complete at the end, so a rerun can tell an unfinished demo from real data and
//! replace it.

use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::bulk::{restore_title_index, suspend_title_index};
use crate::settings::{demo_state as stored_state, set_demo_state};
use crate::{Result, StorageError};

const LOADING: &str = "loading";
const COMPLETE: &str = "complete";

/// Where the demo stands in a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoState {
    /// The demo never ran here (the database may hold real data).
    Never,
    /// The demo's data is here but its accounts or reviews were never finished.
    Unfinished,
    Complete,
}

/// Where the demo stands in `db`.
pub async fn demo_state(db: &impl ConnectionTrait) -> Result<DemoState> {
    Ok(match stored_state(db).await?.as_deref() {
        None => DemoState::Never,
        Some(LOADING) => DemoState::Unfinished,
        Some(_) => DemoState::Complete,
    })
}

/// Marks the demo being loaded, inside the load's transaction.
pub(super) async fn mark_loading(db: &impl ConnectionTrait) -> Result<()> {
    set_demo_state(db, LOADING).await
}

/// Marks the demo complete: its accounts and reviews are written.
pub async fn finish_demo(db: &impl ConnectionTrait) -> Result<()> {
    set_demo_state(db, COMPLETE).await
}

/// Every table of team data the demo writes, children before parents. Its accounts are
/// deleted apart (see [`clear_unfinished_demo`]); the audit log keeps what happened.
const TABLES: [&str; 13] = [
    "action_escapes",
    "backlog_dismissals",
    "improvement_actions",
    "review_history",
    "review_escapes",
    "reviews",
    "stage_tallies",
    "defect_counts",
    "defect_durations",
    "rollup_stamps",
    "defects",
    "releases",
    "components",
];

/// Deletes what an unfinished demo left, in one transaction: its teams with everything in
/// them, and the accounts that belong only to those teams (its editors and leads; an
/// instance admin made meanwhile, say through the setup link, stays). Settings, metric
/// definitions and the audit log stay. Refuses a database whose demo finished or that
/// never held one, so it never deletes real data.
pub async fn clear_unfinished_demo(db: &DatabaseConnection) -> Result<()> {
    let txn = crate::begin_write(db).await?;
    if demo_state(&txn).await? != DemoState::Unfinished {
        let mut errors = escapement_core::ValidationErrors::new();
        errors.push(
            "database",
            "The database holds no unfinished demo: --replace only replaces a demo that did not finish",
        );
        return Err(StorageError::Invalid(errors));
    }
    // Deleting a million rows through the title index's triggers would take minutes; the
    // index is dropped and built again over the empty table instead.
    let index = suspend_title_index(&txn).await?;
    for table in TABLES {
        txn.execute_unprepared(&format!("DELETE FROM {table}"))
            .await?;
    }
    // Their sessions, tokens and memberships go with them (ON DELETE CASCADE).
    txn.execute_unprepared(
        "DELETE FROM users WHERE NOT is_admin AND id IN (SELECT user_id FROM memberships)",
    )
    .await?;
    txn.execute_unprepared("DELETE FROM memberships").await?;
    txn.execute_unprepared("DELETE FROM teams").await?;
    restore_title_index(&txn, index).await?;
    txn.execute_unprepared("DELETE FROM settings WHERE key = 'demo'")
        .await?;
    txn.commit().await?;
    Ok(())
}
