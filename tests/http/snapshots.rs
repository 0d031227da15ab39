//! Snapshots of the pages whose markup is the contract: each fixture is built through the
//! app as a user would, each page is fetched over HTTP, and its title, breadcrumbs and
//! `<main>` are compared, redacted, with one snapshot in `snapshots/` shared by SQLite and
//! PostgreSQL. A change to the markup fails here until the snapshot is reviewed and updated:
//! `INSTA_UPDATE=always` rewrites it, and a second run with `INSTA_UPDATE=no` shows whether
//! the two databases agree (both write the same file, so the first run cannot tell).

use escapement_tests::{TestApp, TestResponse, both_backends};

use crate::seed::{self, defect_form, pairs, record, set};
use crate::story::Story;

both_backends!(TestApp:
    a_draft_review_with_one_escape_classified_matches_its_snapshot,
    a_closed_review_reads_as_a_record_matching_its_snapshot,
    the_facts_step_matches_its_snapshot,
    the_checklist_step_matches_its_snapshot,
    the_analysis_step_matches_its_snapshot,
    the_mechanism_step_with_suggestions_matches_its_snapshot,
    the_actions_step_matches_its_snapshot,
    a_stale_step_save_shows_both_versions_as_snapshotted,
    a_stale_defect_edit_shows_both_versions_as_snapshotted,
    a_refused_defect_form_keeps_its_snapshotted_error_summary,
    a_refused_checklist_keeps_its_snapshotted_errors,
    the_defect_page_of_a_reviewed_escape_matches_its_snapshot,
    the_defect_list_filtered_by_team_matches_its_snapshot,
    the_history_tab_of_a_closed_review_matches_its_snapshot,
    the_markdown_export_matches_its_snapshot,
);

impl Story {
    /// Fetches `path`, expects 200 and compares the page with snapshot `name`.
    async fn assert_get(&self, app: &TestApp, path: &str, name: &str) {
        let page = app.get(path).await;
        self.assert_page(&page, 200, &format!("GET {path}"), name);
    }

    /// Expects `status` and compares the page with snapshot `name`.
    fn assert_page(&self, page: &TestResponse, status: u16, request: &str, name: &str) {
        assert_eq!(page.status, status, "{request}: {}", page.body);
        assert_snapshot(
            name,
            &self.redactor.redact(request),
            &self.redactor.page(&page.body),
        );
    }
}

