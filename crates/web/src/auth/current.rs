//! Who and where a request comes from, as extractors: the signed-in user ([`CurrentUser`]),
//! the client's address ([`ClientAddr`]) and the session cookie it carries
//! ([`SessionCookie`]); and the [`Actor`] that storage records for a change.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{Extensions, request::Parts};
use escapement_core::auth::{Access, Permission, Role};
use escapement_storage::Actor;
use escapement_storage::accounts::User;
use uuid::Uuid;

use super::sessions::{SESSION_COOKIE, cookie_value};
use crate::error::AppError;

/// The signed-in user of a request, the teams they belong to, and where they are.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub memberships: Vec<(Uuid, Role)>,
    /// The client's address, as [`client_addr`] gives it.
    pub client_addr: String,
}

impl CurrentUser {
    /// The user as storage records them for a change: id, display name and client address.
    pub fn actor(&self) -> Actor {
        actor(self, &self.client_addr)
    }

    /// The user's standing toward one team.
    pub fn access(&self, team_id: Uuid) -> Access {
        let role = self
            .memberships
            .iter()
            .find(|(t, _)| *t == team_id)
            .map(|(_, r)| *r);
        Access::for_user(self.user.is_admin, role)
    }

    /// The teams whose data the user may see; `None` for an instance admin (all of them).
    pub fn visible_teams(&self) -> Option<Vec<Uuid>> {
        (!self.user.is_admin).then(|| self.memberships.iter().map(|(t, _)| *t).collect())
    }

    /// True when the user may see `team_id` at all.
    pub fn sees(&self, team_id: Uuid) -> bool {
        self.access(team_id).can_see()
    }

    /// Answers 404 for a team the user may not see and 403 for one they see but may not
    /// change in this way.
    pub fn require(&self, team_id: Uuid, permission: Permission) -> Result<(), AppError> {
        let access = self.access(team_id);
        if !access.can_see() {
            return Err(AppError::NotFound);
        }
        if !access.can(permission) {
            return Err(AppError::Forbidden("Your role in this team does not allow this change. A team admin can change your role.".to_owned()));
        }
        Ok(())
    }

    /// Like [`CurrentUser::require`] for the team a form names, checked before the rest of
    /// the form is judged so that nothing about other teams' forms is revealed. An id that
    /// does not parse is left to the form's validation.
    pub fn require_named(&self, raw_team_id: &str, permission: Permission) -> Result<(), AppError> {
        match Uuid::parse_str(raw_team_id.trim()) {
            Ok(team_id) => self.require(team_id, permission),
            Err(_) => Ok(()),
        }
    }

    /// Answers 403 unless the user is an instance admin.
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.user.is_admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Only an instance administrator can do this.".to_owned(),
            ))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(AppError::NotFound)
    }
}

/// The signed-in `user` acting from `client_addr`, as storage records a change.
pub fn actor(user: &CurrentUser, client_addr: &str) -> Actor {
    Actor::user(
        user.user.id,
        user.user.display_name.clone(),
        client_addr.to_owned(),
    )
}

/// The client's address, for throttling and the audit log ("unknown" without one).
pub fn client_addr(extensions: &Extensions) -> String {
    extensions.get::<ConnectInfo<SocketAddr>>().map_or_else(
        || "unknown".to_owned(),
        |ConnectInfo(addr)| addr.ip().to_string(),
    )
}

/// The client's address as an extractor: the peer's IP, or "unknown" without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(&parts.extensions)))
    }
}

/// The value of the session cookie a request carries, if any (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCookie(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for SessionCookie {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(SessionCookie(
            cookie_value(&parts.headers, SESSION_COOKIE).map(str::to_owned),
        ))
    }
}
