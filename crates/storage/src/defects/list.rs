//! The defect list: its filter, the rows and counts of one page, and the conditions and
//! name look-ups the review queue and the demo reuse. Whether a defect escaped is computed
//! from the pipeline and boundary in force. The title search goes through the text index of
//! migration `m20261202_000010` (SQLite FTS5 trigram, PostgreSQL pg_trgm) for three
//! characters or more, and scans the titles for one or two.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use escapement_core::metrics::{MetricDefinition, Period, ReopenedPolicy, ScopeSwitches};
use escapement_core::{DefectType, Mechanism, Paging, Severity, StageKey};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::{component, defect, release, review, review_escape, team};
use crate::settings::StageSettings;
use crate::{Backend, Result};

/// The list filters; every `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefectFilter {
    /// The teams the reader may see; `None` means every team (an instance admin).
    pub visible_teams: Option<Vec<Uuid>>,
    pub team_id: Option<Uuid>,
    pub component_id: Option<Uuid>,
    pub release_id: Option<Uuid>,
    pub severity: Option<Severity>,
    pub discovery_stage: Option<StageKey>,
    pub escaped: Option<bool>,
    /// Case-insensitive text that the title must contain (surrounding spaces ignored).
    pub text: Option<String>,
    /// Only defects that no escape review covers yet.
    pub unreviewed: bool,
    /// Only defects without a release (`release_id` is then ignored).
    pub no_release: bool,
    /// Only defects without a component (`component_id` is then ignored).
    pub no_component: bool,
    /// Only escapes that a classified or closed review names this contributing mechanism
    /// for (never together with `mechanism`, which the primary one answers).
    pub contributing: Option<Mechanism>,
    /// Detected on these days, first and last included (UTC).
    pub detected: Option<Period>,
    pub defect_type: Option<DefectType>,
    /// Where it should have been caught; `Some(None)` for "not named".
    pub expected_stage: Option<Option<StageKey>>,
    /// Only escapes that a classified or closed review gives this primary mechanism.
    pub mechanism: Option<Mechanism>,
    /// Only what the metric definition counts, with escapes judged as it judges them:
    /// the drill-down from a number to the rows behind it.
    pub in_scope: Option<InScope>,
}

/// The parts of the metric definition that decide which defects a number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InScope {
    pub switches: ScopeSwitches,
    pub reopened: ReopenedPolicy,
}

impl InScope {
    /// The parts of `def` that decide what counts.
    #[must_use]
    pub fn of(def: &MetricDefinition) -> InScope {
        InScope {
            switches: def.scope,
            reopened: def.reopened,
        }
    }

    /// The conditions on a defect's facts that the switches put.
    fn condition(self) -> Condition {
        let s = self.switches;
        let mut cond = Condition::all();
        if !s.customer_found {
            cond = cond.add(defect::Column::DetectedBy.is_not_in(["customer", "support"]));
        }
        // (switch, column, the value that the switch leaves out when off)
        for (on, column, excluded) in [
            (s.unconfirmed, defect::Column::Confirmed, false),
            (s.known_issues, defect::Column::KnownIssueAccepted, true),
            (s.cosmetic, defect::Column::Cosmetic, true),
            (s.test_environment, defect::Column::TestEnvironment, true),
            (s.data_migration, defect::Column::DataMigration, true),
        ] {
            if !on {
                cond = cond.add(column.ne(excluded));
            }
        }
        if self.reopened == ReopenedPolicy::Separately {
            cond = cond.add(defect::Column::ReopenedCount.eq(0));
        }
        cond
    }
}

/// One line of the defect list, with the names it refers to already resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefectRow {
    pub id: Uuid,
    pub title: String,
    pub severity: String,
    pub defect_type: String,
    pub discovery_stage: String,
    pub team_name: String,
    pub component_name: Option<String>,
    pub release_name: Option<String>,
    pub detected_at: DateTime<Utc>,
    pub external_key: Option<String>,
}

/// One page of defects and the counts behind the whole filtered list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefectListPage {
    pub rows: Vec<DefectRow>,
    /// Defects matching the filter.
    pub total: u64,
    /// Of those, how many are escapes under the boundary in force.
    pub escaped: u64,
}

fn escaped_keys(stages: &StageSettings) -> Vec<String> {
    stages
        .pipeline
        .escaped_stage_keys(&stages.boundary)
        .into_iter()
        .map(|key| key.as_str().to_owned())
        .collect()
}

