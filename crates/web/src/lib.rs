//! Escapement's web application: the router with its layers, and `serve` with graceful
//! shutdown. `main.rs` only wires settings, the database and this together.

pub mod auth;
pub mod cli;
pub mod config;
pub mod csrf;
pub mod error;
pub mod exports;
pub mod extract;
pub mod markdown;
pub mod page;
pub mod routes;
pub mod state;
pub mod templates;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use escapement_storage::Db;
pub use state::AppState;

/// Browser features no page of Escapement uses, turned off for the page and its frames.
const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=()";

/// HSTS for a public URL on https: one year, for this host only (other hosts under the same
/// domain are not necessarily on https).
const HSTS: &str = "max-age=31536000";

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

fn panic_page(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    templates::internal_error_page()
}

/// Middleware: a `GET` or `HEAD` (which reads, and writes nothing the stamps cover) checks
/// the roll-up's stamps once for everything it reads from kept values.
async fn reads_once(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    ) {
        escapement_storage::rollup::read_once(next.run(request)).await
    } else {
        next.run(request).await
    }
}

/// The whole application: the pages behind the session and CSRF layers, the static files
/// beside them (no session read, no cookie), and around both the security headers (HSTS
/// when the public URL is https), tracing, timeouts, compression.
pub fn app(state: AppState) -> Router {
    let https = state.secure_cookies;
    routes::router()
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::load_user,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::ensure_token,
        ))
        .layer(axum::middleware::from_fn(page::done::confirmations))
        .layer(axum::middleware::from_fn(reads_once))
        .merge(routes::assets())
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &Response| https.then_some(HeaderValue::from_static(HSTS)),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cache-control"),
            HeaderValue::from_static("no-store"),
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(panic_page))
        .layer(TraceLayer::new_for_http())
}

/// Serves `router` on `listener` until `shutdown` completes, then finishes open requests.
/// Each request knows its peer's address (`ConnectInfo`), which throttling and the audit
/// log need.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
