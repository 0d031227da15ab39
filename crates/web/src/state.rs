//! The state every handler shares, built once at start; it imports nothing of this crate.

use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use escapement_core::auth::ThrottlePolicy;
use escapement_storage::sea_orm::DatabaseConnection;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Shared state of every handler: cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// The one-time first-run setup token, while the database had no user at start.
    pub setup_token: Option<Arc<str>>,
    /// How failed logins are slowed and refused.
    pub throttle: ThrottlePolicy,
    /// Whether the public URL is https: cookies get the `Secure` flag, and responses
    /// `Strict-Transport-Security`.
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` hop is believed; from anyone else the header
    /// is ignored and the peer's own address is the client's.
    pub trusted_proxies: Arc<[IpAddr]>,
    /// How many password hashes (sign-in, setup, new and changed passwords) run at once.
    pub hashing: HashingLimit,
    /// The instance's public URL (`--public-url`), for links in exported files; exports
    /// without it link by path.
    pub public_url: Option<Arc<str>>,
    /// The CSV imports this server is running, with how far each has got.
    pub imports: ImportRuns,
}

/// How far one running import has got: rows read, bytes read, bytes in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportProgress {
    pub rows: u64,
    pub done: usize,
    pub total: usize,
}

/// The imports running on this server. Progress lives here, not in the database: an
/// import is one transaction, so nothing it writes is visible before it ends. Another
/// server shows a running import without its progress.
#[derive(Debug, Clone, Default)]
pub struct ImportRuns(Arc<std::sync::Mutex<std::collections::HashMap<uuid::Uuid, ImportProgress>>>);

impl ImportRuns {
    /// Records the progress of `id`.
    pub fn set(&self, id: uuid::Uuid, progress: ImportProgress) {
        if let Ok(mut runs) = self.0.lock() {
            runs.insert(id, progress);
        }
    }

    /// The progress of `id`, while this server runs it.
    pub fn get(&self, id: uuid::Uuid) -> Option<ImportProgress> {
        self.0.lock().ok().and_then(|runs| runs.get(&id).copied())
    }

    /// Forgets `id`, once it ended.
    pub fn end(&self, id: uuid::Uuid) {
        if let Ok(mut runs) = self.0.lock() {
            runs.remove(&id);
        }
    }
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
            hashing: HashingLimit::for_this_machine(),
            public_url: None,
            imports: ImportRuns::default(),
        }
    }
}

/// A bound on password hashes running at once: each argon2 check holds ~19 MiB, so
/// unbounded parallel sign-ins could exhaust the memory. A check waits at most `wait` for
/// its turn; past that the caller answers that the server is busy.
#[derive(Debug, Clone)]
pub struct HashingLimit {
    pub permits: Arc<Semaphore>,
    pub wait: Duration,
}

impl HashingLimit {
    /// The longest a check waits for its turn by default.
    pub const WAIT: Duration = Duration::from_secs(2);

    /// One check at a time per core, each waiting up to [`HashingLimit::WAIT`].
    pub fn for_this_machine() -> HashingLimit {
        let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        HashingLimit {
            permits: Arc::new(Semaphore::new(cores)),
            wait: HashingLimit::WAIT,
        }
    }

    /// A turn to hash, held until the permit is dropped; `None` when none came free within
    /// the wait.
    pub async fn turn(&self) -> Option<OwnedSemaphorePermit> {
        let permit = Arc::clone(&self.permits).acquire_owned();
        tokio::time::timeout(self.wait, permit).await.ok()?.ok()
    }
}
