//! Property tests: title lengths, validation that never panics, and edit-form round trips.
#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;
use crate::stage::Pipeline;
use crate::taxonomy::Keyed;
use chrono::TimeZone;
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).unwrap()
}

fn valid_with_title(title: String) -> DefectDraft {
    DefectDraft {
        title,
        severity: "low".into(),
        defect_type: "data".into(),
        discovery_stage: "uat".into(),
        detected_by: "support".into(),
        team_id: Uuid::nil().to_string(),
        detected_at: "2024-01-01".into(),
        ..DefectDraft::default()
    }
}

/// Any characters at all, with a bias towards the ones forms and parsers find interesting.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".*",
        "[ \t\n0-9a-z_:T+-]{0,30}",
        "-?[0-9]{1,25}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?)?",
        "https?://[^ ]{0,20}",
    ]
}

fn any_checkbox() -> impl Strategy<Value = Option<String>> {
    prop::option::of(any_text())
}

/// Mostly one of `good`, sometimes anything at all, so cross-field rules meet odd neighbours.
fn field(good: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![3 => prop::sample::select(good).prop_map(str::to_owned), 1 => any_text()]
}

const DATES: &[&str] = &[
    "",
    "2024-01-01",
    "2024-05-20T10:30",
    "2024-05-20T10:30:15",
    "2024-06-02T11:00:00Z",
    "2024-07-01",
];
const STAGES: &[&str] = &[
    "",
    "requirements_review",
    "unit_test",
    "system_test",
    "uat",
    "production",
    "nope",
];
const IDS: &[&str] = &[
    "",
    "0190a4e2-7c1b-7d3e-9f00-0123456789ab",
    "00000000-0000-0000-0000-000000000000",
];

prop_compose! {
    fn mixed_draft()(
        a in (field(&["", " A title ", "x"]), any_text(), field(&["critical", "low", ""]), field(&["data", "other"])),
        b in (field(&["", "code", "unknown"]), field(STAGES), field(STAGES), field(&["customer", "internal_user"])),
        c in (field(IDS), field(IDS), field(IDS), field(DATES), field(DATES), field(DATES)),
        d in (field(&["", "0", "7", "1000", "1001"]), field(&["", "SHOP-1", "A B"]), field(&["", "https://x.io/1", "ftp://x"])),
        flags in prop::array::uniform5(any_checkbox()),
    ) -> DefectDraft {
        let (title, description, severity, defect_type) = a;
        let (origin, discovery_stage, expected_catch_stage, detected_by) = b;
        let (team_id, component_id, release_id, introduced_at, detected_at, resolved_at) = c;
        let (reopened_count, external_key, incident_link) = d;
        let [confirmed, known_issue_accepted, cosmetic, test_environment, data_migration] = flags;
        DefectDraft {
            title, description, severity, defect_type, origin, discovery_stage, expected_catch_stage,
            detected_by, team_id, component_id, release_id, introduced_at, detected_at, resolved_at,
            reopened_count, confirmed, known_issue_accepted, cosmetic, test_environment, data_migration,
            external_key, incident_link, version: String::new(),
        }
    }
}

/// One of `T`'s keys.
fn key_of<T: Keyed + std::fmt::Debug>() -> impl Strategy<Value = String> {
    prop::sample::select(T::ALL).prop_map(|v| v.key().to_owned())
}

/// An instant written in one of the accepted formats (seconds only where the format has them).
fn written(at: DateTime<Utc>, format: usize) -> String {
    match format % 4 {
        0 => at.format("%Y-%m-%dT%H:%M").to_string(),
        1 => at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        2 => at.format("%Y-%m-%d").to_string(),
        _ => at
            .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap())
            .to_rfc3339(),
    }
}

/// Dates that satisfy every date rule: introduced <= detected <= resolved <= now + 1 day.
fn valid_dates() -> impl Strategy<Value = (String, String, String)> {
    let end = now().timestamp() + 86_400;
    (
        946_684_800i64..end,
        prop::option::of(0i64..1_000_000_000),
        prop::option::of(0.0f64..1.0),
        0usize..4,
    )
        .prop_map(move |(detected, back, forward, format)| {
            // Whole days, so even the date-only format keeps the order.
            let detected = Utc.timestamp_opt(detected - detected % 86_400, 0).unwrap();
            let introduced = back.map(|b| detected - chrono::TimeDelta::seconds(b - b % 86_400));
            let room = (end - detected.timestamp()) as f64;
            let resolved = forward.map(|f| {
                detected + chrono::TimeDelta::seconds((room * f) as i64 / 86_400 * 86_400)
            });
            (
                introduced.map(|t| written(t, format)).unwrap_or_default(),
                written(detected, format + 1),
                resolved.map(|t| written(t, format + 2)).unwrap_or_default(),
            )
        })
}

