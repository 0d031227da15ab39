//! What people read on the history tab and on conflict pages is words: stage and mechanism
//! labels, dates as the pages write them, flags as what they mean; never a stored key or an
//! ISO timestamp. The history lists one entry per save, filtered by escape and by kind.

use escapement_core::{Mechanism, Paging};
use escapement_storage::reviews::list_history;
use escapement_tests::{TestApp, both_backends};
use regex::Regex;
use uuid::Uuid;

use crate::reviews::{escape, escape_ids, open_review, walk_to_mechanism};
use crate::seed::{self, DEFAULT_KEYS, defect_form, pairs, record, set};

both_backends!(TestApp:
    the_history_tab_lists_saves_in_words_with_filters,
    conflict_pages_show_labels_and_dates_not_keys,
);

/// The text a person reads on `html`: the markup, and so its attribute values, left out.
fn text_of(html: &str) -> String {
    let tags = Regex::new(r"(?s)<[^>]*>").expect("a valid pattern");
    let text = tags
        .replace_all(html, " ")
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Says which stored key or ISO date the text of `html` shows, if any.
fn assert_words_only(html: &str, what: &str) {
    let text = text_of(html);
    let keys = DEFAULT_KEYS
        .iter()
        .copied()
        .chain(Mechanism::ALL.iter().map(|m| m.key()))
        .filter(|k| k.contains('_'));
    for key in keys {
        assert!(!text.contains(key), "{what} shows the key {key}:\n{text}");
    }
    let iso = Regex::new(r"\d{4}-\d{2}-\d{2}").expect("a valid pattern");
    assert!(
        iso.find(&text).is_none(),
        "{what} shows an ISO date {:?}:\n{text}",
        iso.find(&text).map(|m| m.as_str())
    );
}

/// Walks one escape to its actions: facts, checklist, analysis, mechanism and one action.
async fn reviewed(app: &TestApp) -> (Uuid, Uuid) {
    let team = seed::team(app, "Checkout").await;
    let coupon = escape(app, &team, "Coupon total wrong", "high").await;
    let review = open_review(app, &team, "Outage", &[coupon]).await;
    let [e] = escape_ids(app, review).await[..] else {
        panic!("one escape")
    };
    walk_to_mechanism(app, review, e).await;
    let base = format!("/reviews/{review}/escapes/{e}");
    let classified = app
        .post_form(
            &format!("{base}/mechanism"),
            &[
                ("version", "4"),
                ("primary", "no_test"),
                ("contributing", "missed_review"),
            ],
        )
        .await;
    assert_eq!(classified.status, 303, "{}", classified.body);
    let team_id = team.team.to_string();
    let action = app
        .post_form(
            &format!("{base}/actions"),
            &[
                ("title", "Add coupon contract tests"),
                ("mechanism", "no_test"),
                ("component_id", ""),
                ("target_layer", "integration_test"),
                ("effort", "m"),
                ("owner_team_id", team_id.as_str()),
                ("due_date", "2026-12-15"),
                ("status", "accepted"),
            ],
        )
        .await;
    assert_eq!(action.status, 303, "{}", action.body);
    (review, e)
}

async fn the_history_tab_lists_saves_in_words_with_filters(app: TestApp) {
    let (review, e) = reviewed(&app).await;
    let history = app.get(&format!("/reviews/{review}/history")).await;
    assert_eq!(history.status, 200);
    assert_words_only(&history.body, "the history tab");
    let text = text_of(&history.body);
    for words in [
        "Integration / API test",
        "No test existed",
        "Human review missed it",
        "15 Dec 2026",
        "Facts confirmed : not confirmed",
    ] {
        assert!(text.contains(words), "{words} missing from:\n{text}");
    }

    // One entry per save: the checklist's six answers and a note are one entry.
    let (rows, _) = list_history(app.db(), review, Paging::new(1, 500))
        .await
        .expect("the history rows");
    let entries = history.body.matches("class=\"history-head\"").count();
    assert!(
        entries > 0 && entries < rows.len(),
        "{entries} entries for {} rows",
        rows.len()
    );

    // By kind: only the action's save.
    let actions = app
        .get(&format!("/reviews/{review}/history?kind=action"))
        .await;
    assert_eq!(actions.body.matches("class=\"history-head\"").count(), 1);
    assert!(actions.body.contains("Add coupon contract tests"));
    assert!(actions.body.contains("1 recorded save match these filters"));

    // By escape: its steps and its actions, not the review's own details.
    let escape = app
        .get(&format!("/reviews/{review}/history?escape={e}"))
        .await;
    assert!(escape.body.contains("Add coupon contract tests"));
    assert!(escape.body.contains("Was there automated coverage"));
    assert!(
        !escape.body.contains("<strong>Review</strong>"),
        "{}",
        escape.body
    );
}

async fn conflict_pages_show_labels_and_dates_not_keys(app: TestApp) {
    // A step: two people confirm different mechanisms.
    let (review, e) = reviewed(&app).await;
    let base = format!("/reviews/{review}/escapes/{e}");
    let loaded_at = (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339();
    let theirs = app
        .post_form(
            &format!("{base}/mechanism"),
            &[("version", "5"), ("primary", "environment_mismatch")],
        )
        .await;
    assert_eq!(theirs.status, 303, "{}", theirs.body);
    let mine = app
        .post_form(
            &format!("{base}/mechanism"),
            &[
                ("version", "5"),
                ("loaded_at", loaded_at.as_str()),
                ("primary", "ineffective_test"),
                ("contributing", "unrepresentative_data"),
            ],
        )
        .await;
    assert_eq!(mine.status, 409, "{}", mine.body);
    assert_words_only(&mine.body, "the step's conflict page");

    // A defect: two people move its stages and dates.
    let team = seed::team(&app, "Payments").await;
    let form = defect_form(&team, "Shared defect", "medium", "system_test");
    let id = record(&app, &form).await;
    let mut first = form.clone();
    set(&mut first, "discovery_stage", "integration_test");
    set(&mut first, "detected_at", "2026-02-12T08:00");
    first.push(("version".to_owned(), "1".to_owned()));
    let saved = app
        .post_form(&format!("/defects/{id}"), &pairs(&first))
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let mut second = form.clone();
    set(&mut second, "discovery_stage", "unit_test");
    set(&mut second, "expected_catch_stage", "code_review");
    set(&mut second, "detected_at", "2026-02-11T08:00");
    second.push(("version".to_owned(), "1".to_owned()));
    let conflict = app
        .post_form(&format!("/defects/{id}"), &pairs(&second))
        .await;
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    assert_words_only(&conflict.body, "the defect's conflict page");
    let text = text_of(&conflict.body);
    for words in [
        "Integration / API test",
        "12 Feb 2026, 08:00 UTC",
        "Code review",
    ] {
        assert!(text.contains(words), "{words} missing from:\n{text}");
    }
}
