//! One import of a CSV file into a team: every row read, mapped and validated, matched to
//! the team's defects by external key, then (when writing) the new defects inserted (a
//! COPY per batch on PostgreSQL, multi-row statements on SQLite) and the changed ones
//! updated, with their components, releases and roll-up counts, all in one write
//! transaction. A preview is the same walk in a read transaction that writes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use escapement_core::import::{
    Binding, Catalog, CsvFile, Field, FileError, Mapping, MappingError, RowError, RowOutcome,
};
use escapement_core::metrics::{Classification, contributions};
use escapement_core::{Defect, NewDefect, Pipeline};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::demo::bulk::LoadTxn;
use crate::entities::{component, defect, release, team};
use crate::rollup::{Delta, track};
use crate::{Result, StorageError};

/// How many row errors a report lists in full; every erroneous line is still counted and
/// named in `error_lines`.
pub const LISTED_ERRORS: usize = 1000;
/// How many rows a report shows as a sample of what the import makes.
pub const SAMPLE_ROWS: usize = 10;

/// What an import may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// Write (false: a preview that writes nothing).
    pub write: bool,
    /// Import the valid rows of a file that has invalid ones (false: such a file writes
    /// nothing).
    pub only_valid: bool,
    /// Refuse rows that name a component or release the team has not got (for someone
    /// who may record defects but not change the team's catalog).
    pub existing_catalog_only: bool,
}

/// A row of the sample a report shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleRow {
    pub line: u64,
    /// `create`, `update` or `unchanged`.
    pub action: String,
    pub title: String,
    pub severity: String,
    pub discovery_stage: String,
    pub detected_at: DateTime<Utc>,
    pub external_key: Option<String>,
}

/// What an import found and did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportReport {
    /// Rows read after the header (blank rows are not rows).
    pub rows: u64,
    /// Rows without any error.
    pub valid: u64,
    /// Valid rows that make a new defect.
    pub created: u64,
    /// Valid rows that change a defect with the same external key.
    pub updated: u64,
    /// Valid rows whose defect already holds exactly what they give.
    pub unchanged: u64,
    /// Rows with an error, left out.
    pub error_rows: u64,
    /// The first [`LISTED_ERRORS`] problems, in file order.
    pub errors: Vec<RowError>,
    /// Every line that has an error, in file order.
    pub error_lines: Vec<u64>,
    /// Components and releases the valid rows name that the team has not got yet.
    pub new_components: Vec<String>,
    pub new_releases: Vec<String>,
    /// Per field key, how many valid rows took the mapping's default.
    pub defaulted: BTreeMap<String, u64>,
    /// Valid rows with no external key: a second import of the file creates them again.
    pub without_key: u64,
    /// True once the import is committed.
    pub written: bool,
    /// The delimiter found (`,` `;` or `tab`).
    pub delimiter: String,
    /// Each header and the field it fills (its key), in file order.
    pub columns: Vec<(String, Option<String>)>,
    /// The first rows and what becomes of them.
    pub sample: Vec<SampleRow>,
}

impl ImportReport {
    /// True when the file writes nothing unless only its valid rows are imported.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.error_rows > 0
    }
}

/// Why an import could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not CSV text.
    #[error("{0}")]
    File(#[from] FileError),
    /// The mapping leaves a needed field without a source.
    #[error("{}", .0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "))]
    Mapping(Vec<MappingError>),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(e: sea_orm::DbErr) -> ImportError {
        ImportError::Storage(StorageError::Db(e))
    }
}

/// A catalog entry the import will create, and whether a valid row uses it yet.
#[derive(Debug)]
struct NewEntry {
    name: String,
    used: bool,
    inserted: bool,
    /// Releases: the earliest detection date of a defect in it, its release date.
    earliest: Option<DateTime<Utc>>,
}

/// The team's components and releases by name, and the ones the import will create.
struct TeamCatalog {
    components: HashMap<String, Uuid>,
    releases: HashMap<String, Uuid>,
    new: HashMap<Uuid, NewEntry>,
}

fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl TeamCatalog {
    async fn load(db: &impl ConnectionTrait, team_id: Uuid) -> Result<TeamCatalog> {
        let mut components = HashMap::new();
        // Exact names first, so a name that only differs in case finds its own entry.
        let mut c = component::Entity::find()
            .filter(component::Column::TeamId.eq(team_id))
            .all(db)
            .await?;
        c.sort_by(|a, b| a.name.cmp(&b.name));
        for row in c {
            components.entry(name_key(&row.name)).or_insert(row.id);
        }
        let mut releases = HashMap::new();
        let mut r = release::Entity::find()
            .filter(release::Column::TeamId.eq(team_id))
            .all(db)
            .await?;
        r.sort_by(|a, b| a.name.cmp(&b.name));
        for row in r {
            releases.entry(name_key(&row.name)).or_insert(row.id);
        }
        Ok(TeamCatalog {
            components,
            releases,
            new: HashMap::new(),
        })
    }

    fn lookup(
        map: &mut HashMap<String, Uuid>,
        new: &mut HashMap<Uuid, NewEntry>,
        name: &str,
    ) -> Uuid {
        *map.entry(name_key(name)).or_insert_with(|| {
            let id = Uuid::now_v7();
            new.insert(
                id,
                NewEntry {
                    name: name.trim().to_owned(),
                    used: false,
                    inserted: false,
                    earliest: None,
                },
            );
            id
        })
    }
}

