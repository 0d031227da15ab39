//! The backlog's items for the exports, in score order (or by mechanism, then score), read a
//! chunk at a time so an export of any size holds one chunk of items and one sort key per
//! action.

use chrono::NaiveDate;
use escapement_core::Pipeline;
use escapement_core::backlog::{EscapeRef, ExportItem};
use escapement_core::metrics::definition::SeverityWeights;
use sea_orm::ConnectionTrait;

use super::BacklogFilter;
use super::read::{Scored, actions_by_ids, by_score, scored_actions};
use crate::Result;

/// How many items one chunk reads.
const CHUNK: usize = 500;

/// The export's order and how far it got.
#[derive(Debug, Clone)]
pub struct ExportCursor {
    order: Vec<Scored>,
    pos: usize,
    today: NaiveDate,
}

/// The items matching `f`, highest score first (grouped by mechanism first when
/// `by_mechanism`), at most `limit` of them.
pub async fn export_cursor(
    db: &impl ConnectionTrait,
    f: &BacklogFilter,
    weights: &SeverityWeights,
    today: NaiveDate,
    by_mechanism: bool,
    limit: Option<usize>,
) -> Result<ExportCursor> {
    let mut order = scored_actions(db, f, weights, today).await?;
    order.sort_by(by_score);
    if let Some(limit) = limit {
        order.truncate(limit);
    }
    if by_mechanism {
        order.sort_by(|a, b| a.mechanism.cmp(&b.mechanism).then(by_score(a, b)));
    }
    Ok(ExportCursor {
        order,
        pos: 0,
        today,
    })
}

impl ExportCursor {
    /// How many items the export writes in all.
    #[must_use]
    pub fn len(&self) -> usize {
        self.order.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The next chunk of items, `None` at the end. Links start with `base_url` (the instance's
    /// public URL, or empty for paths).
    pub async fn next_chunk(
        &mut self,
        db: &impl ConnectionTrait,
        pipeline: &Pipeline,
        base_url: &str,
    ) -> Result<Option<Vec<ExportItem>>> {
        if self.pos >= self.order.len() {
            return Ok(None);
        }
        let end = (self.pos + CHUNK).min(self.order.len());
        let chunk = &self.order[self.pos..end];
        self.pos = end;
        let base = base_url.trim_end_matches('/');
        let actions = actions_by_ids(db, chunk, self.today, false).await?;
        Ok(Some(
            actions
                .into_iter()
                .map(|a| ExportItem {
                    url: format!("{base}/backlog/actions/{}", a.id),
                    escapes: a
                        .escapes
                        .iter()
                        .map(|e| EscapeRef {
                            defect_title: e.defect_title.clone(),
                            severity: e.severity,
                            discovered_at_stage: pipeline
                                .label_of(e.discovery_stage.as_str())
                                .to_owned(),
                            discovered_on: e.discovered_on,
                            review_title: e.review_title.clone(),
                            url: format!("{base}/reviews/{}", e.review_id),
                        })
                        .collect(),
                    id: a.id,
                    title: a.title,
                    mechanism: a.mechanism,
                    component: a.component_name,
                    team: a.team_name,
                    target_layer: pipeline.label_of(a.target_layer.as_str()).to_owned(),
                    effort: a.effort,
                    status: a.status,
                    due_date: a.due_date,
                    score: a.score.value,
                    priority: a.score.priority(),
                    external_key: a.external_key,
                })
                .collect(),
        ))
    }
}
