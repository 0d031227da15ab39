//! Reading the roll-up: the rows a filter selects, as core's count and duration cells, and
//! plain defect counts for the lists.

use escapement_core::metrics::{
    ANY_ID, Bucket, CountCell, CountKey, DurationCell, DurationKey, DurationKind, MechanismSlot,
    Period, Quarter, Role, ScopeMask,
};
use escapement_core::{DefectType, Severity};
use futures_util::TryStreamExt;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, StreamTrait};
use uuid::Uuid;

use crate::{Result, StorageError, stored_key, stored_stage};

/// Which groups to read; every `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountFilter {
    /// The teams the reader may see; `None` means every team (an instance admin).
    pub visible_teams: Option<Vec<Uuid>>,
    pub team: Option<Uuid>,
    /// `Some(None)` selects defects without a component.
    pub component: Option<Option<Uuid>>,
    pub release: Option<Option<Uuid>>,
    pub severity: Option<Severity>,
    pub defect_type: Option<DefectType>,
    /// First and last quarter, both included.
    pub quarters: Option<(Quarter, Quarter)>,
    /// The days inside `quarters` the metrics count, when not all of them: the roll-up
    /// answers the whole quarters and the defects of the partial ones are counted from
    /// their rows (see [`crate::metrics::metric_inputs`]). The lists' counts ignore it.
    pub period: Option<Period>,
    pub discovery_stages: Option<Vec<String>>,
    pub expected_stage: Option<String>,
    pub mechanism: Option<MechanismSlot>,
    /// Only rows whose scope bits are all clear in this mask (`scope & mask = 0`).
    pub scope_clear: Option<u8>,
    /// Only rows whose scope has every bit of this mask (`scope & mask = mask`).
    pub scope_set: Option<u8>,
    /// `count_defects` counts contributing-mechanism rows instead of defects (each
    /// contributing row stands for one defect with that contributing mechanism).
    pub contributing: bool,
}

fn nil(id: Option<Uuid>) -> Uuid {
    id.unwrap_or(Uuid::nil())
}

/// What a reader groups the rows by, beyond the filters: it decides the coarsest grain
/// that still answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Releases, quarters, stages, scope and mechanisms (the dashboard's charts): rows
    /// with every component and type together unless the filter names one.
    ByRelease,
    /// Components as well (the per-component tables): rows with every release and type
    /// together unless the filter names one.
    ByComponent,
    /// Quarters only (durations): every component, release and type together unless
    /// the filter names one.
    ByQuarter,
}

/// The teams a filter of `team` among the `visible` teams counts (and whose stamps what
/// it reads is kept under): its team, else the teams it may see; `None` for every team.
pub(crate) fn counted_teams(team: Option<Uuid>, visible: Option<&[Uuid]>) -> Option<Vec<Uuid>> {
    match team {
        Some(team) => Some(vec![team]),
        None => visible.map(<[Uuid]>::to_vec),
    }
}

impl CountFilter {
    /// The teams this filter counts: its team, else the teams it may see; `None` for every
    /// team.
    pub fn teams(&self) -> Option<Vec<Uuid>> {
        counted_teams(self.team, self.visible_teams.as_deref())
    }

    /// The grain (see the roll-up migration) that answers this filter at `detail`.
    fn grain(&self, detail: Detail) -> i16 {
        use super::write::{ANY_COMPONENT, ANY_RELEASE, ANY_TYPE};
        if self.defect_type.is_some() {
            return 0;
        }
        match detail {
            Detail::ByRelease if self.component.is_none() => ANY_COMPONENT | ANY_TYPE,
            Detail::ByComponent if self.release.is_none() => ANY_RELEASE | ANY_TYPE,
            Detail::ByQuarter => match (self.component.is_none(), self.release.is_none()) {
                (true, true) => ANY_COMPONENT | ANY_RELEASE | ANY_TYPE,
                (true, false) => ANY_COMPONENT | ANY_TYPE,
                _ => 0,
            },
            _ => 0,
        }
    }
}

