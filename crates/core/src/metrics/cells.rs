//! The grouped counts every metric is computed from, and how one defect contributes to them.
//!
//! Storage keeps these counts as a maintained roll-up: every write that changes a defect or a
//! classification removes the defect's old [`contributions`] and adds its new ones, in the same
//! transaction. Everything the metric definition can change (the boundary, the scope switches,
//! the weights, the reopened policy) stays a dimension of the counts, so a new definition
//! never needs a rebuild.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::quarter::Quarter;
use crate::{DefectType, DetectedBy, Mechanism, ScopeFlags, Severity, StageKey};

/// The facts of a defect that the scope switches of a metric definition act on, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ScopeMask(u8);

impl ScopeMask {
    /// Reported by a customer or through a support ticket.
    pub const CUSTOMER_FOUND: u8 = 1;
    /// Not confirmed (an unconfirmed support ticket).
    pub const UNCONFIRMED: u8 = 2;
    /// A known issue accepted for release.
    pub const KNOWN_ISSUE: u8 = 4;
    pub const COSMETIC: u8 = 8;
    /// A problem of a test environment, not of the product.
    pub const TEST_ENVIRONMENT: u8 = 16;
    pub const DATA_MIGRATION: u8 = 32;
    /// Reopened at least once.
    pub const REOPENED: u8 = 64;
    /// Left out by the scope switches in force when the roll-up stored it (see
    /// [`crate::metrics::ScopeSwitches::reduce`]).
    pub const EXCLUDED: u8 = 128;
    /// Every fact bit (everything but [`ScopeMask::EXCLUDED`]).
    pub const ALL: u8 = 127;

    /// The mask of a defect's facts.
    #[must_use]
    pub fn of(detected_by: DetectedBy, scope: ScopeFlags, reopened_count: u32) -> ScopeMask {
        let mut bits = 0;
        let mut set = |on: bool, bit: u8| {
            if on {
                bits |= bit;
            }
        };
        set(
            matches!(detected_by, DetectedBy::Customer | DetectedBy::Support),
            Self::CUSTOMER_FOUND,
        );
        set(!scope.confirmed, Self::UNCONFIRMED);
        set(scope.known_issue_accepted, Self::KNOWN_ISSUE);
        set(scope.cosmetic, Self::COSMETIC);
        set(scope.test_environment, Self::TEST_ENVIRONMENT);
        set(scope.data_migration, Self::DATA_MIGRATION);
        set(reopened_count > 0, Self::REOPENED);
        ScopeMask(bits)
    }

    /// The mask stored as `bits`.
    #[must_use]
    pub fn from_bits(bits: u8) -> ScopeMask {
        ScopeMask(bits)
    }

    #[must_use]
    pub fn bits(self) -> u8 {
        self.0
    }

    /// Whether every bit of `bit` is set.
    #[must_use]
    pub fn has(self, bit: u8) -> bool {
        self.0 & bit == bit && bit != 0
    }
}

/// Whether a count row counts defects (one row per defect) or contributing mechanisms
/// (one row per contributing mechanism of a classified escape).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Role {
    /// The defect itself, with its primary mechanism when classified. Every denominator
    /// and every defect count reads only these rows.
    Primary,
    /// One contributing mechanism of a classified escape.
    Contributing,
}

impl Role {
    /// The stored form: `p` or `c`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Role::Primary => "p",
            Role::Contributing => "c",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<Role> {
        match code {
            "p" => Some(Role::Primary),
            "c" => Some(Role::Contributing),
            _ => None,
        }
    }
}

/// Where a defect stands in the escape reviews.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Classification {
    /// No review covers it.
    Unreviewed,
    /// A review covers it, but the review is not classified (or closed) yet, or the escape
    /// has no primary mechanism: its mechanism does not count yet.
    Pending,
    /// Its review is classified or closed: the team confirmed these mechanisms.
    Classified {
        primary: Mechanism,
        contributing: Vec<Mechanism>,
    },
}

