//! Turns a rendered page into stable snapshot text: the part of the page that is the
//! contract (title, breadcrumbs, `<main>`), with ids, the CSRF token and every time taken
//! while the test ran replaced by named placeholders, the same on every run and database.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};
use escapement_tests::CSRF;
use regex::{Captures, Regex};
use uuid::Uuid;

static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").expect("a regex")
});

/// `2026-12-01`, `2026-12-01T23:30` (a `datetime-local` value) or a full RFC 3339 time.
static ISO_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?\b")
        .expect("a regex")
});

/// `1 Dec 2026`, `1 Dec 2026, 23:30 UTC` (pages) or `1 Dec 2026 23:30 UTC` (Markdown).
static SHOWN_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2} [A-Z][a-z]{2} \d{4})(?:,? (\d{2}:\d{2}) UTC)?").expect("a regex")
});

/// Replaces what differs between runs by placeholders: known ids by their names, any other
/// id by `[uuid]`, times inside the test's run by `[now]` and its dates by `[today]`.
/// Times outside the run (the fixture's own dates) are kept: they are part of the page.
pub struct Redactor {
    names: Vec<(String, String)>,
    since: DateTime<Utc>,
}

impl Redactor {
    /// A redactor for a test that started at `since`.
    pub fn new(since: DateTime<Utc>) -> Redactor {
        Redactor {
            names: Vec::new(),
            since,
        }
    }

    /// Shows `id` as `[name]`.
    pub fn name(&mut self, id: Uuid, name: &str) -> &mut Redactor {
        self.names.push((id.to_string(), format!("[{name}]")));
        self
    }

    /// `text` with every varying value replaced.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.replace(CSRF, "[csrf]");
        for (id, name) in &self.names {
            out = out.replace(id, name);
        }
        let out = UUID.replace_all(&out, "[uuid]");
        let (since, until) = (self.since, Utc::now());
        let during = |at: DateTime<Utc>| {
            // Pages show minutes: a time shown is at most one minute before the exact one.
            let floor = since.with_second(0).and_then(|t| t.with_nanosecond(0));
            floor.is_some_and(|floor| floor <= at) && at <= until
        };
        let on_a_run_day = |day: NaiveDate| since.date_naive() <= day && day <= until.date_naive();
        let out = ISO_TIME.replace_all(&out, |c: &Captures| {
            let text = &c[0];
            let now = if let Ok(at) = DateTime::parse_from_rfc3339(text) {
                during(at.with_timezone(&Utc))
            } else if let Ok(at) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M") {
                during(at.and_utc())
            } else if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                return if on_a_run_day(day) {
                    "[today]".to_owned()
                } else {
                    text.to_owned()
                };
            } else {
                false
            };
            if now {
                "[now]".to_owned()
            } else {
                text.to_owned()
            }
        });
        let out = SHOWN_TIME.replace_all(&out, |c: &Captures| {
            let Ok(day) = NaiveDate::parse_from_str(&c[1], "%-d %b %Y") else {
                return c[0].to_owned();
            };
            match c.get(2) {
                Some(time) => {
                    let at = NaiveDateTime::parse_from_str(
                        &format!("{} {}", &c[1], time.as_str()),
                        "%-d %b %Y %H:%M",
                    );
                    match at {
                        Ok(at) if during(at.and_utc()) => "[now]".to_owned(),
                        _ => c[0].to_owned(),
                    }
                }
                _ if on_a_run_day(day) => "[today]".to_owned(),
                _ => c[0].to_owned(),
            }
        });
        out.into_owned()
    }

    /// The contract part of an HTML page, redacted: its `<title>`, its breadcrumb trail and
    /// its `<main>` element, with the layout's whitespace (indentation, blank lines) dropped,
    /// so moving markup between templates changes nothing while any change to it shows.
    pub fn page(&self, html: &str) -> String {
        let title = between(html, "<title>", "</title>");
        let crumbs = between(html, "<nav class=\"breadcrumbs\"", "</nav>");
        let main = between(html, "<main", "</main>");
        assert!(!main.is_empty(), "the page has a <main> element:\n{html}");
        let kept = [title, crumbs, main].join("\n");
        let lines: Vec<&str> = kept
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        self.redact(&lines.join("\n"))
    }
}

/// The first `start … end` span of `html` (both included), or nothing.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let Some(from) = html.find(start) else {
        return "";
    };
    match html[from..].find(end) {
        Some(to) => &html[from..from + to + end.len()],
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::Redactor;
    use chrono::{Duration, Utc};
    use uuid::Uuid;

    #[test]
    fn times_of_the_run_are_replaced_and_fixture_times_kept() {
        let now = Utc::now();
        let redactor = Redactor::new(now - Duration::seconds(5));
        let text = format!(
            "{} | {} | {} | {} | 10 Feb 2026, 10:30 UTC | 2026-02-10T10:30 | 2026-02-11",
            now.to_rfc3339(),
            now.format("%Y-%m-%dT%H:%M"),
            now.format("%-d %b %Y, %H:%M UTC"),
            now.format("%-d %b %Y"),
        );
        assert_eq!(
            redactor.redact(&text),
            "[now] | [now] | [now] | [today] | 10 Feb 2026, 10:30 UTC | 2026-02-10T10:30 | 2026-02-11"
        );
    }

    #[test]
    fn known_ids_get_their_names_and_others_a_placeholder() {
        let (named, other) = (Uuid::now_v7(), Uuid::now_v7());
        let mut redactor = Redactor::new(Utc::now());
        redactor.name(named, "review");
        assert_eq!(
            redactor.redact(&format!("/reviews/{named}/escapes/{other}")),
            "/reviews/[review]/escapes/[uuid]"
        );
    }
}
