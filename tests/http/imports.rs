//! CSV import through its pages: upload, preview, mapping changes saved under a name,
//! confirmation, the background import and its result, as a browser drives them. Bad files
//! are refused by name before anything is kept; a file with bad rows writes nothing unless
//! the valid rows are chosen, and the rows left out download with their problems; an editor
//! cannot add components through a file; other teams' imports are not found.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, header};
use escapement_core::auth::Role;
use escapement_storage::defects::DefectFilter;
use escapement_tests::{CSRF, TestApp, TestResponse, both_backends};

use crate::seed::{self, member};

both_backends!(TestApp:
    a_jira_export_imports_through_the_page_with_a_mapping_saved_for_next_time,
    files_that_are_not_csv_are_refused_by_name_and_nothing_is_kept,
    a_file_with_bad_rows_writes_nothing_unless_the_valid_rows_are_chosen,
    an_editor_cannot_add_components_through_a_file,
    another_teams_import_is_not_found_and_a_viewer_cannot_import,
    an_import_whose_server_stopped_says_it_wrote_nothing,
);

const BOUNDARY: &str = "----escapement-test-boundary";

/// A `multipart/form-data` body of these text fields and one file.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").bytes());
    body
}

async fn upload(
    app: &TestApp,
    cookies: &str,
    team: uuid::Uuid,
    source: &str,
    file: Option<(&str, &[u8])>,
) -> TestResponse {
    let team = team.to_string();
    // The harness swaps the CSRF placeholder for the session's token in bodies it reads as
    // text, which would mangle a file that is not UTF-8: the session's own token goes in.
    let token = cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == escapement_web::auth::SESSION_COOKIE)
        .map_or_else(
            || CSRF.to_owned(),
            |(_, secret)| escapement_web::csrf::session_token(secret),
        );
    let body = multipart(
        &[
            ("csrf_token", &token),
            ("team_id", &team),
            ("source", source),
        ],
        file,
    );
    let request = Request::post("/defects/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::COOKIE, cookies)
        .body(Body::from(body))
        .expect("a request");
    app.send(request).await
}

/// A Jira export of `n` issues: priorities, two components (one new), labels, dates in
/// Jira's format, descriptions with quoted newlines and commas.
fn jira_export(n: usize, odd_priority: bool) -> Vec<u8> {
    let mut text = String::from(
        "Summary,Issue key,Issue id,Issue Type,Priority,Created,Resolved,Component/s,Affects Version/s,Labels,Labels,Description\r\n",
    );
    for i in 0..n {
        let priority = if odd_priority && i == 7 {
            "Urgent"
        } else {
            ["Highest", "High", "Medium", "Low"][i % 4]
        };
        let component = if i % 2 == 0 { "Coupons" } else { "Ledger" };
        let label = if i % 3 == 0 { "found-in:staging" } else { "" };
        text.push_str(&format!(
            "\"Defect {i}, with a comma\",PAY-{i},{},Bug,{priority},{:02}/Mar/26 10:15 AM,,{component},,regression,{label},\"Line one\nline two\"\r\n",
            10_000 + i,
            1 + i % 28,
        ));
    }
    text.into_bytes()
}

