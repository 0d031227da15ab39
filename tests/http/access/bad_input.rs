//! The bad-input corpus over the route table: a NUL byte, another control character or
//! bytes that are not UTF-8, in a form field or a query parameter of every route, answer
//! 422 with a message naming the field, never a 5xx, on both databases. The API's writes get
//! the same in a JSON body.

use axum::body::Body;
use axum::http::{Method, Request, header};
use escapement_tests::{CSRF, TestApp, TestResponse, both_backends};
use escapement_web::routes::table;

use super::world::{Who, World};

both_backends!(TestApp: control_characters_and_invalid_utf8_are_field_errors_on_every_route);

/// What is sent in the `title` field (forms) or the `q` parameter (queries), already
/// URL-encoded, and the start of the message that must name the field.
const CASES: &[(&str, &str)] = &[
    ("a%00b", "must not contain control characters"),
    ("%1B%5B31m", "must not contain control characters"),
    ("caf%FF", "is not valid text (UTF-8)"),
];

async fn post(app: &TestApp, cookies: &str, path: &str, body: String) -> TestResponse {
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("a valid request");
    app.send(request).await
}

/// A JSON body naming B's team, with `sent` (URL-encoded) decoded into its `title` as it is:
/// a control character stays one, and a byte that is not UTF-8 stays that byte.
async fn json(
    app: &TestApp,
    cookies: &str,
    method: &Method,
    path: &str,
    sent: &str,
    w: &World,
) -> TestResponse {
    let bytes: Vec<u8> = {
        let raw = sent.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'%' && i + 2 < raw.len() {
                let hex = std::str::from_utf8(&raw[i + 1..i + 3]).expect("hex");
                out.push(u8::from_str_radix(hex, 16).expect("a byte"));
                i += 3;
            } else {
                out.push(raw[i]);
                i += 1;
            }
        }
        out
    };
    let mut body = format!(r#"{{"team_id":"{}","version":1,"title":""#, w.b.team).into_bytes();
    for b in bytes {
        match b {
            0x00..=0x1f => body.extend(format!("\\u{b:04x}").into_bytes()),
            b => body.push(b),
        }
    }
    body.extend(br#""}"#);
    let request = Request::builder()
        .method(method.clone())
        .uri(path)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("a valid request");
    app.send(request).await
}

async fn control_characters_and_invalid_utf8_are_field_errors_on_every_route(app: TestApp) {
    let w = World::build(&app).await;
    let mut failures = Vec::new();
    let mut checked = 0;
    let cookies = w.cookies(&app, Who::Admin).await;
    for (sent, message) in CASES {
        let r = app
            .get_with_cookies(&format!("/defects?q={sent}"), &cookies)
            .await;
        if r.status != 422 || !r.body.contains(&format!("Search text {message}")) {
            failures.push(format!("GET /defects?q={sent}: {}", r.status));
        }
    }
    // Pages first, then forms; a fresh session for each route, since one form signs out.
    let mut routes = table();
    routes.sort_by_key(|route| route.method == Method::POST);
    for route in routes {
        let path = w.fill(route.path);
        let cookies = w.cookies(&app, Who::Admin).await;
        for (sent, message) in CASES {
            let response = if route.path.starts_with("/api/") && route.method != Method::GET {
                let r = json(&app, &cookies, &route.method, &path, sent, &w).await;
                // Control characters name the field; bytes that are not UTF-8 make the
                // whole body unreadable, which no field can be named for.
                let field_named = r.body.contains(r#""field":"title""#);
                let utf8 = sent.contains("%FF");
                if r.status != 422 || (!utf8 && !field_named) {
                    failures.push(format!(
                        "{} {path} with title={sent}: {}",
                        route.method, r.status
                    ));
                }
                r
            } else if route.method == Method::POST {
                let body = format!("csrf_token={CSRF}&team_id={}&title={sent}", w.b.team);
                let r = post(&app, &cookies, &path, body).await;
                let named = format!("Title {message}");
                if r.status != 422 || !r.body.contains(&named) {
                    failures.push(format!("POST {path} with title={sent}: {}", r.status));
                }
                r
            } else {
                let r = app
                    .get_with_cookies(&format!("{path}?q={sent}"), &cookies)
                    .await;
                let named = format!("Search text {message}");
                if r.status == 422 && !r.body.contains(&named) {
                    failures.push(format!("GET {path}?q={sent}: 422 without naming the field"));
                }
                r
            };
            if response.status.is_server_error() {
                failures.push(format!(
                    "{} {path} with {sent}: {}",
                    route.method, response.status
                ));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} bad inputs were not field errors on {:?}:\n{}",
        failures.len(),
        app.store.backend,
        failures.join("\n")
    );
}
