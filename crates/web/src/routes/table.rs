//! The route table as data: every route is an entry with its method, path pattern, who may
//! use it and its handler. The router is folded from these entries, the sign-in and
//! instance-admin guards are attached from each entry's access level, and the access suite
//! reads the same table, so a route cannot be added without saying who may use it.

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::from_fn;
use axum::routing::{MethodRouter, get, patch, post};
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

/// The most a request body may hold on a route that does not say otherwise: 1 MiB, far
/// more than any form's text (the longest field takes 20,000 characters), small enough that
/// a flood of large posts cannot fill memory. A bigger body is refused with 413 before it is
/// read. A route that takes more (a file upload) says so with [`Route::body_limit`].
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// One entry of the route table.
pub struct Route {
    info: RouteInfo,
    handler: MethodRouter<AppState>,
    asset: bool,
    body_limit: Option<usize>,
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

    /// `GET path`, public and served like an asset, outside the session and CSRF layers: it
    /// reads no session (so no database connection before its handler) and sets no cookie.
    /// For the health check, which must answer while every connection is busy.
    pub fn sessionless<H, T>(path: &'static str, handler: H) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Route::asset(path, handler)
    }

    /// `POST path`, usable at `access`.
    pub fn post<H, T>(path: &'static str, access: AccessLevel, handler: H) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Route::new(Method::POST, path, access, post(handler))
    }

    /// `PATCH path` (the API's partial updates), usable at `access`.
    pub fn patch<H, T>(path: &'static str, access: AccessLevel, handler: H) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Route::new(Method::PATCH, path, access, patch(handler))
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
            body_limit: None,
        }
    }

    /// This route takes request bodies of up to `bytes` instead of [`DEFAULT_BODY_LIMIT`]
    /// (a CSV upload, say); a larger body is refused with 413.
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Route {
        self.body_limit = Some(bytes);
        self
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
        let limit = self.body_limit.unwrap_or(DEFAULT_BODY_LIMIT);
        let handler = self.handler.layer(DefaultBodyLimit::max(limit));
        let handler = match self.info.access {
            AccessLevel::InstanceAdmin => handler.route_layer(from_fn(require_instance_admin)),
            _ => handler,
        };
        match self.info.access {
            AccessLevel::Public => handler,
            _ => handler.route_layer(from_fn(require_login)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use tower::ServiceExt;

    use super::*;
    use crate::csrf::CsrfForm;

    async fn take(CsrfForm(form): CsrfForm<HashMap<String, String>>) -> String {
        form.get("text").map_or(0, String::len).to_string()
    }

    async fn status(route: Route, text_len: usize) -> StatusCode {
        let token = "a".repeat(64);
        let app = Router::new()
            .route(route.info().path, route.guarded())
            .with_state(AppState::new(escapement_storage::Db::default()));
        let body = format!("csrf_token={token}&text={}", "x".repeat(text_len));
        let request = Request::post("/upload")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("escapement_csrf={token}"))
            .body(Body::from(body))
            .expect("a request");
        app.oneshot(request).await.expect("a response").status()
    }

    #[tokio::test]
    async fn a_route_takes_the_default_limit_unless_it_names_its_own() {
        let plain = || Route::post("/upload", AccessLevel::Public, take);
        assert_eq!(status(plain(), 1000).await, StatusCode::OK);
        assert_eq!(
            status(plain(), DEFAULT_BODY_LIMIT).await,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let upload = || plain().body_limit(4 * DEFAULT_BODY_LIMIT);
        assert_eq!(
            status(upload(), 2 * DEFAULT_BODY_LIMIT).await,
            StatusCode::OK
        );
        let small = || plain().body_limit(500);
        assert_eq!(status(small(), 1000).await, StatusCode::PAYLOAD_TOO_LARGE);
    }
}