/// How a title search is answered on one backend. Both keep the same meaning: the title
/// contains the text, ignoring case, with `%`, `_` and `\` taken literally.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TitleSearch {
    /// `lower(title) LIKE '%…%'` with this pattern. PostgreSQL answers it from its trigram
    /// index for three characters or more; on SQLite it is the fallback for one or two
    /// characters and reads every row.
    Like(String),
    /// SQLite's FTS5 trigram index `defects_fts`, queried with this phrase.
    Fts(String),
}

/// A trigram index holds no entry for text shorter than this.
const MIN_INDEXED_CHARS: usize = 3;

/// Below this many matches a page of a title search starts from the matches and sorts them;
/// from it on, walking the detection-time index meets a page of matches quickly.
const FEW_MATCHES: u64 = 1_000;

impl TitleSearch {
    /// The search `filter` asks for on `backend`, or `None` when it has no text.
    fn of(filter: &DefectFilter, backend: Backend) -> Option<TitleSearch> {
        let text = search_text(filter)?;
        Some(match backend {
            Backend::Sqlite if text.chars().count() >= MIN_INDEXED_CHARS => {
                TitleSearch::Fts(fts_phrase(text))
            }
            _ => TitleSearch::Like(like_pattern(text)),
        })
    }

    /// The condition on `defects`, shaped for `purpose`. For a count the term can use the
    /// text index, so the database can start from the matches. For a page of rows it only
    /// checks each row, so the planner keeps walking the list's detection-time index: SQLite
    /// for `+rowid`; PostgreSQL for a `CASE`, which it assumes half the rows pass (it may
    /// guess a handful of matches for `LIKE`, without statistics, and sort them all).
    fn term(&self, purpose: Purpose) -> Expr {
        let like = |pattern: &str| {
            Expr::expr(Func::lower(Expr::col((
                defect::Entity,
                defect::Column::Title,
            ))))
            .like(LikeExpr::new(pattern).escape('\\'))
        };
        match (self, purpose) {
            (TitleSearch::Like(pattern), Purpose::Count) => like(pattern),
            (TitleSearch::Like(pattern), Purpose::Rows) => {
                Expr::case(like(pattern), true).finally(false).into()
            }
            (TitleSearch::Fts(phrase), Purpose::Count) => Expr::cust_with_values(
                r#""defects"."rowid" IN (SELECT "rowid" FROM "defects_fts" WHERE "defects_fts" MATCH ?)"#,
                [phrase.clone()],
            ),
            (TitleSearch::Fts(phrase), Purpose::Rows) => Expr::cust_with_values(
                r#"+"defects"."rowid" IN (SELECT "rowid" FROM "defects_fts" WHERE "defects_fts" MATCH ?)"#,
                [phrase.clone()],
            ),
        }
    }
}

/// The trimmed search text of `filter`, `None` when there is none.
fn search_text(filter: &DefectFilter) -> Option<&str> {
    filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// An FTS5 phrase matching `text` exactly: with the trigram tokenizer a phrase matches
/// wherever its characters appear in a row, in order, as a substring. Inside double quotes
/// every character is literal except `"`, written twice.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// What a condition is for: counting can use the stage index for the escape filter; a page of
/// rows is cheaper read in detection order, filtering escapes on the way.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Count,
    Rows,
}

