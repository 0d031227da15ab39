//! Authentication in the web layer: argon2id password hashes and the random secrets behind
//! sessions and API tokens ([`secrets`]), the session cookie and its server-side record
//! ([`sessions`]), the user and client behind a request ([`current`]), signing in
//! ([`sign_in()`]), and the middleware that finds that user and guards routes ([`middleware`]).

mod current;
mod middleware;
mod secrets;
mod sessions;
mod sign_in;

pub use current::{ClientAddr, CurrentUser, SessionCookie, client_addr};
pub(crate) use middleware::is_api_path;
pub use middleware::{load_user, require_instance_admin, require_login};
pub use secrets::{
    api_token_hash, hash_off_thread, hash_password, new_api_token, new_setup_token, session_id,
    verify_off_thread, verify_password,
};
pub(crate) use sessions::cookie_value;
pub use sessions::{
    SESSION_COOKIE, clear_session_cookie, end_session, new_session, safe_next, session_cookie,
    start_session, with_cookie,
};
pub use sign_in::{SignIn, sign_in};
