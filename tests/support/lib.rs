//! Test support shared by the end-to-end suites: a fresh database per test on SQLite or
//! PostgreSQL (migrated through the real `Migrator`), the application's router over it, and
//! small helpers to drive it like a browser would (cookies, CSRF field, forms).
//!
//! PostgreSQL tests use `ESCAPEMENT_TEST_POSTGRES_URL` (for example
//! `postgres://postgres@127.0.0.1:5432/test`) to create one database per test. Without it
//! they are skipped with a printed reason, except when `CI=true`: then they fail.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::Utc;
use escapement_storage::sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult,
    Statement,
};
use escapement_web::{AppState, app};
use tower::ServiceExt;
use uuid::Uuid;

mod seed;
pub mod tcp;
pub mod write_load;

pub use seed::{Seeded, defect_form, seed_team, seed_team_in};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `$test(x)` once on SQLite and once on PostgreSQL, where `x` is a fresh `$kind`
/// (`TestDb` or `TestApp`). Generates a module named after the test with two test functions.
#[macro_export]
macro_rules! both_backends {
    ($kind:ident: $($test:ident),+ $(,)?) => {
        $(
            mod $test {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    if let Some(x) = $crate::$kind::spawn($crate::Backend::Sqlite).await {
                        super::$test(x).await;
                    }
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(x) = $crate::$kind::spawn($crate::Backend::Postgres).await {
                        super::$test(x).await;
                    }
                }
            }
        )+
    };
}