prop_compose! {
    fn valid_draft()(
        text in ("[^\\s]([^\\n]{0,60}[^\\s])?", "(.|\\n){0,80}"),
        keys in (key_of::<Severity>(), key_of::<DefectType>(), key_of::<Origin>(), key_of::<DetectedBy>()),
        stages in (0usize..10).prop_flat_map(|d| (Just(d), prop::option::of(0..=d))),
        ids in (any::<u128>(), prop::option::of(any::<u128>()), prop::option::of(any::<u128>())),
        dates in valid_dates(),
        extras in (0u32..=1000, prop::option::of("[A-Z]{1,8}-[0-9]{1,5}"), prop::option::of("https?://[a-z]{1,10}\\.example/[a-z0-9/]{0,12}")),
        flags in prop::array::uniform5(any::<bool>()),
    ) -> DefectDraft {
        let pipeline = Pipeline::default();
        let stage = |i: usize| pipeline.stages()[i].key.to_string();
        let on = |b: bool| b.then(|| "on".to_owned());
        DefectDraft {
            title: text.0,
            description: text.1,
            severity: keys.0,
            defect_type: keys.1,
            origin: keys.2,
            discovery_stage: stage(stages.0),
            expected_catch_stage: stages.1.map(stage).unwrap_or_default(),
            detected_by: keys.3,
            team_id: Uuid::from_u128(ids.0).to_string(),
            component_id: ids.1.map(|i| Uuid::from_u128(i).to_string()).unwrap_or_default(),
            release_id: ids.2.map(|i| Uuid::from_u128(i).simple().to_string()).unwrap_or_default(),
            introduced_at: dates.0,
            detected_at: dates.1,
            resolved_at: dates.2,
            reopened_count: extras.0.to_string(),
            confirmed: on(flags[0]),
            known_issue_accepted: on(flags[1]),
            cosmetic: on(flags[2]),
            test_environment: on(flags[3]),
            data_migration: on(flags[4]),
            external_key: extras.1.unwrap_or_default(),
            incident_link: extras.2.unwrap_or_default(),
            version: String::new(),
        }
    }
}

/// Asserts that a validation failure names each field at most once, and never comes empty.
fn assert_one_error_per_field(
    result: Result<NewDefect, ValidationErrors>,
) -> Result<(), TestCaseError> {
    if let Err(errors) = result {
        prop_assert!(!errors.is_empty());
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        let count = fields.len();
        fields.sort_unstable();
        fields.dedup();
        prop_assert_eq!(
            fields.len(),
            count,
            "a field was reported twice: {:?}",
            errors
        );
    }
    Ok(())
}

proptest! {
    #[test]
    fn any_title_of_1_to_200_characters_without_edge_whitespace_is_accepted_as_is(
        title in "[^\\s]([^\\n]{0,198}[^\\s])?"
    ) {
        prop_assume!(title.chars().count() <= 200);
        let d = valid_with_title(title.clone()).validate(&Pipeline::default(), now()).unwrap();
        prop_assert_eq!(d.title, title);
    }

    #[test]
    fn any_title_longer_than_200_characters_is_rejected(title in "[^\\s]{201,260}") {
        let errors = valid_with_title(title).validate(&Pipeline::default(), now()).unwrap_err();
        prop_assert_eq!(errors.get("title"), Some("Title must be 200 characters or fewer"));
        prop_assert_eq!(errors.len(), 1);
    }

    #[test]
    fn validate_never_panics_on_arbitrary_strings_in_every_field(
        a in prop::array::uniform16(any_text()),
        b in prop::array::uniform2(any_text()),
        flags in prop::array::uniform5(any_checkbox()),
    ) {
        let [title, description, severity, defect_type, origin, discovery_stage, expected_catch_stage,
             detected_by, team_id, component_id, release_id, introduced_at, detected_at, resolved_at,
             reopened_count, external_key] = a;
        let [incident_link, version] = b;
        let [confirmed, known_issue_accepted, cosmetic, test_environment, data_migration] = flags;
        let draft = DefectDraft {
            title, description, severity, defect_type, origin, discovery_stage, expected_catch_stage,
            detected_by, team_id, component_id, release_id, introduced_at, detected_at, resolved_at,
            reopened_count, confirmed, known_issue_accepted, cosmetic, test_environment, data_migration,
            external_key, incident_link, version,
        };
        assert_one_error_per_field(draft.validate(&Pipeline::default(), now()))?;
    }

    #[test]
    fn validate_never_panics_on_mostly_plausible_drafts(draft in mixed_draft()) {
        assert_one_error_per_field(draft.validate(&Pipeline::default(), now()))?;
    }

    #[test]
    fn a_valid_defect_shown_in_its_edit_form_validates_back_to_itself(draft in valid_draft()) {
        let d = draft.validate(&Pipeline::default(), now());
        prop_assert!(d.is_ok(), "{:?}", d);
        let d = d.unwrap();
        let again = DefectDraft::from_defect(&d).validate(&Pipeline::default(), now()).unwrap();
        // The edit form shows minutes, so only seconds may be dropped.
        let minute = |t: DateTime<Utc>| t.timestamp().div_euclid(60);
        prop_assert_eq!(minute(again.detected_at), minute(d.detected_at));
        prop_assert_eq!(again.introduced_at.map(minute), d.introduced_at.map(minute));
        prop_assert_eq!(again.resolved_at.map(minute), d.resolved_at.map(minute));
        let same_dates = NewDefect {
            introduced_at: d.introduced_at,
            detected_at: d.detected_at,
            resolved_at: d.resolved_at,
            ..again
        };
        prop_assert_eq!(same_dates, d);
    }
}
