//! What a write load left in the database, against what its writers were told: a review's
//! markers are read from its history (one "summary" change per accepted save), a defect's
//! from its row; versions must have risen exactly once per accepted save.

use std::collections::{HashMap, HashSet};
use std::fmt;

use escapement_storage::entities::review_history;
use escapement_storage::sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::{Kind, Sent, Target, Write};

/// The figures of one load.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Saves answered 2xx or 3xx.
    pub accepted: usize,
    /// Saves refused as stale (409).
    pub refused_stale: usize,
    /// Of those, the saves sent on purpose at a version already used.
    pub probes_refused: usize,
    /// Requests (page reads and saves) answered 5xx.
    pub server_errors: usize,
    /// Saves answered anything else (a 4xx other than 409).
    pub other: usize,
    /// Saves that got no answer (the server went away): each may or may not be stored.
    pub unanswered: usize,
    /// Accepted saves whose marker is not where it belongs.
    pub lost: usize,
    /// Accepted saves whose marker is there more than once.
    pub twice: usize,
    /// Refused saves whose marker is in the database anyway, and accepted saves at a
    /// version another accepted save had already used. (An unanswered save found stored
    /// is no stale write: the server may have committed it before going away.)
    pub stale_applied: usize,
    /// Records whose version did not rise by exactly their accepted saves (plus at most
    /// their unanswered ones).
    pub version_drift: usize,
}

impl Report {
    /// True when nothing was lost, nothing stale applied and no server error seen.
    pub fn holds(&self) -> bool {
        self.server_errors == 0
            && self.other == 0
            && self.lost == 0
            && self.twice == 0
            && self.stale_applied == 0
            && self.version_drift == 0
    }

    /// The header of the table [`Report`] prints its rows in.
    pub fn header() -> &'static str {
        "| accepted | refused stale (409) | of them deliberate | 5xx | other | unanswered | lost | twice | stale applied | version drift |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            self.accepted,
            self.refused_stale,
            self.probes_refused,
            self.server_errors,
            self.other,
            self.unanswered,
            self.lost,
            self.twice,
            self.stale_applied,
            self.version_drift
        )
    }
}

/// Reads every target back and counts what `sent` was told against what is stored.
pub async fn check(db: &DatabaseConnection, sent: &Sent) -> Report {
    let mut report = Report {
        server_errors: sent.reads.iter().filter(|s| **s >= 500).count(),
        ..Report::default()
    };
    for w in &sent.writes {
        match w.status {
            200..=399 => report.accepted += 1,
            409 => {
                report.refused_stale += 1;
                report.probes_refused += usize::from(w.stale_probe);
            }
            500.. => report.server_errors += 1,
            0 => report.unanswered += 1,
            _ => report.other += 1,
        }
    }
    for (i, target) in sent.targets.iter().enumerate() {
        let writes: Vec<&Write> = sent.writes.iter().filter(|w| w.target == i).collect();
        check_target(db, target, &writes, &mut report).await;
    }
    report
}

async fn check_target(
    db: &DatabaseConnection,
    target: &Target,
    writes: &[&Write],
    report: &mut Report,
) {
    let accepted: Vec<&Write> = writes
        .iter()
        .copied()
        .filter(|w| (200..400).contains(&w.status))
        .collect();
    let (stored, version) = stored_markers(db, target).await;
    if target.kind == Kind::Defect {
        // Only the last accepted save can be in the row; the versions vouch for the others.
        let last = accepted.iter().max_by_key(|w| w.version);
        let in_row = |w: &&Write| stored.contains_key(w.marker.as_str());
        report.lost += usize::from(last.is_some_and(|w| !in_row(w)));
    } else {
        for w in &accepted {
            match stored.get(w.marker.as_str()) {
                None => report.lost += 1,
                Some(n) if *n > 1 => report.twice += n - 1,
                Some(_) => {}
            }
        }
    }
    let refused = writes
        .iter()
        .filter(|w| w.status != 0 && !(200..400).contains(&w.status));
    for w in refused {
        report.stale_applied += usize::from(stored.contains_key(w.marker.as_str()));
    }
    let mut versions = HashSet::new();
    for w in &accepted {
        report.stale_applied += usize::from(!versions.insert(w.version));
    }
    let expected = i64::from(target.start_version) + accepted.len() as i64;
    let unanswered = writes.iter().filter(|w| w.status == 0).count() as i64;
    let rose = i64::from(version) - expected;
    report.version_drift += usize::from(!(0..=unanswered).contains(&rose));
}

/// How often each value is stored for `target` (its summary changes, or its title), and
/// its version now.
async fn stored_markers(db: &DatabaseConnection, target: &Target) -> (HashMap<String, usize>, i32) {
    let mut seen = HashMap::new();
    match target.kind {
        Kind::Review => {
            let rows = review_history::Entity::find()
                .filter(review_history::Column::ReviewId.eq(target.id))
                .filter(review_history::Column::Field.eq("summary"))
                .all(db)
                .await
                .expect("read the review's history");
            for row in rows {
                *seen.entry(row.new_value).or_insert(0) += 1;
            }
            let review = escapement_storage::reviews::get_review(db, target.id)
                .await
                .expect("read the review");
            (seen, review.version)
        }
        Kind::Defect => {
            let defect = escapement_storage::defects::get_defect(db, target.id)
                .await
                .expect("read the defect");
            seen.insert(defect.data.title, 1);
            (seen, defect.version)
        }
    }
}
