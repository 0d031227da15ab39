//! Defects: the filtered, paginated list, one defect, and create / update with optimistic
//! locking. Whether a defect escaped is computed from the pipeline and boundary in force.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use escapement_core::{
    Defect, DefectType, DetectedBy, Keyed, NewDefect, Origin, Paging, ScopeFlags, Severity,
    StageKey, ValidationErrors,
};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{component, defect, release, review_escape, team};
use crate::records::{DefectListPage, DefectRow};
use crate::settings::StageSettings;
use crate::{Result, StorageError, unique_violation_as, versioned};

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
    /// Case-insensitive text that the title must contain.
    pub text: Option<String>,
    /// Only defects that no escape review covers yet.
    pub unreviewed: bool,
}

fn escaped_keys(stages: &StageSettings) -> Vec<String> {
    stages
        .pipeline
        .escaped_stage_keys(&stages.boundary)
        .into_iter()
        .map(|key| key.as_str().to_owned())
        .collect()
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

pub(crate) fn condition(
    filter: &DefectFilter,
    stages: &StageSettings,
    purpose: Purpose,
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
    match filter.escaped {
        Some(true) => cond = cond.add(stage.is_in(escaped_keys(stages))),
        Some(false) => cond = cond.add(stage.is_not_in(escaped_keys(stages))),
        None => {}
    }
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
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        cond = cond.add(
            Expr::expr(Func::lower(Expr::col(defect::Column::Title)))
                .like(LikeExpr::new(like_pattern(text)).escape('\\')),
        );
    }
    cond
}