/// The grain of a row with these dimensions (see the roll-up migration).
fn grain_of(
    component: Option<Uuid>,
    release: Option<Uuid>,
    defect_type: Option<DefectType>,
) -> i16 {
    use super::write::{ANY_COMPONENT, ANY_RELEASE, ANY_TYPE};
    let mut grain = 0;
    if component == Some(ANY_ID) {
        grain |= ANY_COMPONENT;
    }
    if release == Some(ANY_ID) {
        grain |= ANY_RELEASE;
    }
    if defect_type.is_none() {
        grain |= ANY_TYPE;
    }
    grain
}

impl CountFilter {
    /// What [`apply_shared`] selects, for a row computed rather than stored.
    fn admits_shared(
        &self,
        team: Uuid,
        component: Option<Uuid>,
        release: Option<Uuid>,
        severity: Severity,
        defect_type: Option<DefectType>,
        quarter: Quarter,
    ) -> bool {
        self.visible_teams
            .as_ref()
            .is_none_or(|teams| teams.contains(&team))
            && self.team.is_none_or(|t| t == team)
            && self.component.is_none_or(|c| c == component)
            && self.release.is_none_or(|r| r == release)
            && self.severity.is_none_or(|s| s == severity)
            && self.defect_type.is_none_or(|t| Some(t) == defect_type)
            && self
                .quarters
                .is_none_or(|(first, last)| (first..=last).contains(&quarter))
    }

    /// Whether [`count_cells`] at `detail` would read a stored row with this key.
    pub(super) fn admits_count(&self, key: &CountKey, detail: Detail) -> bool {
        grain_of(key.component, key.release, key.defect_type) == self.grain(detail)
            && self.admits_shared(
                key.team,
                key.component,
                key.release,
                key.severity,
                key.defect_type,
                key.quarter,
            )
            && self
                .discovery_stages
                .as_ref()
                .is_none_or(|stages| stages.iter().any(|s| s == key.discovery_stage.as_str()))
            && self.expected_stage.as_ref().is_none_or(|stage| {
                key.expected_stage.as_ref().map_or("", |k| k.as_str()) == stage.as_str()
            })
            && self.mechanism.is_none_or(|m| m == key.mechanism)
            && self
                .scope_clear
                .is_none_or(|mask| key.scope.bits() & mask == 0)
    }

    /// Whether [`duration_cells`] would read a stored row with this key.
    pub(super) fn admits_duration(&self, key: &DurationKey) -> bool {
        grain_of(key.component, key.release, key.defect_type) == self.grain(Detail::ByQuarter)
            && self.admits_shared(
                key.team,
                key.component,
                key.release,
                key.severity,
                key.defect_type,
                key.quarter,
            )
    }
}

fn apply_shared(select: &mut SelectStatement, f: &CountFilter) {
    if let Some(teams) = &f.visible_teams {
        select.and_where(Expr::col("team_id").is_in(teams.iter().copied()));
    }
    if let Some(team) = f.team {
        select.and_where(Expr::col("team_id").eq(team));
    }
    if let Some(component) = f.component {
        select.and_where(Expr::col("component_id").eq(nil(component)));
    }
    if let Some(release) = f.release {
        select.and_where(Expr::col("release_id").eq(nil(release)));
    }
    if let Some(severity) = f.severity {
        select.and_where(Expr::col("severity").eq(severity.key()));
    }
    if let Some(t) = f.defect_type {
        select.and_where(Expr::col("defect_type").eq(t.key()));
    }
    if let Some((first, last)) = f.quarters {
        select.and_where(Expr::col("quarter").between(first.code(), last.code()));
    }
}

fn apply_counts_only(select: &mut SelectStatement, f: &CountFilter) {
    if let Some(stages) = &f.discovery_stages {
        select.and_where(Expr::col("discovery_stage").is_in(stages.iter().cloned()));
    }
    if let Some(stage) = &f.expected_stage {
        select.and_where(Expr::col("expected_stage").eq(stage.as_str()));
    }
    if let Some(slot) = f.mechanism {
        select.and_where(Expr::col("mechanism").eq(slot.code()));
    }
}

fn corrupt(what: &str) -> StorageError {
    StorageError::Db(DbErr::Type(format!("roll-up row: {what}")))
}

