//! The labels and hints of the review step forms, defined once: the step templates show
//! them, the conflict view names the fields with them and the blameless hints quote them.

use serde::Serialize;

/// One field of a step form: its name in the form, its label and the hint under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldLabel {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
}

/// The expected catch stage, asked on the analysis step.
pub const EXPECTED_CATCH_STAGE: FieldLabel = FieldLabel {
    name: "expected_catch_stage",
    label: "Where should it have been caught?",
    hint: "The earliest stage where a reasonable check could have found it.",
};

/// The evidence that would have caught the escape earlier.
pub const EVIDENCE: FieldLabel = FieldLabel {
    name: "evidence",
    label: "What evidence or test would have caught it earlier?",
    hint: "A test, a check, a signal: describe it so someone could build it.",
};

/// Why that evidence did not exist.
pub const EVIDENCE_GAP: FieldLabel = FieldLabel {
    name: "evidence_gap",
    label: "Why did that evidence not exist?",
    hint: "Look at the system: tooling, environments, data, process, time pressure.",
};

/// The fields of the analysis step, in form order.
pub const ANALYSIS_FIELDS: [FieldLabel; 3] = [EXPECTED_CATCH_STAGE, EVIDENCE, EVIDENCE_GAP];

/// The primary mechanism, one of the seven.
pub const PRIMARY: FieldLabel = FieldLabel {
    name: "primary",
    label: "Primary mechanism",
    hint: "",
};

/// Any contributing mechanisms.
pub const CONTRIBUTING: FieldLabel = FieldLabel {
    name: "contributing",
    label: "Contributing mechanisms",
    hint: "",
};

/// The fields of the mechanism step, in form order.
pub const MECHANISM_FIELDS: [FieldLabel; 2] = [PRIMARY, CONTRIBUTING];

/// The written reason why an escape needs no improvement action.
pub const NO_ACTION_REASON: FieldLabel = FieldLabel {
    name: "no_action_reason",
    label: "Why no action is needed",
    hint: "For example: the feature was removed in the next release.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_field_has_a_distinct_name_and_a_label() {
        let all: Vec<FieldLabel> = ANALYSIS_FIELDS
            .into_iter()
            .chain(MECHANISM_FIELDS)
            .chain([NO_ACTION_REASON])
            .collect();
        for (i, field) in all.iter().enumerate() {
            assert!(!field.label.is_empty(), "{} has no label", field.name);
            assert!(
                all[i + 1..].iter().all(|other| other.name != field.name),
                "{} appears twice",
                field.name
            );
        }
    }
}
