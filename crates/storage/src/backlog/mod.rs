//! The improvement backlog: every action of the visible teams scored and sorted, suggested
//! items for clusters no open action addresses, the lifecycle writes that move an action
//! outside its review's edit lock, tracker keys pasted back, and the items the exports write.

mod clusters;
mod export;
mod read;
mod write;

use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::backlog::{ClusterKey, DueState, Effect, Score};
use escapement_core::{ActionStatus, Effort, Mechanism, ReviewState, Severity, StageKey};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::Result;
use crate::entities::action_escape;

pub use clusters::{DoneEffect, effect_of, effect_summary};
pub use export::{ExportCursor, export_cursor};
pub use read::{action_detail, backlog_page, cluster_escapes_of, due_actions};
pub use write::{
    KeyLink, LinkOutcome, accept_suggestion, add_escapes, change_action, dismiss_suggestion,
    link_keys,
};

/// Which statuses a backlog view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Proposed, accepted and in progress actions, and the suggestions (the default).
    #[default]
    Open,
    /// Every action and the suggestions.
    All,
    /// Actions of one status.
    Is(ActionStatus),
    /// Only the suggestions.
    Suggested,
    /// Open actions past their due date.
    Overdue,
}

impl StatusFilter {
    /// The filter a query string or command line names: empty or `open`, `all`, `suggested`,
    /// `overdue`, or a status key; `None` for anything else.
    #[must_use]
    pub fn parse(text: &str) -> Option<StatusFilter> {
        match text.trim() {
            "" | "open" => Some(StatusFilter::Open),
            "all" => Some(StatusFilter::All),
            "suggested" => Some(StatusFilter::Suggested),
            "overdue" => Some(StatusFilter::Overdue),
            key => <ActionStatus as escapement_core::Keyed>::from_key(key).map(StatusFilter::Is),
        }
    }

    /// Whether suggested items belong in this view.
    #[must_use]
    pub const fn shows_suggestions(self) -> bool {
        matches!(
            self,
            StatusFilter::Open | StatusFilter::All | StatusFilter::Suggested
        )
    }
}

/// What a backlog view shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BacklogFilter {
    /// The teams the reader may see (`None`: every team, for instance admins), already
    /// narrowed to one team when the view asks for one.
    pub teams: Option<Vec<Uuid>>,
    pub mechanism: Option<Mechanism>,
    pub component_id: Option<Uuid>,
    pub status: StatusFilter,
    pub target_layer: Option<StageKey>,
}

/// An escape an action (or a suggestion) addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressedEscape {
    pub review_escape_id: Uuid,
    pub review_id: Uuid,
    pub review_title: String,
    pub defect_id: Uuid,
    pub defect_title: String,
    pub severity: Severity,
    pub discovery_stage: StageKey,
    pub discovered_on: NaiveDate,
}

/// One improvement action as the backlog shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacklogAction {
    pub id: Uuid,
    pub review_id: Uuid,
    pub review_title: String,
    pub review_state: ReviewState,
    pub team_id: Uuid,
    pub team_name: String,
    pub title: String,
    pub mechanism: Mechanism,
    pub component_id: Option<Uuid>,
    pub component_name: Option<String>,
    pub target_layer: StageKey,
    pub effort: Effort,
    pub due_date: Option<NaiveDate>,
    pub due: DueState,
    pub status: ActionStatus,
    pub status_reason: Option<String>,
    pub external_key: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
    pub score: Score,
    pub escapes: Vec<AddressedEscape>,
    /// For a done action, the escapes of its cluster before and after it was done.
    pub effect: Option<Effect>,
}

impl BacklogAction {
    /// The (team, mechanism, component) cluster the action addresses.
    #[must_use]
    pub fn cluster(&self) -> ClusterKey {
        ClusterKey {
            team_id: self.team_id,
            mechanism: self.mechanism,
            component_id: self.component_id,
        }
    }
}

/// A suggested item as the backlog shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestedItem {
    pub key: ClusterKey,
    pub team_name: String,
    pub component_name: Option<String>,
    pub text: &'static str,
    pub score: Score,
    pub escapes: Vec<AddressedEscape>,
    pub dismissed_before: Option<DateTime<Utc>>,
}

/// A backlog row: an action or a suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BacklogItem {
    Action(Box<BacklogAction>),
    Suggestion(Box<SuggestedItem>),
}

/// One page of the backlog, highest score first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacklogPage {
    pub items: Vec<BacklogItem>,
    /// Actions matching the filter.
    pub actions: u64,
    /// Suggested items matching the filter.
    pub suggestions: u64,
    /// Open actions past their due date, among the actions matching the filter's teams.
    pub overdue: u64,
}

/// When an action whose status goes from `old` (with its `done_at`) to `new` was done: now when
/// it becomes done, kept while it stays done, empty otherwise.
#[must_use]
pub(crate) fn done_at(
    old: Option<(ActionStatus, Option<DateTime<Utc>>)>,
    new: ActionStatus,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match (old, new) {
        (Some((ActionStatus::Done, Some(at))), ActionStatus::Done) => Some(at),
        (_, ActionStatus::Done) => Some(now),
        _ => None,
    }
}

/// Records that `action_id` addresses `escapes` (links it has already are kept).
pub(crate) async fn link_escapes(
    db: &impl ConnectionTrait,
    action_id: Uuid,
    escapes: &[Uuid],
    now: DateTime<Utc>,
) -> Result<()> {
    if escapes.is_empty() {
        return Ok(());
    }
    let rows = escapes
        .iter()
        .map(|&review_escape_id| action_escape::ActiveModel {
            action_id: sea_orm::ActiveValue::Set(action_id),
            review_escape_id: sea_orm::ActiveValue::Set(review_escape_id),
            created_at: sea_orm::ActiveValue::Set(now),
        });
    action_escape::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                action_escape::Column::ActionId,
                action_escape::Column::ReviewEscapeId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
