//! Users: the stored account without its password hash, the look-ups a sign-in and the
//! administration pages need, and the audited use cases of an instance admin: adding a user,
//! changing their name and admin flag, deactivating and reactivating them. Each change is
//! written with its audit entry in one transaction; a deactivation ends the user's sessions
//! in that same transaction. New passwords are in [`passwords`](super::passwords).

use chrono::{DateTime, Utc};
use escapement_core::ValidationErrors;
use escapement_core::auth::{AuditEvent, DisplayName, Email, NewUser};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use super::audit::log;
use super::sessions::end_sessions_of;
use crate::entities::user;
use crate::{Actor, Result, StorageError, unique_violation_as};

/// A stored user, without the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    /// When the account was deactivated; `None` while it may sign in.
    pub deactivated_at: Option<DateTime<Utc>>,
}

impl User {
    /// True while the account may sign in and use its sessions and API tokens.
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        User {
            id: m.id,
            email: m.email,
            display_name: m.display_name,
            is_admin: m.is_admin,
            version: m.version,
            created_at: m.created_at,
            deactivated_at: m.deactivated_at,
        }
    }
}

const EMAIL_TAKEN: &str = "An account with this email address already exists";

/// The message on `is_admin` when a change would leave the instance without an admin.
pub const LAST_ADMIN: &str =
    "This is the last instance administrator. Make someone else an instance administrator first";

/// The message when an admin tries to deactivate their own account.
pub const SELF_DEACTIVATION: &str =
    "You cannot deactivate your own account. Ask another instance administrator";

fn field_error(field: &'static str, message: &str) -> StorageError {
    let mut errors = ValidationErrors::new();
    errors.push(field, message);
    StorageError::Invalid(errors)
}

/// Adds a user without logging it (see [`add_user`]); a taken email address is a field error
/// on `email`.
pub async fn create_user(
    db: &impl ConnectionTrait,
    new: &NewUser,
    password_hash: &str,
    is_admin: bool,
    now: DateTime<Utc>,
) -> Result<User> {
    let row = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(new.email.as_str().to_owned()),
        display_name: Set(new.display_name.as_str().to_owned()),
        password_hash: Set(password_hash.to_owned()),
        is_admin: Set(is_admin),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deactivated_at: Set(None),
    };
    let model = user::Entity::insert(row)
        .exec_with_returning(db)
        .await
        .map_err(|e| unique_violation_as(e, "email", EMAIL_TAKEN))?;
    Ok(model.into())
}

/// How many users exist.
pub async fn user_count(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(user::Entity::find().count(db).await?)
}

/// How many instance administrators may sign in; zero means the first-run setup is still
/// open (a fresh database, or one the demo filled with team members only).
pub async fn active_admin_count(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(user::Entity::find()
        .filter(user::Column::IsAdmin.eq(true))
        .filter(user::Column::DeactivatedAt.is_null())
        .count(db)
        .await?)
}

/// The user with this email address and their stored password hash, for a login.
pub async fn find_login(
    db: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<(User, String)>> {
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    Ok(found.map(|m| {
        let hash = m.password_hash.clone();
        (User::from(m), hash)
    }))
}

/// The user with this email address, without any secret.
pub async fn find_user(db: &impl ConnectionTrait, email: &Email) -> Result<Option<User>> {
    Ok(find_login(db, email).await?.map(|(user, _)| user))
}

/// One user, or `NotFound`.
pub async fn get_user(db: &impl ConnectionTrait, id: Uuid) -> Result<User> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(User::from)
        .ok_or(StorageError::NotFound)
}

/// Every user, by email address.
pub async fn list_users(db: &impl ConnectionTrait) -> Result<Vec<User>> {
    let rows = user::Entity::find()
        .order_by_asc(user::Column::Email)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(User::from).collect())
}

