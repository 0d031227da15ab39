//! What a signed-in request costs: the session, its user and the user's memberships are one
//! database read, with no write unless the session was last seen over a minute ago; static
//! files read no session at all. Statements are counted through the connection's metric
//! callback, on a router of its own over the same database. Nothing is cached between
//! requests: a role change counts at the very next one.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use chrono::{TimeDelta, Utc};
use escapement_core::NewTeam;
use escapement_core::auth::{Role, UserDraft};
use escapement_storage::accounts::{create_user, remove_membership, set_membership};
use escapement_storage::catalog::create_team;
use escapement_storage::entities::session;
use escapement_storage::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use escapement_tests::{CSRF, TestApp, both_backends};
use escapement_web::AppState;
use escapement_web::auth::{SESSION_COOKIE, session_id, start_session};
use tower::ServiceExt;
use uuid::Uuid;

both_backends!(TestApp:
    a_signed_in_page_reads_the_session_once_and_writes_nothing,
    a_session_last_seen_over_a_minute_ago_is_touched_once,
    static_files_read_no_session_and_set_no_cookie,
    a_role_change_counts_at_the_next_request,
);

/// The statements a router sent, as SQL text.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

impl Statements {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("the statement log"))
    }
}

/// The application over `app`'s database, with every statement it sends recorded.
fn counted(app: &TestApp) -> (Router, Statements) {
    let statements = Statements::default();
    let log = statements.clone();
    let mut db = app.db().clone();
    db.set_metric_callback(move |info| {
        log.0
            .lock()
            .expect("the statement log")
            .push(info.statement.sql.clone());
    });
    (escapement_web::app(AppState::new(db)), statements)
}

/// A user who is an editor of one team and a viewer of another, signed in; returns the
/// cookie header, the user and the teams.
async fn member(app: &TestApp) -> (String, Uuid, Uuid, Uuid) {
    let draft = UserDraft {
        email: "robin@example.com".to_owned(),
        display_name: "Robin Member".to_owned(),
        password: "correct horse battery".to_owned(),
        password_confirmation: "correct horse battery".to_owned(),
    };
    let new = draft.validate().expect("a valid user");
    let now = Utc::now();
    let user = create_user(app.db(), &new, "$argon2id$stand-in", false, now)
        .await
        .expect("user")
        .id;
    let mut teams = Vec::new();
    for (name, role) in [("Checkout", Role::Editor), ("Platform", Role::Viewer)] {
        let team = create_team(
            app.db(),
            &NewTeam {
                name: name.to_owned(),
            },
            now,
        )
        .await
        .expect("team")
        .id;
        set_membership(app.db(), team, user, role, now)
            .await
            .expect("member");
        teams.push(team);
    }
    let secret = start_session(app.db(), user, now).await.expect("session");
    let cookies = format!("escapement_csrf={CSRF}; {SESSION_COOKIE}={secret}");
    (cookies, user, teams[0], teams[1])
}

/// `GET path` through `router` with `cookies`: the status, the body and the `Set-Cookie`s.
async fn get(router: &Router, path: &str, cookies: &str) -> (u16, String, usize) {
    let request = Request::get(path)
        .header(header::COOKIE, cookies)
        .body(Body::empty())
        .expect("a request");
    let response = router.clone().oneshot(request).await.expect("an answer");
    let status = response.status().as_u16();
    let set_cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .count();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the body");
    (
        status,
        String::from_utf8_lossy(&body).into_owned(),
        set_cookies,
    )
}

fn is_read(sql: &str) -> bool {
    sql.trim_start().to_ascii_uppercase().starts_with("SELECT")
}

async fn a_signed_in_page_reads_the_session_once_and_writes_nothing(app: TestApp) {
    let (cookies, ..) = member(&app).await;
    let (router, statements) = counted(&app);
    for round in 1..=3 {
        let (status, body, _) = get(&router, "/settings", &cookies).await;
        assert_eq!(status, 200, "round {round}: {body}");
        assert!(body.contains("Robin Member"), "the layout shows the user");
        let sent = statements.take();
        assert_eq!(sent.len(), 1, "round {round}: one statement: {sent:#?}");
        assert!(is_read(&sent[0]), "a read: {}", sent[0]);
        for table in ["sessions", "users", "memberships"] {
            assert!(sent[0].contains(table), "{table} in {}", sent[0]);
        }
    }
}

async fn a_session_last_seen_over_a_minute_ago_is_touched_once(app: TestApp) {
    let (cookies, user, ..) = member(&app).await;
    let seen = Utc::now() - TimeDelta::minutes(2);
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(seen))
        .filter(session::Column::UserId.eq(user))
        .exec(app.db())
        .await
        .expect("age the session");
    let (router, statements) = counted(&app);
    let (status, ..) = get(&router, "/settings", &cookies).await;
    assert_eq!(status, 200);
    let sent = statements.take();
    assert_eq!(sent.len(), 2, "the read and the touch: {sent:#?}");
    assert!(is_read(&sent[0]), "{}", sent[0]);
    assert!(
        sent[1]
            .trim_start()
            .to_ascii_uppercase()
            .starts_with("UPDATE"),
        "an update, never an upsert that could bring back an ended session: {}",
        sent[1]
    );
    let secret = cookies
        .rsplit_once('=')
        .map(|(_, secret)| secret)
        .expect("the session cookie");
    let stored = session::Entity::find_by_id(session_id(secret))
        .one(app.db())
        .await
        .expect("read")
        .expect("the session");
    assert!(stored.last_seen_at > seen, "the session was marked seen");
    let (status, ..) = get(&router, "/settings", &cookies).await;
    assert_eq!(status, 200);
    assert_eq!(
        statements.take().len(),
        1,
        "touched a moment ago: read only"
    );
}

async fn static_files_read_no_session_and_set_no_cookie(app: TestApp) {
    let (cookies, ..) = member(&app).await;
    let (router, statements) = counted(&app);
    for path in ["/static/app.css", "/static/review.js"] {
        for with in [cookies.as_str(), ""] {
            let (status, _, set_cookies) = get(&router, path, with).await;
            assert_eq!(status, 200, "{path}");
            assert_eq!(set_cookies, 0, "{path} sets no cookie");
            assert_eq!(statements.take(), Vec::<String>::new(), "{path}");
        }
    }
}

async fn a_role_change_counts_at_the_next_request(app: TestApp) {
    let (cookies, user, checkout, platform) = member(&app).await;
    let (router, _) = counted(&app);
    let status = |path: &'static str| {
        let (router, cookies) = (router.clone(), cookies.clone());
        async move { get(&router, path, &cookies).await.0 }
    };
    assert_eq!(status("/defects/new").await, 200, "an editor of Checkout");
    remove_membership(app.db(), checkout, user)
        .await
        .expect("remove");
    assert_eq!(
        status("/defects/new").await,
        403,
        "a viewer of Platform only"
    );
    set_membership(app.db(), platform, user, Role::Editor, Utc::now())
        .await
        .expect("promote");
    assert_eq!(
        status("/defects/new").await,
        200,
        "an editor of Platform now"
    );
}
