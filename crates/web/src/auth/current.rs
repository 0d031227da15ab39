//! Who and where a request comes from, as extractors: the signed-in user ([`CurrentUser`]),
//! the client's address ([`ClientAddr`]) and the session cookie it carries
//! ([`SessionCookie`]); and the [`Actor`] that storage records for a change.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{Extensions, HeaderMap, request::Parts};
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
        let name = self.user.display_name.clone();
        Actor::user(self.user.id, name, self.client_addr.clone())
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

    /// Why the user may not `what` ("open reviews") in any team, saying what is missing:
    /// a first team (with the link for an instance admin), a membership, or a writing role.
    pub fn cannot_write_anywhere(&self, what: &str, teams_exist: bool) -> AppError {
        if !teams_exist {
            return match self.user.is_admin {
                true => AppError::FirstStep {
                    message: format!(
                        "To {what}, create a team first: defects, reviews and actions belong to a team. Then add its members."
                    ),
                    link: Some(("Create a team", "/settings/teams")),
                },
                false => AppError::FirstStep {
                    message: format!(
                        "To {what}, a team is needed, and there is none yet. An instance administrator creates teams and adds their members."
                    ),
                    link: None,
                },
            };
        }
        if self.memberships.is_empty() {
            return AppError::FirstStep {
                message: format!(
                    "To {what}, you need to be a member of a team, and you are not a member of any yet. A team admin or an instance administrator can add you."
                ),
                link: None,
            };
        }
        AppError::Forbidden(format!(
            "You cannot {what}: your role in your teams is read-only. A team admin can change your role."
        ))
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

/// The client's address, for throttling and the audit log: the one [`resolve_client_addr`]
/// found for the request (the middleware stores it), else the peer's, else "unknown".
pub fn client_addr(extensions: &Extensions) -> String {
    if let Some(ClientAddr(addr)) = extensions.get::<ClientAddr>() {
        return addr.clone();
    }
    peer_ip(extensions).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

fn peer_ip(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_canonical())
}

/// The client's address for a request from `extensions`' peer with `headers`: the peer's
/// own address, unless the peer is one of the `trusted` proxies; then `X-Forwarded-For` is
/// read from the nearest hop outwards and the first address that is not a trusted proxy is
/// the client's. A header that does not parse is ignored, so a client can never choose its
/// address unless every hop between it and the server is trusted.
pub fn resolve_client_addr(
    extensions: &Extensions,
    headers: &HeaderMap,
    trusted: &[IpAddr],
) -> String {
    let Some(peer) = peer_ip(extensions) else {
        return "unknown".to_owned();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let hops: Option<Vec<IpAddr>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("!").split(','))
        .map(|hop| {
            hop.trim()
                .parse::<IpAddr>()
                .ok()
                .map(|ip| ip.to_canonical())
        })
        .collect();
    let Some(hops) = hops else {
        return peer.to_string();
    };
    let client = hops
        .iter()
        .rev()
        .find(|hop| !trusted.contains(hop))
        .or_else(|| hops.first())
        .unwrap_or(&peer);
    client.to_string()
}

/// The client's address as an extractor (see [`client_addr`]); the middleware also stores
/// it in the request's extensions once resolved.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn from(peer: &str, forwarded: &[&str], trusted: &[&str]) -> String {
        let mut extensions = Extensions::new();
        let peer: IpAddr = peer.parse().expect("an address");
        extensions.insert(ConnectInfo(SocketAddr::new(peer, 40000)));
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().expect("a header value"));
        }
        let trusted: Vec<IpAddr> = trusted
            .iter()
            .map(|a| a.parse().expect("an address"))
            .collect();
        resolve_client_addr(&extensions, &headers, &trusted)
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() {
        assert_eq!(from("198.51.100.7", &["203.0.113.9"], &[]), "198.51.100.7");
    }

    #[test]
    fn a_trusted_proxy_passes_on_the_hop_it_saw() {
        assert_eq!(
            from("10.0.0.2", &["203.0.113.9"], &["10.0.0.2"]),
            "203.0.113.9"
        );
    }

    #[test]
    fn hops_a_client_wrote_itself_are_skipped_for_the_nearest_untrusted_one() {
        let forwarded = ["1.2.3.4, 203.0.113.9", "10.0.0.3"];
        assert_eq!(
            from("10.0.0.2", &forwarded, &["10.0.0.2", "10.0.0.3"]),
            "203.0.113.9"
        );
    }

    #[test]
    fn a_header_that_does_not_parse_leaves_the_peer() {
        assert_eq!(
            from("10.0.0.2", &["not an address"], &["10.0.0.2"]),
            "10.0.0.2"
        );
        assert_eq!(from("10.0.0.2", &[], &["10.0.0.2"]), "10.0.0.2");
    }

    #[test]
    fn without_a_peer_the_address_is_unknown() {
        assert_eq!(client_addr(&Extensions::new()), "unknown");
    }
}