async fn wait_until_done(app: &TestApp, cookies: &str, href: &str) -> TestResponse {
    for _ in 0..200 {
        let page = app.get_with_cookies(href, cookies).await;
        assert_eq!(page.status, 200, "{}", page.body);
        if !page.body.contains("Importing defects") {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the import did not end");
}

async fn team_defects(app: &TestApp, team: uuid::Uuid) -> u64 {
    let filter = DefectFilter {
        team_id: Some(team),
        ..DefectFilter::default()
    };
    escapement_storage::defects::list_defects(
        app.db(),
        &filter,
        &escapement_storage::settings::StageSettings::default(),
        escapement_core::Paging::new(1, 1),
    )
    .await
    .expect("list")
    .total
}

async fn a_jira_export_imports_through_the_page_with_a_mapping_saved_for_next_time(app: TestApp) {
    let a = seed::team(&app, "Payments").await;
    let cookies = app.cookies();
    let form = app.get_with_cookies("/defects/import", &cookies).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains(r#"enctype="multipart/form-data""#));
    assert!(form.body.contains("Jira CSV export"));
    let list = app.get_with_cookies("/defects", &cookies).await;
    assert!(
        list.body.contains(r#"href="/defects/import""#),
        "the list links to the import"
    );

    let file = jira_export(300, true);
    let sent = upload(
        &app,
        &cookies,
        a.team,
        "preset:jira",
        Some(("jira.csv", &file)),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let href = sent.location().to_owned();
    assert!(href.starts_with("/defects/import/"));
    assert_eq!(
        team_defects(&app, a.team).await,
        0,
        "an upload writes no defect"
    );

    let preview = app.get_with_cookies(&href, &cookies).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    for expected in [
        "Check the import",
        "<dt>Rows read</dt><dd>300</dd>",
        "<dt>New defects</dt><dd>299</dd>",
        "<dt>With errors</dt><dd>1</dd>",
        "New components: Ledger.",
        "<td>Line 16</td><td data-label=\"Column\">Priority</td>",
        "`Urgent` is not a severity",
        "Import only the valid rows",
        "Defect 0, with a comma",
    ] {
        assert!(
            preview.body.contains(expected),
            "{expected}: {}",
            preview.body
        );
    }

    // Teach the mapping what Urgent means and save it for the next export.
    let mapping = app
        .post_with_cookies(
            &format!("{href}/mapping"),
            &[
                ("col_0", "title"),
                ("col_1", "external_key"),
                ("col_4", "severity"),
                ("col_5", "discovered_at"),
                ("col_6", "resolved_at"),
                ("col_7", "component"),
                ("col_8", "release"),
                ("col_9", "labels"),
                ("col_10", "description"),
                (
                    "rules",
                    "severity: Highest -> critical\nseverity: Urgent -> critical\nlabel found-in:* -> discovery_stage",
                ),
                ("default_discovery_stage", "production"),
                ("default_defect_type", "functional"),
                ("default_detected_by", "customer"),
                ("key_prefix", ""),
                ("save_as", "Jira PAY"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(mapping.status, 303, "{}", mapping.body);
    let checked = app.get_with_cookies(&href, &cookies).await;
    assert!(
        checked.body.contains("<dt>With errors</dt><dd>0</dd>"),
        "{}",
        checked.body
    );
    assert!(checked.body.contains("Import 300 rows"), "{}", checked.body);

    let confirmed = app
        .post_with_cookies(&format!("{href}/confirm"), &[], &cookies)
        .await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    let done = wait_until_done(&app, &cookies, &href).await;
    assert!(done.body.contains("Import done"), "{}", done.body);
    assert!(done.body.contains("300 defects written"), "{}", done.body);
    assert_eq!(team_defects(&app, a.team).await, 300);
    // A second confirmation of the same upload imports nothing more.
    app.post_with_cookies(&format!("{href}/confirm"), &[], &cookies)
        .await;
    assert_eq!(team_defects(&app, a.team).await, 300);

    // Next time the saved mapping is offered, and the same file changes nothing.
    let form = app.get_with_cookies("/defects/import", &cookies).await;
    assert!(form.body.contains("Saved: Jira PAY"), "{}", form.body);
    let source = format!("saved:{}:Jira PAY", a.team);
    let again = upload(&app, &cookies, a.team, &source, Some(("jira.csv", &file))).await;
    assert_eq!(again.status, 303, "{}", again.body);
    let preview = app.get_with_cookies(again.location(), &cookies).await;
    assert!(
        preview.body.contains("<dt>Unchanged</dt><dd>300</dd>"),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("<dt>New defects</dt><dd>0</dd>"),
        "{}",
        preview.body
    );
    assert!(
        escapement_storage::rollup::verify(app.db())
            .await
            .expect("verify")
            .is_empty(),
        "the dashboard's roll-up follows the import"
    );
}

async fn files_that_are_not_csv_are_refused_by_name_and_nothing_is_kept(app: TestApp) {
    let a = seed::team(&app, "Payments").await;
    let cookies = app.cookies();
    let none = upload(&app, &cookies, a.team, "preset:generic", None).await;
    assert_eq!(none.status, 422, "{}", none.body);
    assert!(none.body.contains("Choose the CSV file to import"));
    let binary = upload(
        &app,
        &cookies,
        a.team,
        "preset:generic",
        Some(("x.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")),
    )
    .await;
    assert_eq!(binary.status, 422, "{}", binary.body);
    assert!(binary.body.contains("looks binary"), "{}", binary.body);
    let latin1 = upload(
        &app,
        &cookies,
        a.team,
        "preset:generic",
        Some(("x.csv", b"title\nCaf\xe9\n")),
    )
    .await;
    assert_eq!(latin1.status, 422, "{}", latin1.body);
    assert!(latin1.body.contains("not UTF-8"), "{}", latin1.body);
    let empty = upload(
        &app,
        &cookies,
        a.team,
        "preset:generic",
        Some(("x.csv", b"")),
    )
    .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    let team = upload(
        &app,
        &cookies,
        uuid::Uuid::nil(),
        "preset:generic",
        Some(("x.csv", b"title\nA\n")),
    )
    .await;
    assert_eq!(team.status, 404, "an unknown team: {}", team.body);
    let source = upload(
        &app,
        &cookies,
        a.team,
        "preset:nonsense",
        Some(("x.csv", b"title\nA\n")),
    )
    .await;
    assert_eq!(source.status, 422);
    assert!(source.body.contains("Choose what kind of file this is"));
    let listed = escapement_storage::imports::list_uploads(app.db(), a.team, 10)
        .await
        .expect("list");
    assert!(listed.is_empty(), "nothing is kept of a refused upload");

    // A file with no usable column says which columns it found.
    let prose = upload(
        &app,
        &cookies,
        a.team,
        "preset:generic",
        Some(("notes.csv", b"Meeting notes\nWe talked.\n")),
    )
    .await;
    assert_eq!(prose.status, 303);
    let page = app.get_with_cookies(prose.location(), &cookies).await;
    assert!(
        page.body.contains("The mapping cannot read this file yet"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("the file&#x27;s columns are: Meeting notes"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("/confirm"), "no import is offered");
}

const GENERIC: &str = "title,severity,discovery_stage,origin,defect_type,detected_by,component,release,discovered_at,introduced_at,resolved_at,external_key,description\n";

async fn a_file_with_bad_rows_writes_nothing_unless_the_valid_rows_are_chosen(app: TestApp) {
    let a = seed::team(&app, "Payments").await;
    let cookies = app.cookies();
    let text = format!(
        "{GENERIC}Good one,high,production,code,functional,customer,Coupons,,2026-03-01,,,G-1,\n<script>alert(1)</script>,enormous,production,,functional,customer,,,2026-03-02,,,G-2,\nGood two,low,staging,,data,monitoring,,,2026-03-03,,,G-3,\n"
    );
    let sent = upload(
        &app,
        &cookies,
        a.team,
        "preset:generic",
        Some(("bad.csv", text.as_bytes())),
    )
    .await;
    let href = sent.location().to_owned();
    let preview = app.get_with_cookies(&href, &cookies).await;
    assert!(
        preview.body.contains("`enormous` is not a severity"),
        "{}",
        preview.body
    );
    assert!(
        !preview.body.contains("<script>alert(1)</script>"),
        "file text is escaped"
    );
    let skipped = app
        .get_with_cookies(&format!("{href}/skipped.csv"), &cookies)
        .await;
    assert_eq!(skipped.status, 200);
    assert!(
        skipped.body.starts_with("title,severity,"),
        "{}",
        skipped.body
    );
    assert!(skipped.body.contains("enormous"), "{}", skipped.body);
    assert!(!skipped.body.contains("Good one"));

    // Confirmed as a whole, the file writes nothing.
    app.post_with_cookies(&format!("{href}/confirm"), &[], &cookies)
        .await;
    let failed = wait_until_done(&app, &cookies, &href).await;
    assert!(
        failed.body.contains("Import wrote nothing"),
        "{}",
        failed.body
    );
    assert_eq!(team_defects(&app, a.team).await, 0);

    // Uploaded again and confirmed for its valid rows, it writes those two.
    let sent = upload(
        &app,
        &cookies,
        a.team,
        "preset:generic",
        Some(("bad.csv", text.as_bytes())),
    )
    .await;
    let href = sent.location().to_owned();
    app.post_with_cookies(
        &format!("{href}/confirm"),
        &[("only_valid", "on")],
        &cookies,
    )
    .await;
    let done = wait_until_done(&app, &cookies, &href).await;
    assert!(done.body.contains("Import done"), "{}", done.body);
    assert!(
        done.body.contains("<dt>With errors</dt><dd>1</dd>"),
        "{}",
        done.body
    );
    assert_eq!(team_defects(&app, a.team).await, 2);
    let skipped = app
        .get_with_cookies(&format!("{href}/skipped.csv"), &cookies)
        .await;
    assert!(skipped.body.contains("enormous"));

    // A bad rule is named and the rest of the editor keeps what was typed.
    let sent = upload(
        &app,
        &cookies,
        a.team,
        "preset:generic",
        Some(("bad.csv", text.as_bytes())),
    )
    .await;
    let href = sent.location().to_owned();
    let refused = app
        .post_with_cookies(
            &format!("{href}/mapping"),
            &[
                ("col_0", "title"),
                ("rules", "severity: enormous -> gigantic"),
                ("save_as", "Kept name"),
            ],
            &cookies,
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Line 1: `gigantic` is not a severity"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(r#"value="Kept name""#));
}

async fn an_editor_cannot_add_components_through_a_file(app: TestApp) {
    let a = seed::team(&app, "Payments").await;
    let (_, editor) = member(&app, "editor@example.com", &[(a.team, Role::Editor)]).await;
    let text = format!(
        "{GENERIC}Known component,high,production,,functional,customer,Coupons,,2026-03-01,,,E-1,\nNew component,high,production,,functional,customer,Ledger,,2026-03-01,,,E-2,\n"
    );
    let sent = upload(
        &app,
        &editor,
        a.team,
        "preset:generic",
        Some(("e.csv", text.as_bytes())),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let preview = app.get_with_cookies(sent.location(), &editor).await;
    assert!(
        preview
            .body
            .contains("The team has no component named `Ledger`"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("<dt>New defects</dt><dd>1</dd>"));
}

async fn another_teams_import_is_not_found_and_a_viewer_cannot_import(app: TestApp) {
    let a = seed::team(&app, "Payments").await;
    let b = seed::team(&app, "Platform").await;
    let (_, stranger) = member(&app, "b.lead@example.com", &[(b.team, Role::TeamAdmin)]).await;
    let (_, viewer) = member(&app, "viewer@example.com", &[(a.team, Role::Viewer)]).await;
    let text = format!("{GENERIC}One,high,production,,functional,customer,,,2026-03-01,,,S-1,\n");
    let sent = upload(
        &app,
        &app.cookies(),
        a.team,
        "preset:generic",
        Some(("s.csv", text.as_bytes())),
    )
    .await;
    let href = sent.location().to_owned();
    for path in [href.clone(), format!("{href}/skipped.csv")] {
        assert_eq!(
            app.get_with_cookies(&path, &stranger).await.status,
            404,
            "{path}"
        );
        assert_eq!(
            app.get_with_cookies(&path, &viewer).await.status,
            403,
            "{path}"
        );
    }
    let confirm = app
        .post_with_cookies(&format!("{href}/confirm"), &[], &stranger)
        .await;
    assert_eq!(confirm.status, 404);
    let into_a = upload(
        &app,
        &stranger,
        a.team,
        "preset:generic",
        Some(("s.csv", text.as_bytes())),
    )
    .await;
    assert_eq!(into_a.status, 404, "{}", into_a.body);
    let by_viewer = upload(
        &app,
        &viewer,
        a.team,
        "preset:generic",
        Some(("s.csv", text.as_bytes())),
    )
    .await;
    assert_eq!(by_viewer.status, 403, "{}", by_viewer.body);
    assert_eq!(team_defects(&app, a.team).await, 0);
    let page = app.get_with_cookies("/defects/import", &viewer).await;
    assert_eq!(page.status, 403, "a read-only member is told why");
}

async fn an_import_whose_server_stopped_says_it_wrote_nothing(app: TestApp) {
    let a = seed::team(&app, "Payments").await;
    let cookies = app.cookies();
    let text = format!("{GENERIC}One,high,production,,functional,customer,,,2026-03-01,,,S-1,\n");
    let sent = upload(
        &app,
        &cookies,
        a.team,
        "preset:generic",
        Some(("s.csv", text.as_bytes())),
    )
    .await;
    let id = uuid::Uuid::parse_str(sent.location().trim_start_matches("/defects/import/"))
        .expect("the upload's id");
    // Taken for its import two hours ago by a server that is gone.
    let then = chrono::Utc::now() - chrono::Duration::hours(2);
    assert!(
        escapement_storage::imports::start_upload(app.db(), id, then)
            .await
            .expect("taken")
    );
    let page = app.get_with_cookies(sent.location(), &cookies).await;
    assert!(
        page.body.contains("The import was interrupted"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(r#"http-equiv="refresh""#),
        "no endless refresh"
    );
    // One taken a moment ago on another server is shown as running there.
    let sent = upload(
        &app,
        &cookies,
        a.team,
        "preset:generic",
        Some(("s.csv", text.as_bytes())),
    )
    .await;
    let id = uuid::Uuid::parse_str(sent.location().trim_start_matches("/defects/import/"))
        .expect("the upload's id");
    escapement_storage::imports::start_upload(app.db(), id, chrono::Utc::now())
        .await
        .expect("taken");
    let page = app.get_with_cookies(sent.location(), &cookies).await;
    assert!(
        page.body.contains("Another server is running this import"),
        "{}",
        page.body
    );
}
