//! Email addresses and display names: normalisation, every message, every boundary.

use super::*;

const FORMAT: &str = "Enter an email address in the correct format, like name@example.com";

/// An address of exactly `len` characters: `a…a@example.com`.
fn email_of_len(len: usize) -> String {
    let domain = "@example.com";
    format!("{}{domain}", "a".repeat(len - domain.len()))
}

#[test]
fn an_email_is_trimmed_and_lowercased() {
    let email = Email::parse("  Ada.Lovelace@Example.COM \n").unwrap();
    assert_eq!(email.as_str(), "ada.lovelace@example.com");
    assert_eq!(email.local_part(), "ada.lovelace");
    assert_eq!(email.domain(), "example.com");
    assert_eq!(email.to_string(), "ada.lovelace@example.com");
    assert_eq!(email.as_ref(), "ada.lovelace@example.com");
}

#[test]
fn emails_differing_only_in_case_are_equal() {
    assert_eq!(
        Email::parse("ADA@example.com").unwrap(),
        Email::parse("ada@EXAMPLE.com").unwrap()
    );
}

#[test]
fn a_blank_email_asks_for_one() {
    for blank in ["", "   ", "\t\n"] {
        let err = Email::parse(blank).unwrap_err();
        assert_eq!(err, EmailError::Empty);
        assert_eq!(err.to_string(), "Enter an email address");
    }
}

#[test]
fn an_email_of_254_characters_is_accepted_and_255_is_not() {
    assert_eq!(
        Email::parse(&email_of_len(254)).unwrap().as_str().len(),
        254
    );
    let err = Email::parse(&email_of_len(255)).unwrap_err();
    assert_eq!(err, EmailError::TooLong);
    assert_eq!(
        err.to_string(),
        "Email address must be 254 characters or fewer"
    );
}

#[test]
fn the_email_limit_holds_after_lowercasing() {
    // 'İ' lowercases to two characters: 'i' and a combining dot.
    let text = format!("İ{}", &email_of_len(254)[1..]);
    assert_eq!(text.chars().count(), 254);
    assert_eq!(Email::parse(&text).unwrap_err(), EmailError::TooLong);
}

#[test]
fn surrounding_spaces_do_not_count_towards_the_email_limit() {
    assert!(Email::parse(&format!("  {}  ", email_of_len(254))).is_ok());
}

#[test]
fn malformed_emails_ask_for_the_correct_format() {
    for bad in [
        "ada",
        "ada.example.com",
        "@example.com",
        "ada@",
        "ada@example",
        "ada@.example.com",
        "ada@example.com.",
        "ada@example..com",
        "ada@@example.com",
        "ada@exa@mple.com",
        "ada lovelace@example.com",
        "ada@exam ple.com",
        "ada\t@example.com",
        "ada\u{0}@example.com",
        "ada@example.com\u{7f}x",
    ] {
        let err = Email::parse(bad).unwrap_err();
        assert_eq!(err, EmailError::Format, "{bad:?}");
        assert_eq!(err.to_string(), FORMAT);
    }
}

#[test]
fn unusual_but_well_formed_emails_are_accepted() {
    for good in [
        "a@b.co",
        "first.last+tag@sub.example.co.uk",
        "o'brien@example.ie",
        "zoë@exämple.de",
    ] {
        assert!(Email::parse(good).is_ok(), "{good}");
    }
}

#[test]
fn an_email_deserializes_only_when_valid_and_serializes_as_text() {
    let email: Email = serde_json::from_str("\" Ada@Example.com \"").unwrap();
    assert_eq!(
        serde_json::to_string(&email).unwrap(),
        "\"ada@example.com\""
    );
    let err = serde_json::from_str::<Email>("\"not an email\"").unwrap_err();
    assert!(err.to_string().contains(FORMAT), "{err}");
    assert_eq!(String::from(email), "ada@example.com");
}

#[test]
fn a_display_name_is_trimmed() {
    let name = DisplayName::parse("  Ada Lovelace ").unwrap();
    assert_eq!(name.as_str(), "Ada Lovelace");
    assert_eq!(name.to_string(), "Ada Lovelace");
    assert_eq!(name.as_ref(), "Ada Lovelace");
}

#[test]
fn a_blank_display_name_asks_for_one() {
    let err = DisplayName::parse(" \t ").unwrap_err();
    assert_eq!(err, DisplayNameError::Empty);
    assert_eq!(err.to_string(), "Enter a display name");
}

#[test]
fn a_display_name_of_100_characters_is_accepted_and_101_is_not() {
    assert!(DisplayName::parse(&"é".repeat(100)).is_ok());
    let err = DisplayName::parse(&"é".repeat(101)).unwrap_err();
    assert_eq!(err, DisplayNameError::TooLong);
    assert_eq!(
        err.to_string(),
        "Display name must be 100 characters or fewer"
    );
}

#[test]
fn a_display_name_with_control_characters_is_rejected() {
    for bad in [
        "Ada\nLovelace",
        "Ada\tLovelace",
        "Ada\u{0}",
        "Ada\u{1b}[31m",
    ] {
        let err = DisplayName::parse(bad).unwrap_err();
        assert_eq!(err, DisplayNameError::ControlCharacter, "{bad:?}");
        assert_eq!(
            err.to_string(),
            "Display name must not include tabs, line breaks or other control characters"
        );
    }
}

#[test]
fn a_display_name_deserializes_only_when_valid() {
    let name: DisplayName = serde_json::from_str("\" Ada \"").unwrap();
    assert_eq!(serde_json::to_string(&name).unwrap(), "\"Ada\"");
    assert!(serde_json::from_str::<DisplayName>("\"\"").is_err());
    assert_eq!(String::from(name), "Ada");
}