/// The mechanism slot of a count row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum MechanismSlot {
    Unreviewed,
    Pending,
    Is(Mechanism),
}

impl MechanismSlot {
    /// The stored form: empty for unreviewed, `?` for pending, else the mechanism's key.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            MechanismSlot::Unreviewed => "",
            MechanismSlot::Pending => "?",
            MechanismSlot::Is(m) => m.key(),
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<MechanismSlot> {
        match code {
            "" => Some(MechanismSlot::Unreviewed),
            "?" => Some(MechanismSlot::Pending),
            key => Mechanism::from_key(key).map(MechanismSlot::Is),
        }
    }

    #[must_use]
    pub fn mechanism(self) -> Option<Mechanism> {
        match self {
            MechanismSlot::Is(m) => Some(m),
            _ => None,
        }
    }
}

/// The component or release id of a coarse roll-up row, which counts every component (or
/// release) together: storage keeps such rows so that a page without that filter reads a
/// few thousand rows instead of every group. A real id is never the all-ones UUID.
pub const ANY_ID: Uuid = Uuid::max();

/// The dimensions of one count row. A coarse row has `ANY_ID` as its component or
/// release and `None` as its defect type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct CountKey {
    pub team: Uuid,
    pub component: Option<Uuid>,
    pub release: Option<Uuid>,
    /// The quarter of the detection time, in UTC.
    pub quarter: Quarter,
    pub severity: Severity,
    /// `None` in a coarse row that counts every type together.
    pub defect_type: Option<DefectType>,
    pub discovery_stage: StageKey,
    pub expected_stage: Option<StageKey>,
    pub scope: ScopeMask,
    pub role: Role,
    pub mechanism: MechanismSlot,
}

/// A count row: how many defects (or contributing mechanisms) share `key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountCell {
    pub key: CountKey,
    pub count: u64,
}

/// Which duration a duration row measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum DurationKind {
    /// Introduced → detected (MTTD).
    Detect,
    /// Detected → resolved (MTTR).
    Resolve,
}

impl DurationKind {
    /// The stored form: `d` or `r`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            DurationKind::Detect => "d",
            DurationKind::Resolve => "r",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<DurationKind> {
        match code {
            "d" => Some(DurationKind::Detect),
            "r" => Some(DurationKind::Resolve),
            _ => None,
        }
    }
}

/// A duration class: bucket 0 holds durations under one hour; bucket `k ≥ 1` holds
/// durations from 2^((k−1)/2) hours up to 2^(k/2) hours, so each bucket is about 41% wider
/// than the one before. Bucket [`Bucket::MAX`] holds everything longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Bucket(u8);

impl Bucket {
    /// The last bucket: from 2^19.5 hours (about 84 years) on.
    pub const MAX: u8 = 40;

    /// The bucket of a duration of `seconds` (negative durations count as zero).
    #[must_use]
    pub fn of_seconds(seconds: i64) -> Bucket {
        let mut k = 0u8;
        while k < Self::MAX && Bucket(k).upper_seconds() <= seconds {
            k += 1;
        }
        Bucket(k)
    }

    /// The bucket stored as `index`, if it is one.
    #[must_use]
    pub fn from_index(index: u8) -> Option<Bucket> {
        (index <= Self::MAX).then_some(Bucket(index))
    }

    #[must_use]
    pub fn index(self) -> u8 {
        self.0
    }

    /// The shortest duration in the bucket, in seconds.
    #[must_use]
    pub fn lower_seconds(self) -> i64 {
        match self.0 {
            0 => 0,
            k => Bucket(k - 1).upper_seconds(),
        }
    }

    /// The first duration past the bucket, in seconds (`i64::MAX` for the last one).
    #[must_use]
    pub fn upper_seconds(self) -> i64 {
        if self.0 >= Self::MAX {
            return i64::MAX;
        }
        // 3600 · 2^(k/2), computed exactly for even k and rounded for odd k.
        let k = i32::from(self.0);
        let hours = 2f64.powf(f64::from(k) / 2.0);
        (3600.0 * hours).round() as i64
    }
}

