//! Origin, stages, ids and scope checkboxes.

use super::*;

#[test]
fn unknown_origin_is_rejected_and_empty_origin_means_unknown() {
    let draft = DefectDraft {
        origin: "moon".into(),
        ..minimal()
    };
    assert_eq!(
        only_error(&draft),
        ("origin", "Select an origin from the list".into())
    );
    let blank = DefectDraft {
        origin: "  ".into(),
        ..minimal()
    };
    assert_eq!(validate(&blank).unwrap().origin, Origin::Unknown);
}

#[test]
fn discovery_stage_outside_the_pipeline_is_rejected() {
    let draft = DefectDraft {
        discovery_stage: "moon_landing".into(),
        ..minimal()
    };
    assert_eq!(
        only_error(&draft),
        (
            "discovery_stage",
            "Select a discovery stage from the pipeline".into()
        )
    );
}

#[test]
fn discovery_stage_is_checked_against_the_given_pipeline() {
    let pipeline = Pipeline::new(vec![
        Stage::new("build", "Build").unwrap(),
        Stage::new("live", "Live").unwrap(),
    ])
    .unwrap();
    let draft = DefectDraft {
        discovery_stage: "live".into(),
        ..minimal()
    };
    assert_eq!(
        draft.validate(&pipeline, now()).unwrap().discovery_stage,
        key("live")
    );
    let default_stage = DefectDraft {
        discovery_stage: "production".into(),
        ..minimal()
    };
    assert!(
        default_stage
            .validate(&pipeline, now())
            .unwrap_err()
            .get("discovery_stage")
            .is_some()
    );
}

#[test]
fn expected_catch_stage_at_or_before_discovery_is_accepted() {
    for stage in ["requirements_review", "system_test", "production"] {
        let draft = DefectDraft {
            expected_catch_stage: stage.into(),
            ..minimal()
        };
        assert_eq!(
            validate(&draft).unwrap().expected_catch_stage,
            Some(key(stage))
        );
    }
}

#[test]
fn expected_catch_stage_outside_the_pipeline_is_rejected() {
    let draft = DefectDraft {
        expected_catch_stage: "hindsight".into(),
        ..minimal()
    };
    let expected = (
        "expected_catch_stage",
        "Select an expected catch stage from the pipeline".into(),
    );
    assert_eq!(only_error(&draft), expected);
}

#[test]
fn expected_catch_stage_after_the_discovery_stage_is_rejected() {
    let draft = DefectDraft {
        discovery_stage: "unit_test".into(),
        expected_catch_stage: "uat".into(),
        ..minimal()
    };
    let expected = (
        "expected_catch_stage",
        "Expected catch stage cannot come after the discovery stage".into(),
    );
    assert_eq!(only_error(&draft), expected);
}

#[test]
fn expected_catch_stage_is_not_compared_when_the_discovery_stage_is_missing() {
    let draft = DefectDraft {
        discovery_stage: String::new(),
        expected_catch_stage: "uat".into(),
        ..minimal()
    };
    assert_eq!(only_error(&draft).0, "discovery_stage");
}

#[test]
fn team_id_that_is_not_a_uuid_is_rejected() {
    let draft = DefectDraft {
        team_id: "payments".into(),
        ..minimal()
    };
    assert_eq!(only_error(&draft), ("team_id", "Select a team".into()));
}

#[test]
fn component_and_release_ids_that_are_not_uuids_are_rejected() {
    let draft = DefectDraft {
        component_id: "checkout".into(),
        ..minimal()
    };
    assert_eq!(
        only_error(&draft),
        ("component_id", "Select a component from the list".into())
    );
    let draft = DefectDraft {
        release_id: "2024.3".into(),
        ..minimal()
    };
    assert_eq!(
        only_error(&draft),
        ("release_id", "Select a release from the list".into())
    );
}

#[test]
fn blank_component_and_release_ids_mean_none() {
    let draft = DefectDraft {
        component_id: "  ".into(),
        release_id: String::new(),
        ..minimal()
    };
    let d = validate(&draft).unwrap();
    assert_eq!((d.component_id, d.release_id), (None, None));
}

#[test]
fn checked_checkboxes_set_their_scope_flags() {
    let on = Some("on".to_owned());
    let draft = DefectDraft {
        confirmed: on.clone(),
        known_issue_accepted: Some("yes".into()),
        cosmetic: Some("off".into()),
        test_environment: on,
        data_migration: Some(String::new()),
        ..minimal()
    };
    let scope = validate(&draft).unwrap().scope;
    assert_eq!(
        scope,
        ScopeFlags {
            confirmed: true,
            known_issue_accepted: true,
            cosmetic: false,
            test_environment: true,
            data_migration: false
        }
    );
}
