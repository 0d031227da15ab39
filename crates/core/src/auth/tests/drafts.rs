//! The new-account form: every message, the password boundaries, Debug redaction.

use super::*;

const PASSWORD: &str = "correct horse battery";

/// A form that passes every rule.
fn valid() -> UserDraft {
    UserDraft {
        email: " Ada@Example.com ".into(),
        display_name: " Ada Lovelace ".into(),
        password: PASSWORD.into(),
        password_confirmation: PASSWORD.into(),
    }
}

/// A valid form with `password` typed twice.
fn with_password(password: &str) -> UserDraft {
    UserDraft {
        password: password.into(),
        password_confirmation: password.into(),
        ..valid()
    }
}

/// The only message a form fails with, as (field, message).
fn only_error(draft: &UserDraft) -> (&'static str, String) {
    let errors = draft.validate().unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = errors.iter().next().unwrap();
    (e.field, e.message.clone())
}

#[test]
fn a_valid_form_gives_a_normalised_new_user() {
    assert_eq!(
        valid().validate().unwrap(),
        NewUser {
            email: Email::parse("ada@example.com").unwrap(),
            display_name: DisplayName::parse("Ada Lovelace").unwrap(),
        }
    );
}

#[test]
fn an_empty_form_reports_each_field_once_in_form_order() {
    let errors = UserDraft::default().validate().unwrap_err();
    let found: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.field, e.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("email", "Enter an email address"),
            ("display_name", "Enter a display name"),
            ("password", "Enter a password"),
        ]
    );
}

#[test]
fn email_and_display_name_messages_name_their_fields() {
    let draft = UserDraft {
        email: "ada".into(),
        display_name: "x".repeat(101),
        ..valid()
    };
    let errors = draft.validate().unwrap_err();
    assert_eq!(
        errors.get("email"),
        Some("Enter an email address in the correct format, like name@example.com")
    );
    assert_eq!(
        errors.get("display_name"),
        Some("Display name must be 100 characters or fewer")
    );
    assert_eq!(errors.len(), 2);
}

#[test]
fn a_password_of_11_characters_is_too_short_and_12_is_enough() {
    assert!(with_password(&"p".repeat(12)).validate().is_ok());
    assert_eq!(
        only_error(&with_password(&"p".repeat(11))),
        ("password", "Password must be 12 characters or more".into())
    );
}

#[test]
fn password_length_counts_characters_not_bytes() {
    assert!(with_password(&"ü".repeat(12)).validate().is_ok());
    assert!(with_password(&"ü".repeat(11)).validate().is_err());
}

#[test]
fn a_password_of_1024_characters_is_accepted_and_1025_is_too_long() {
    assert!(with_password(&"p".repeat(1024)).validate().is_ok());
    assert_eq!(
        only_error(&with_password(&"p".repeat(1025))),
        (
            "password",
            "Password must be 1,024 characters or fewer".into()
        )
    );
}

#[test]
fn a_password_of_only_whitespace_is_refused() {
    assert_eq!(
        only_error(&with_password(&" \t".repeat(8))),
        (
            "password",
            "Password must include characters other than spaces".into()
        )
    );
}

#[test]
fn passwords_are_not_trimmed() {
    let draft = UserDraft {
        password: format!(" {PASSWORD} "),
        password_confirmation: PASSWORD.into(),
        ..valid()
    };
    assert_eq!(
        only_error(&draft),
        ("password_confirmation", "Passwords do not match".into())
    );
}

#[test]
fn a_password_equal_to_the_email_in_any_case_is_refused() {
    let draft = UserDraft {
        email: "ada.lovelace@example.com".into(),
        ..with_password(" ADA.Lovelace@Example.com")
    };
    assert_eq!(
        only_error(&draft),
        ("password", "Password must not be your email address".into())
    );
}

#[test]
fn a_password_equal_to_the_emails_local_part_is_refused() {
    let draft = UserDraft {
        email: "ada.lovelace.1815@example.com".into(),
        ..with_password("Ada.Lovelace.1815")
    };
    assert_eq!(
        only_error(&draft),
        (
            "password",
            "Password must not be the part of your email address before the @".into()
        )
    );
}

#[test]
fn a_password_merely_containing_the_email_is_accepted() {
    let draft = UserDraft {
        email: "ada.lovelace@example.com".into(),
        ..with_password("ada.lovelace@example.com!")
    };
    assert!(draft.validate().is_ok());
}