/// The dimensions of one duration row: the defect dimensions the dashboard filters by and
/// the scope, but not the stages (MTTD and MTTR cover every in-scope defect).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct DurationKey {
    pub team: Uuid,
    pub component: Option<Uuid>,
    pub release: Option<Uuid>,
    pub quarter: Quarter,
    pub severity: Severity,
    /// `None` in a coarse row that counts every type together.
    pub defect_type: Option<DefectType>,
    pub scope: ScopeMask,
    pub kind: DurationKind,
    /// `None` when the duration is unknown: no introduction time, or not resolved yet.
    pub bucket: Option<Bucket>,
}

/// A duration row: how many defects share `key`, and their durations' sum in seconds
/// (zero for the unknown bucket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DurationCell {
    pub key: DurationKey,
    pub count: u64,
    pub total_seconds: i64,
}

/// Everything about a defect that the counts depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupFacts {
    pub team: Uuid,
    pub component: Option<Uuid>,
    pub release: Option<Uuid>,
    pub severity: Severity,
    pub defect_type: DefectType,
    pub discovery_stage: StageKey,
    pub expected_stage: Option<StageKey>,
    pub detected_by: DetectedBy,
    pub scope: ScopeFlags,
    pub reopened_count: u32,
    pub introduced_at: Option<DateTime<Utc>>,
    pub detected_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub classification: Classification,
}

/// What one defect adds to the counts: its count keys (each counts one) and its duration
/// keys with the duration in seconds (zero when unknown).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contributions {
    pub counts: Vec<CountKey>,
    pub durations: Vec<(DurationKey, i64)>,
}

/// The rows `facts` contributes to: one primary count row, one contributing row per distinct
/// contributing mechanism other than the primary, and one duration row per kind.
#[must_use]
pub fn contributions(facts: &RollupFacts) -> Contributions {
    let quarter = Quarter::of(facts.detected_at);
    let scope = ScopeMask::of(facts.detected_by, facts.scope, facts.reopened_count);
    let count_key = |role, mechanism| CountKey {
        team: facts.team,
        component: facts.component,
        release: facts.release,
        quarter,
        severity: facts.severity,
        defect_type: Some(facts.defect_type),
        discovery_stage: facts.discovery_stage.clone(),
        expected_stage: facts.expected_stage.clone(),
        scope,
        role,
        mechanism,
    };
    let mut counts = Vec::with_capacity(1);
    match &facts.classification {
        Classification::Unreviewed => {
            counts.push(count_key(Role::Primary, MechanismSlot::Unreviewed));
        }
        Classification::Pending => counts.push(count_key(Role::Primary, MechanismSlot::Pending)),
        Classification::Classified {
            primary,
            contributing,
        } => {
            counts.push(count_key(Role::Primary, MechanismSlot::Is(*primary)));
            let mut seen: Vec<Mechanism> = Vec::new();
            for m in contributing {
                if m != primary && !seen.contains(m) {
                    seen.push(*m);
                    counts.push(count_key(Role::Contributing, MechanismSlot::Is(*m)));
                }
            }
        }
    }
    let duration_key = |kind, bucket| DurationKey {
        team: facts.team,
        component: facts.component,
        release: facts.release,
        quarter,
        severity: facts.severity,
        defect_type: Some(facts.defect_type),
        scope,
        kind,
        bucket,
    };
    let span = |from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>, kind| match (from, to) {
        (Some(from), Some(to)) => {
            let seconds = (to - from).num_seconds().max(0);
            (
                duration_key(kind, Some(Bucket::of_seconds(seconds))),
                seconds,
            )
        }
        _ => (duration_key(kind, None), 0),
    };
    let durations = vec![
        span(
            facts.introduced_at,
            Some(facts.detected_at),
            DurationKind::Detect,
        ),
        span(
            Some(facts.detected_at),
            facts.resolved_at,
            DurationKind::Resolve,
        ),
    ];
    Contributions { counts, durations }
}

#[cfg(test)]
mod tests;