/// The PostgreSQL server URL for tests, or `None` (with the reason printed) when tests
/// should skip. Panics when `CI=true` and no server is configured.
pub fn postgres_url() -> Option<String> {
    match std::env::var("ESCAPEMENT_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!(
                "CI=true but ESCAPEMENT_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI"
            )
        }
        _ => {
            eprintln!("skipping the PostgreSQL variant: ESCAPEMENT_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

/// Replaces the database name at the end of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

enum Cleanup {
    SqliteFile(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

/// A fresh, migrated database that is removed when dropped.
pub struct TestDb {
    pub db: DatabaseConnection,
    pub url: String,
    pub backend: Backend,
    cleanup: Cleanup,
}

impl TestDb {
    /// A new database on `backend`, or `None` when that backend is not configured here.
    pub async fn spawn(backend: Backend) -> Option<TestDb> {
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir()
                    .join(format!("escapement-test-{}.db", Uuid::new_v4().simple()));
                (
                    format!("sqlite://{}", path.display()),
                    Cleanup::SqliteFile(path),
                )
            }
            Backend::Postgres => {
                let admin_url = postgres_url()?;
                let name = format!("escapement_test_{}", Uuid::new_v4().simple());
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("connect to the PostgreSQL test server");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create a PostgreSQL test database");
                let _ = admin.close().await;
                (
                    with_database(&admin_url, &name),
                    Cleanup::PostgresDatabase { admin_url, name },
                )
            }
        };
        let db = escapement_storage::connect(&url)
            .await
            .expect("connect to the test database");
        escapement_storage::migrate(&db)
            .await
            .expect("migrate the test database");
        Some(TestDb {
            db,
            url,
            backend,
            cleanup,
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime: use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    runtime.block_on(async move {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Any 64-hex-digit value is a valid double-submit token for a visitor without a session;
/// tests use a fixed one. A signed-in browser's token is its session's
/// (`escapement_web::csrf::session_token`): [`TestApp::send`] plays the browser that reads it
/// from the page, so tests write `CSRF` for either (see there).
pub const CSRF: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// What a request through the router answered.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    /// The `Location` header of a redirect.
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The redirect's path and query without the confirmation it carries (`done=`), so the
    /// id of what was made can be read off it.
    pub fn redirect_path(&self) -> String {
        let location = self.location();
        let (path, fragment) = match location.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (location, None),
        };
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("done="))
            .collect();
        let mut out = path.to_owned();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }

    /// The confirmation key the redirect carries (`done=`), if any.
    pub fn confirmation(&self) -> Option<&str> {
        let query = self.location().split('#').next()?.split_once('?')?.1;
        query.split('&').find_map(|p| p.strip_prefix("done="))
    }
}

/// The instance admin every `TestApp` starts with.
pub const ADMIN_EMAIL: &str = "admin@example.com";
/// That admin's password.
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// One argon2 hash of `ADMIN_PASSWORD` for the whole test binary.
fn admin_password_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        escapement_web::auth::hash_password(ADMIN_PASSWORD).expect("hash the admin password")
    })
}

/// The application over a fresh database, driven through `Router::oneshot`, with one
/// signed-in instance admin whose session cookie every request carries.
pub struct TestApp {
    pub router: Router,
    pub store: TestDb,
    pub admin_id: Uuid,
    session: String,
}

impl TestApp {
    /// The application on a new database on `backend`, or `None` when skipped.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        TestApp::with_state(backend, |state| state).await
    }

    /// Like `spawn`, with the application state adjusted by `adjust` (policies, setup token).
    pub async fn with_state(
        backend: Backend,
        adjust: impl FnOnce(AppState) -> AppState,
    ) -> Option<TestApp> {
        let store = TestDb::spawn(backend).await?;
        let draft = escapement_core::auth::UserDraft {
            email: ADMIN_EMAIL.to_owned(),
            display_name: "Ada Admin".to_owned(),
            password: ADMIN_PASSWORD.to_owned(),
            password_confirmation: ADMIN_PASSWORD.to_owned(),
        };
        let new = draft.validate().expect("a valid admin");
        let admin = escapement_storage::accounts::create_user(
            &store.db,
            &new,
            admin_password_hash(),
            true,
            Utc::now(),
        )
        .await
        .expect("create the admin");
        let session = escapement_web::auth::start_session(&store.db, admin.id, Utc::now())
            .await
            .expect("start the admin's session");
        let router = app(adjust(AppState::new(store.db.clone())));
        Some(TestApp {
            router,
            store,
            admin_id: admin.id,
            session,
        })
    }

    /// The `Cookie` header of the signed-in admin (CSRF and session).
    pub fn cookies(&self) -> String {
        format!(
            "escapement_csrf={CSRF}; {}={}",
            escapement_web::auth::SESSION_COOKIE,
            self.session
        )
    }

    /// The database connection behind the app.
    pub fn db(&self) -> &DatabaseConnection {
        &self.store.db
    }

    /// Sends any request through the router, as a browser would with the page's CSRF token:
    /// when the request carries a session cookie, `CSRF` in its body stands for that
    /// session's token and is replaced by it, and the session's token in the answer is
    /// shown as `CSRF` again. Any other token is sent as it is, so a token from another
    /// session or an old one is still refused.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let (parts, body) = request.into_parts();
        let session_token = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, value)| {
                *name == escapement_web::auth::SESSION_COOKIE && !value.is_empty()
            })
            .map(|(_, secret)| escapement_web::csrf::session_token(secret));
        let body = match &session_token {
            Some(token) => {
                let bytes = axum::body::to_bytes(body, usize::MAX)
                    .await
                    .expect("read the request body");
                let text = String::from_utf8_lossy(&bytes);
                if text.contains(CSRF) {
                    Body::from(text.replace(CSRF, token))
                } else {
                    Body::from(bytes)
                }
            }
            None => body,
        };
        let response = self
            .router
            .clone()
            .oneshot(Request::from_parts(parts, body))
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("read the body");
        let mut body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(token) = &session_token {
            body = body.replace(token.as_str(), CSRF);
        }
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// `GET path` as the signed-in admin.
    pub async fn get(&self, path: &str) -> TestResponse {
        let request = Request::get(path)
            .header(header::COOKIE, self.cookies())
            .body(Body::empty())
            .expect("a valid request");
        self.send(request).await
    }

    /// `GET path` with exactly this `Cookie` header (none when empty).
    pub async fn get_with_cookies(&self, path: &str, cookies: &str) -> TestResponse {
        let mut request = Request::get(path);
        if !cookies.is_empty() {
            request = request.header(header::COOKIE, cookies);
        }
        self.send(request.body(Body::empty()).expect("a valid request"))
            .await
    }

    /// `POST path` with a form, the CSRF field and exactly this `Cookie` header.
    pub async fn post_with_cookies(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        cookies: &str,
    ) -> TestResponse {
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", CSRF)];
        all.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&all).expect("encode the form");
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookies);
        self.send(request.body(Body::from(body)).expect("a valid request"))
            .await
    }

    /// `POST path` with a URL-encoded form; the CSRF field is added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", CSRF)];
        all.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&all).expect("encode the form");
        self.post_raw(path, body, Some(CSRF)).await
    }

    /// `POST path` as the signed-in admin with exactly this body and, if given, this CSRF
    /// cookie.
    pub async fn post_raw(&self, path: &str, body: String, cookie: Option<&str>) -> TestResponse {
        let session = format!("{}={}", escapement_web::auth::SESSION_COOKIE, self.session);
        let cookies = match cookie {
            Some(cookie) => format!("escapement_csrf={cookie}; {session}"),
            None => session,
        };
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookies);
        self.send(request.body(Body::from(body)).expect("a valid request"))
            .await
    }

    /// Serves the app on a free local port for real HTTP clients (browsers); the server
    /// stops when the test's runtime ends.
    pub async fn serve(&self) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let address = listener.local_addr().expect("a local address");
        let router = self.router.clone();
        tokio::spawn(async move {
            let _ = escapement_web::serve(listener, router, std::future::pending()).await;
        });
        address
    }
}

/// A connection that counts the statements sent through it, so a test can pin how many
/// queries a read model makes (and that the number does not grow with the rows).
pub struct CountingDb<'a> {
    db: &'a DatabaseConnection,
    statements: AtomicUsize,
}

impl<'a> CountingDb<'a> {
    /// Counts what goes through to `db`, starting at zero.
    pub fn new(db: &'a DatabaseConnection) -> CountingDb<'a> {
        CountingDb {
            db,
            statements: AtomicUsize::new(0),
        }
    }

    /// The statements sent since the last call (or since `new`), starting again at zero.
    pub fn take(&self) -> usize {
        self.statements.swap(0, Ordering::SeqCst)
    }

    fn count(&self) {
        self.statements.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for CountingDb<'_> {
    fn get_database_backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.count();
        self.db.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.count();
        self.db.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.count();
        self.db.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.count();
        self.db.query_all_raw(stmt).await
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced_and_query_kept() {
        assert_eq!(
            with_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
