//! The access suite, driven by the application's own route table: for every route it checks
//! what its access level promises. Anonymous visitors are sent to sign in (API: 401); a
//! stranger to team B gets 404 for B's objects; B's viewer gets 403 on writes and B's editor
//! on team-admin routes; non-admins get 403 on instance-admin routes; a POST without a valid
//! CSRF token gets 403; an API token (the instance admin's, without a session) is refused on
//! every route outside `/api/v1`, form posts included, and let in under it. The API's writes take
//! JSON (naming B's team) and no CSRF token. Each level is also checked to let in the least role it names, so a
//! refusal cannot come from a fixture that names nothing. Prints one line per route.

mod bad_input;
mod bad_values;
mod world;

use axum::body::Body;
use axum::http::{Method, Request, header};
use escapement_tests::{CSRF, TestApp, TestResponse, both_backends};
use escapement_web::routes::{AccessLevel, RouteInfo, table};

use world::{Who, World};

both_backends!(TestApp: every_route_keeps_the_promise_of_its_access_level);

/// What a check expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A 303 to `/login?next=…`.
    SentToSignIn,
    /// Anything but a trip to the login page or a 401: the route is public.
    NotSentToSignIn,
    /// The CSRF refusal: 403 with its message.
    CsrfRefused,
    /// Exactly this status.
    Status(u16),
    /// Let in: neither refused (401, 403, 404) nor failed (5xx) nor sent to sign in.
    LetIn,
}

struct Check {
    who: Who,
    csrf_valid: bool,
    expect: Expect,
}

fn check(who: Who, expect: Expect) -> Check {
    Check {
        who,
        csrf_valid: true,
        expect,
    }
}

/// True when the route names one of team B's objects (in its path or, for a POST, in the
/// form's `team_id`), so a stranger to B must get 404.
fn names_a_team_object(route: &RouteInfo) -> bool {
    route.path.contains('{') || route.method == Method::POST
}

/// A write of the JSON API: it takes a JSON body (`team_id` names B, `version` 1) and no
/// CSRF token, since a cross-site form cannot send JSON.
fn is_json_api(route: &RouteInfo) -> bool {
    route.path.starts_with("/api/") && route.method != Method::GET
}

/// The refusals a route's access level promises.
fn refusals(route: &RouteInfo) -> Vec<Check> {
    use AccessLevel::*;
    let mut checks = vec![check(
        Who::Anonymous,
        match route.access {
            Public => Expect::NotSentToSignIn,
            _ if route.path.starts_with("/api/") => Expect::Status(401),
            _ => Expect::SentToSignIn,
        },
    )];
    if !route.path.starts_with("/api/v1/") && route.access != Public {
        checks.push(check(Who::AdminToken, Expect::SentToSignIn));
    }
    if route.method == Method::POST && !is_json_api(route) {
        checks.push(Check {
            who: Who::Admin,
            csrf_valid: false,
            expect: Expect::CsrfRefused,
        });
    }
    let team_level = matches!(route.access, TeamRead | TeamWrite | TeamAdmin);
    if route.access == Owner {
        checks.push(check(Who::ALead, Expect::Status(404)));
        checks.push(check(Who::Admin, Expect::Status(404)));
    }
    if team_level && names_a_team_object(route) {
        checks.push(check(Who::ALead, Expect::Status(404)));
    }
    if matches!(route.access, TeamWrite | TeamAdmin) {
        checks.push(check(Who::BViewer, Expect::Status(403)));
    }
    if route.access == TeamAdmin {
        checks.push(check(Who::BEditor, Expect::Status(403)));
    }
    if route.access == InstanceAdmin {
        checks.push(check(Who::BLead, Expect::Status(403)));
    }
    checks
}

/// The least standing the route's level lets in, if any is checked.
fn least_allowed(access: AccessLevel) -> Option<Who> {
    match access {
        AccessLevel::Public => None,
        AccessLevel::SignedIn | AccessLevel::Owner | AccessLevel::TeamRead => Some(Who::BViewer),
        AccessLevel::TeamWrite => Some(Who::BEditor),
        AccessLevel::TeamAdmin => Some(Who::BLead),
        AccessLevel::InstanceAdmin => Some(Who::Admin),
    }
}

