//! Weighted random draws: the helper the demo's defects and reviews share, and the
//! severity and detection source of a demo defect.

use escapement_core::{DetectedBy, Severity};
use rand::Rng;
use rand::rngs::StdRng;

/// One of `items`, each drawn with its relative weight; the last one when all weigh nothing.
pub(super) fn pick_weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
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

/// A severity; escapes are more often critical or high than defects caught in time.
pub(super) fn severity_for(rng: &mut StdRng, escaped: bool) -> Severity {
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

/// Who or what finds a defect at the stage with index `stage_index`: reviews and tests
/// early, customers, support and monitoring in production.
pub(super) fn detected_by_for(rng: &mut StdRng, stage_index: usize) -> DetectedBy {
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
