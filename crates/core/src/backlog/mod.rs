//! The improvement backlog: priority scores with their breakdown, suggested items for clusters
//! of escapes no open action addresses, the action lifecycle, the effect of done actions, and
//! the items as the trackers' exports take them.

pub mod effect;
pub mod export;
pub mod lifecycle;
pub mod links;
pub mod score;
pub mod suggest;
#[cfg(test)]
mod tests;

pub use effect::{Effect, EffectSummary, Verdict};
pub use export::{EscapeRef, ExportItem, Priority};
pub use lifecycle::{ActionChange, ActionChangeDraft, DueState};
pub use score::{Score, ScoreParts};
pub use suggest::{ClusterEscape, ClusterKey, Suggestion};

/// A label-safe slug of a name: lower-case letters and digits (any script), every other run
/// of characters one `-` ("Checkout & Payments" → `checkout-payments`, "Zahlungsverkehr Ü" →
/// `zahlungsverkehr-ü`). A name with no letter or digit gives `none`.
#[must_use]
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("none");
    }
    out
}