impl Catalog for TeamCatalog {
    fn component(&mut self, name: &str) -> Uuid {
        TeamCatalog::lookup(&mut self.components, &mut self.new, name)
    }
    fn release(&mut self, name: &str) -> Uuid {
        TeamCatalog::lookup(&mut self.releases, &mut self.new, name)
    }
}

/// A valid row's fate, decided per batch.
enum Fate {
    Create(Uuid, NewDefect),
    Update(Uuid, i32, NewDefect),
    Unchanged,
}

/// Walks the file, and writes it when `options.write` and the rules allow, reporting
/// (rows read, bytes read, bytes in all) to `progress` after every batch. A written import
/// ends with a [`crate::checkpoint`], so SQLite's log does not keep the file's size.
pub async fn import_defects(
    db: &DatabaseConnection,
    team_id: Uuid,
    bytes: &[u8],
    mapping: &Mapping,
    options: ImportOptions,
    now: DateTime<Utc>,
    mut progress: impl FnMut(u64, usize, usize),
) -> Result<ImportReport, ImportError> {
    let file = CsvFile::open(bytes)?;
    let binding = Binding::new(mapping, file.headers()).map_err(ImportError::Mapping)?;
    let pipeline = crate::settings::stage_settings(db).await?.pipeline;
    // On PostgreSQL a written import is one sqlx transaction, its new defects sent by COPY.
    let txn = if options.write {
        LoadTxn::begin_write(db).await?
    } else {
        LoadTxn::begin_read(db).await?
    };
    if team::Entity::find_by_id(team_id).one(&txn).await?.is_none() {
        return Err(StorageError::NotFound.into());
    }
    let mut walk = Walk {
        txn: &txn,
        team_id,
        pipeline: &pipeline,
        options,
        now,
        catalog: TeamCatalog::load(&txn, team_id).await?,
        keys: HashMap::new(),
        report: ImportReport {
            delimiter: match file.delimiter() {
                '\t' => "tab".to_owned(),
                c => c.to_string(),
            },
            columns: binding
                .fields()
                .into_iter()
                .map(|(h, f)| (h.to_owned(), f.map(|f| f.key().to_owned())))
                .collect(),
            ..ImportReport::default()
        },
        delta: Delta::default(),
        batch_size: crate::demo::bulk::batch_rows(crate::Backend::of(db)),
    };
    let total = file.len();
    let mut batch = Vec::with_capacity(walk.batch_size);
    for record in file.records() {
        let (record, end) = record?;
        batch.push(binding.prepare(mapping, &pipeline, &record, team_id, now, &mut walk.catalog));
        if batch.len() == walk.batch_size {
            walk.flush(std::mem::take(&mut batch)).await?;
            progress(walk.report.rows, end, total);
        }
    }
    walk.flush(batch).await?;
    progress(walk.report.rows, total, total);
    let writes = walk.writes();
    let Walk {
        delta,
        catalog,
        mut report,
        ..
    } = walk;
    if writes {
        delta.apply(&txn).await?;
        date_new_releases(&txn, &catalog, now).await?;
        txn.commit().await?;
        report.written = true;
        crate::checkpoint(db).await?;
    } else {
        txn.rollback().await?;
    }
    Ok(report)
}

