//! Accounts, one module per aggregate: users (and their passwords), their team memberships,
//! server-side sessions, API tokens, the security audit log and recent login failures, and
//! the signed-in user behind a request, read in one statement. Each module holds its
//! records, its queries (taking `&impl ConnectionTrait`) and its audited use cases, which
//! write a change and its audit entry in one transaction. Password and token hashes are
//! written here and compared by the caller; they are never part of a returned record except
//! where a login needs the stored hash.

mod audit;
mod login_failures;
mod memberships;
mod passwords;
mod sessions;
mod signed_in;
mod tokens;
mod users;

pub use audit::{AuditEntry, list_events, log, record_event};
pub use login_failures::{
    SignInAttempt, clear_login_failures, count_login_failures, fail_sign_in, record_login_failure,
    refuse_sign_in, start_sign_in, withdraw_sign_in,
};
pub use memberships::{
    Member, all_memberships, change_role, grant_role, memberships_of, remove_member,
    remove_membership, set_membership, team_members,
};
pub use passwords::{change_own_password, reset_password};
pub use sessions::{
    SessionRecord, complete_sign_in, delete_expired_sessions, delete_session, end_sessions_of,
    load_session, save_session, touch_session,
};
pub use signed_in::{SessionUser, SignedInUser, session_user, user_with_memberships};
pub use tokens::{
    ApiToken, create_token, issue_token, list_tokens, revoke_any_token, revoke_own_token,
    revoke_token, use_token,
};
pub use users::{
    LAST_ADMIN, SELF_DEACTIVATION, User, active_admin_count, add_user, create_user, find_login,
    find_user, get_user, list_users, set_active, update_user, user_count,
};