/// Writes `changes` to the row of `user_id`, stamping `updated_at` and bumping `version`.
pub(super) async fn update_row(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    changes: Vec<(user::Column, SimpleExpr)>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut update = user::Entity::update_many();
    for (column, value) in changes {
        update = update.col_expr(column, value);
    }
    update
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            user::Column::Version,
            Expr::col(user::Column::Version).add(1),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Adds a user and logs `user_created`; a taken email address is a field error on `email`.
pub async fn add_user(
    db: &DatabaseConnection,
    new: &NewUser,
    password_hash: &str,
    is_admin: bool,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<User> {
    let txn = crate::begin_write(db).await?;
    let user = create_user(&txn, new, password_hash, is_admin, now).await?;
    let subject = if is_admin {
        format!("{} (instance admin)", user.email)
    } else {
        user.email.clone()
    };
    log(&txn, AuditEvent::UserCreated, &actor, &subject, now).await?;
    txn.commit().await?;
    Ok(user)
}

/// Changes a user's display name and instance-admin flag and logs `user_updated`; `NotFound`
/// for an unknown user, a field error on `is_admin` when it would remove the last instance
/// admin. A change that changes nothing writes and logs nothing.
pub async fn update_user(
    db: &DatabaseConnection,
    user_id: Uuid,
    display_name: &DisplayName,
    is_admin: bool,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<User> {
    let txn = crate::begin_write(db).await?;
    let before = get_user(&txn, user_id).await?;
    let mut changes = Vec::new();
    if before.display_name != display_name.as_str() {
        changes.push(format!(
            "name \"{}\" (was \"{}\")",
            display_name.as_str(),
            before.display_name
        ));
    }
    if before.is_admin != is_admin {
        if before.is_admin {
            let admins = user::Entity::find()
                .filter(user::Column::IsAdmin.eq(true))
                .filter(user::Column::DeactivatedAt.is_null())
                .count(&txn)
                .await?;
            if admins <= 1 {
                return Err(field_error("is_admin", LAST_ADMIN));
            }
        }
        changes.push(if is_admin {
            "made instance admin".to_owned()
        } else {
            "no longer instance admin".to_owned()
        });
    }
    if changes.is_empty() {
        return Ok(before);
    }
    let columns = vec![
        (
            user::Column::DisplayName,
            Expr::value(display_name.as_str()),
        ),
        (user::Column::IsAdmin, Expr::value(is_admin)),
    ];
    update_row(&txn, user_id, columns, now).await?;
    let subject = format!("{}: {}", before.email, changes.join(", "));
    log(&txn, AuditEvent::UserUpdated, &actor, &subject, now).await?;
    let after = get_user(&txn, user_id).await?;
    // The people of review pages kept under the stamps list display names.
    crate::rollup::renew_every(&txn).await?;
    txn.commit().await?;
    Ok(after)
}

/// Deactivates (`active` false) or reactivates a user and logs `user_deactivated` or
/// `user_reactivated`. Deactivating ends every session of the user in the same transaction;
/// their API tokens are kept but refused while the account is deactivated, and their row
/// stays, so their name stays on everything they did. An actor cannot deactivate themselves
/// (`Invalid` with a message on `active`); a change to the state the user is already in
/// writes and logs nothing. `NotFound` for an unknown user.
pub async fn set_active(
    db: &DatabaseConnection,
    user_id: Uuid,
    active: bool,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<User> {
    if !active && actor.user_id == Some(user_id) {
        return Err(field_error("active", SELF_DEACTIVATION));
    }
    let txn = crate::begin_write(db).await?;
    let before = get_user(&txn, user_id).await?;
    if before.is_active() == active {
        return Ok(before);
    }
    let (at, event) = if active {
        (None, AuditEvent::UserReactivated)
    } else {
        (Some(now), AuditEvent::UserDeactivated)
    };
    let columns = vec![(user::Column::DeactivatedAt, Expr::value(at))];
    update_row(&txn, user_id, columns, now).await?;
    if !active {
        end_sessions_of(&txn, user_id).await?;
    }
    log(&txn, event, &actor, &before.email, now).await?;
    let after = get_user(&txn, user_id).await?;
    txn.commit().await?;
    Ok(after)
}
