//! Dates and their order, reopened count, external key and incident link.

use super::*;

fn with_dates(introduced: &str, detected: &str, resolved: &str) -> DefectDraft {
    DefectDraft {
        introduced_at: introduced.into(),
        detected_at: detected.into(),
        resolved_at: resolved.into(),
        ..minimal()
    }
}

#[test]
fn every_accepted_date_format_is_read_as_utc() {
    for (text, expected) in [
        ("2024-05-20", at(2024, 5, 20, 0, 0)),
        ("2024-05-20T10:30", at(2024, 5, 20, 10, 30)),
        ("2024-05-20T10:30:00", at(2024, 5, 20, 10, 30)),
        ("2024-05-20T12:30:00+02:00", at(2024, 5, 20, 10, 30)),
        ("2024-05-20T10:30:00Z", at(2024, 5, 20, 10, 30)),
    ] {
        assert_eq!(
            validate(&with_dates("", text, "")).unwrap().detected_at,
            expected,
            "{text}"
        );
    }
}

#[test]
fn missing_detected_date_is_rejected() {
    let draft = with_dates("", "   ", "");
    assert_eq!(
        only_error(&draft),
        (
            "detected_at",
            "Enter the date the defect was detected".into()
        )
    );
}

#[test]
fn unreadable_dates_are_rejected_with_an_example() {
    let expected =
        |what: &str| format!("{what} must be a real date, like 2024-03-15 or 2024-03-15T14:30");
    assert_eq!(
        only_error(&with_dates("2024-02-30", "2024-05-20", "")),
        ("introduced_at", expected("Introduced date"))
    );
    assert_eq!(
        only_error(&with_dates("", "20/05/2024", "")),
        ("detected_at", expected("Detected date"))
    );
    assert_eq!(
        only_error(&with_dates("", "2024-05-20", "tomorrow")),
        ("resolved_at", expected("Resolved date"))
    );
}

#[test]
fn detected_date_before_the_introduced_date_is_rejected() {
    let draft = with_dates("2024-05-21", "2024-05-20", "");
    let expected = (
        "detected_at",
        "Detected date must be on or after the introduced date".into(),
    );
    assert_eq!(only_error(&draft), expected);
}

#[test]
fn dates_on_the_same_instant_are_in_order() {
    let d = validate(&with_dates(
        "2024-05-20T10:00",
        "2024-05-20T10:00",
        "2024-05-20T10:00",
    ))
    .unwrap();
    assert_eq!(d.introduced_at, Some(d.detected_at));
    assert_eq!(d.resolved_at, Some(d.detected_at));
}

#[test]
fn resolved_date_before_the_detected_date_is_rejected() {
    let draft = with_dates("", "2024-05-20T10:00", "2024-05-20T09:59");
    let expected = (
        "resolved_at",
        "Resolved date must be on or after the detected date".into(),
    );
    assert_eq!(only_error(&draft), expected);
}

#[test]
fn detected_date_more_than_a_day_in_the_future_is_rejected() {
    let draft = with_dates("", "2024-06-02T12:01", "");
    assert_eq!(
        only_error(&draft),
        (
            "detected_at",
            "Detected date cannot be in the future".into()
        )
    );
}

#[test]
fn detected_and_resolved_dates_up_to_a_day_ahead_are_accepted_for_time_zones() {
    let d = validate(&with_dates("", "2024-06-02T12:00", "2024-06-02T12:00")).unwrap();
    assert_eq!(d.detected_at, at(2024, 6, 2, 12, 0));
}

#[test]
fn resolved_date_more_than_a_day_in_the_future_is_rejected() {
    let draft = with_dates("", "2024-05-20", "2025-01-01");
    assert_eq!(
        only_error(&draft),
        (
            "resolved_at",
            "Resolved date cannot be in the future".into()
        )
    );
}

#[test]
fn resolved_date_is_still_checked_for_the_future_when_the_detected_date_is_wrong() {
    let errors = validate(&with_dates("", "nope", "2030-01-01")).unwrap_err();
    assert_eq!(
        errors.get("resolved_at"),
        Some("Resolved date cannot be in the future")
    );
}

