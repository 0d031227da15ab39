//! The bad-value corpus over the route table: every field name that any page's forms carry
//! (read from the pages themselves) is sent with each of [`VALUES`] at once, in the form
//! of every POST route and the query of every GET route, on both databases. No answer may
//! be a 5xx, and every 422 must name one of the fields sent (the error summary's link to
//! it, or the problem document's `field`). Control characters and invalid UTF-8 are the
//! `bad_input` corpus's.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::Method;
use escapement_tests::{TestApp, both_backends};
use escapement_web::routes::table;
use regex::Regex;

use super::world::{Who, World};

both_backends!(TestApp: bad_values_in_every_form_and_query_are_field_errors_never_server_errors);

/// Each value with what it stands for.
fn values() -> Vec<(&'static str, String)> {
    [
        ("empty", String::new()),
        ("blank", "   ".to_owned()),
        ("long", "x".repeat(5_000)),
        ("negative", "-1".to_owned()),
        ("huge number", "99999999999999999999999".to_owned()),
        ("overflowing float", "1e309".to_owned()),
        ("not a number", "NaN".to_owned()),
        ("nil id", "00000000-0000-0000-0000-000000000000".to_owned()),
        ("not an id", "not-a-uuid".to_owned()),
        ("impossible date", "2026-02-30".to_owned()),
        ("year zero", "0000-01-01".to_owned()),
        ("five-digit year", "99999-01-01".to_owned()),
        ("impossible time", "2026-01-01T25:61".to_owned()),
        ("markup", "<script>alert(1)</script>".to_owned()),
        ("quote", "' OR '1'='1' --".to_owned()),
        ("emoji", "😀".repeat(300)),
        ("bidi and zero-width", "\u{202e}\u{200b}abc".to_owned()),
        ("path", "../../etc/passwd".to_owned()),
    ]
    .into_iter()
    .collect()
}

/// Names that are no input of a form: the page's meta tag, the upload (multipart only).
const NOT_FIELDS: [&str; 4] = ["csrf_token", "viewport", "file", "team_id"];

const STEPS: [&str; 5] = ["facts", "checklist", "analysis", "mechanism", "actions"];

/// The names of every form field on every page the instance admin can open.
async fn harvest_fields(app: &TestApp, w: &World, cookies: &str) -> BTreeSet<String> {
    let name = Regex::new(r#"name="([a-z_]+)""#).expect("a regex");
    let mut fields = BTreeSet::new();
    let mut pages: Vec<String> = table()
        .iter()
        .filter(|r| r.method == Method::GET)
        .map(|r| w.fill(r.path))
        .collect();
    // The review steps are one route, each step's form behind `?step=`.
    let escape = w.fill("/reviews/{review_id}/escapes/{escape_id}");
    pages.extend(STEPS.iter().map(|step| format!("{escape}?step={step}")));
    for page in pages {
        let page = app.get_with_cookies(&page, cookies).await;
        for found in name.captures_iter(&page.body) {
            fields.insert(found[1].to_owned());
        }
    }
    fields.retain(|f| !NOT_FIELDS.contains(&f.as_str()));
    fields
}

/// What a refusal page says: its error summary's items, or its heading.
fn said(body: &str) -> String {
    let item =
        Regex::new(r#"<li><a href="(#[^"]*)">([^<]*)</a>|<h1[^>]*>([^<]*)</h1>"#).expect("a regex");
    item.captures_iter(body)
        .map(|c| {
            c.iter()
                .skip(1)
                .flatten()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `pairs` as URL-encoded queries of at most about 16 KB each.
fn queries(pairs: &[(&str, &str)]) -> Vec<String> {
    let mut out = vec![String::new()];
    for pair in pairs {
        let encoded = serde_urlencoded::to_string([pair]).expect("a query");
        let current = out.last_mut().expect("a query");
        if !current.is_empty() && current.len() + encoded.len() > 16_000 {
            out.push(encoded);
        } else {
            if !current.is_empty() {
                current.push('&');
            }
            current.push_str(&encoded);
        }
    }
    out
}

/// True when a 422 names the field it refuses: its error summary links to the field, or
/// the problem document gives its `field`.
fn names_a_field(body: &str) -> bool {
    let link = Regex::new(r##"<li><a href="#[a-z_]+">[^<]+</a>"##).expect("a regex");
    link.is_match(body) || body.contains("\"field\":\"")
}

async fn bad_values_in_every_form_and_query_are_field_errors_never_server_errors(app: TestApp) {
    let w = World::build(&app).await;
    let admin = w.cookies(&app, Who::Admin).await;
    let fields = harvest_fields(&app, &w, &admin).await;
    assert!(
        fields.len() >= 40,
        "the pages' forms name their fields: {fields:?}"
    );
    let mut failures = Vec::new();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut routes = table();
    // Pages first, then forms; a fresh session for each route, since one form signs out.
    routes.sort_by_key(|route| route.method != Method::GET);
    let team = w.b.team.to_string();
    for route in routes
        .iter()
        .filter(|r| !r.path.starts_with("/api/") || r.method == Method::GET)
    {
        let path = w.fill(route.path);
        let cookies = w.cookies(&app, Who::Admin).await;
        for (label, value) in values() {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|f| (f.as_str(), value.as_str()))
                .collect();
            let response = if route.method == Method::GET {
                // A long value in every field at once makes a URI longer than any client
                // sends: the fields go in as many queries as it takes.
                let mut last = None;
                for query in queries(&pairs) {
                    let r = app
                        .get_with_cookies(&format!("{path}?{query}"), &cookies)
                        .await;
                    let worst = r.status.is_server_error() || r.status == 422;
                    if worst || last.is_none() {
                        last = Some(r);
                    }
                    if worst {
                        break;
                    }
                }
                last.expect("at least one query")
            } else {
                let mut form = vec![("team_id", team.as_str())];
                form.extend(pairs);
                app.post_with_cookies(&path, &form, &cookies).await
            };
            let status = response.status.as_u16();
            *statuses.entry(status).or_default() += 1;
            let sent = format!("{} {path} with every field {label}", route.method);
            if status >= 500 {
                failures.push(format!("{sent}: {status}"));
            } else if status == 422 && !names_a_field(&response.body) {
                let said = said(&response.body);
                failures.push(format!("{sent}: 422 without naming a field: {said}"));
            }
        }
    }
    let cases: usize = statuses.values().sum();
    eprintln!(
        "{:?}: {cases} bad-value cases answered {statuses:?}",
        app.store.backend
    );
    assert!(
        cases >= 186,
        "the corpus is at least issue 9's 186 cases: {cases}"
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} bad values on {:?}:\n{}",
        failures.len(),
        app.store.backend,
        failures.join("\n")
    );
}
