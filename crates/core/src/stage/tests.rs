//! Stage keys, pipeline construction, boundaries and the DOMAIN.md worked example.
#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;

fn key(s: &str) -> StageKey {
    StageKey::parse(s).unwrap()
}

fn stage(k: &str, label: &str) -> Stage {
    Stage::new(k, label).unwrap()
}

fn boundary(after: &str) -> Boundary {
    Boundary::after_stage(key(after))
}

fn abc() -> Pipeline {
    Pipeline::new(vec![stage("a", "A"), stage("b", "B"), stage("c", "C")]).unwrap()
}

#[test]
fn stage_key_accepts_lowercase_letters_digits_and_underscores() {
    for ok in ["a", "unit_test", "stage2", "a_", "x".repeat(40).as_str()] {
        assert_eq!(StageKey::parse(ok).unwrap().as_str(), ok);
    }
}

#[test]
fn stage_key_is_rejected_when_empty_too_long_or_badly_formed() {
    let too_long = "x".repeat(41);
    for bad in [
        "",
        "1abc",
        "_a",
        "Unit",
        "unit-test",
        "unit test",
        " a",
        "a ",
        "é",
        too_long.as_str(),
    ] {
        assert_eq!(
            StageKey::parse(bad),
            Err(PipelineError::InvalidStageKey(bad.to_owned()))
        );
    }
}

#[test]
fn stage_key_displays_converts_and_serializes_as_its_text() {
    let k = key("uat");
    assert_eq!(k.to_string(), "uat");
    assert_eq!(k.as_ref(), "uat");
    assert_eq!(String::from(k.clone()), "uat");
    assert_eq!(StageKey::try_from("uat".to_owned()).unwrap(), k);
    assert_eq!("uat".parse::<StageKey>().unwrap(), k);
    assert_eq!(serde_json::to_string(&k).unwrap(), "\"uat\"");
    assert_eq!(serde_json::from_str::<StageKey>("\"uat\"").unwrap(), k);
}

#[test]
fn stage_key_deserialization_rejects_invalid_keys() {
    let err = serde_json::from_str::<StageKey>("\"Not Valid\"").unwrap_err();
    assert!(err.to_string().contains("not a valid stage key"), "{err}");
}

#[test]
fn default_pipeline_keys_exactly_match_the_domain() {
    let p = Pipeline::default();
    let keys: Vec<&str> = p.keys().map(StageKey::as_str).collect();
    assert_eq!(
        keys,
        [
            "requirements_review",
            "design_review",
            "code_review",
            "unit_test",
            "integration_test",
            "system_test",
            "staging",
            "uat",
            "beta",
            "production"
        ]
    );
}

#[test]
fn default_pipeline_has_the_domain_labels_and_passes_its_own_checks() {
    let p = Pipeline::default();
    let labels: Vec<&str> = p.stages().iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Requirements review",
            "Design review",
            "Code review",
            "Unit / component test",
            "Integration / API test",
            "System test (QA)",
            "Staging",
            "UAT",
            "Beta",
            "Production"
        ]
    );
    assert_eq!(Pipeline::new(p.stages().to_vec()).unwrap(), p);
}

#[test]
fn default_boundary_is_after_system_test_and_fits_the_default_pipeline() {
    assert_eq!(Boundary::default().after().as_str(), "system_test");
    assert_eq!(
        Pipeline::default().check_boundary(&Boundary::default()),
        Ok(())
    );
}

#[test]
fn pipeline_with_fewer_than_two_stages_is_rejected() {
    assert_eq!(Pipeline::new(vec![]), Err(PipelineError::TooFewStages));
    assert_eq!(
        Pipeline::new(vec![stage("a", "A")]),
        Err(PipelineError::TooFewStages)
    );
}

#[test]
fn pipeline_with_a_repeated_key_is_rejected() {
    let result = Pipeline::new(vec![stage("a", "A"), stage("b", "B"), stage("a", "Again")]);
    assert_eq!(result, Err(PipelineError::DuplicateStage("a".into())));
}

#[test]
fn pipeline_with_a_blank_or_61_character_label_is_rejected() {
    let blank = Pipeline::new(vec![stage("a", "A"), stage("b", "   ")]);
    assert_eq!(blank, Err(PipelineError::InvalidLabel("b".into())));
    let long = Pipeline::new(vec![stage("a", &"é".repeat(61)), stage("b", "B")]);
    assert_eq!(long, Err(PipelineError::InvalidLabel("a".into())));
}

#[test]
fn pipeline_labels_are_stored_trimmed_and_may_be_60_characters() {
    let sixty = "é".repeat(60);
    let p = Pipeline::new(vec![stage("a", &format!("  {sixty} ")), stage("b", "B")]).unwrap();
    assert_eq!(p.stages()[0].label, sixty);
}

#[test]
fn pipeline_lookups_find_stages_by_key() {
    let p = abc();
    assert_eq!(p.position("b"), Some(1));
    assert_eq!(p.position("z"), None);
    assert_eq!(p.get("c").unwrap().label, "C");
    assert!(p.get("z").is_none());
    assert_eq!(p.label_of("a"), "A");
    assert_eq!(p.label_of("removed_stage"), "removed_stage");
}