/// Compares `text` with `snapshots/{name}.snap`; `request` is noted in its header.
pub(crate) fn assert_snapshot(name: &str, request: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(request);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

async fn a_draft_review_with_one_escape_classified_matches_its_snapshot(app: TestApp) {
    let story = Story::draft(&app).await;
    let path = format!("/reviews/{}", story.review);
    story.assert_get(&app, &path, "review_draft").await;
}

async fn a_closed_review_reads_as_a_record_matching_its_snapshot(app: TestApp) {
    let story = Story::closed(&app).await;
    let path = format!("/reviews/{}", story.review);
    story.assert_get(&app, &path, "review_closed").await;
}

/// Step `step` of the walked-through escape, compared with snapshot `step_{step}`.
async fn assert_step(app: TestApp, step: &str) {
    let story = Story::draft(&app).await;
    let path = story.step(story.first, step);
    story.assert_get(&app, &path, &format!("step_{step}")).await;
}

async fn the_facts_step_matches_its_snapshot(app: TestApp) {
    assert_step(app, "facts").await;
}

async fn the_checklist_step_matches_its_snapshot(app: TestApp) {
    assert_step(app, "checklist").await;
}

async fn the_analysis_step_matches_its_snapshot(app: TestApp) {
    assert_step(app, "analysis").await;
}

async fn the_mechanism_step_with_suggestions_matches_its_snapshot(app: TestApp) {
    assert_step(app, "mechanism").await;
}

async fn the_actions_step_matches_its_snapshot(app: TestApp) {
    assert_step(app, "actions").await;
}

async fn a_stale_step_save_shows_both_versions_as_snapshotted(app: TestApp) {
    let story = Story::draft(&app).await;
    let form = app.get(&story.step(story.second, "mechanism")).await.body;
    let loaded_at = hidden(&form, "loaded_at");
    let path = format!(
        "/reviews/{}/escapes/{}/mechanism",
        story.review, story.second
    );
    let theirs = app
        .post_form(&path, &[("version", "1"), ("primary", "missed_review")])
        .await;
    assert_eq!(theirs.status, 303, "{}", theirs.body);
    let mine = app
        .post_form(
            &path,
            &[
                ("version", "1"),
                ("loaded_at", loaded_at.as_str()),
                ("primary", "environment_mismatch"),
                ("contributing", "no_test"),
            ],
        )
        .await;
    story.assert_page(&mine, 409, &format!("POST {path}"), "conflict_step");
}

async fn a_stale_defect_edit_shows_both_versions_as_snapshotted(app: TestApp) {
    let story = Story::draft(&app).await;
    let path = format!("/defects/{}", story.banner);
    let edit = app.get(&format!("{path}/edit")).await.body;
    let version = hidden(&edit, "version");
    let mut theirs = defect_form(&story.team, "Banner typo on the cart", "low", "production");
    set(&mut theirs, "detected_at", "2026-02-10T11:45");
    theirs.push(("version".to_owned(), version));
    let saved = app.post_form(&path, &pairs(&theirs)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let mut mine = theirs.clone();
    set(&mut mine, "title", "Banner typo in the footer");
    set(&mut mine, "severity", "medium");
    set(&mut mine, "description", "Seen on every page.");
    let conflict = app.post_form(&path, &pairs(&mine)).await;
    story.assert_page(&conflict, 409, &format!("POST {path}"), "conflict_defect");
}

async fn a_refused_defect_form_keeps_its_snapshotted_error_summary(app: TestApp) {
    let story = Story::draft(&app).await;
    let mut form = defect_form(&story.team, "Kept title", "high", "production");
    set(&mut form, "resolved_at", "2026-02-01T00:00");
    set(&mut form, "incident_link", "ftp://example.com/x");
    set(&mut form, "severity", "");
    let refused = app.post_form("/defects", &pairs(&form)).await;
    story.assert_page(&refused, 422, "POST /defects", "invalid_defect_form");
}

async fn a_refused_checklist_keeps_its_snapshotted_errors(app: TestApp) {
    let story = Story::draft(&app).await;
    let path = format!(
        "/reviews/{}/escapes/{}/checklist",
        story.review, story.second
    );
    let refused = app
        .post_form(
            &path,
            &[
                ("version", "1"),
                ("answer_unfamiliar_code", "yes"),
                ("answer_unclear_criteria", "maybe"),
                ("note_unclear_criteria", "Typed note stays"),
            ],
        )
        .await;
    story.assert_page(&refused, 422, &format!("POST {path}"), "invalid_checklist");
}

async fn the_defect_page_of_a_reviewed_escape_matches_its_snapshot(app: TestApp) {
    let story = Story::draft(&app).await;
    let path = format!("/defects/{}", story.coupon);
    story.assert_get(&app, &path, "defect_detail").await;
}

async fn the_defect_list_filtered_by_team_matches_its_snapshot(app: TestApp) {
    let mut story = Story::draft(&app).await;
    let platform = seed::team(&app, "Platform").await;
    story
        .redactor
        .name(platform.team, "team:platform")
        .name(platform.component, "component:platform")
        .name(platform.release, "release:platform");
    let mut caught = defect_form(&story.team, "Cart badge overlaps", "medium", "unit_test");
    set(&mut caught, "detected_at", "2026-02-09T08:15");
    set(&mut caught, "external_key", "CHK-7");
    let caught = record(&app, &caught).await;
    story.redactor.name(caught, "defect:caught");
    let elsewhere = record(
        &app,
        &defect_form(&platform, "Search timeout", "critical", "staging"),
    )
    .await;
    story.redactor.name(elsewhere, "defect:platform");
    let path = format!("/defects?team={}", story.team.team);
    story.assert_get(&app, &path, "defects_filtered").await;
}

async fn the_history_tab_of_a_closed_review_matches_its_snapshot(app: TestApp) {
    let story = Story::closed(&app).await;
    let path = format!("/reviews/{}/history", story.review);
    story.assert_get(&app, &path, "review_history").await;
}

async fn the_markdown_export_matches_its_snapshot(app: TestApp) {
    let story = Story::closed(&app).await;
    let path = format!("/reviews/{}/export.md", story.review);
    let md = app.get(&path).await;
    assert_eq!(md.status, 200, "{}", md.body);
    assert_snapshot(
        "review_export_md",
        &story.redactor.redact(&format!("GET {path}")),
        &story.redactor.redact(&md.body),
    );
}

/// The value of the hidden field `name` in a rendered form.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("the hidden field") + marker.len();
    let end = html[start..].find('"').expect("the end of the value");
    html[start..start + end].to_owned()
}
