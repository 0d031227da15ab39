//! The route table as data: every route is an entry with its method, path pattern, who may
//! use it and its handler. The router is folded from these entries, the sign-in and
//! instance-admin guards are attached from each entry's access level, and the access suite
//! reads the same table, so a route cannot be added without saying who may use it.

use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::from_fn;
use axum::routing::{MethodRouter, get, post};
use serde::Serialize;

use crate::auth::{require_instance_admin, require_login};
use crate::state::AppState;

/// Who may use a route. Team levels name a team through the object in the path or the
/// `team_id` of the form: other teams' objects answer 404 and a too-small role 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    /// Anyone, signed in or not: sign-in, first-run setup, health, the stylesheet.
    Public,
    /// Any signed-in user; what the page shows is limited to the user's teams.
    SignedIn,
    /// The signed-in user's own object (an API token); anyone else's answers 404.
    Owner,
    /// Any member of the object's team.
    TeamRead,
    /// Editors and team admins of the object's team.
    TeamWrite,
    /// Team admins of the object's team.
    TeamAdmin,
    /// Instance administrators only; everyone else gets 403.
    InstanceAdmin,
}

impl AccessLevel {
    /// The level's name as the route table prints it.
    pub fn label(self) -> &'static str {
        match self {
            AccessLevel::Public => "public",
            AccessLevel::SignedIn => "signed in",
            AccessLevel::Owner => "owner",
            AccessLevel::TeamRead => "team read",
            AccessLevel::TeamWrite => "team write",
            AccessLevel::TeamAdmin => "team admin",
            AccessLevel::InstanceAdmin => "instance admin",
        }
    }
}

/// What an entry says about itself, without its handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    /// The axum path pattern, with named parameters such as `{defect_id}`.
    pub path: &'static str,
    pub access: AccessLevel,
}

/// One entry of the route table.
pub struct Route {
    info: RouteInfo,
    handler: MethodRouter<AppState>,
    asset: bool,
}

impl Route {
    /// `GET path`, usable at `access`.
    pub fn get<H, T>(path: &'static str, access: AccessLevel, handler: H) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Route::new(Method::GET, path, access, get(handler))
    }

    /// `GET path` of a static file: public, served without reading the session or setting
    /// a cookie, so a signed-in browser's stylesheet costs no database read.
    pub fn asset<H, T>(path: &'static str, handler: H) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let mut route = Route::new(Method::GET, path, AccessLevel::Public, get(handler));
        route.asset = true;
        route
    }

    /// `POST path`, usable at `access`.
    pub fn post<H, T>(path: &'static str, access: AccessLevel, handler: H) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Route::new(Method::POST, path, access, post(handler))
    }

    fn new(
        method: Method,
        path: &'static str,
        access: AccessLevel,
        handler: MethodRouter<AppState>,
    ) -> Route {
        Route {
            info: RouteInfo {
                method,
                path,
                access,
            },
            handler,
            asset: false,
        }
    }

    /// The entry's method, path and access level.
    pub fn info(&self) -> &RouteInfo {
        &self.info
    }

    /// True for a static file ([`Route::asset`]), which the router serves outside the
    /// session and CSRF layers.
    pub fn is_asset(&self) -> bool {
        self.asset
    }

    /// The handler behind the guards its access level asks for: every level but `Public`
    /// needs a signed-in user, and `InstanceAdmin` an instance admin. Team levels are
    /// checked by the handler, which alone knows the object's team.
    pub fn guarded(self) -> MethodRouter<AppState> {
        let handler = match self.info.access {
            AccessLevel::InstanceAdmin => self.handler.route_layer(from_fn(require_instance_admin)),
            _ => self.handler,
        };
        match self.info.access {
            AccessLevel::Public => handler,
            _ => handler.route_layer(from_fn(require_login)),
        }
    }
}