#[test]
fn reopened_count_blank_means_zero_and_numbers_up_to_1000_are_accepted() {
    for (text, n) in [("", 0), ("  ", 0), ("0", 0), (" 3 ", 3), ("1000", 1000)] {
        let draft = DefectDraft {
            reopened_count: text.into(),
            ..minimal()
        };
        assert_eq!(validate(&draft).unwrap().reopened_count, n, "{text:?}");
    }
}

#[test]
fn reopened_count_that_is_not_a_whole_number_is_rejected() {
    for text in ["two", "1.5", "-", "+", "1e3", "0x10"] {
        let draft = DefectDraft {
            reopened_count: text.into(),
            ..minimal()
        };
        let expected = (
            "reopened_count",
            "Reopened count must be a whole number, like 0 or 2".into(),
        );
        assert_eq!(only_error(&draft), expected, "{text}");
    }
}

#[test]
fn reopened_count_outside_0_to_1000_is_rejected() {
    for text in ["1001", "-1", "99999999999999999999999"] {
        let draft = DefectDraft {
            reopened_count: text.into(),
            ..minimal()
        };
        let expected = (
            "reopened_count",
            "Reopened count must be between 0 and 1,000".into(),
        );
        assert_eq!(only_error(&draft), expected, "{text}");
    }
}

#[test]
fn external_key_is_stored_trimmed_and_may_be_64_characters() {
    let d = validate(&DefectDraft {
        external_key: "  SHOP-1 ".into(),
        ..minimal()
    })
    .unwrap();
    assert_eq!(d.external_key.as_deref(), Some("SHOP-1"));
    assert!(
        validate(&DefectDraft {
            external_key: "K".repeat(64),
            ..minimal()
        })
        .is_ok()
    );
}

#[test]
fn external_key_longer_than_64_characters_is_rejected() {
    let draft = DefectDraft {
        external_key: "K".repeat(65),
        ..minimal()
    };
    assert_eq!(
        only_error(&draft),
        (
            "external_key",
            "External key must be 64 characters or fewer".into()
        )
    );
}

#[test]
fn external_key_with_whitespace_inside_is_rejected() {
    for text in ["SHOP 1", "SHOP\t1"] {
        let draft = DefectDraft {
            external_key: text.into(),
            ..minimal()
        };
        assert_eq!(
            only_error(&draft),
            (
                "external_key",
                "External key must not contain spaces".into()
            )
        );
    }
}

#[test]
fn incident_link_over_http_or_https_is_accepted_trimmed() {
    for link in [
        "http://intranet/incident/7",
        "https://status.example.com/i/42?x=1#y",
    ] {
        let draft = DefectDraft {
            incident_link: format!(" {link}\n"),
            ..minimal()
        };
        assert_eq!(
            validate(&draft).unwrap().incident_link.as_deref(),
            Some(link)
        );
    }
}

#[test]
fn incident_link_without_an_http_scheme_or_address_is_rejected() {
    for link in [
        "ftp://example.com",
        "example.com",
        "javascript:alert(1)",
        "https://",
        "HTTPS//x",
    ] {
        let draft = DefectDraft {
            incident_link: link.into(),
            ..minimal()
        };
        let expected = (
            "incident_link",
            "Incident link must be a web address starting with http:// or https://".into(),
        );
        assert_eq!(only_error(&draft), expected, "{link}");
    }
}

#[test]
fn incident_link_with_whitespace_inside_is_rejected() {
    let draft = DefectDraft {
        incident_link: "https://example.com/a b".into(),
        ..minimal()
    };
    assert_eq!(
        only_error(&draft),
        (
            "incident_link",
            "Incident link must not contain spaces".into()
        )
    );
}

#[test]
fn incident_link_longer_than_2000_characters_is_rejected() {
    let long = format!("https://example.com/{}", "a".repeat(2000));
    let draft = DefectDraft {
        incident_link: long,
        ..minimal()
    };
    assert_eq!(
        only_error(&draft),
        (
            "incident_link",
            "Incident link must be 2,000 characters or fewer".into()
        )
    );
    let exact = format!("https://example.com/{}", "a".repeat(2000 - 20));
    assert!(
        validate(&DefectDraft {
            incident_link: exact,
            ..minimal()
        })
        .is_ok()
    );
}
