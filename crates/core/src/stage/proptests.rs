//! Property tests: escapes agree with the stage lists and move monotonically with the boundary.
#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;
use proptest::prelude::*;

/// Random valid pipelines of 2..=12 stages with unique keys.
fn pipelines() -> impl Strategy<Value = Pipeline> {
    prop::collection::btree_set("[a-z][a-z0-9_]{0,12}", 2..=12)
        .prop_map(|keys| keys.into_iter().collect::<Vec<_>>())
        .prop_shuffle()
        .prop_map(|keys| {
            let stages = keys
                .iter()
                .map(|k| Stage::new(k, format!("Stage {k}")).unwrap())
                .collect();
            Pipeline::new(stages).unwrap()
        })
}

fn boundary_at(p: &Pipeline, i: usize) -> Boundary {
    Boundary::after_stage(p.stages()[i].key.clone())
}

proptest! {
    #[test]
    fn any_well_formed_stage_key_parses_and_round_trips(k in "[a-z][a-z0-9_]{0,39}") {
        let parsed = StageKey::parse(&k).unwrap();
        prop_assert_eq!(parsed.as_str(), k.as_str());
    }

    #[test]
    fn is_escape_agrees_with_escaped_stage_keys_for_every_stage_and_valid_boundary(p in pipelines()) {
        for b in 0..p.stages().len() - 1 {
            let boundary = boundary_at(&p, b);
            prop_assert_eq!(p.check_boundary(&boundary), Ok(()));
            let escaped = p.escaped_stage_keys(&boundary);
            let contained = p.contained_stage_keys(&boundary);
            prop_assert_eq!(escaped.len() + contained.len(), p.stages().len());
            prop_assert!(!escaped.is_empty());
            for stage in p.stages() {
                let is_escape = p.is_escape(&boundary, stage.key.as_str()).unwrap();
                prop_assert_eq!(is_escape, escaped.contains(&&stage.key));
                prop_assert_eq!(!is_escape, contained.contains(&&stage.key));
            }
        }
    }

    #[test]
    fn is_escape_is_monotonic_in_the_discovery_position(p in pipelines()) {
        for b in 0..p.stages().len() - 1 {
            let boundary = boundary_at(&p, b);
            let flags: Vec<bool> = p
                .stages()
                .iter()
                .map(|s| p.is_escape(&boundary, s.key.as_str()).unwrap())
                .collect();
            prop_assert!(flags.windows(2).all(|w| w[0] <= w[1]), "{flags:?}");
        }
    }

    #[test]
    fn moving_the_boundary_later_never_turns_a_non_escape_into_an_escape(
        p in pipelines(),
        picks in (0usize..12, 0usize..12, 0usize..12),
    ) {
        let n = p.stages().len();
        let (earlier, later) = {
            let (x, y) = (picks.0 % (n - 1), picks.1 % (n - 1));
            (x.min(y), x.max(y))
        };
        let discovered = p.stages()[picks.2 % n].key.as_str();
        let before = p.is_escape(&boundary_at(&p, earlier), discovered).unwrap();
        let after = p.is_escape(&boundary_at(&p, later), discovered).unwrap();
        prop_assert!(!after || before, "escape appeared when the boundary moved later");
    }

    #[test]
    fn the_last_stage_is_never_a_valid_boundary(p in pipelines()) {
        let last = boundary_at(&p, p.stages().len() - 1);
        prop_assert_eq!(p.check_boundary(&last), Err(PipelineError::BoundaryAtLastStage));
    }
}
