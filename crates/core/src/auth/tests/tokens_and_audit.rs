//! API token names and shapes, and the audit event keys.

use super::*;

/// A token body of 43 allowed characters, using every kind of them.
const BODY: &str = "abcXYZ019_-abcdefghijABCDEFGHIJ0123456789_-";

#[test]
fn a_well_formed_token_looks_like_one() {
    assert_eq!(BODY.len(), 43);
    assert_eq!(token_prefix(), "esc_");
    assert_eq!(TOKEN_PREFIX, token_prefix());
    assert!(looks_like_token(&format!("esc_{BODY}")));
    assert!(looks_like_token(&format!("esc_{}", "A".repeat(43))));
}

#[test]
fn a_token_body_of_42_or_44_characters_does_not_look_like_one() {
    assert!(!looks_like_token(&format!("esc_{}", "a".repeat(42))));
    assert!(!looks_like_token(&format!("esc_{}", "a".repeat(44))));
    assert!(!looks_like_token("esc_"));
    assert!(!looks_like_token(""));
}

#[test]
fn a_token_with_the_wrong_prefix_or_characters_does_not_look_like_one() {
    for bad in [
        BODY.to_owned(),
        format!("ESC_{BODY}"),
        format!("gh_{BODY}"),
        format!(" esc_{BODY}"),
        format!("esc_{BODY} "),
        format!("esc_{}+", &BODY[..42]),
        format!("esc_{}/", &BODY[..42]),
        format!("esc_{}=", &BODY[..42]),
        format!("esc_{}é", &BODY[..41]),
    ] {
        assert!(!looks_like_token(&bad), "{bad:?}");
    }
}

#[test]
fn a_token_name_is_trimmed() {
    let name = TokenName::parse("  CI export ").unwrap();
    assert_eq!(name.as_str(), "CI export");
    assert_eq!(name.to_string(), "CI export");
    assert_eq!(name.as_ref(), "CI export");
    assert_eq!(String::from(name), "CI export");
}

#[test]
fn a_blank_token_name_asks_for_one() {
    let err = TokenName::parse("   ").unwrap_err();
    assert_eq!(err, TokenNameError::Empty);
    assert_eq!(err.to_string(), "Enter a token name");
}

#[test]
fn a_token_name_of_80_characters_is_accepted_and_81_is_not() {
    assert!(TokenName::parse(&"ß".repeat(80)).is_ok());
    let err = TokenName::parse(&"ß".repeat(81)).unwrap_err();
    assert_eq!(err, TokenNameError::TooLong);
    assert_eq!(err.to_string(), "Token name must be 80 characters or fewer");
}

#[test]
fn a_token_name_with_control_characters_is_rejected() {
    let err = TokenName::parse("CI\nexport").unwrap_err();
    assert_eq!(err, TokenNameError::ControlCharacter);
    assert_eq!(
        err.to_string(),
        "Token name must not include tabs, line breaks or other control characters"
    );
}

#[test]
fn a_token_name_deserializes_only_when_valid() {
    let name: TokenName = serde_json::from_str("\" nightly \"").unwrap();
    assert_eq!(serde_json::to_string(&name).unwrap(), "\"nightly\"");
    assert!(serde_json::from_str::<TokenName>("\" \"").is_err());
}

#[test]
fn audit_event_keys_round_trip_and_match_the_issue() {
    assert_eq!(
        keys_after_checking::<AuditEvent>(),
        [
            "setup_completed",
            "login_succeeded",
            "login_failed",
            "login_refused",
            "logout",
            "user_created",
            "role_changed",
            "membership_removed",
            "token_created",
            "token_revoked",
            "user_updated",
            "password_reset",
            "password_changed",
            "user_deactivated",
            "user_reactivated",
        ]
    );
}

#[test]
fn audit_event_labels_read_as_sentences_for_people() {
    let labels: Vec<&str> = AuditEvent::ALL.iter().map(|e| e.label()).collect();
    assert_eq!(
        labels,
        [
            "Setup completed",
            "Login succeeded",
            "Login failed",
            "Login refused after too many failures",
            "Logged out",
            "User created",
            "Role changed",
            "Membership removed",
            "API token created",
            "API token revoked",
            "User updated",
            "Password reset by an administrator",
            "Password changed",
            "User deactivated",
            "User reactivated",
        ]
    );
    assert_eq!(
        "login".parse::<AuditEvent>().unwrap_err().to_string(),
        "unknown audit event key `login`"
    );
}
