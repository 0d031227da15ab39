//! Tallies: pre-boundary defect counts a team enters instead of logging every early defect.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::quarter::Quarter;
use crate::{Severity, StageKey};

/// How many defects a team found at one stage, entered as a number rather than logged one
/// by one (e.g. "41 unit-test failures fixed this quarter").
///
/// A tally joins every denominator (plain, weighted, per severity, DDP) and never an escape
/// numerator. Tallies have no component, defect type or scope facts: the scope switches do
/// not act on them, and a series by component or defect type leaves them out.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TallyCell {
    pub team: Uuid,
    pub release: Option<Uuid>,
    pub quarter: Quarter,
    pub stage: StageKey,
    pub severity: Severity,
    pub count: u64,
}
