//! Builders and proptest strategies for the metric tests: cells in a few words.
#![expect(clippy::unwrap_used, reason = "tests")]

use proptest::prelude::*;
use uuid::Uuid;

use super::cells::*;
use super::definition::*;
use super::quarter::Quarter;
use super::tally::TallyCell;
use crate::{Boundary, DEFAULT_STAGES, DefectType, Mechanism, Pipeline, Severity, StageKey};

pub(crate) fn stage(key: &str) -> StageKey {
    StageKey::parse(key).unwrap()
}

pub(crate) fn quarter(year: i32, q: u8) -> Quarter {
    Quarter::new(year, q).unwrap()
}

/// A definition like the default one, with the boundary after `stage`.
pub(crate) fn def_after(after: &str) -> MetricDefinition {
    MetricDefinition {
        boundary: Boundary::after_stage(stage(after)),
        ..MetricDefinition::default()
    }
}

/// `count` unreviewed, in-scope, medium primary defects found at `at` in 2026-Q3.
pub(crate) fn cell(at: &str, count: u64) -> CountCell {
    CountCell {
        key: CountKey {
            team: Uuid::from_u128(1),
            component: None,
            release: None,
            quarter: quarter(2026, 3),
            severity: Severity::Medium,
            defect_type: Some(DefectType::Functional),
            discovery_stage: stage(at),
            expected_stage: None,
            scope: ScopeMask::default(),
            role: Role::Primary,
            mechanism: MechanismSlot::Unreviewed,
        },
        count,
    }
}

/// The same cell with one dimension changed.
pub(crate) trait CellExt {
    fn severity(self, s: Severity) -> Self;
    fn scope(self, bits: u8) -> Self;
    fn expected(self, at: &str) -> Self;
    fn in_quarter(self, q: Quarter) -> Self;
    fn team(self, n: u128) -> Self;
    fn classified(self, m: Mechanism) -> Self;
    fn pending(self) -> Self;
    fn contributing(self, m: Mechanism) -> Self;
}

impl CellExt for CountCell {
    fn severity(mut self, s: Severity) -> Self {
        self.key.severity = s;
        self
    }
    fn scope(mut self, bits: u8) -> Self {
        self.key.scope = ScopeMask::from_bits(bits);
        self
    }
    fn expected(mut self, at: &str) -> Self {
        self.key.expected_stage = Some(stage(at));
        self
    }
    fn in_quarter(mut self, q: Quarter) -> Self {
        self.key.quarter = q;
        self
    }
    fn team(mut self, n: u128) -> Self {
        self.key.team = Uuid::from_u128(n);
        self
    }
    fn classified(mut self, m: Mechanism) -> Self {
        self.key.mechanism = MechanismSlot::Is(m);
        self
    }
    fn pending(mut self) -> Self {
        self.key.mechanism = MechanismSlot::Pending;
        self
    }
    fn contributing(mut self, m: Mechanism) -> Self {
        self.key.role = Role::Contributing;
        self.key.mechanism = MechanismSlot::Is(m);
        self
    }
}

/// `count` pre-boundary defects tallied at `at` in 2026-Q3.
pub(crate) fn tally(at: &str, severity: Severity, count: u64) -> TallyCell {
    TallyCell {
        team: Uuid::from_u128(1),
        release: None,
        quarter: quarter(2026, 3),
        stage: stage(at),
        severity,
        count,
    }
}

/// A stage of the default pipeline, or now and then one it does not have.
fn any_stage() -> impl Strategy<Value = StageKey> {
    prop_oneof![
        12 => (0..DEFAULT_STAGES.len()).prop_map(|i| stage(DEFAULT_STAGES[i].0)),
        1 => Just(stage("removed_stage")),
    ]
}

fn any_severity() -> impl Strategy<Value = Severity> {
    (0..Severity::ALL.len()).prop_map(|i| Severity::ALL[i])
}

fn any_mechanism() -> impl Strategy<Value = Mechanism> {
    (0..Mechanism::ALL.len()).prop_map(|i| Mechanism::ALL[i])
}

fn any_slot() -> impl Strategy<Value = MechanismSlot> {
    prop_oneof![
        Just(MechanismSlot::Unreviewed),
        Just(MechanismSlot::Pending),
        any_mechanism().prop_map(MechanismSlot::Is),
        any_mechanism().prop_map(MechanismSlot::Is),
    ]
}

/// Random count rows over the default pipeline, 2025-Q3 to 2026-Q2, one team.
pub(crate) fn any_cells() -> impl Strategy<Value = Vec<CountCell>> {
    let one = (
        any_stage(),
        prop::option::of(any_stage()),
        any_severity(),
        0u8..=ScopeMask::ALL,
        0u8..4,
        prop::bool::weighted(0.2),
        any_slot(),
        0u64..30,
    )
        .prop_map(|(at, expected, sev, bits, q, contributing, slot, count)| {
            let mut c = cell(at.as_str(), count)
                .severity(sev)
                .scope(bits)
                .in_quarter(quarter(2025, 3).next_n(q));
            c.key.expected_stage = expected;
            c.key.mechanism = slot;
            if contributing {
                c.key.role = Role::Contributing;
                c.key.mechanism = MechanismSlot::Is(slot.mechanism().unwrap_or(Mechanism::NoTest));
            }
            c
        });
    prop::collection::vec(one, 0..40)
}

pub(crate) fn any_tallies() -> impl Strategy<Value = Vec<TallyCell>> {
    prop::collection::vec(
        (any_stage(), any_severity(), 0u64..50).prop_map(|(at, sev, n)| tally(at.as_str(), sev, n)),
        0..6,
    )
}

pub(crate) fn any_weights() -> impl Strategy<Value = SeverityWeights> {
    (0u32..=1000, 0u32..=1000, 0u32..=1000, 0u32..=1000).prop_map(
        |(critical, high, medium, low)| SeverityWeights {
            critical,
            high,
            medium,
            low,
        },
    )
}

pub(crate) fn any_scope() -> impl Strategy<Value = ScopeSwitches> {
    prop::array::uniform6(any::<bool>()).prop_map(|b| ScopeSwitches {
        customer_found: b[0],
        unconfirmed: b[1],
        known_issues: b[2],
        cosmetic: b[3],
        test_environment: b[4],
        data_migration: b[5],
    })
}

pub(crate) fn any_policy() -> impl Strategy<Value = ReopenedPolicy> {
    (0..ReopenedPolicy::ALL.len()).prop_map(|i| ReopenedPolicy::ALL[i])
}

/// A boundary after one of the default pipeline's stages other than the last.
pub(crate) fn any_boundary() -> impl Strategy<Value = Boundary> {
    (0..DEFAULT_STAGES.len() - 1).prop_map(|i| Boundary::after_stage(stage(DEFAULT_STAGES[i].0)))
}

pub(crate) fn any_definition() -> impl Strategy<Value = MetricDefinition> {
    (any_boundary(), any_scope(), any_weights(), any_policy()).prop_map(
        |(boundary, scope, weights, reopened)| MetricDefinition {
            boundary,
            scope,
            weights,
            reopened,
            window: DefaultWindow::PerQuarter,
        },
    )
}

pub(crate) fn pipeline() -> Pipeline {
    Pipeline::default()
}

/// Quarters `n` steps on.
pub(crate) trait QuarterExt {
    fn next_n(self, n: u8) -> Quarter;
}

impl QuarterExt for Quarter {
    fn next_n(self, n: u8) -> Quarter {
        (0..n).fold(self, |q, _| q.next())
    }
}
