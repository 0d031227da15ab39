//! Delivery pipeline stages, the escape boundary, and what "escaped" means for a pipeline.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

mod pipeline;
pub use pipeline::{DEFAULT_STAGES, Pipeline};

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

/// The longest stage key accepted, in characters.
pub const STAGE_KEY_MAX_LEN: usize = 40;
/// The longest stage label accepted, in characters, after trimming.
pub const STAGE_LABEL_MAX_LEN: usize = 60;

/// Why a stage, pipeline or boundary was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PipelineError {
    /// The text is not a valid stage key.
    #[error(
        "`{0}` is not a valid stage key: use 1 to 40 lowercase letters, digits or underscores, starting with a letter"
    )]
    InvalidStageKey(String),
    /// The key names no stage of the pipeline.
    #[error("the pipeline has no stage `{0}`")]
    UnknownStage(String),
    /// Two stages share this key.
    #[error("stage `{0}` appears more than once in the pipeline")]
    DuplicateStage(String),
    /// The stage with this key has an empty or too long label.
    #[error("stage `{0}` needs a label of 1 to 60 characters")]
    InvalidLabel(String),
    /// Fewer than two stages.
    #[error("a pipeline needs at least two stages")]
    TooFewStages,
    /// The boundary was placed after the last stage, so nothing could ever escape.
    #[error(
        "the escape boundary cannot be after the last stage, because nothing could escape past it"
    )]
    BoundaryAtLastStage,
}

/// A stage's stable key: 1..=40 ASCII lowercase letters, digits or `_`, starting with a letter.
///
/// A `StageKey` that exists is valid; deserializing an invalid one fails.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StageKey(String);

impl StageKey {
    /// Accepts `s` exactly as given (no trimming) when it is a valid key.
    pub fn parse(s: &str) -> Result<StageKey, PipelineError> {
        let mut chars = s.chars();
        let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if starts_with_letter && rest_ok && s.len() <= STAGE_KEY_MAX_LEN {
            Ok(StageKey(s.to_owned()))
        } else {
            Err(PipelineError::InvalidStageKey(s.to_owned()))
        }
    }

    /// The key as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for StageKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StageKey {
    type Error = PipelineError;
    fn try_from(s: String) -> Result<StageKey, PipelineError> {
        StageKey::parse(&s)
    }
}

impl From<StageKey> for String {
    fn from(key: StageKey) -> String {
        key.0
    }
}

impl std::str::FromStr for StageKey {
    type Err = PipelineError;
    fn from_str(s: &str) -> Result<StageKey, PipelineError> {
        StageKey::parse(s)
    }
}

/// One step of the delivery pipeline. Labels are checked when the stage joins a [`Pipeline`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    /// Stable key.
    pub key: StageKey,
    /// Label for people.
    pub label: String,
}

impl Stage {
    /// A stage from a key to parse and a label (the label is checked by [`Pipeline::new`]).
    pub fn new(key: &str, label: impl Into<String>) -> Result<Stage, PipelineError> {
        Ok(Stage {
            key: StageKey::parse(key)?,
            label: label.into(),
        })
    }
}

/// The stage after which a discovered defect counts as escaped.
///
/// A boundary only names a stage; [`Pipeline::check_boundary`] says whether it fits a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boundary {
    after: StageKey,
}

impl Boundary {
    /// A boundary right after the stage `key`.
    #[must_use]
    pub fn after_stage(key: StageKey) -> Boundary {
        Boundary { after: key }
    }

    /// The last stage that is still "contained": defects discovered later have escaped.
    #[must_use]
    pub fn after(&self) -> &StageKey {
        &self.after
    }
}

impl Default for Boundary {
    /// After `system_test`, as DOMAIN.md sets it.
    fn default() -> Boundary {
        Boundary {
            after: StageKey("system_test".to_owned()),
        }
    }
}
