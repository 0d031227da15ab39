//! Password hashes and passwords never reach a log line or a response: every log event of
//! the requests below (at TRACE, so debug output counts too) is captured into a buffer and
//! searched, together with every response body, for the argon2 hashes and the passwords.

use std::io;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::Request;
use escapement_core::auth::{Email, Role};
use escapement_storage::accounts::find_login;
use escapement_tests::{ADMIN_EMAIL, CSRF, TestApp, TestResponse, both_backends};
use escapement_web::cli::{UserCommand, run_user};
use tracing::instrument::WithSubscriber;
use tracing_subscriber::fmt::MakeWriter;

use crate::seed::{self, session_from};

both_backends!(TestApp: no_password_or_hash_is_logged_or_answered);

/// A log destination that keeps everything written to it.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .expect("the log buffer")
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("the log buffer")).into_owned()
    }
}

const WEB_PASSWORD: &str = "web secret passphrase 7f3a";
const CLI_PASSWORD: &str = "cli secret passphrase 41d0";
const WRONG_PASSWORD: &str = "wrong secret passphrase 9c1b";

async fn no_password_or_hash_is_logged_or_answered(app: TestApp) {
    // tracing caches each callsite's interest once, process-wide; while exactly one
    // dispatcher is registered, a callsite first reached by a sibling test's thread (which
    // has no subscriber) is cached as "never" and this capture loses its events
    // (tokio-rs/tracing#3611). A second dispatcher, alive for the whole capture, makes
    // registration ask every registered dispatcher instead.
    let _second_dispatcher = tracing::Dispatch::new(tracing_subscriber::registry());
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(log.clone())
        .finish();
    let mut answers = exercise(&app).with_subscriber(subscriber).await;
    let logged = log.text();
    assert!(
        logged.contains("an administrator added a user")
            && logged.contains("finished processing request"),
        "the capture sees the requests' log events:\n{logged}"
    );

    let mut secrets = vec![
        "$argon2id$".to_owned(),
        WEB_PASSWORD.to_owned(),
        CLI_PASSWORD.to_owned(),
        WRONG_PASSWORD.to_owned(),
    ];
    for email in ["web@example.com", "cli@example.com", ADMIN_EMAIL] {
        let email = Email::parse(email).expect("an email");
        let (_, hash) = find_login(app.db(), &email)
            .await
            .expect("query")
            .expect("the user");
        assert!(hash.starts_with("$argon2id$"), "a real argon2id hash");
        // The salt and the digest, which also appear in the hash's other encodings.
        secrets.extend(hash.rsplit('$').take(2).map(str::to_owned));
        secrets.push(hash);
    }
    answers.push(("log".to_owned(), logged));
    for (what, text) in &answers {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{what} contains `{secret}`"
            );
        }
    }
}

/// Creates users on the web and on the command line, signs in and fails to, reads the
/// pages and API answers that show users; returns every answer, named.
async fn exercise(app: &TestApp) -> Vec<(String, String)> {
    let mut answers = Vec::new();
    let mut keep = |what: &str, r: &TestResponse| answers.push((what.to_owned(), r.body.clone()));
    let created = app
        .post_form(
            "/settings/users",
            &[
                ("email", "web@example.com"),
                ("display_name", "Web User"),
                ("password", WEB_PASSWORD),
                ("password_confirmation", WEB_PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    keep("user creation", &created);
    let refused = app
        .post_form(
            "/settings/users",
            &[
                ("email", "web@example.com"),
                ("display_name", "Web User"),
                ("password", WEB_PASSWORD),
                ("password_confirmation", WEB_PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    keep("refused user creation", &refused);

    let mut printed = Vec::new();
    run_user(
        app.db(),
        UserCommand::Add {
            email: "cli@example.com".to_owned(),
            name: "Cli User".to_owned(),
            admin: false,
            password_stdin: true,
        },
        &mut format!("{CLI_PASSWORD}\n").as_bytes(),
        &mut printed,
    )
    .await
    .expect("add a user on the command line");
    answers.push((
        "user add output".to_owned(),
        String::from_utf8_lossy(&printed).into_owned(),
    ));

    let anonymous = format!("escapement_csrf={CSRF}");
    for (email, password) in [
        ("web@example.com", WRONG_PASSWORD),
        ("nobody@example.com", WEB_PASSWORD),
    ] {
        let failed = app
            .post_with_cookies(
                "/login",
                &[("email", email), ("password", password)],
                &anonymous,
            )
            .await;
        assert_eq!(failed.status, 422);
        answers.push((format!("failed login as {email}"), failed.body));
    }
    let login = app
        .post_with_cookies(
            "/login",
            &[("email", "web@example.com"), ("password", WEB_PASSWORD)],
            &anonymous,
        )
        .await;
    assert_eq!(login.status, 303);
    answers.push(("login".to_owned(), login.body.clone()));
    let web_user = format!(
        "{anonymous}; {}={}",
        escapement_web::auth::SESSION_COOKIE,
        session_from(&login)
    );

    let team = seed::team(app, "Checkout").await.team;
    let web_id = created.location().trim_start_matches("/settings/users/");
    let grant = app
        .post_form(
            &format!("/settings/users/{web_id}/memberships"),
            &[("team_id", &team.to_string()), ("role", Role::Editor.key())],
        )
        .await;
    assert_eq!(grant.status, 303);
    for path in [
        "/settings/users".to_owned(),
        created.location().to_owned(),
        format!("/settings/teams/{team}/members"),
        "/settings/audit".to_owned(),
        "/api/v1/me".to_owned(),
    ] {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        answers.push((path, page.body));
    }
    let me = app.get_with_cookies("/api/v1/me", &web_user).await;
    assert!(me.body.contains("web@example.com"));
    answers.push(("/api/v1/me as the new user".to_owned(), me.body));
    let token_page = app
        .post_with_cookies("/settings/tokens", &[("name", "Script")], &web_user)
        .await;
    assert_eq!(token_page.status, 200);
    let start = token_page.body.find("esc_").expect("the new token");
    let token = token_page.body[start..start + 47].to_owned();
    answers.push(("token page".to_owned(), token_page.body));
    let request = Request::get("/api/v1/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let by_token = app.send(request).await;
    assert_eq!(by_token.status, 200);
    answers.push(("/api/v1/me by token".to_owned(), by_token.body));
    answers
}
