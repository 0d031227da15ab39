//! The demo's defects: a realistic spread across every stage, severity and mechanism of
//! origin over the last two years, generated in detection order and written after the
//! catalog (by COPY on PostgreSQL, in large multi-row inserts on SQLite), all in one
//! transaction.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use escapement_core::metrics::{Classification, contributions};
use escapement_core::{DefectType, NewDefect, Origin, ScopeFlags, Severity, StageKey};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use uuid::Uuid;

use super::bulk::{LoadTxn, restore_title_index, suspend_title_index};
use super::catalog::{Catalog, create_catalog};
use super::draw::{detected_by_for, pick_weighted, severity_for};
use crate::entities::team;
use crate::{Result, StorageError};

/// What the demo wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub teams: usize,
    pub components: usize,
    pub releases: usize,
    pub defects: u64,
}

/// Discovery stages with their relative frequency: most defects are caught early.
const STAGE_WEIGHTS: [(&str, u32); 10] = [
    ("requirements_review", 4),
    ("design_review", 4),
    ("code_review", 10),
    ("unit_test", 22),
    ("integration_test", 14),
    ("system_test", 18),
    ("staging", 8),
    ("uat", 6),
    ("beta", 4),
    ("production", 10),
];

const SYMPTOMS: [(&str, DefectType); 16] = [
    (
        "total is wrong when two discounts stack",
        DefectType::Functional,
    ),
    (
        "times out with more than 1,000 results",
        DefectType::Performance,
    ),
    ("accepts an expired session token", DefectType::Security),
    (
        "drops records during the nightly migration",
        DefectType::Data,
    ),
    (
        "error message is cut off on small screens",
        DefectType::Usability,
    ),
    (
        "crashes on the previous OS version",
        DefectType::Compatibility,
    ),
    (
        "rounds currency amounts the wrong way",
        DefectType::Functional,
    ),
    (
        "shows another time zone's date after midnight",
        DefectType::Functional,
    ),
    (
        "retries forever when the upstream returns 503",
        DefectType::Performance,
    ),
    (
        "duplicates entries after a retried request",
        DefectType::Data,
    ),
    (
        "ignores the feature flag in one region",
        DefectType::Functional,
    ),
    (
        "loses the draft when the network drops",
        DefectType::Functional,
    ),
    (
        "leaks an internal id in the error response",
        DefectType::Security,
    ),
    (
        "keyboard focus is trapped in the dialog",
        DefectType::Usability,
    ),
    ("fails with non-ASCII names", DefectType::Functional),
    (
        "memory grows until the process restarts",
        DefectType::Performance,
    ),
];

fn stage(key: &str) -> Result<StageKey> {
    StageKey::parse(key).map_err(|e| StorageError::Db(sea_orm::DbErr::Custom(e.to_string())))
}

