//! The ordered pipeline of stages and the escape questions asked of it.

use serde::{Deserialize, Serialize};

use super::{Boundary, PipelineError, STAGE_LABEL_MAX_LEN, Stage, StageKey};

/// An ordered list of at least two stages with unique keys and trimmed 1..=60 character labels.
///
/// A `Pipeline` that exists is valid: deserializing an invalid one fails as `new` would.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PipelineRepr")]
pub struct Pipeline {
    stages: Vec<Stage>,
}

/// The unchecked serde shape of a pipeline, same as the one `Pipeline` serializes to.
#[derive(Deserialize)]
struct PipelineRepr {
    stages: Vec<Stage>,
}

impl TryFrom<PipelineRepr> for Pipeline {
    type Error = PipelineError;
    fn try_from(repr: PipelineRepr) -> Result<Pipeline, PipelineError> {
        Pipeline::new(repr.stages)
    }
}

impl Pipeline {
    /// Checks and builds a pipeline; labels are stored trimmed.
    pub fn new(stages: Vec<Stage>) -> Result<Pipeline, PipelineError> {
        if stages.len() < 2 {
            return Err(PipelineError::TooFewStages);
        }
        let mut checked: Vec<Stage> = Vec::with_capacity(stages.len());
        for stage in stages {
            if checked.iter().any(|s| s.key == stage.key) {
                return Err(PipelineError::DuplicateStage(stage.key.into()));
            }
            let label = stage.label.trim();
            let len = label.chars().count();
            if len == 0 || len > STAGE_LABEL_MAX_LEN {
                return Err(PipelineError::InvalidLabel(stage.key.into()));
            }
            let label = label.to_owned();
            checked.push(Stage {
                key: stage.key,
                label,
            });
        }
        Ok(Pipeline { stages: checked })
    }

    /// The stages, in pipeline order.
    #[must_use]
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// The keys, in pipeline order.
    pub fn keys(&self) -> impl Iterator<Item = &StageKey> {
        self.stages.iter().map(|s| &s.key)
    }

    /// The zero-based position of the stage with this key.
    #[must_use]
    pub fn position(&self, key: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.key.as_str() == key)
    }

    /// The stage with this key.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.key.as_str() == key)
    }

    /// The stage's label, or the key itself when the pipeline has no such stage
    /// (e.g. a stage removed after defects were logged against it).
    #[must_use]
    pub fn label_of<'a>(&'a self, key: &'a str) -> &'a str {
        self.get(key).map_or(key, |s| s.label.as_str())
    }

    /// Whether a defect discovered at `discovered` escaped past `boundary`: it did when its
    /// stage comes strictly after the boundary's stage. Unknown stages are errors, boundary first.
    pub fn is_escape(&self, boundary: &Boundary, discovered: &str) -> Result<bool, PipelineError> {
        let after = self.boundary_position(boundary)?;
        let at = self
            .position(discovered)
            .ok_or_else(|| PipelineError::UnknownStage(discovered.to_owned()))?;
        Ok(at > after)
    }

    /// The stages strictly after the boundary, in order; empty when the boundary is unknown.
    #[must_use]
    pub fn escaped_stage_keys(&self, boundary: &Boundary) -> Vec<&StageKey> {
        match self.position(boundary.after().as_str()) {
            Some(after) => self.stages[after + 1..].iter().map(|s| &s.key).collect(),
            None => Vec::new(),
        }
    }

    /// The stages at or before the boundary, in order; empty when the boundary is unknown.
    #[must_use]
    pub fn contained_stage_keys(&self, boundary: &Boundary) -> Vec<&StageKey> {
        match self.position(boundary.after().as_str()) {
            Some(after) => self.stages[..=after].iter().map(|s| &s.key).collect(),
            None => Vec::new(),
        }
    }

    /// Ok when the boundary names a stage of this pipeline other than the last one.
    pub fn check_boundary(&self, boundary: &Boundary) -> Result<(), PipelineError> {
        let after = self.boundary_position(boundary)?;
        if after + 1 >= self.stages.len() {
            return Err(PipelineError::BoundaryAtLastStage);
        }
        Ok(())
    }

    fn boundary_position(&self, boundary: &Boundary) -> Result<usize, PipelineError> {
        self.position(boundary.after().as_str())
            .ok_or_else(|| PipelineError::UnknownStage(boundary.after().to_string()))
    }
}

/// DOMAIN.md's default pipeline: (key, label), in order.
pub const DEFAULT_STAGES: [(&str, &str); 10] = [
    ("requirements_review", "Requirements review"),
    ("design_review", "Design review"),
    ("code_review", "Code review"),
    ("unit_test", "Unit / component test"),
    ("integration_test", "Integration / API test"),
    ("system_test", "System test (QA)"),
    ("staging", "Staging"),
    ("uat", "UAT"),
    ("beta", "Beta"),
    ("production", "Production"),
];

impl Default for Pipeline {
    /// The ten stages of DOMAIN.md, from requirements review to production.
    fn default() -> Pipeline {
        let stages = DEFAULT_STAGES
            .iter()
            .map(|(key, label)| Stage {
                key: StageKey((*key).to_owned()),
                label: (*label).to_owned(),
            })
            .collect();
        Pipeline { stages }
    }
}