fn id_of(row: &QueryResult, column: &str) -> Result<Option<Uuid>> {
    let id: Uuid = row.try_get("", column)?;
    Ok((!id.is_nil()).then_some(id))
}

/// The dimensions both roll-up tables share, in their order.
type Shared = (
    Uuid,
    Option<Uuid>,
    Option<Uuid>,
    Quarter,
    Severity,
    Option<DefectType>,
    ScopeMask,
);

fn shared_of(row: &QueryResult) -> Result<Shared> {
    let quarter: i32 = row.try_get("", "quarter")?;
    let scope: i16 = row.try_get("", "scope")?;
    let severity: String = row.try_get("", "severity")?;
    let defect_type: String = row.try_get("", "defect_type")?;
    Ok((
        row.try_get("", "team_id")?,
        id_of(row, "component_id")?,
        id_of(row, "release_id")?,
        Quarter::from_code(quarter).ok_or_else(|| corrupt("quarter"))?,
        stored_key("defect_counts.severity", &severity)?,
        match defect_type.as_str() {
            "*" => None,
            key => Some(stored_key("defect_counts.defect_type", key)?),
        },
        ScopeMask::from_bits(u8::try_from(scope).map_err(|_| corrupt("scope"))?),
    ))
}

fn count_key_of(row: &QueryResult) -> Result<CountKey> {
    let (team, component, release, quarter, severity, defect_type, scope) = shared_of(row)?;
    let stage: String = row.try_get("", "discovery_stage")?;
    let expected: String = row.try_get("", "expected_stage")?;
    let role: String = row.try_get("", "role")?;
    let mechanism: String = row.try_get("", "mechanism")?;
    Ok(CountKey {
        team,
        component,
        release,
        quarter,
        severity,
        defect_type,
        discovery_stage: stored_stage("defect_counts.discovery_stage", &stage)?,
        expected_stage: (!expected.is_empty())
            .then(|| stored_stage("defect_counts.expected_stage", &expected))
            .transpose()?,
        scope,
        role: Role::from_code(&role).ok_or_else(|| corrupt("role"))?,
        mechanism: MechanismSlot::from_code(&mechanism).ok_or_else(|| corrupt("mechanism"))?,
    })
}

fn duration_key_of(row: &QueryResult) -> Result<DurationKey> {
    let (team, component, release, quarter, severity, defect_type, scope) = shared_of(row)?;
    let kind: String = row.try_get("", "kind")?;
    let bucket: i16 = row.try_get("", "bucket")?;
    Ok(DurationKey {
        team,
        component,
        release,
        quarter,
        severity,
        defect_type,
        scope,
        kind: DurationKind::from_code(&kind).ok_or_else(|| corrupt("kind"))?,
        bucket: match bucket {
            -1 => None,
            b => Some(
                u8::try_from(b)
                    .ok()
                    .and_then(Bucket::from_index)
                    .ok_or_else(|| corrupt("bucket"))?,
            ),
        },
    })
}

const SHARED: [&str; 7] = [
    "team_id",
    "quarter",
    "component_id",
    "release_id",
    "severity",
    "defect_type",
    "scope",
];

fn count_select(f: &CountFilter, grain: Option<i16>) -> SelectStatement {
    let mut select = Query::select();
    select.from("defect_counts").columns(SHARED).columns([
        "discovery_stage",
        "expected_stage",
        "role",
        "mechanism",
        "n",
    ]);
    if let Some(g) = grain {
        select.and_where(Expr::col("grain").eq(g));
    }
    apply_shared(&mut select, f);
    apply_counts_only(&mut select, f);
    if let Some(mask) = f.scope_clear {
        // A literal, not a parameter: the mask is a number of ours, and placeholders in
        // custom SQL differ between the engines.
        select.and_where(Expr::cust(format!("(scope & {mask}) = 0")));
    }
    select.to_owned()
}

