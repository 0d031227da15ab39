//! The secrets of authentication: argon2id password hashes, and the random values behind
//! the setup link, session cookies and API tokens, stored only as their SHA-256.

use std::sync::Mutex;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::state::HashingLimit;

/// The memory blocks of finished password checks, kept for the next ones: each argon2 check
/// needs ~19 MiB, and allocating it afresh on every blocking thread left the allocator
/// holding a copy per thread arena (637 MiB after 120 parallel sign-ins). At most one set
/// per check that may run at once ([`HashingLimit`] gives one turn per core) is kept.
static BLOCKS: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs `hash` over `count` memory blocks taken from [`BLOCKS`] (or new ones), and keeps
/// them for the next check.
fn with_blocks<T>(count: usize, hash: impl FnOnce(&mut [Block]) -> T) -> T {
    let kept = BLOCKS.lock().ok().and_then(|mut sets| sets.pop());
    let mut blocks = match kept {
        Some(blocks) if blocks.len() >= count => blocks,
        _ => vec![Block::default(); count],
    };
    let done = hash(&mut blocks[..count]);
    let most = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if let Ok(mut sets) = BLOCKS.lock()
        && sets.len() < most
    {
        sets.push(blocks);
    }
    done
}

/// The parameters of new hashes: argon2id with 7 MiB of memory and 5 passes, one of the
/// settings the OWASP Password Storage Cheat Sheet lists as equal to the argon2 crate's
/// default (19 MiB, 2 passes). The same work in a third of the memory: a server keeps one
/// set of blocks per core (see [`BLOCKS`]), so its memory floor after the first sign-in
/// drops by 12 MiB per set. Hashes stored with other parameters verify with their own.
fn new_hash_params() -> anyhow::Result<Params> {
    Params::new(7 * 1024, 5, 1, None).map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))
}

/// An argon2id hash (PHC string with its own random salt) of `password`.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, new_hash_params()?);
    let salt: [u8; 16] = rand::rng().random();
    let salt = Salt::new(&salt).map_err(|e| anyhow::anyhow!("cannot salt a password: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_blocks(argon.params().block_count(), |blocks| {
        argon.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, blocks)
    })
    .map_err(|e| anyhow::anyhow!("cannot hash a password: {e}"))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params())
            .map_err(|e| anyhow::anyhow!("cannot write the hash's parameters: {e}"))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("cannot keep a hash: {e}"))?),
    };
    Ok(hash.to_string())
}

/// True when `password` matches the stored `hash`; any malformed hash is simply no match.
/// The hashes compare in constant time ([`Output`]'s equality).
pub fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        Params::try_from(&parsed),
        Algorithm::try_from(parsed.algorithm.as_str()),
    ) else {
        return false;
    };
    let Ok(version) = parsed.version.map(Version::try_from).transpose() else {
        return false;
    };
    let argon = Argon2::new(algorithm, version.unwrap_or_default(), params);
    let mut out = vec![0u8; expected.len()];
    let done = with_blocks(argon.params().block_count(), |blocks| {
        argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, blocks)
    });
    done.is_ok() && Output::new(&out).is_ok_and(|computed| computed == *expected)
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

#[cfg(test)]
mod tests {
    use argon2::password_hash::PasswordVerifier;

    use super::*;

    #[test]
    fn a_hash_verifies_with_the_kept_blocks_of_earlier_checks_and_with_argon2_itself() {
        let hash = hash_password("correct horse").expect("a hash");
        // The second and third checks run on blocks an earlier check filled.
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsf", &hash));
        assert!(verify_password("correct horse", &hash));
        let parsed = PasswordHash::new(&hash).expect("a PHC string");
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{hash}");
    }

    #[test]
    fn a_hash_made_by_argon2_itself_verifies_and_a_malformed_one_is_no_match() {
        use argon2::password_hash::PasswordHasher;
        let theirs = Argon2::default()
            .hash_password(b"staple")
            .expect("a hash")
            .to_string();
        assert!(verify_password("staple", &theirs));
        assert!(!verify_password("stapler", &theirs));
        assert!(!verify_password("staple", "$argon2id$v=19$m=19456"));
        assert!(!verify_password("staple", "not a hash"));
    }
}
