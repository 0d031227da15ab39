//! Title, description and the keyed choices.

use super::*;

#[test]
fn title_is_stored_trimmed() {
    let d = validate(&DefectDraft {
        title: "  Totals wrong \t".into(),
        ..minimal()
    })
    .unwrap();
    assert_eq!(d.title, "Totals wrong");
}

#[test]
fn whitespace_only_title_is_rejected() {
    let draft = DefectDraft {
        title: " \n\t ".into(),
        ..minimal()
    };
    assert_eq!(only_error(&draft), ("title", "Enter a title".into()));
}

#[test]
fn title_of_200_multibyte_characters_is_accepted() {
    assert!(
        validate(&DefectDraft {
            title: "ü".repeat(200),
            ..minimal()
        })
        .is_ok()
    );
}

#[test]
fn title_longer_than_200_characters_is_rejected() {
    let draft = DefectDraft {
        title: "a".repeat(201),
        ..minimal()
    };
    assert_eq!(
        only_error(&draft),
        ("title", "Title must be 200 characters or fewer".into())
    );
}

#[test]
fn description_keeps_leading_whitespace_and_loses_trailing_whitespace() {
    let d = validate(&DefectDraft {
        description: "  indented\n\n".into(),
        ..minimal()
    })
    .unwrap();
    assert_eq!(d.description, "  indented");
}

#[test]
fn description_of_20000_characters_plus_trailing_spaces_is_accepted() {
    let draft = DefectDraft {
        description: format!("{}   ", "é".repeat(20_000)),
        ..minimal()
    };
    assert_eq!(
        validate(&draft).unwrap().description.chars().count(),
        20_000
    );
}

#[test]
fn description_longer_than_20000_characters_is_rejected() {
    let draft = DefectDraft {
        description: "x".repeat(20_001),
        ..minimal()
    };
    assert_eq!(
        only_error(&draft),
        (
            "description",
            "Description must be 20,000 characters or fewer".into()
        )
    );
}

#[test]
fn unknown_severity_is_rejected() {
    let draft = DefectDraft {
        severity: "blocker".into(),
        ..minimal()
    };
    assert_eq!(
        only_error(&draft),
        ("severity", "Select a severity from the list".into())
    );
}

#[test]
fn severity_label_instead_of_key_is_rejected() {
    let draft = DefectDraft {
        severity: "High".into(),
        ..minimal()
    };
    assert_eq!(only_error(&draft).0, "severity");
}

#[test]
fn unknown_defect_type_is_rejected() {
    let draft = DefectDraft {
        defect_type: "cosmic".into(),
        ..minimal()
    };
    assert_eq!(
        only_error(&draft),
        ("defect_type", "Select a defect type from the list".into())
    );
}

#[test]
fn unknown_detected_by_is_rejected() {
    let draft = DefectDraft {
        detected_by: "oracle".into(),
        ..minimal()
    };
    assert_eq!(
        only_error(&draft),
        (
            "detected_by",
            "Select who or what detected the defect from the list".into()
        )
    );
}

#[test]
fn keys_with_surrounding_whitespace_are_accepted() {
    let draft = DefectDraft {
        severity: " low ".into(),
        detected_by: "internal_user\n".into(),
        ..minimal()
    };
    let d = validate(&draft).unwrap();
    assert_eq!(
        (d.severity, d.detected_by),
        (Severity::Low, DetectedBy::InternalUser)
    );
}

#[test]
fn every_known_key_is_accepted_for_each_choice() {
    for &s in Severity::ALL {
        assert_eq!(
            validate(&DefectDraft {
                severity: s.key().into(),
                ..minimal()
            })
            .unwrap()
            .severity,
            s
        );
    }
    for &t in DefectType::ALL {
        assert_eq!(
            validate(&DefectDraft {
                defect_type: t.key().into(),
                ..minimal()
            })
            .unwrap()
            .defect_type,
            t
        );
    }
    for &o in Origin::ALL {
        assert_eq!(
            validate(&DefectDraft {
                origin: o.key().into(),
                ..minimal()
            })
            .unwrap()
            .origin,
            o
        );
    }
    for &b in DetectedBy::ALL {
        assert_eq!(
            validate(&DefectDraft {
                detected_by: b.key().into(),
                ..minimal()
            })
            .unwrap()
            .detected_by,
            b
        );
    }
}
