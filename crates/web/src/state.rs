//! The state every handler shares, built once at start; it imports nothing of this crate.

use std::net::IpAddr;
use std::sync::Arc;

use escapement_core::auth::ThrottlePolicy;
use escapement_storage::sea_orm::DatabaseConnection;

/// Shared state of every handler: cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// The one-time first-run setup token, while the database had no user at start.
    pub setup_token: Option<Arc<str>>,
    /// How failed logins are slowed and refused.
    pub throttle: ThrottlePolicy,
    /// Whether cookies get the `Secure` flag (the public URL is https).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` hop is believed; from anyone else the header
    /// is ignored and the peer's own address is the client's.
    pub trusted_proxies: Arc<[IpAddr]>,
}

impl AppState {
    /// State over an open, migrated database, with default policies and no setup token.
    pub fn new(db: DatabaseConnection) -> AppState {
        AppState {
            db,
            setup_token: None,
            throttle: ThrottlePolicy::default(),
            secure_cookies: false,
            trusted_proxies: Arc::from([]),
        }
    }
}