/// The count rows `filter` selects, from the coarsest grain that answers at `detail`: in
/// a coarse row the dimensions it counts together are [`escapement_core::metrics::ANY_ID`]
/// (component, release) or `None` (defect type).
pub async fn count_cells(
    db: &(impl ConnectionTrait + StreamTrait),
    filter: &CountFilter,
    detail: Detail,
) -> Result<Vec<CountCell>> {
    let select = count_select(filter, Some(filter.grain(detail)));
    cells_of(db, &select, |row| {
        Ok(CountCell {
            key: count_key_of(row)?,
            count: count_of(row)?,
        })
    })
    .await
}

/// The `n` of a roll-up row.
fn count_of(row: &QueryResult) -> Result<u64> {
    let n: i64 = row.try_get("", "n")?;
    u64::try_from(n).map_err(|_| corrupt("n"))
}

/// The rows of `select` as cells, streamed: each row becomes a cell as it arrives, so a
/// request holds the cells, not every row's raw values beside them (tens of thousands of
/// rows at a million defects).
async fn cells_of<T>(
    db: &(impl ConnectionTrait + StreamTrait),
    select: &SelectStatement,
    cell: impl Fn(&QueryResult) -> Result<T>,
) -> Result<Vec<T>> {
    let rows = db.stream(select).await?;
    let mut rows = std::pin::pin!(rows);
    let mut cells = Vec::new();
    while let Some(row) = rows.try_next().await? {
        cells.push(cell(&row)?);
    }
    Ok(cells)
}

/// The duration rows `filter` selects (the stage and mechanism filters do not apply), from
/// the coarsest grain that answers per quarter.
pub async fn duration_cells(
    db: &(impl ConnectionTrait + StreamTrait),
    filter: &CountFilter,
) -> Result<Vec<DurationCell>> {
    let mut select = Query::select();
    select.from("defect_durations").columns(SHARED).columns([
        "kind",
        "bucket",
        "n",
        "total_seconds",
    ]);
    select.and_where(Expr::col("grain").eq(filter.grain(Detail::ByQuarter)));
    apply_shared(&mut select, filter);
    cells_of(db, &select, |row| {
        Ok(DurationCell {
            key: duration_key_of(row)?,
            count: count_of(row)?,
            total_seconds: row.try_get("", "total_seconds")?,
        })
    })
    .await
}

/// How many defects `filter` selects (primary rows only), summed in the database.
pub async fn count_defects(db: &impl ConnectionTrait, filter: &CountFilter) -> Result<u64> {
    let mut select = Query::select();
    select
        .from("defect_counts")
        .expr(Expr::cust("CAST(COALESCE(SUM(n), 0) AS BIGINT)"))
        .and_where(Expr::col("role").eq(if filter.contributing {
            Role::Contributing.code()
        } else {
            Role::Primary.code()
        }))
        .and_where(Expr::col("grain").eq(filter.grain(Detail::ByRelease)));
    apply_shared(&mut select, filter);
    apply_counts_only(&mut select, filter);
    if let Some(mask) = filter.scope_clear {
        // A literal, not a parameter: the mask is a number of ours, and placeholders in
        // custom SQL differ between the engines.
        select.and_where(Expr::cust(format!("(scope & {mask}) = 0")));
    }
    if let Some(mask) = filter.scope_set {
        select.and_where(Expr::cust(format!("(scope & {mask}) = {mask}")));
    }
    let row = db.query_one(&select).await?;
    let n: i64 = match row {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Every stored count row, for verification.
pub(super) async fn stored_counts(db: &impl ConnectionTrait) -> Result<Vec<(CountKey, i64)>> {
    let rows = db
        .query_all(&count_select(&CountFilter::default(), None))
        .await?;
    rows.iter()
        .map(|row| Ok((count_key_of(row)?, row.try_get("", "n")?)))
        .collect()
}

/// Every stored duration row, for verification.
pub(super) async fn stored_durations(
    db: &impl ConnectionTrait,
) -> Result<Vec<(DurationKey, (i64, i64))>> {
    let mut select = Query::select();
    select.from("defect_durations").columns(SHARED).columns([
        "kind",
        "bucket",
        "n",
        "total_seconds",
    ]);
    let rows = db.query_all(&select).await?;
    rows.iter()
        .map(|row| {
            Ok((
                duration_key_of(row)?,
                (row.try_get("", "n")?, row.try_get("", "total_seconds")?),
            ))
        })
        .collect()
}
