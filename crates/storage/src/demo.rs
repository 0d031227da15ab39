//! The demo data set: three teams with components, quarterly releases over two years and a
//! realistic spread of defects across every stage, written in large batched inserts.

use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};
use escapement_core::{
    DefectType, DetectedBy, NewComponent, NewDefect, NewRelease, NewTeam, Origin, ScopeFlags,
    Severity, StageKey,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};
use uuid::Uuid;

use crate::bulk::{batch_rows, insert_defects, insert_sql};
use crate::catalog::{create_component, create_release, create_team};
use crate::entities::team;
use crate::{Backend, Result, StorageError};

/// What the demo wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub teams: usize,
    pub components: usize,
    pub releases: usize,
    pub defects: u64,
}

struct TeamPlan {
    name: &'static str,
    prefix: &'static str,
    components: [&'static str; 4],
}

const TEAMS: [TeamPlan; 3] = [
    TeamPlan {
        name: "Checkout",
        prefix: "CHK",
        components: ["Cart", "Payments", "Coupons", "Order history"],
    },
    TeamPlan {
        name: "Platform",
        prefix: "PLAT",
        components: [
            "Authentication",
            "Search API",
            "Notifications",
            "Data pipeline",
        ],
    },
    TeamPlan {
        name: "Mobile",
        prefix: "MOB",
        components: ["iOS app", "Android app", "Offline sync", "Push messaging"],
    },
];

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

pub(crate) fn pick_weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (item, weight) in items {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    &items[items.len() - 1].0
}

fn stage(key: &str) -> Result<StageKey> {
    StageKey::parse(key).map_err(|e| StorageError::Db(sea_orm::DbErr::Custom(e.to_string())))
}

struct Catalog {
    team_id: Uuid,
    prefix: &'static str,
    components: Vec<(Uuid, &'static str)>,
    releases: Vec<(Uuid, NaiveDate)>,
}

fn severity_for(rng: &mut StdRng, escaped: bool) -> Severity {
    let weights: [(Severity, u32); 4] = if escaped {
        [
            (Severity::Critical, 8),
            (Severity::High, 27),
            (Severity::Medium, 40),
            (Severity::Low, 25),
        ]
    } else {
        [
            (Severity::Critical, 3),
            (Severity::High, 17),
            (Severity::Medium, 48),
            (Severity::Low, 32),
        ]
    };
    *pick_weighted(rng, &weights)
}

fn detected_by_for(rng: &mut StdRng, stage_index: usize) -> DetectedBy {
    let weights: &[(DetectedBy, u32)] = match stage_index {
        0..=2 => &[(DetectedBy::InternalUser, 1)],
        3..=4 => &[
            (DetectedBy::AutomatedTest, 9),
            (DetectedBy::InternalUser, 1),
        ],
        5..=6 => &[
            (DetectedBy::ExploratoryTest, 5),
            (DetectedBy::AutomatedTest, 4),
            (DetectedBy::InternalUser, 1),
        ],
        7..=8 => &[
            (DetectedBy::InternalUser, 5),
            (DetectedBy::Customer, 2),
            (DetectedBy::ExploratoryTest, 2),
        ],
        _ => &[
            (DetectedBy::Customer, 4),
            (DetectedBy::Support, 3),
            (DetectedBy::Monitoring, 3),
        ],
    };
    *pick_weighted(rng, weights)
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

async fn create_catalog(txn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<Catalog>> {
    let mut catalogs = Vec::new();
    for plan in &TEAMS {
        let team = create_team(
            txn,
            &NewTeam {
                name: plan.name.to_owned(),
            },
            now,
        )
        .await?;
        let mut components = Vec::new();
        for name in plan.components {
            let new = NewComponent {
                name: name.to_owned(),
                team_id: team.id,
                description: format!("{name}, owned by the {} team.", plan.name),
            };
            components.push((create_component(txn, &new, now).await?.id, name));
        }
        let mut releases = Vec::new();
        for quarter in 0..8_i64 {
            let released_on = (now - Duration::days(730 - quarter * 91 - 10)).date_naive();
            let new = NewRelease {
                name: format!("{} 3.{quarter}", plan.name),
                team_id: team.id,
                released_on,
            };
            releases.push((create_release(txn, &new, now).await?.id, released_on));
        }
        catalogs.push(Catalog {
            team_id: team.id,
            prefix: plan.prefix,
            components,
            releases,
        });
    }
    Ok(catalogs)
}

/// The detection time of the `i`-th of `n` defects: increasing with `i`, spread over the
/// last two years with volume growing towards the present (density rises linearly).
fn detected_at(i: u64, n: u64, now: DateTime<Utc>) -> DateTime<Utc> {
    let share = (i as f64 + 0.5) / n.max(1) as f64;
    let age_seconds = (730.0 * 86_400.0 * (1.0 - share.sqrt())) as i64;
    now - Duration::seconds(age_seconds.max(60))
}

/// Fills an empty database with the demo data set and `defects` defects, reporting the
/// number written so far to `progress` after every batch. Refuses a database that
/// already has teams, so it never mixes demo data into real data.
///
/// Everything happens in one transaction, so an interrupted load leaves the database as it
/// was. Defects are generated in detection order with increasing ticket numbers, so every
/// index of `defects` grows at its end instead of being rewritten all over.
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
    let txn = crate::begin_write(db).await?;
    let catalogs = create_catalog(&txn, now).await?;
    let backend = Backend::of(db);
    let batch_size = batch_rows(backend);
    let full_batch_sql = insert_sql(backend, batch_size);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut written = 0_u64;
    let mut serials = vec![0_u64; catalogs.len()];
    let mut batch = Vec::with_capacity(batch_size);
    while written < defects {
        let size = (batch_size as u64).min(defects - written);
        batch.clear();
        for i in written..written + size {
            let team = rng.random_range(0..catalogs.len());
            serials[team] += 1;
            let at = detected_at(i, defects, now);
            batch.push((
                Uuid::now_v7(),
                make_defect(&mut rng, &catalogs[team], serials[team], at, now)?,
            ));
        }
        let sql = if batch.len() == batch_size {
            std::borrow::Cow::Borrowed(full_batch_sql.as_str())
        } else {
            std::borrow::Cow::Owned(insert_sql(backend, batch.len()))
        };
        insert_defects(&txn, &sql, &batch, now).await?;
        written += size;
        progress(written);
    }
    txn.commit().await?;
    Ok(DemoSummary {
        teams: catalogs.len(),
        components: catalogs.iter().map(|c| c.components.len()).sum(),
        releases: catalogs.iter().map(|c| c.releases.len()).sum(),
        defects: written,
    })
}
