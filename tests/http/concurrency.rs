//! Concurrent form posts through the application: saves of different reviews and defects
//! all succeed side by side, two saves of one step at the same version give one save and one
//! conflict page, and no request ends in a server error.

use std::sync::Arc;

use escapement_tests::{TestApp, both_backends};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::reviews::{escape, escape_ids, open_review};
use crate::seed::{self, defect_form, pairs, record, set};

both_backends!(TestApp:
    concurrent_form_posts_of_different_records_all_succeed_without_a_server_error,
);

/// Posts of each kind sent at once.
const POSTS: usize = 24;

/// One form post: what it saves, where to, and its fields.
struct Post {
    kind: &'static str,
    path: String,
    form: Vec<(String, String)>,
}

impl Post {
    fn new(kind: &'static str, path: String, fields: &[(&str, &str)]) -> Post {
        let form = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Post { kind, path, form }
    }
}

async fn concurrent_form_posts_of_different_records_all_succeed_without_a_server_error(
    app: TestApp,
) {
    let team = seed::team(&app, "Checkout").await;
    let mut steps = Vec::new();
    for i in 0..=POSTS {
        let d = escape(&app, &team, &format!("Escape {i}"), "high").await;
        let review = open_review(&app, &team, &format!("Review {i}"), &[d]).await;
        let [e] = escape_ids(&app, review).await[..] else {
            panic!("one escape")
        };
        steps.push(format!("/reviews/{review}/escapes/{e}"));
    }
    let raced = steps.pop().expect("the raced step");
    let mut edits = Vec::new();
    for i in 0..POSTS {
        let form = defect_form(&team, &format!("Defect {i}"), "medium", "system_test");
        let id = record(&app, &form).await;
        let mut changed = form.clone();
        set(&mut changed, "title", &format!("Edited {i}"));
        changed.push(("version".to_owned(), "1".to_owned()));
        edits.push(Post {
            kind: "defect edit",
            path: format!("/defects/{id}"),
            form: changed,
        });
    }

    let app = Arc::new(app);
    let start = Arc::new(Barrier::new(2 * POSTS + 2));
    let mut tasks = JoinSet::new();
    let mut posts: Vec<Post> = steps
        .iter()
        .map(|base| Post::new("facts", format!("{base}/facts"), &[("version", "1")]))
        .collect();
    posts.extend(edits);
    for primary in ["no_test", "missed_review"] {
        let fields = [("version", "1"), ("primary", primary)];
        posts.push(Post::new("race", format!("{raced}/mechanism"), &fields));
    }
    for post in posts {
        let (app, start) = (Arc::clone(&app), Arc::clone(&start));
        tasks.spawn(async move {
            start.wait().await;
            let response = app.post_form(&post.path, &pairs(&post.form)).await;
            (post.kind, response.status.as_u16(), response.body)
        });
    }
    let mut answers = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        answers.push(joined.expect("a request runs to its end"));
    }

    let failed: Vec<String> = answers
        .iter()
        .filter(|(_, status, _)| *status >= 500)
        .map(|(kind, status, _)| format!("{kind}: {status}"))
        .collect();
    eprintln!(
        "{:?}: {} of {} concurrent posts got a server error",
        app.store.backend,
        failed.len(),
        answers.len()
    );
    assert!(failed.is_empty(), "server errors: {failed:?}");
    for (kind, status, body) in &answers {
        if *kind != "race" {
            assert_eq!(*status, 303, "{kind}: {body}");
        }
    }
    let mut race: Vec<u16> = answers
        .iter()
        .filter(|(kind, _, _)| *kind == "race")
        .map(|(_, status, _)| *status)
        .collect();
    race.sort_unstable();
    assert_eq!(race, [303, 409], "one save and one conflict page");
}