/// New releases are dated by their earliest defect: the tracker gave no release date.
async fn date_new_releases(db: &LoadTxn, catalog: &TeamCatalog, now: DateTime<Utc>) -> Result<()> {
    for (id, entry) in &catalog.new {
        if !entry.inserted || !catalog.releases.values().any(|r| r == id) {
            continue;
        }
        if let Some(earliest) = entry.earliest {
            release::Entity::update_many()
                .col_expr(
                    release::Column::ReleasedOn,
                    sea_orm::sea_query::Expr::value(earliest.date_naive()),
                )
                .col_expr(
                    release::Column::UpdatedAt,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(release::Column::Id.eq(*id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

struct Walk<'a> {
    txn: &'a LoadTxn,
    team_id: Uuid,
    pipeline: &'a Pipeline,
    options: ImportOptions,
    now: DateTime<Utc>,
    catalog: TeamCatalog,
    /// External keys seen so far, with the line they were on.
    keys: HashMap<String, u64>,
    report: ImportReport,
    /// The roll-up counts of the defects created.
    delta: Delta,
    batch_size: usize,
}

impl Walk<'_> {
    /// True while what is read may still be written: writing was asked for, and no row
    /// has failed unless only valid rows are wanted.
    fn writes(&self) -> bool {
        self.options.write && (self.options.only_valid || self.report.error_rows == 0)
    }

    fn fail(&mut self, line: u64, errors: Vec<RowError>) {
        self.report.error_rows += 1;
        self.report.error_lines.push(line);
        let room = LISTED_ERRORS.saturating_sub(self.report.errors.len());
        self.report.errors.extend(errors.into_iter().take(room));
    }

    async fn flush(&mut self, batch: Vec<RowOutcome>) -> Result<(), ImportError> {
        if batch.is_empty() {
            return Ok(());
        }
        // Keys repeated in the file are errors of the later row; the rest are looked up.
        let mut rows: Vec<(RowOutcome, Option<String>)> = Vec::with_capacity(batch.len());
        for mut outcome in batch {
            self.report.rows += 1;
            let mut key = match &outcome.defect {
                Ok(d) => d.external_key.clone(),
                Err(_) => None,
            };
            if let Some(k) = key.clone() {
                if let Some(first) = self.keys.get(&k) {
                    outcome.defect = Err(vec![RowError {
                        line: outcome.line,
                        column: Field::ExternalKey.label().to_owned(),
                        field: Field::ExternalKey,
                        message: format!("External key {k} is also on line {first}"),
                    }]);
                    key = None;
                } else {
                    self.keys.insert(k, outcome.line);
                }
            }
            rows.push((outcome, key));
        }
        let wanted: Vec<String> = rows.iter().filter_map(|(_, k)| k.clone()).collect();
        let existing = self.existing(&wanted).await?;
        let mut fates = Vec::with_capacity(rows.len());
        for (outcome, key) in rows {
            let d = match &outcome.defect {
                Ok(d) => d.clone(),
                Err(errors) => {
                    self.fail(outcome.line, errors.clone());
                    continue;
                }
            };
            if self.options.existing_catalog_only
                && let Some(errors) = self.catalog_refusal(&outcome, &d)
            {
                self.fail(outcome.line, errors);
                continue;
            }
            let fate = match key.as_ref().and_then(|k| existing.get(k)) {
                Some(stored) => match outcome.merged_onto(&stored.data, self.pipeline) {
                    Ok(merged) if merged == stored.data => Fate::Unchanged,
                    Ok(merged) => Fate::Update(stored.id, stored.version, merged),
                    Err(errors) => {
                        self.fail(outcome.line, errors);
                        continue;
                    }
                },
                None => Fate::Create(Uuid::now_v7(), d),
            };
            self.count(&outcome, &fate);
            fates.push(fate);
        }
        self.use_catalog(&fates);
        if self.writes() {
            self.write(fates).await?;
        }
        Ok(())
    }

    /// The errors of a row that names a component or release the team has not got.
    fn catalog_refusal(&self, outcome: &RowOutcome, d: &NewDefect) -> Option<Vec<RowError>> {
        let mut errors = Vec::new();
        for (id, field, what) in [
            (d.component_id, Field::Component, "component"),
            (d.release_id, Field::Release, "release"),
        ] {
            if let Some(entry) = id.and_then(|id| self.catalog.new.get(&id)) {
                errors.push(RowError {
                    line: outcome.line,
                    column: field.label().to_owned(),
                    field,
                    message: format!(
                        "The team has no {what} named `{}`, and only a team admin can add one: ask one to add it under Settings, or to import this file",
                        entry.name
                    ),
                });
            }
        }
        (!errors.is_empty()).then_some(errors)
    }

    fn count(&mut self, outcome: &RowOutcome, fate: &Fate) {
        self.report.valid += 1;
        let (action, d) = match fate {
            Fate::Create(_, d) => {
                self.report.created += 1;
                ("create", Some(d))
            }
            Fate::Update(_, _, d) => {
                self.report.updated += 1;
                ("update", Some(d))
            }
            Fate::Unchanged => {
                self.report.unchanged += 1;
                ("unchanged", outcome.defect.as_ref().ok())
            }
        };
        for field in &outcome.defaulted {
            *self
                .report
                .defaulted
                .entry(field.key().to_owned())
                .or_default() += 1;
        }
        let Some(d) = d else { return };
        if d.external_key.is_none() {
            self.report.without_key += 1;
        }
        if self.report.sample.len() < SAMPLE_ROWS {
            self.report.sample.push(SampleRow {
                line: outcome.line,
                action: action.to_owned(),
                title: d.title.clone(),
                severity: d.severity.label().to_owned(),
                discovery_stage: self
                    .pipeline
                    .label_of(d.discovery_stage.as_str())
                    .to_owned(),
                detected_at: d.detected_at,
                external_key: d.external_key.clone(),
            });
        }
    }

    /// Marks the new components and releases the valid rows use, naming each once in the
    /// report, and dates new releases by their earliest defect.
    fn use_catalog(&mut self, fates: &[Fate]) {
        for fate in fates {
            let d = match fate {
                Fate::Create(_, d) | Fate::Update(_, _, d) => d,
                Fate::Unchanged => continue,
            };
            if let Some(entry) = d.component_id.and_then(|id| self.catalog.new.get_mut(&id))
                && !entry.used
            {
                entry.used = true;
                self.report.new_components.push(entry.name.clone());
            }
            if let Some(entry) = d.release_id.and_then(|id| self.catalog.new.get_mut(&id)) {
                if !entry.used {
                    entry.used = true;
                    self.report.new_releases.push(entry.name.clone());
                }
                entry.earliest = Some(
                    entry
                        .earliest
                        .map_or(d.detected_at, |e| e.min(d.detected_at)),
                );
            }
        }
    }

    /// The team's defects with these external keys, by key.
    async fn existing(&self, keys: &[String]) -> Result<HashMap<String, Defect>> {
        let mut out = HashMap::new();
        if keys.is_empty() {
            return Ok(out);
        }
        let models = defect::Entity::find()
            .filter(defect::Column::TeamId.eq(self.team_id))
            .filter(defect::Column::ExternalKey.is_in(keys.iter().cloned()))
            .all(self.txn)
            .await?;
        for m in models {
            let d: Defect = m.try_into()?;
            if let Some(key) = d.data.external_key.clone() {
                out.insert(key, d);
            }
        }
        Ok(out)
    }

    async fn write(&mut self, fates: Vec<Fate>) -> Result<()> {
        self.insert_catalog().await?;
        let mut creates = Vec::new();
        let mut updates = Vec::new();
        for fate in fates {
            match fate {
                Fate::Create(id, d) => creates.push((id, d)),
                Fate::Update(id, version, d) => updates.push((id, version, d)),
                Fate::Unchanged => {}
            }
        }
        if !creates.is_empty() {
            self.txn.insert_defects(&creates, self.now).await?;
            for (_, d) in &creates {
                let facts = crate::rollup::facts_of(d, Classification::Unreviewed);
                self.delta.add(contributions(&facts), 1);
            }
        }
        if !updates.is_empty() {
            let ids: Vec<Uuid> = updates.iter().map(|(id, _, _)| *id).collect();
            let tracked = track(self.txn, &ids).await?;
            for (id, version, d) in &updates {
                let changes = defect::ActiveModel {
                    updated_at: Set(self.now),
                    ..crate::defects::data_columns(d)
                };
                crate::versioned::update::<defect::Entity>(
                    self.txn,
                    defect::Column::Id,
                    defect::Column::Version,
                    *id,
                    *version,
                    changes,
                )
                .await?;
            }
            tracked.settle(self.txn).await?;
        }
        Ok(())
    }

    /// Inserts the new components and releases valid rows use, before the defects that
    /// refer to them.
    async fn insert_catalog(&mut self) -> Result<()> {
        let mut components = Vec::new();
        let mut releases = Vec::new();
        let release_ids: HashSet<Uuid> = self.catalog.releases.values().copied().collect();
        for (id, entry) in &mut self.catalog.new {
            if !entry.used || entry.inserted {
                continue;
            }
            entry.inserted = true;
            if release_ids.contains(id) {
                let day = entry
                    .earliest
                    .map_or_else(|| self.now.date_naive(), |e| e.date_naive());
                releases.push(release_row(*id, self.team_id, &entry.name, day, self.now));
            } else {
                components.push(component::ActiveModel {
                    id: Set(*id),
                    team_id: Set(self.team_id),
                    name: Set(entry.name.clone()),
                    description: Set(String::new()),
                    created_at: Set(self.now),
                    updated_at: Set(self.now),
                    version: Set(1),
                });
            }
        }
        let added = !components.is_empty() || !releases.is_empty();
        if !components.is_empty() {
            component::Entity::insert_many(components)
                .exec(self.txn)
                .await?;
        }
        if !releases.is_empty() {
            release::Entity::insert_many(releases)
                .exec(self.txn)
                .await?;
        }
        if added {
            // The filter choices kept under the team's stamp list the catalog.
            crate::rollup::renew_team(self.txn, self.team_id).await?;
        }
        Ok(())
    }
}

fn release_row(
    id: Uuid,
    team_id: Uuid,
    name: &str,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> release::ActiveModel {
    release::ActiveModel {
        id: Set(id),
        team_id: Set(team_id),
        name: Set(name.to_owned()),
        released_on: Set(day),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
}
