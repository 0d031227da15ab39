//! The confidence notes of a set of escape rates: what makes them less sure, or leaves
//! defects out, in words. The dashboard and the quarterly report print the same list.

use super::plural;
use crate::metrics::escape::EscapeRates;

/// One sentence for each caveat of `rates` that applies: too few defects, tallied
/// denominators, defects out of scope, reopened ones and defects at unknown stages.
#[must_use]
pub fn confidence_notes(rates: &EscapeRates) -> Vec<String> {
    let mut notes = Vec::new();
    if rates.plain.small_sample {
        notes.push(format!(
            "Only {} in scope: too few to conclude from.",
            plural(rates.plain.denominator, "defect", "defects")
        ));
    }
    if rates.tallied > 0 {
        notes.push(format!(
            "{} entered as pre-boundary tallies count in the denominators (they are not individual records).",
            plural(rates.tallied, "defect", "defects")
        ));
    }
    if rates.out_of_scope > 0 {
        notes.push(format!(
            "{} left out by the definition's scope.",
            plural(rates.out_of_scope, "defect is", "defects are")
        ));
    }
    if rates.recurring > 0 {
        notes.push(format!(
            "{} reopened: counted where found, and recurring.",
            plural(rates.recurring, "defect was", "defects were")
        ));
    }
    if rates.separate > 0 {
        notes.push(format!(
            "{} reopened and, by the definition, counted separately (left out of every rate).",
            plural(rates.separate, "defect was", "defects were")
        ));
    }
    if rates.unknown_stage > 0 {
        notes.push(format!(
            "{} found at a stage the pipeline no longer has: left out.",
            plural(rates.unknown_stage, "defect was", "defects were")
        ));
    }
    notes
}