/// The condition `filter` puts on defects, with escapes judged by `stages`, shaped for
/// `purpose` on `backend`.
pub(crate) fn condition(
    filter: &DefectFilter,
    stages: &StageSettings,
    purpose: Purpose,
    backend: Backend,
) -> Condition {
    let mut cond = Condition::all();
    if let Some(teams) = &filter.visible_teams {
        cond = cond.add(defect::Column::TeamId.is_in(teams.iter().copied()));
    }
    if let Some(id) = filter.team_id {
        cond = cond.add(defect::Column::TeamId.eq(id));
    }
    if let Some(id) = filter.component_id {
        cond = cond.add(defect::Column::ComponentId.eq(id));
    }
    if let Some(id) = filter.release_id {
        cond = cond.add(defect::Column::ReleaseId.eq(id));
    }
    if let Some(severity) = filter.severity {
        cond = cond.add(defect::Column::Severity.eq(severity.key()));
    }
    if let Some(stage) = &filter.discovery_stage {
        cond = cond.add(defect::Column::DiscoveryStage.eq(stage.as_str()));
    }
    // Escapes are a large share of all defects: for a page of rows, `stage || ''` keeps the
    // planner from gathering every escape through the stage index and sorting them, and
    // lets it walk the detection-time index until the page is full.
    let stage = match purpose {
        Purpose::Count => Expr::col((defect::Entity, defect::Column::DiscoveryStage)),
        Purpose::Rows => Expr::cust(r#"("defects"."discovery_stage" || '')"#),
    };
    // Under "reopened counts as escaped", a reopened defect is an escape wherever found.
    let reopened_escapes = filter
        .in_scope
        .is_some_and(|s| s.reopened == ReopenedPolicy::AsEscaped);
    let reopened = defect::Column::ReopenedCount.gt(0);
    match (filter.escaped, reopened_escapes) {
        (Some(true), false) => cond = cond.add(stage.is_in(escaped_keys(stages))),
        (Some(false), false) => cond = cond.add(stage.is_not_in(escaped_keys(stages))),
        (Some(true), true) => {
            cond = cond.add(
                Condition::any()
                    .add(stage.is_in(escaped_keys(stages)))
                    .add(reopened),
            );
        }
        (Some(false), true) => {
            cond = cond
                .add(stage.is_not_in(escaped_keys(stages)))
                .add(defect::Column::ReopenedCount.eq(0));
        }
        (None, _) => {}
    }
    cond = cond.add(drill_condition(filter));
    if filter.unreviewed {
        cond = cond.add(
            Expr::col((defect::Entity, defect::Column::Id)).not_in_subquery(
                Query::select()
                    .column(review_escape::Column::DefectId)
                    .from(review_escape::Entity)
                    .to_owned(),
            ),
        );
    }
    if let Some(search) = TitleSearch::of(filter, backend) {
        cond = cond.add(search.term(purpose));
    }
    cond
}

/// The drill-down filters: days detected, type, expected stage, mechanism, no release and
/// the definition's scope.
fn drill_condition(filter: &DefectFilter) -> Condition {
    let mut cond = Condition::all();
    if filter.no_release {
        cond = cond.add(defect::Column::ReleaseId.is_null());
    }
    if filter.no_component {
        cond = cond.add(defect::Column::ComponentId.is_null());
    }
    if let Some(m) = filter.contributing {
        // Contributing keys are stored comma-separated; a key never contains a comma.
        cond = cond.add(
            Expr::col((defect::Entity, defect::Column::Id)).in_subquery(
                Query::select()
                    .column((review_escape::Entity, review_escape::Column::DefectId))
                    .from(review_escape::Entity)
                    .inner_join(
                        review::Entity,
                        Expr::col((review::Entity, review::Column::Id))
                            .equals((review_escape::Entity, review_escape::Column::ReviewId)),
                    )
                    .and_where(Expr::cust(format!(
                        "(',' || \"review_escapes\".\"contributing\" || ',') LIKE '%,{},%'",
                        m.key()
                    )))
                    .and_where(review::Column::State.is_in(["classified", "closed"]))
                    .to_owned(),
            ),
        );
    }
    if let Some(period) = filter.detected {
        cond = cond.add(defect::Column::DetectedAt.gte(period.start()));
        if let Some(end) = period.end() {
            cond = cond.add(defect::Column::DetectedAt.lt(end));
        }
    }
    if let Some(t) = filter.defect_type {
        cond = cond.add(defect::Column::DefectType.eq(t.key()));
    }
    match &filter.expected_stage {
        Some(Some(stage)) => cond = cond.add(defect::Column::ExpectedCatchStage.eq(stage.as_str())),
        Some(None) => cond = cond.add(defect::Column::ExpectedCatchStage.is_null()),
        None => {}
    }
    if let Some(m) = filter.mechanism {
        cond = cond.add(
            Expr::col((defect::Entity, defect::Column::Id)).in_subquery(
                Query::select()
                    .column((review_escape::Entity, review_escape::Column::DefectId))
                    .from(review_escape::Entity)
                    .inner_join(
                        review::Entity,
                        Expr::col((review::Entity, review::Column::Id))
                            .equals((review_escape::Entity, review_escape::Column::ReviewId)),
                    )
                    .and_where(review_escape::Column::PrimaryMechanism.eq(m.key()))
                    .and_where(review::Column::State.is_in(["classified", "closed"]))
                    .to_owned(),
            ),
        );
    }
    if let Some(scope) = filter.in_scope {
        cond = cond.add(scope.condition());
    }
    cond
}

/// Pages of the lists (the defects list, the queue of unreviewed escapes), kept under the
/// stamps of the teams they count: every write that changes a row they show (a defect, the
/// review that covers it, a team's, component's or release's name) renews them.
static PAGES: crate::rollup::Kept<std::sync::Arc<DefectListPage>> = crate::rollup::Kept::new(256);

/// The page `what` names (it must name the list, its filter, stages and paging) of the rows
/// `filter` counts: the one kept under their teams' stamps, or `compute`'s, then kept.
pub(crate) async fn kept_page<F, Fut>(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    what: String,
    compute: F,
) -> Result<DefectListPage>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<DefectListPage>>,
{
    let teams = super::counts::counted_teams(filter);
    PAGES.get_owned(db, teams.as_deref(), &what, compute).await
}

/// One page of the defects matching `filter`, newest detection first, with the number of
/// matches and how many of them are escapes.
pub async fn list_defects(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
    paging: Paging,
) -> Result<DefectListPage> {
    let what = format!("defects {filter:?} {stages:?} {paging:?}");
    kept_page(db, filter, what, || {
        read_defects(db, filter, stages, paging)
    })
    .await
}

/// [`list_defects`], read from the database.
async fn read_defects(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
    paging: Paging,
) -> Result<DefectListPage> {
    let backend = Backend::of(db);
    if let Some(search) = TitleSearch::of(filter, backend) {
        return search_defects(db, filter, stages, paging, &search).await;
    }
    let (total, escaped) = match super::counts::rollup_counts(db, filter, stages).await? {
        Some(counts) => counts,
        // Counted from the rows (days of a partial quarter, two mechanisms), once per
        // change of the teams' data, like the roll-up's sums.
        None => {
            let what = format!("rows {filter:?} {stages:?}");
            let teams = super::counts::counted_teams(filter);
            crate::rollup::kept(db, teams.as_deref(), what, || async {
                let cond = condition(filter, stages, Purpose::Count, backend);
                let total = count::<defect::Entity>(db, cond.clone()).await?;
                let escaped = match filter.escaped {
                    Some(true) => total,
                    Some(false) => 0,
                    None => {
                        let escapes = defect::Column::DiscoveryStage.is_in(escaped_keys(stages));
                        count::<defect::Entity>(db, cond.add(escapes)).await?
                    }
                };
                Ok((total, escaped))
            })
            .await?
        }
    };
    // The page's ids first, then their rows: the skipped rows of a deep page are index
    // entries (the team index holds the order and the common filters), not rows read from
    // the table (PostgreSQL fetches every row an index scan passes, even those OFFSET skips).
    let page = Query::select()
        .column((defect::Entity, defect::Column::Id))
        .from(defect::Entity)
        .cond_where(condition(filter, stages, Purpose::Rows, backend))
        .order_by((defect::Entity, defect::Column::DetectedAt), Order::Desc)
        .order_by((defect::Entity, defect::Column::Id), Order::Desc)
        .offset(paging.offset())
        .limit(paging.per_page())
        .to_owned();
    let models = listed(defect::Entity::find())
        .filter(Expr::col((defect::Entity, defect::Column::Id)).in_subquery(page))
        .order_by_desc(defect::Column::DetectedAt)
        .order_by_desc(defect::Column::Id)
        .into_model::<Listed>()
        .all(db)
        .await?;
    let rows = resolve_names(db, models).await?;
    Ok(DefectListPage {
        rows,
        total,
        escaped,
    })
}

/// [`list_defects`] with a title search: both counts in one pass over the matches, then the
/// page, read the way that suits the number of matches.
async fn search_defects(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
    paging: Paging,
    search: &TitleSearch,
) -> Result<DefectListPage> {
    let backend = Backend::of(db);
    // Counted once per change of the teams' data (a title edit renews their stamps too).
    let what = format!("search {filter:?} {stages:?}");
    let teams = super::counts::counted_teams(filter);
    let (total, escaped) = crate::rollup::kept(db, teams.as_deref(), what, || {
        search_counts(db, filter, stages, search)
    })
    .await?;
    if total <= paging.offset() {
        return Ok(DefectListPage {
            rows: Vec::new(),
            total,
            escaped,
        });
    }
    let facets = condition(&without_text(filter), stages, Purpose::Rows, backend);
    let models = match search {
        // Many matches: walk the detection-time index, checking each row; with one match in
        // k rows a page is full after about 50·k of them.
        _ if total >= FEW_MATCHES => {
            listed(defect::Entity::find())
                .filter(facets)
                .filter(search.term(Purpose::Rows))
                .order_by_desc(defect::Column::DetectedAt)
                .order_by_desc(defect::Column::Id)
                .offset(paging.offset())
                .limit(paging.per_page())
                .into_model::<Listed>()
                .all(db)
                .await?
        }
        // Few matches, walking the time index would visit most of the table to fill a page:
        // start from the matches and sort them. SQLite: from the FTS rowids (`CROSS JOIN`
        // fixes that order), one look-up each.
        TitleSearch::Fts(phrase) => {
            let mut select = listed(defect::Entity::find())
                .filter(facets)
                .filter(fts_join(phrase))
                .order_by_desc(defect::Column::DetectedAt)
                .order_by_desc(defect::Column::Id)
                .offset(paging.offset())
                .limit(paging.per_page())
                .into_query();
            select
                .from_clear()
                .from("defects_fts")
                .cross_join(defect::Entity);
            defect::Entity::find()
                .from_raw_sql(db.get_database_backend().build(&select))
                .into_model::<Listed>()
                .all(db)
                .await?
        }
        // PostgreSQL reads the matches from the trigram index (SQLite, for one or two
        // characters, the whole table) and keeps the newest. Ordering by an expression (same
        // type, same order) keeps the planner from walking the time index instead.
        TitleSearch::Like(_) => {
            listed(defect::Entity::find())
                .filter(facets)
                .filter(search.term(Purpose::Count))
                .order_by(
                    Expr::cust(r#"COALESCE("defects"."detected_at", "defects"."detected_at")"#),
                    Order::Desc,
                )
                .order_by_desc(defect::Column::Id)
                .offset(paging.offset())
                .limit(paging.per_page())
                .into_model::<Listed>()
                .all(db)
                .await?
        }
    };
    let rows = resolve_names(db, models).await?;
    Ok(DefectListPage {
        rows,
        total,
        escaped,
    })
}

/// The matches of a title search and, of those, the escapes, counted together in one
/// statement. On SQLite the FTS index drives it (`CROSS JOIN` fixes that order): one
/// look-up in `defects` per match, whatever the other filters.
async fn search_counts(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
    search: &TitleSearch,
) -> Result<(u64, u64)> {
    let backend = Backend::of(db);
    let escapes =
        Expr::col((defect::Entity, defect::Column::DiscoveryStage)).is_in(escaped_keys(stages));
    let mut select = Query::select();
    select.expr(Expr::cust("COUNT(*)")).expr(Func::coalesce([
        Func::sum(Expr::case(escapes, 1).finally(0)).into(),
        Expr::val(0),
    ]));
    match search {
        TitleSearch::Fts(phrase) => {
            select
                .from("defects_fts")
                .cross_join(defect::Entity)
                .cond_where(condition(
                    &without_text(filter),
                    stages,
                    Purpose::Count,
                    backend,
                ))
                .and_where(fts_join(phrase));
        }
        TitleSearch::Like(_) => {
            select.from(defect::Entity).cond_where(condition(
                filter,
                stages,
                Purpose::Count,
                backend,
            ));
        }
    }
    let Some(row) = db.query_one(&select).await? else {
        return Ok((0, 0));
    };
    let n = |i: usize| -> Result<u64> {
        let v: i64 = row.try_get_by_index(i)?;
        Ok(u64::try_from(v).unwrap_or(0))
    };
    Ok((n(0)?, n(1)?))
}

/// `filter` without its title search.
fn without_text(filter: &DefectFilter) -> DefectFilter {
    DefectFilter {
        text: None,
        ..filter.clone()
    }
}

/// Joins `defects_fts` (first in `FROM`) to `defects` and keeps the rows matching `phrase`.
fn fts_join(phrase: &str) -> Expr {
    Expr::cust_with_values(
        r#""defects"."rowid" = "defects_fts"."rowid" AND "defects_fts" MATCH ?"#,
        [phrase.to_owned()],
    )
}

/// `SELECT COUNT(*) FROM <table> WHERE cond`, written out so the database can answer it
/// from an index alone (a generic paginator count wraps every column in a subquery).
pub(crate) async fn count<E: EntityTrait>(
    db: &impl ConnectionTrait,
    cond: Condition,
) -> Result<u64> {
    let n: Option<i64> = E::find()
        .select_only()
        .expr(Expr::cust("COUNT(*)"))
        .filter(cond)
        .into_tuple()
        .one(db)
        .await?;
    Ok(n.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
}

/// The `name` of each of the rows `ids` of `E`, by `id`; one query, none for no ids.
pub(crate) async fn names<E, C>(
    db: &impl ConnectionTrait,
    id: C,
    name: C,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, String>>
where
    E: EntityTrait<Column = C>,
    C: ColumnTrait,
{
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let pairs: Vec<(Uuid, String)> = E::find()
        .select_only()
        .column(id)
        .column(name)
        .filter(id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(pairs.into_iter().collect())
}

/// The columns of a defect a list row shows: the description and the rest stay in the
/// table, so a page does not copy them out of the database and back.
#[derive(Debug, sea_orm::FromQueryResult)]
pub(crate) struct Listed {
    id: Uuid,
    team_id: Uuid,
    component_id: Option<Uuid>,
    release_id: Option<Uuid>,
    title: String,
    severity: String,
    defect_type: String,
    discovery_stage: String,
    detected_at: DateTime<Utc>,
    external_key: Option<String>,
}

/// `select` narrowed to the columns of [`Listed`].
pub(crate) fn listed(select: sea_orm::Select<defect::Entity>) -> sea_orm::Select<defect::Entity> {
    select.select_only().columns([
        defect::Column::Id,
        defect::Column::TeamId,
        defect::Column::ComponentId,
        defect::Column::ReleaseId,
        defect::Column::Title,
        defect::Column::Severity,
        defect::Column::DefectType,
        defect::Column::DiscoveryStage,
        defect::Column::DetectedAt,
        defect::Column::ExternalKey,
    ])
}

/// Defect rows as the list shows them, with team, component and release names resolved in
/// three queries for the whole page.
pub(crate) async fn resolve_names(
    db: &impl ConnectionTrait,
    models: Vec<Listed>,
) -> Result<Vec<DefectRow>> {
    let team_ids = models.iter().map(|m| m.team_id).collect();
    let component_ids = models.iter().filter_map(|m| m.component_id).collect();
    let release_ids = models.iter().filter_map(|m| m.release_id).collect();
    let teams =
        names::<team::Entity, _>(db, team::Column::Id, team::Column::Name, team_ids).await?;
    let components = names::<component::Entity, _>(
        db,
        component::Column::Id,
        component::Column::Name,
        component_ids,
    )
    .await?;
    let releases =
        names::<release::Entity, _>(db, release::Column::Id, release::Column::Name, release_ids)
            .await?;
    Ok(models
        .into_iter()
        .map(|m| DefectRow {
            id: m.id,
            team_name: teams.get(&m.team_id).cloned().unwrap_or_default(),
            component_name: m.component_id.and_then(|id| components.get(&id).cloned()),
            release_name: m.release_id.and_then(|id| releases.get(&id).cloned()),
            title: m.title,
            severity: m.severity,
            defect_type: m.defect_type,
            discovery_stage: m.discovery_stage,
            detected_at: m.detected_at,
            external_key: m.external_key,
        })
        .collect())
}

/// Where a keyset page of defects starts: after the defect with this detection time and id,
/// in the list's order (newest detection first, then id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefectKey {
    pub detected_at: DateTime<Utc>,
    pub id: Uuid,
}

/// Up to `limit` whole defects matching `filter` after `after`, in [`list_defects`]' order: a
/// keyset page, which costs the same however deep it is (the API's cursor pagination).
pub async fn defects_after(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
    after: Option<DefectKey>,
    limit: u64,
) -> Result<Vec<escapement_core::Defect>> {
    let what = format!("after {filter:?} {stages:?} {after:?} {limit}");
    let teams = super::counts::counted_teams(filter);
    KEYSET_PAGES
        .get_owned(db, teams.as_deref(), &what, || {
            read_after(db, filter, stages, after, limit)
        })
        .await
}

/// The API's keyset pages of whole defects, kept under the stamps of the teams they count
/// (a defect write renews its team's).
static KEYSET_PAGES: crate::rollup::Kept<std::sync::Arc<Vec<escapement_core::Defect>>> =
    crate::rollup::Kept::new(64);

/// [`defects_after`], read from the database.
async fn read_after(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
    after: Option<DefectKey>,
    limit: u64,
) -> Result<Vec<escapement_core::Defect>> {
    let mut cond = condition(filter, stages, Purpose::Rows, Backend::of(db));
    if let Some(key) = after {
        cond = cond.add(
            Condition::any()
                .add(defect::Column::DetectedAt.lt(key.detected_at))
                .add(
                    Condition::all()
                        .add(defect::Column::DetectedAt.eq(key.detected_at))
                        .add(defect::Column::Id.lt(key.id)),
                ),
        );
    }
    defect::Entity::find()
        .filter(cond)
        .order_by_desc(defect::Column::DetectedAt)
        .order_by_desc(defect::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}
