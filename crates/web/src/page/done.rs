//! The confirmation shown on the page a save leads to ("Checklist saved."): the redirect
//! carries `?done=<key>` and the layout shows the fixed sentence of that key. Only the keys
//! below are read, so nothing a visitor writes into the URL reaches the page.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::templates::CONFIRMATION;

/// Middleware: every page of the request shows the confirmation its `?done=` names.
pub async fn confirmations(request: Request, next: Next) -> Response {
    let done = Done::from_query(request.uri().query()).map(Done::sentence);
    CONFIRMATION.scope(done, next.run(request)).await
}

/// What a save or a state change did, for the next page to confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    ReviewStarted,
    ReviewSaved,
    FactsConfirmed,
    ChecklistSaved,
    AnalysisSaved,
    MechanismSaved,
    NoActionSaved,
    ActionAdded,
    ActionSaved,
    ActionDeleted,
    SentToReview,
    BackToDraft,
    BackToReview,
    Classified,
    Closed,
    Reopened,
    DefectRecorded,
    DefectSaved,
    TeamSaved,
    PipelineSaved,
    CatalogSaved,
}

const ALL: [Done; 21] = [
    Done::ReviewStarted,
    Done::ReviewSaved,
    Done::FactsConfirmed,
    Done::ChecklistSaved,
    Done::AnalysisSaved,
    Done::MechanismSaved,
    Done::NoActionSaved,
    Done::ActionAdded,
    Done::ActionSaved,
    Done::ActionDeleted,
    Done::SentToReview,
    Done::BackToDraft,
    Done::BackToReview,
    Done::Classified,
    Done::Closed,
    Done::Reopened,
    Done::DefectRecorded,
    Done::DefectSaved,
    Done::TeamSaved,
    Done::PipelineSaved,
    Done::CatalogSaved,
];

impl Done {
    /// The key carried in `?done=`.
    pub fn key(self) -> &'static str {
        match self {
            Done::ReviewStarted => "review_started",
            Done::ReviewSaved => "review_saved",
            Done::FactsConfirmed => "facts_confirmed",
            Done::ChecklistSaved => "checklist_saved",
            Done::AnalysisSaved => "analysis_saved",
            Done::MechanismSaved => "mechanism_saved",
            Done::NoActionSaved => "no_action_saved",
            Done::ActionAdded => "action_added",
            Done::ActionSaved => "action_saved",
            Done::ActionDeleted => "action_deleted",
            Done::SentToReview => "sent_to_review",
            Done::BackToDraft => "back_to_draft",
            Done::BackToReview => "back_to_review",
            Done::Classified => "classified",
            Done::Closed => "closed",
            Done::Reopened => "reopened",
            Done::DefectRecorded => "defect_recorded",
            Done::DefectSaved => "defect_saved",
            Done::TeamSaved => "team_saved",
            Done::PipelineSaved => "pipeline_saved",
            Done::CatalogSaved => "catalog_saved",
        }
    }

    /// The sentence the next page shows.
    pub fn sentence(self) -> &'static str {
        match self {
            Done::ReviewStarted => "Review started.",
            Done::ReviewSaved => "Review details saved.",
            Done::FactsConfirmed => "Facts confirmed.",
            Done::ChecklistSaved => "Checklist saved.",
            Done::AnalysisSaved => "Saved where it should have been caught.",
            Done::MechanismSaved => "Mechanism saved.",
            Done::NoActionSaved => "No-action reason saved.",
            Done::ActionAdded => "Action added.",
            Done::ActionSaved => "Action saved.",
            Done::ActionDeleted => "Action deleted.",
            Done::SentToReview => "Review sent for review.",
            Done::BackToDraft => "Review moved back to draft.",
            Done::BackToReview => "Review moved back to in review.",
            Done::Classified => "Review marked as classified.",
            Done::Closed => "Review closed.",
            Done::Reopened => "Review reopened.",
            Done::DefectRecorded => "Defect recorded.",
            Done::DefectSaved => "Defect saved.",
            Done::TeamSaved => "Team saved.",
            Done::PipelineSaved => "Pipeline saved.",
            Done::CatalogSaved => "Saved.",
        }
    }

    /// The confirmation a request's query names, if any.
    pub fn from_query(query: Option<&str>) -> Option<Done> {
        let query = query?;
        let value = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("done="))?;
        ALL.into_iter().find(|d| d.key() == value)
    }

    /// `path` with this confirmation added to its query, before any `#fragment`.
    pub fn on(self, path: &str) -> String {
        let (path, fragment) = match path.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (path, None),
        };
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut out = format!("{path}{sep}done={}", self.key());
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_reads_back_as_its_confirmation() {
        for d in ALL {
            assert_eq!(
                Done::from_query(Some(&format!("a=1&done={}", d.key()))),
                Some(d)
            );
        }
    }

    #[test]
    fn an_unknown_or_missing_key_confirms_nothing() {
        assert_eq!(Done::from_query(Some("done=<script>")), None);
        assert_eq!(Done::from_query(Some("step=facts")), None);
        assert_eq!(Done::from_query(None), None);
    }

    #[test]
    fn the_key_joins_an_existing_query_and_keeps_the_fragment() {
        assert_eq!(Done::Closed.on("/reviews/1"), "/reviews/1?done=closed");
        assert_eq!(
            Done::ChecklistSaved.on("/r/1/e/2?step=analysis#main"),
            "/r/1/e/2?step=analysis&done=checklist_saved#main"
        );
    }
}
