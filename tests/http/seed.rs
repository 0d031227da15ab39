//! Seed data for HTTP tests, written through the storage layer.

use chrono::Utc;
use escapement_core::auth::{Role, UserDraft};
use escapement_storage::accounts::{create_user, set_membership};
use escapement_tests::{CSRF, TestApp};
use escapement_web::auth::{SESSION_COOKIE, start_session};
use uuid::Uuid;

pub use escapement_tests::{Seeded, defect_form, seed_team as team};

/// Borrowed pairs for `TestApp::post_form`.
pub fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Sets one field of a form.
pub fn set(form: &mut [(String, String)], field: &str, value: &str) {
    if let Some(entry) = form.iter_mut().find(|(k, _)| k == field) {
        entry.1 = value.to_owned();
    }
}

/// Records a defect through the form and returns its id from the redirect.
pub async fn record(app: &TestApp, form: &[(String, String)]) -> Uuid {
    let response = app.post_form("/defects", &pairs(form)).await;
    assert_eq!(
        response.status, 303,
        "recording a defect redirects; body: {}",
        response.body
    );
    let path = response.redirect_path();
    Uuid::parse_str(path.trim_start_matches("/defects/"))
        .expect("the redirect names the new defect")
}

/// `text` as minijinja's HTML autoescape writes it (it also escapes `/`).
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

/// The stage keys of the default pipeline, in order.
pub const DEFAULT_KEYS: [&str; 10] = [
    "requirements_review",
    "design_review",
    "code_review",
    "unit_test",
    "integration_test",
    "system_test",
    "staging",
    "uat",
    "beta",
    "production",
];

/// A pipeline settings form: `keys` in order labelled "Stage <key>", the boundary, and
/// `extra` fields, which replace any field of the same name.
pub fn pipeline_form(
    boundary: &str,
    keys: &[&str],
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut form = vec![("boundary".to_owned(), boundary.to_owned())];
    for (i, key) in keys.iter().enumerate() {
        form.push((format!("position_{key}"), (i + 1).to_string()));
        form.push((format!("label_{key}"), format!("Stage {key}")));
    }
    form.retain(|(name, _)| !extra.iter().any(|(k, _)| k == name));
    form.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    form
}

/// A user who is not an instance admin, with these team roles and a fresh session; returns
/// their id and the `Cookie` header to send as them (CSRF cookie included).
pub async fn member(app: &TestApp, email: &str, roles: &[(Uuid, Role)]) -> (Uuid, String) {
    let draft = UserDraft {
        email: email.to_owned(),
        display_name: format!("Member {email}"),
        password: MEMBER_PASSWORD.to_owned(),
        password_confirmation: MEMBER_PASSWORD.to_owned(),
    };
    let user = create_user(
        app.db(),
        &draft.validate().expect("a valid member"),
        "not-a-real-hash",
        false,
        Utc::now(),
    )
    .await
    .expect("a member");
    for (team, role) in roles {
        set_membership(app.db(), *team, user.id, *role, Utc::now())
            .await
            .expect("a membership");
    }
    (user.id, signed_in(app, user.id).await)
}

/// The password every seeded member is created with (their stored hash is not real, so it
/// does not sign them in).
pub const MEMBER_PASSWORD: &str = "a long enough passphrase";

/// The `Cookie` header of a fresh session for `user_id`, with the CSRF cookie.
pub async fn signed_in(app: &TestApp, user_id: Uuid) -> String {
    let session = start_session(app.db(), user_id, Utc::now())
        .await
        .expect("a session");
    format!("escapement_csrf={CSRF}; {SESSION_COOKIE}={session}")
}

/// The session cookie value a response sets (after sign-in or setup).
pub fn session_from(response: &escapement_tests::TestResponse) -> String {
    response
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{SESSION_COOKIE}=")))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}