#[test]
fn defect_discovered_after_the_boundary_is_an_escape_and_at_or_before_is_not() {
    let p = abc();
    let b = boundary("b");
    assert_eq!(p.is_escape(&b, "a"), Ok(false));
    assert_eq!(p.is_escape(&b, "b"), Ok(false));
    assert_eq!(p.is_escape(&b, "c"), Ok(true));
}

#[test]
fn is_escape_reports_an_unknown_boundary_or_discovery_stage() {
    let p = abc();
    assert_eq!(
        p.is_escape(&boundary("z"), "a"),
        Err(PipelineError::UnknownStage("z".into()))
    );
    assert_eq!(
        p.is_escape(&boundary("a"), "nope"),
        Err(PipelineError::UnknownStage("nope".into()))
    );
    assert_eq!(
        p.is_escape(&boundary("z"), "nope"),
        Err(PipelineError::UnknownStage("z".into()))
    );
}

#[test]
fn escaped_and_contained_stages_split_the_pipeline_at_the_boundary() {
    let p = abc();
    fn as_strs(v: Vec<&StageKey>) -> Vec<&str> {
        v.into_iter().map(StageKey::as_str).collect()
    }
    assert_eq!(as_strs(p.escaped_stage_keys(&boundary("a"))), ["b", "c"]);
    assert_eq!(as_strs(p.contained_stage_keys(&boundary("a"))), ["a"]);
    assert_eq!(
        as_strs(p.escaped_stage_keys(&boundary("c"))),
        Vec::<&str>::new()
    );
    assert_eq!(
        as_strs(p.contained_stage_keys(&boundary("c"))),
        ["a", "b", "c"]
    );
}

#[test]
fn escaped_and_contained_stages_are_empty_for_an_unknown_boundary() {
    let p = abc();
    assert!(p.escaped_stage_keys(&boundary("z")).is_empty());
    assert!(p.contained_stage_keys(&boundary("z")).is_empty());
}

#[test]
fn boundary_must_name_a_stage_that_is_not_the_last() {
    let p = abc();
    assert_eq!(p.check_boundary(&boundary("b")), Ok(()));
    assert_eq!(
        p.check_boundary(&boundary("c")),
        Err(PipelineError::BoundaryAtLastStage)
    );
    assert_eq!(
        p.check_boundary(&boundary("z")),
        Err(PipelineError::UnknownStage("z".into()))
    );
}

#[test]
fn domain_worked_example_counts_8_of_38_with_the_default_boundary_and_3_after_beta() {
    let p = Pipeline::default();
    let discovered: Vec<&str> = [
        ("unit_test", 20),
        ("system_test", 10),
        ("uat", 5),
        ("production", 3),
    ]
    .into_iter()
    .flat_map(|(stage, n)| std::iter::repeat_n(stage, n))
    .collect();
    assert_eq!(discovered.len(), 38);
    let escapes = |b: &Boundary| {
        discovered
            .iter()
            .filter(|d| p.is_escape(b, d).unwrap())
            .count()
    };
    assert_eq!(escapes(&Boundary::default()), 8);
    assert_eq!(escapes(&boundary("beta")), 3);
}

#[test]
fn pipeline_serializes_as_its_stages_and_deserializes_only_when_valid() {
    let p = abc();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(
        json,
        r#"{"stages":[{"key":"a","label":"A"},{"key":"b","label":"B"},{"key":"c","label":"C"}]}"#
    );
    assert_eq!(serde_json::from_str::<Pipeline>(&json).unwrap(), p);
    let dup = r#"{"stages":[{"key":"a","label":"A"},{"key":"a","label":"B"}]}"#;
    assert!(serde_json::from_str::<Pipeline>(dup).is_err());
    let one = r#"{"stages":[{"key":"a","label":"A"}]}"#;
    assert!(serde_json::from_str::<Pipeline>(one).is_err());
}

#[test]
fn boundary_round_trips_through_json() {
    let b = boundary("uat");
    let json = serde_json::to_string(&b).unwrap();
    assert_eq!(json, r#"{"after":"uat"}"#);
    assert_eq!(serde_json::from_str::<Boundary>(&json).unwrap(), b);
}

#[test]
fn pipeline_error_messages_read_plainly() {
    assert_eq!(
        PipelineError::UnknownStage("x".into()).to_string(),
        "the pipeline has no stage `x`"
    );
    assert_eq!(
        PipelineError::TooFewStages.to_string(),
        "a pipeline needs at least two stages"
    );
    assert_eq!(
        PipelineError::DuplicateStage("a".into()).to_string(),
        "stage `a` appears more than once in the pipeline"
    );
    assert_eq!(
        PipelineError::InvalidLabel("a".into()).to_string(),
        "stage `a` needs a label of 1 to 60 characters"
    );
    assert!(
        PipelineError::InvalidStageKey("A".into())
            .to_string()
            .starts_with("`A` is not a valid")
    );
    assert!(
        PipelineError::BoundaryAtLastStage
            .to_string()
            .contains("last stage")
    );
}