/// One page of the defects matching `filter`, newest detection first, with the number of
/// matches and how many of them are escapes.
pub async fn list_defects(
    db: &impl ConnectionTrait,
    filter: &DefectFilter,
    stages: &StageSettings,
    paging: Paging,
) -> Result<DefectListPage> {
    let cond = condition(filter, stages, Purpose::Count);
    let total = count::<defect::Entity>(db, cond.clone()).await?;
    let escaped = match filter.escaped {
        Some(true) => total,
        Some(false) => 0,
        None => {
            let escapes = defect::Column::DiscoveryStage.is_in(escaped_keys(stages));
            count::<defect::Entity>(db, cond.add(escapes)).await?
        }
    };
    // When a title search matches few rows, walking the time index would visit most of the
    // table to fill a page; reading the table once and keeping the newest matches is
    // cheaper. Ordering by an expression (same type, same order) steers the planner that
    // way. With many matches the index walk fills a page quickly and stays.
    let searching = filter.text.as_deref().is_some_and(|t| !t.trim().is_empty());
    let newest_first = if searching && total < 1_000 {
        Expr::cust(r#"COALESCE("defects"."detected_at", "defects"."detected_at")"#)
    } else {
        Expr::col((defect::Entity, defect::Column::DetectedAt))
    };
    let models = defect::Entity::find()
        .filter(condition(filter, stages, Purpose::Rows))
        .order_by(newest_first, Order::Desc)
        .order_by_desc(defect::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page())
        .all(db)
        .await?;
    let rows = resolve_names(db, models).await?;
    Ok(DefectListPage {
        rows,
        total,
        escaped,
    })
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

pub(crate) async fn resolve_names(
    db: &impl ConnectionTrait,
    models: Vec<defect::Model>,
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

fn parse_key<T: Keyed>(column: &str, value: &str) -> Result<T> {
    crate::stored_key(&format!("defects.{column}"), value)
}

fn parse_stage(column: &str, value: &str) -> Result<StageKey> {
    crate::stored_stage(&format!("defects.{column}"), value)
}

impl TryFrom<defect::Model> for Defect {
    type Error = StorageError;

    fn try_from(m: defect::Model) -> Result<Self> {
        let data = NewDefect {
            severity: parse_key::<Severity>("severity", &m.severity)?,
            defect_type: parse_key::<DefectType>("defect_type", &m.defect_type)?,
            origin: parse_key::<Origin>("origin", &m.origin)?,
            detected_by: parse_key::<DetectedBy>("detected_by", &m.detected_by)?,
            discovery_stage: parse_stage("discovery_stage", &m.discovery_stage)?,
            expected_catch_stage: m
                .expected_catch_stage
                .as_deref()
                .map(|s| parse_stage("expected_catch_stage", s))
                .transpose()?,
            title: m.title,
            description: m.description,
            team_id: m.team_id,
            component_id: m.component_id,
            release_id: m.release_id,
            introduced_at: m.introduced_at,
            detected_at: m.detected_at,
            resolved_at: m.resolved_at,
            reopened_count: u32::try_from(m.reopened_count).unwrap_or(0),
            scope: ScopeFlags {
                confirmed: m.confirmed,
                known_issue_accepted: m.known_issue_accepted,
                cosmetic: m.cosmetic,
                test_environment: m.test_environment,
                data_migration: m.data_migration,
            },
            external_key: m.external_key,
            incident_link: m.incident_link,
        };
        Ok(Defect {
            id: m.id,
            data,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// The columns a defect's own data fills, without id, timestamps of the row or version.
fn data_columns(d: &NewDefect) -> defect::ActiveModel {
    defect::ActiveModel {
        team_id: Set(d.team_id),
        component_id: Set(d.component_id),
        release_id: Set(d.release_id),
        title: Set(d.title.clone()),
        description: Set(d.description.clone()),
        severity: Set(d.severity.key().to_owned()),
        defect_type: Set(d.defect_type.key().to_owned()),
        origin: Set(d.origin.key().to_owned()),
        discovery_stage: Set(d.discovery_stage.as_str().to_owned()),
        expected_catch_stage: Set(d
            .expected_catch_stage
            .as_ref()
            .map(|s| s.as_str().to_owned())),
        detected_by: Set(d.detected_by.key().to_owned()),
        introduced_at: Set(d.introduced_at),
        detected_at: Set(d.detected_at),
        resolved_at: Set(d.resolved_at),
        reopened_count: Set(i32::try_from(d.reopened_count).unwrap_or(i32::MAX)),
        confirmed: Set(d.scope.confirmed),
        known_issue_accepted: Set(d.scope.known_issue_accepted),
        cosmetic: Set(d.scope.cosmetic),
        test_environment: Set(d.scope.test_environment),
        data_migration: Set(d.scope.data_migration),
        external_key: Set(d.external_key.clone()),
        incident_link: Set(d.incident_link.clone()),
        ..Default::default()
    }
}

/// A complete row for a new defect, for single and bulk inserts.
pub(crate) fn new_row(id: Uuid, d: &NewDefect, now: DateTime<Utc>) -> defect::ActiveModel {
    defect::ActiveModel {
        id: Set(id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..data_columns(d)
    }
}

/// One defect, or `NotFound`.
pub async fn get_defect(db: &impl ConnectionTrait, id: Uuid) -> Result<Defect> {
    defect::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(StorageError::NotFound)?
        .try_into()
}

/// Checks what only the database knows: the team exists, and the component and release
/// belong to that team.
async fn check_references(db: &impl ConnectionTrait, d: &NewDefect) -> Result<()> {
    let mut errors = ValidationErrors::new();
    if team::Entity::find_by_id(d.team_id).one(db).await?.is_none() {
        errors.push("team_id", "Select a team from the list");
    }
    if let Some(id) = d.component_id {
        let owner = component::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.team_id);
        if owner != Some(d.team_id) {
            errors.push("component_id", "Select a component of the chosen team");
        }
    }
    if let Some(id) = d.release_id {
        let owner = release::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|r| r.team_id);
        if owner != Some(d.team_id) {
            errors.push("release_id", "Select a release of the chosen team");
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StorageError::Invalid(errors))
    }
}

const EXTERNAL_KEY_TAKEN: &str = "This team already has a defect with this external key";

/// Records a new defect.
pub async fn create_defect(
    db: &impl ConnectionTrait,
    d: &NewDefect,
    now: DateTime<Utc>,
) -> Result<Defect> {
    check_references(db, d).await?;
    let model = defect::Entity::insert(new_row(Uuid::now_v7(), d, now))
        .exec_with_returning(db)
        .await
        .map_err(|e| unique_violation_as(e, "external_key", EXTERNAL_KEY_TAKEN))?;
    model.try_into()
}

/// Replaces a defect's data if it is still at `expected_version`; `Stale` otherwise.
pub async fn update_defect(
    db: &impl ConnectionTrait,
    id: Uuid,
    expected_version: i32,
    d: &NewDefect,
    now: DateTime<Utc>,
) -> Result<Defect> {
    check_references(db, d).await?;
    let changes = defect::ActiveModel {
        updated_at: Set(now),
        ..data_columns(d)
    };
    versioned::update::<defect::Entity>(
        db,
        defect::Column::Id,
        defect::Column::Version,
        id,
        expected_version,
        changes,
    )
    .await
    .map_err(|e| match e {
        StorageError::Db(err) => unique_violation_as(err, "external_key", EXTERNAL_KEY_TAKEN),
        other => other,
    })?;
    get_defect(db, id).await
}
