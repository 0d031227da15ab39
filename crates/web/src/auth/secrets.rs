//! The secrets of authentication: argon2id password hashes, and the random values behind
//! the setup link, session cookies and API tokens, stored only as their SHA-256.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::state::HashingLimit;

/// An argon2id hash (PHC string with its own random salt) of `password`.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash a password: {e}"))
}

/// True when `password` matches the stored `hash`; any malformed hash is simply no match.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// 256 random bits as hex: a session cookie value or a setup token.
pub(super) fn random_hex() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh first-run setup token (256 random bits, hex).
pub fn new_setup_token() -> String {
    random_hex()
}

/// The stored id of a session: a SHA-256 of the cookie value, so a copy of the sessions
/// table cannot be replayed as cookies.
pub fn session_id(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new API token: `esc_` and 43 URL-safe characters (256 random bits).
pub fn new_api_token() -> String {
    use base64::Engine as _;
    let bytes: [u8; 32] = rand::rng().random();
    format!(
        "{}{}",
        escapement_core::auth::token_prefix(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// How an API token is stored: its SHA-256, so the table never holds a usable token.
pub fn api_token_hash(token: &str) -> String {
    session_id(token)
}

/// [`hash_password`] on a blocking thread, so a hash never stalls the async workers, once
/// `hashing` gives a turn (held until the hash is done); [`AppError::Busy`] without one.
pub async fn hash_off_thread(hashing: &HashingLimit, password: String) -> AppResult<String> {
    let turn = hashing.turn().await.ok_or(AppError::Busy)?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        hash_password(&password)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(AppError::Internal)
}

/// [`verify_password`] on a blocking thread once `hashing` gives a turn (held until the
/// check is done); [`AppError::Busy`] without one.
pub async fn verify_off_thread(
    hashing: &HashingLimit,
    password: String,
    hash: String,
) -> AppResult<bool> {
    let turn = hashing.turn().await.ok_or(AppError::Busy)?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        verify_password(&password, &hash)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}
