//! The login form: the account to look up, its messages, the length guard, Debug redaction.

use super::*;

const PASSWORD: &str = "correct horse battery";

#[test]
fn a_login_gives_the_account_email_to_look_up() {
    let login = LoginDraft {
        email: " Ada@Example.com ".into(),
        password: "whatever it is".into(),
    };
    assert_eq!(
        login.validate().unwrap(),
        Email::parse("ada@example.com").unwrap()
    );
}

#[test]
fn a_login_with_a_short_password_is_still_checked_against_the_hash() {
    let login = LoginDraft {
        email: "ada@example.com".into(),
        password: "x".into(),
    };
    assert!(login.validate().is_ok());
}

#[test]
fn an_empty_login_asks_for_both_fields() {
    let errors = LoginDraft::default().validate().unwrap_err();
    assert_eq!(errors.get("email"), Some("Enter an email address"));
    assert_eq!(errors.get("password"), Some("Enter your password"));
    assert_eq!(errors.len(), 2);
}

#[test]
fn a_login_password_over_the_limit_never_reaches_hashing() {
    let login = |password: String| LoginDraft {
        email: "ada@example.com".into(),
        password,
    };
    assert!(login("p".repeat(1024)).validate().is_ok());
    let errors = login("p".repeat(1025)).validate().unwrap_err();
    assert_eq!(
        errors.get("password"),
        Some("Password must be 1,024 characters or fewer")
    );
    let policy = PasswordPolicy {
        min_len: 12,
        max_len: 2048,
    };
    assert!(login("p".repeat(1025)).validate_with(&policy).is_ok());
}

#[test]
fn a_login_with_a_malformed_email_says_so() {
    let login = LoginDraft {
        email: "ada".into(),
        password: PASSWORD.into(),
    };
    assert_eq!(
        login.validate().unwrap_err().get("email"),
        Some("Enter an email address in the correct format, like name@example.com")
    );
}

#[test]
fn login_draft_debug_never_shows_the_password() {
    let login = LoginDraft {
        email: "ada@example.com".into(),
        password: PASSWORD.into(),
    };
    assert_eq!(
        format!("{login:?}"),
        r#"LoginDraft { email: "ada@example.com", password: "<redacted>" }"#
    );
    let parsed: LoginDraft = serde_json::from_str(r#"{"password":"x"}"#).unwrap();
    assert_eq!(parsed.email, "");
}