fn make_defect(
    rng: &mut StdRng,
    catalog: &Catalog,
    serial: u64,
    detected_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<NewDefect> {
    let stage_index = {
        let key = pick_weighted(rng, &STAGE_WEIGHTS);
        STAGE_WEIGHTS
            .iter()
            .position(|(k, _)| k == key)
            .unwrap_or(0)
    };
    let escaped = stage_index > 5;
    let (component_id, component_name) =
        catalog.components[rng.random_range(0..catalog.components.len())];
    let release_id = catalog
        .releases
        .iter()
        .filter(|(_, date)| *date <= detected_at.date_naive())
        .max_by_key(|(_, date)| *date)
        .map(|(id, _)| *id);
    let (symptom, defect_type) = SYMPTOMS[rng.random_range(0..SYMPTOMS.len())];
    let severity = severity_for(rng, escaped);
    let introduced_at = rng
        .random_bool(0.7)
        .then(|| detected_at - Duration::hours(rng.random_range(2..24 * 60)));
    let fix_hours = match severity {
        Severity::Critical => rng.random_range(1..24),
        Severity::High => rng.random_range(4..24 * 5),
        _ => rng.random_range(8..24 * 30),
    };
    let resolved_at = Some(detected_at + Duration::hours(fix_hours))
        .filter(|at| *at <= now && rng.random_bool(0.9));
    let expected_catch_stage = if escaped && rng.random_bool(0.6) {
        Some(stage(STAGE_WEIGHTS[rng.random_range(2..=5)].0)?)
    } else {
        None
    };
    let origin = *pick_weighted(
        rng,
        &[
            (Origin::Code, 55),
            (Origin::Requirements, 12),
            (Origin::Design, 8),
            (Origin::Configuration, 9),
            (Origin::Environment, 5),
            (Origin::Data, 7),
            (Origin::Unknown, 4),
        ],
    );
    Ok(NewDefect {
        title: format!("{component_name}: {symptom}"),
        description: format!(
            "Observed in {component_name}. Steps to reproduce and logs are in the linked ticket."
        ),
        severity,
        defect_type,
        origin,
        discovery_stage: stage(STAGE_WEIGHTS[stage_index].0)?,
        expected_catch_stage,
        detected_by: detected_by_for(rng, stage_index),
        team_id: catalog.team_id,
        component_id: Some(component_id),
        release_id,
        introduced_at,
        detected_at,
        resolved_at,
        reopened_count: u32::from(rng.random_bool(0.06)),
        scope: ScopeFlags {
            confirmed: rng.random_bool(0.96),
            known_issue_accepted: rng.random_bool(0.02),
            cosmetic: defect_type == DefectType::Usability && rng.random_bool(0.3),
            test_environment: !escaped && rng.random_bool(0.03),
            data_migration: defect_type == DefectType::Data && rng.random_bool(0.4),
        },
        external_key: Some(format!("{}-{}", catalog.prefix, 100_000 + serial)),
        incident_link: (escaped && stage_index == 9 && rng.random_bool(0.5))
            .then(|| format!("https://status.example.com/incidents/{}", 100 + serial)),
    })
}

/// The detection time of the `i`-th of `n` defects: increasing with `i`, spread over the
/// last two years with volume growing towards the present (density rises linearly).
fn detected_at(i: u64, n: u64, now: DateTime<Utc>) -> DateTime<Utc> {
    let share = (i as f64 + 0.5) / n.max(1) as f64;
    let age_seconds = (730.0 * 86_400.0 * (1.0 - share.sqrt())) as i64;
    now - Duration::seconds(age_seconds.max(60))
}

/// Fills an empty database with the demo data set and `defects` defects, reporting the
/// number sent so far to `progress` after every batch. Refuses a database that
/// already has teams, so it never mixes demo data into real data.
///
/// Everything happens in one transaction, so an interrupted load leaves the database as it
/// was. Defects are generated in detection order with increasing ticket numbers, so every
/// index of `defects` grows at its end instead of being rewritten all over; the title search
/// index is built once after the last batch instead.
pub async fn load_demo(
    db: &DatabaseConnection,
    defects: u64,
    seed: u64,
    now: DateTime<Utc>,
    mut progress: impl FnMut(u64),
) -> Result<DemoSummary> {
    if team::Entity::find().count(db).await? > 0 {
        let mut errors = escapement_core::ValidationErrors::new();
        errors.push(
            "database",
            "The database already has teams: the demo only fills an empty database",
        );
        return Err(StorageError::Invalid(errors));
    }
    // Whole seconds: realistic for defect records, and shorter keys in every time index.
    let now = now.trunc_subsecs(0);
    // On PostgreSQL one sqlx transaction, so the defects can go by COPY in it.
    let txn = LoadTxn::begin_write(db).await?;
    super::state::mark_loading(&txn).await?;
    let catalogs = create_catalog(&txn, now).await?;
    let title_index = suspend_title_index(&txn).await?;
    let batch_size = txn.batch_rows() as u64;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut written = 0_u64;
    let mut serials = vec![0_u64; catalogs.len()];
    // The roll-up of what is generated, written once at the end instead of row by row.
    let mut rollup = crate::rollup::Delta::default();
    // Each batch is made while the one before is written; progress counts what was sent.
    txn.load_defects(now, |batch| {
        if written > 0 {
            progress(written);
        }
        let size = batch_size.min(defects - written);
        for i in written..written + size {
            let team = rng.random_range(0..catalogs.len());
            serials[team] += 1;
            let at = detected_at(i, defects, now);
            let d = make_defect(&mut rng, &catalogs[team], serials[team], at, now)?;
            let facts = crate::rollup::facts_of(&d, Classification::Unreviewed);
            rollup.add(contributions(&facts), 1);
            batch.push((Uuid::now_v7(), d));
        }
        written += size;
        Ok(())
    })
    .await?;
    progress(written);
    crate::rollup::write_all_in_load(&txn, rollup).await?;
    restore_title_index(&txn, title_index).await?;
    txn.commit().await?;
    Ok(DemoSummary {
        teams: catalogs.len(),
        components: catalogs.iter().map(|c| c.components.len()).sum(),
        releases: catalogs.iter().map(|c| c.releases.len()).sum(),
        defects: written,
    })
}
