//! Step 3, where it should have been caught: the expected catch stage (saved on the defect,
//! so reports agree), the evidence that would have caught it and why that did not exist.

use escapement_core::review::fields::{ANALYSIS_FIELDS, EVIDENCE, EVIDENCE_GAP, FieldLabel};
use escapement_core::review::{AnalysisDraft, Step};
use escapement_storage::reviews::ReviewEscape;
use serde::Serialize;

use super::frame::{StepKind, Workspace};
use crate::page::Ctx;
use crate::page::Done;
use crate::page::views::{Opt, stage_options};

/// The analysis step.
pub struct Analysis;

#[derive(Serialize)]
pub struct AnalysisView {
    analysis: AnalysisDraft,
    stages: Vec<Opt>,
    fields: [FieldLabel; 3],
    /// The defect's version, which the form carries for the stage it saves there.
    defect_version: i32,
}

impl StepKind for Analysis {
    const STEP: Step = Step::Analysis;
    const DONE: Done = Done::AnalysisSaved;
    const TEMPLATE: &'static str = "reviews/steps/analysis.html";
    type Input = AnalysisDraft;
    type View = AnalysisView;

    fn view(_: &Ctx, ws: &Workspace, input: Option<&AnalysisDraft>) -> AnalysisView {
        AnalysisView {
            analysis: input.cloned().unwrap_or_else(|| Self::saved(ws.escape())),
            stages: stage_options(&ws.stages.pipeline),
            fields: ANALYSIS_FIELDS,
            defect_version: ws.escape().defect.version,
        }
    }

    fn saved(e: &ReviewEscape) -> AnalysisDraft {
        let stage = e.defect.data.expected_catch_stage.as_ref();
        AnalysisDraft {
            expected_catch_stage: stage.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            evidence: e.evidence.clone(),
            evidence_gap: e.evidence_gap.clone(),
        }
    }

    fn labels() -> Vec<(&'static str, String)> {
        ANALYSIS_FIELDS
            .iter()
            .map(|f| (f.name, f.label.to_owned()))
            .collect()
    }

    fn written(input: &AnalysisDraft) -> Vec<&str> {
        vec![&input.evidence, &input.evidence_gap]
    }

    fn narrative(view: &AnalysisView) -> Vec<(&'static str, String)> {
        vec![
            (EVIDENCE.label, view.analysis.evidence.clone()),
            (EVIDENCE_GAP.label, view.analysis.evidence_gap.clone()),
        ]
    }
}
