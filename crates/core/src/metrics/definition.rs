//! The metric definition: what an escape is, what counts, how much each severity weighs,
//! how reopened defects count and the default window. Versioned by storage; every number
//! says which version it was computed under.

use serde::{Deserialize, Serialize};

use super::cells::ScopeMask;
use crate::taxonomy::keyed_enum;
use crate::{Boundary, Severity};

/// Which kinds of defect count; `true` means "include".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeSwitches {
    /// Defects reported by customers or through support tickets.
    pub customer_found: bool,
    /// Unconfirmed support tickets.
    pub unconfirmed: bool,
    /// Known issues accepted for a release.
    pub known_issues: bool,
    pub cosmetic: bool,
    /// Problems of a test environment rather than the product.
    pub test_environment: bool,
    pub data_migration: bool,
}

impl Default for ScopeSwitches {
    /// Customer-found, cosmetic and data-migration defects count; unconfirmed tickets,
    /// accepted known issues and test-environment problems do not.
    fn default() -> ScopeSwitches {
        ScopeSwitches {
            customer_found: true,
            unconfirmed: false,
            known_issues: false,
            cosmetic: true,
            test_environment: false,
            data_migration: true,
        }
    }
}

impl ScopeSwitches {
    /// Every switch with its mask bit, its form field name and its label, in form order.
    pub const FIELDS: [(u8, &'static str, &'static str); 6] = [
        (
            ScopeMask::CUSTOMER_FOUND,
            "customer_found",
            "Customer-found issues (customer reports and support tickets)",
        ),
        (
            ScopeMask::UNCONFIRMED,
            "unconfirmed",
            "Unconfirmed support tickets",
        ),
        (
            ScopeMask::KNOWN_ISSUE,
            "known_issues",
            "Known issues accepted for a release",
        ),
        (ScopeMask::COSMETIC, "cosmetic", "Cosmetic defects"),
        (
            ScopeMask::TEST_ENVIRONMENT,
            "test_environment",
            "Test-environment problems",
        ),
        (
            ScopeMask::DATA_MIGRATION,
            "data_migration",
            "Data-migration issues",
        ),
    ];

    /// Whether the switch with mask bit `bit` includes its kind.
    #[must_use]
    pub fn includes(&self, bit: u8) -> bool {
        match bit {
            ScopeMask::CUSTOMER_FOUND => self.customer_found,
            ScopeMask::UNCONFIRMED => self.unconfirmed,
            ScopeMask::KNOWN_ISSUE => self.known_issues,
            ScopeMask::COSMETIC => self.cosmetic,
            ScopeMask::TEST_ENVIRONMENT => self.test_environment,
            ScopeMask::DATA_MIGRATION => self.data_migration,
            _ => true,
        }
    }

    /// Whether a defect with facts `mask` is in scope: every fact it has must be included,
    /// and a mask reduced as out of scope ([`ScopeMask::EXCLUDED`]) never is.
    #[must_use]
    pub fn admits(&self, mask: ScopeMask) -> bool {
        !mask.has(ScopeMask::EXCLUDED)
            && Self::FIELDS
                .iter()
                .all(|(bit, _, _)| !mask.has(*bit) || self.includes(*bit))
    }

    /// `mask` as the roll-up stores it under these switches: the reopened fact kept (the
    /// reopened policy changes without a rebuild), every other fact replaced by whether
    /// the switches admit the defect. Under the same switches, `admits` answers the same
    /// for the reduced mask as for the full one.
    #[must_use]
    pub fn reduce(&self, mask: ScopeMask) -> ScopeMask {
        let mut bits = mask.bits() & ScopeMask::REOPENED;
        if !self.admits(mask) {
            bits |= ScopeMask::EXCLUDED;
        }
        ScopeMask::from_bits(bits)
    }
}

/// The weight of each severity in weighted counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityWeights {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

impl Default for SeverityWeights {
    /// 8 / 4 / 2 / 1, as DOMAIN.md sets them.
    fn default() -> SeverityWeights {
        SeverityWeights {
            critical: Severity::Critical.default_weight(),
            high: Severity::High.default_weight(),
            medium: Severity::Medium.default_weight(),
            low: Severity::Low.default_weight(),
        }
    }
}

impl SeverityWeights {
    /// The largest weight a definition may give.
    pub const MAX: u32 = 1000;

    #[must_use]
    pub fn of(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }
}

keyed_enum! {
    /// How defects that were reopened count.
    pub enum ReopenedPolicy ("reopened policy") {
        /// A reopened defect counts as an escape wherever it was found: the fix escaped.
        AsEscaped => ("as_escaped", "As escaped: a reopened defect counts as an escape wherever it was found"),
        /// A reopened defect counts by its discovery stage like any other, and is shown as
        /// recurring beside the rate.
        AsRecurring => ("as_recurring", "As recurring: counted by where it was found, and shown as recurring"),
        /// Reopened defects are left out of every rate and counted on their own.
        Separately => ("separately", "Separately: left out of the rates and counted on their own"),
    }
}

keyed_enum! {
    /// The window a dashboard opens with.
    pub enum DefaultWindow ("default window") {
        PerRelease => ("per_release", "Per release"),
        PerQuarter => ("per_quarter", "Per quarter"),
        Rolling7 => ("rolling_7", "Rolling 7 days"),
        Rolling14 => ("rolling_14", "Rolling 14 days"),
        Rolling30 => ("rolling_30", "Rolling 30 days"),
    }
}

/// One version of the metric definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricDefinition {
    pub boundary: Boundary,
    pub scope: ScopeSwitches,
    pub weights: SeverityWeights,
    pub reopened: ReopenedPolicy,
    pub window: DefaultWindow,
}

impl Default for MetricDefinition {
    fn default() -> MetricDefinition {
        MetricDefinition {
            boundary: Boundary::default(),
            scope: ScopeSwitches::default(),
            weights: SeverityWeights::default(),
            reopened: ReopenedPolicy::AsRecurring,
            window: DefaultWindow::PerQuarter,
        }
    }
}