async fn send(app: &TestApp, w: &World, route: &RouteInfo, c: &Check) -> TestResponse {
    let path = w.fill(route.path);
    let cookies = w.cookies(app, c.who).await;
    let request = Request::builder()
        .method(route.method.clone())
        .uri(&path)
        .header(header::COOKIE, cookies);
    let request = if c.who == Who::AdminToken {
        request.header(header::AUTHORIZATION, format!("Bearer {}", w.admin_token))
    } else {
        request
    };
    let request = if is_json_api(route) {
        let body = serde_json::json!({"team_id": w.b.team, "version": 1}).to_string();
        request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
    } else if route.method == Method::POST {
        let token = if c.csrf_valid {
            CSRF.to_owned()
        } else {
            "f".repeat(64)
        };
        let team = w.b.team.to_string();
        let body =
            serde_urlencoded::to_string([("csrf_token", token.as_str()), ("team_id", &team)])
                .expect("encode the form");
        request
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
    } else {
        request.body(Body::empty())
    };
    app.send(request.expect("a valid request")).await
}

fn sent_to_sign_in(r: &TestResponse) -> bool {
    r.status == 303 && r.location().starts_with("/login?next=")
}

fn met(expect: Expect, r: &TestResponse) -> bool {
    match expect {
        Expect::SentToSignIn => sent_to_sign_in(r),
        Expect::NotSentToSignIn => !sent_to_sign_in(r) && r.status != 401,
        Expect::CsrfRefused => r.status == 403 && r.body.contains("This form has expired"),
        Expect::Status(status) => r.status == status,
        Expect::LetIn => {
            !sent_to_sign_in(r) && !matches!(r.status.as_u16(), 401 | 403 | 404 | 500..)
        }
    }
}

fn outcome(who: Who, csrf_valid: bool, r: &TestResponse) -> String {
    let csrf = if csrf_valid { "" } else { " without CSRF" };
    let status = if sent_to_sign_in(r) {
        "303 sign-in".to_owned()
    } else {
        r.status.as_u16().to_string()
    };
    format!("{}{csrf} {status}", who.label())
}

async fn every_route_keeps_the_promise_of_its_access_level(app: TestApp) {
    let w = World::build(&app).await;
    let routes = table();
    let mut lines: Vec<Vec<String>> = vec![Vec::new(); routes.len()];
    let mut failures = Vec::new();
    // Refusals first; then the checks that let people in, which may change data.
    let mut plan: Vec<(usize, Check)> = Vec::new();
    for (i, route) in routes.iter().enumerate() {
        plan.extend(refusals(route).into_iter().map(|c| (i, c)));
    }
    for (i, route) in routes.iter().enumerate() {
        if let Some(who) = least_allowed(route.access) {
            plan.push((i, check(who, Expect::LetIn)));
        }
        if route.path.starts_with("/api/v1/") {
            plan.push((i, check(Who::AdminToken, Expect::LetIn)));
        }
    }
    for (i, c) in plan {
        let route = &routes[i];
        let response = send(&app, &w, route, &c).await;
        let seen = outcome(c.who, c.csrf_valid, &response);
        if !met(c.expect, &response) {
            failures.push(format!(
                "{} {} ({}): {seen}, expected {:?}",
                route.method,
                route.path,
                route.access.label(),
                c.expect
            ));
        }
        lines[i].push(seen);
    }
    eprintln!(
        "\nroute table on {:?}: route | access | results",
        app.store.backend
    );
    for (route, results) in routes.iter().zip(&lines) {
        eprintln!(
            "{:<5}{:<52}{:<16}{}",
            route.method.as_str(),
            route.path,
            route.access.label(),
            results.join(" · ")
        );
    }
    assert!(
        failures.is_empty(),
        "{} routes break their access level:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