#[test]
fn the_email_rule_is_skipped_when_the_email_is_invalid() {
    let draft = UserDraft {
        email: "ada.lovelace.1815".into(),
        ..with_password("ada.lovelace.1815")
    };
    let errors = draft.validate().unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(errors.get("email").is_some());
}

#[test]
fn a_missing_confirmation_asks_for_it() {
    let draft = UserDraft {
        password_confirmation: String::new(),
        ..valid()
    };
    assert_eq!(
        only_error(&draft),
        ("password_confirmation", "Confirm your password".into())
    );
}

#[test]
fn a_different_confirmation_does_not_match() {
    let draft = UserDraft {
        password_confirmation: PASSWORD.to_uppercase(),
        ..valid()
    };
    assert_eq!(
        only_error(&draft),
        ("password_confirmation", "Passwords do not match".into())
    );
}

#[test]
fn a_confirmation_without_a_password_does_not_match() {
    let draft = UserDraft {
        password: String::new(),
        ..valid()
    };
    let errors = draft.validate().unwrap_err();
    assert_eq!(errors.get("password"), Some("Enter a password"));
    assert_eq!(
        errors.get("password_confirmation"),
        Some("Passwords do not match")
    );
}

#[test]
fn a_stricter_policy_changes_the_limits_and_the_messages() {
    let policy = PasswordPolicy {
        min_len: 24,
        max_len: 2000,
    };
    let errors = valid().validate_with(&policy).unwrap_err();
    assert_eq!(
        errors.get("password"),
        Some("Password must be 24 characters or more")
    );
    let long = with_password(&"p".repeat(2001));
    assert_eq!(
        long.validate_with(&policy).unwrap_err().get("password"),
        Some("Password must be 2,000 characters or fewer")
    );
    assert_eq!(PasswordPolicy::default().min_len, 12);
    assert_eq!(PasswordPolicy::default().max_len, 1024);
}

#[test]
fn user_draft_debug_never_shows_the_passwords() {
    let shown = format!("{:?}", valid());
    assert!(!shown.contains("horse"), "{shown}");
    assert_eq!(
        shown,
        r#"UserDraft { email: " Ada@Example.com ", display_name: " Ada Lovelace ", password: "<redacted>", password_confirmation: "<redacted>" }"#
    );
    assert!(!format!("{:#?}", valid()).contains("horse"));
}

#[test]
fn user_draft_deserializes_with_missing_fields_empty() {
    let draft: UserDraft = serde_json::from_str(r#"{"email":"ada@example.com"}"#).unwrap();
    assert_eq!(
        draft,
        UserDraft {
            email: "ada@example.com".into(),
            ..UserDraft::default()
        }
    );
}

fn new_password(password: &str, confirmation: &str) -> PasswordDraft {
    PasswordDraft {
        password: password.into(),
        password_confirmation: confirmation.into(),
    }
}

#[test]
fn a_new_password_typed_twice_that_meets_the_policy_is_accepted() {
    let email = Email::parse("ada@example.com").unwrap();
    let draft = new_password(PASSWORD, PASSWORD);
    assert!(
        draft
            .validate_with(&PasswordPolicy::default(), Some(&email))
            .is_ok()
    );
}

#[test]
fn a_new_password_reports_the_policy_and_the_confirmation_once_each() {
    let email = Email::parse("ada@example.com").unwrap();
    let policy = PasswordPolicy::default();
    let short = new_password("short", "other")
        .validate_with(&policy, None)
        .unwrap_err();
    assert_eq!(
        short.get("password"),
        Some("Password must be 12 characters or more")
    );
    assert_eq!(
        short.get("password_confirmation"),
        Some("Passwords do not match")
    );
    let unconfirmed = new_password(PASSWORD, "")
        .validate_with(&policy, None)
        .unwrap_err();
    assert_eq!(
        unconfirmed.get("password_confirmation"),
        Some("Confirm the new password")
    );
    let own_email = new_password("ada@example.com", "ada@example.com")
        .validate_with(&policy, Some(&email))
        .unwrap_err();
    assert_eq!(
        own_email.get("password"),
        Some("Password must not be your email address")
    );
}

#[test]
fn a_new_password_never_shows_in_debug_output() {
    let shown = format!("{:?}", new_password(PASSWORD, PASSWORD));
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert!(shown.contains("<redacted>"));
}
