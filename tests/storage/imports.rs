//! CSV imports against the database: what a preview finds writes nothing; a confirmed file
//! lands whole, with its new components and releases and its roll-up counts; a second
//! import of the same file changes nothing; a changed file updates by external key and
//! keeps what the team recorded since; a file with a bad row writes nothing unless only the
//! valid rows are wanted.

use chrono::{TimeZone, Utc};
use escapement_core::import::{Field, Mapping, Preset};
use escapement_core::{Paging, Pipeline, StageKey};
use escapement_storage::catalog::{list_components, list_releases};
use escapement_storage::defects::{DefectFilter, get_defect, list_defects, update_defect};
use escapement_storage::imports::{
    ImportOptions, ImportReport, delete_mapping, get_mapping, import_defects, list_mappings,
    save_mapping,
};
use escapement_storage::rollup::verify;
use escapement_storage::settings::StageSettings;
use escapement_tests::{TestDb, both_backends};
use uuid::Uuid;

use crate::team;

both_backends!(TestDb:
    a_preview_writes_nothing_and_an_import_lands_whole,
    a_second_import_changes_nothing_and_a_changed_file_updates_by_key,
    a_bad_row_stops_the_file_unless_only_valid_rows_are_wanted,
    mappings_are_saved_per_team_under_a_name,
    a_file_of_many_batches_imports_with_its_counts,
    any_text_reads_back_exactly_as_the_file_gave_it,
);

const HEADER: &str = "title,severity,discovery_stage,origin,defect_type,detected_by,component,release,discovered_at,introduced_at,resolved_at,external_key,description";

fn file(rows: &[&str]) -> Vec<u8> {
    let mut text = HEADER.to_owned();
    for r in rows {
        text.push('\n');
        text.push_str(r);
    }
    text.push('\n');
    text.into_bytes()
}

fn generic() -> Mapping {
    Preset::Generic.mapping(&Pipeline::default())
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0)
        .single()
        .expect("a date")
}

async fn run(
    store: &TestDb,
    team_id: Uuid,
    bytes: &[u8],
    write: bool,
    only_valid: bool,
) -> ImportReport {
    import_defects(
        &store.db,
        team_id,
        bytes,
        &generic(),
        ImportOptions {
            write,
            only_valid,
            existing_catalog_only: false,
        },
        now(),
        |_, _, _| {},
    )
    .await
    .expect("the import runs")
}

async fn defects_of(store: &TestDb, team_id: Uuid) -> Vec<escapement_storage::defects::DefectRow> {
    let filter = DefectFilter {
        team_id: Some(team_id),
        ..DefectFilter::default()
    };
    list_defects(
        &store.db,
        &filter,
        &StageSettings::default(),
        Paging::new(1, 100),
    )
    .await
    .expect("list")
    .rows
}

const ROWS: [&str; 3] = [
    "Coupon applied twice,high,production,code,functional,customer,Checkout,2026.3,2026-03-15,,2026-03-16,CHK-1,First",
    "Refund missing,critical,staging,,functional,support,Payments,2026.3,2026-03-02,,,CHK-2,",
    "Slow search,medium,production,,performance,monitoring,checkout,,2026-04-01 10:00,,,CHK-3,\"Two\nlines\"",
];

async fn a_preview_writes_nothing_and_an_import_lands_whole(store: TestDb) {
    let team_id = team(&store, "Checkout").await;
    let bytes = file(&ROWS);
    let preview = run(&store, team_id, &bytes, false, false).await;
    assert_eq!((preview.rows, preview.valid, preview.created), (3, 3, 3));
    assert!(!preview.written);
    assert_eq!(preview.new_components, vec!["Checkout", "Payments"]);
    assert_eq!(preview.new_releases, vec!["2026.3"]);
    assert_eq!(preview.sample.len(), 3);
    assert!(
        defects_of(&store, team_id).await.is_empty(),
        "a preview writes nothing"
    );
    assert!(
        list_components(&store.db, Some(team_id))
            .await
            .expect("list")
            .is_empty()
    );

    let done = run(&store, team_id, &bytes, true, false).await;
    assert!(done.written);
    assert_eq!((done.created, done.updated, done.error_rows), (3, 0, 0));
    let rows = defects_of(&store, team_id).await;
    assert_eq!(rows.len(), 3);
    let components = list_components(&store.db, Some(team_id))
        .await
        .expect("list");
    assert_eq!(components.len(), 2, "`checkout` is the Checkout component");
    let releases = list_releases(&store.db, Some(team_id)).await.expect("list");
    assert_eq!(releases.len(), 1);
    assert_eq!(
        releases[0].released_on,
        chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("a day"),
        "a new release is dated by its earliest defect"
    );
    assert!(
        verify(&store.db).await.expect("verify").is_empty(),
        "roll-up follows the import"
    );
}

async fn a_second_import_changes_nothing_and_a_changed_file_updates_by_key(store: TestDb) {
    let team_id = team(&store, "Checkout").await;
    run(&store, team_id, &file(&ROWS), true, false).await;
    let again = run(&store, team_id, &file(&ROWS), true, false).await;
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(defects_of(&store, team_id).await.len(), 3, "no duplicates");

    // The team sets the expected catch stage in Escapement; the tracker renames a defect.
    let first = defects_of(&store, team_id)
        .await
        .into_iter()
        .find(|r| r.title == "Coupon applied twice")
        .expect("imported");
    let stored = get_defect(&store.db, first.id).await.expect("stored");
    let mut edited = stored.data.clone();
    edited.expected_catch_stage = Some(StageKey::parse("unit_test").expect("a stage"));
    update_defect(&store.db, stored.id, stored.version, &edited, now())
        .await
        .expect("edited");
    let renamed = ROWS[0].replace("Coupon applied twice", "Coupon applied two times");
    let changed = run(
        &store,
        team_id,
        &file(&[&renamed, ROWS[1], ROWS[2]]),
        true,
        false,
    )
    .await;
    assert_eq!(
        (changed.created, changed.updated, changed.unchanged),
        (0, 1, 2)
    );
    let after = get_defect(&store.db, first.id).await.expect("stored");
    assert_eq!(after.data.title, "Coupon applied two times");
    assert_eq!(
        after
            .data
            .expected_catch_stage
            .as_ref()
            .map(StageKey::as_str),
        Some("unit_test"),
        "a field the file has no column for keeps what the team recorded"
    );
    assert_eq!(after.version, stored.version + 2);
    assert!(verify(&store.db).await.expect("verify").is_empty());
}

async fn a_bad_row_stops_the_file_unless_only_valid_rows_are_wanted(store: TestDb) {
    let team_id = team(&store, "Checkout").await;
    let bad = "No severity,,production,,functional,customer,,,2026-03-15,,,CHK-9,";
    let repeated = ROWS[1].replace("Refund missing", "Refund missing again");
    let bytes = file(&[ROWS[0], bad, ROWS[1], &repeated]);
    let refused = run(&store, team_id, &bytes, true, false).await;
    assert!(!refused.written);
    assert_eq!(refused.error_rows, 2);
    assert_eq!(refused.error_lines, vec![3, 5]);
    let severity = &refused.errors[0];
    assert_eq!((severity.line, severity.field), (3, Field::Severity));
    assert_eq!(severity.column, "severity");
    let repeat = &refused.errors[1];
    assert_eq!(repeat.field, Field::ExternalKey);
    assert!(repeat.message.contains("line 4"), "{}", repeat.message);
    assert!(
        defects_of(&store, team_id).await.is_empty(),
        "nothing is half-written"
    );
    assert!(
        list_components(&store.db, Some(team_id))
            .await
            .expect("list")
            .is_empty()
    );

    let partial = run(&store, team_id, &bytes, true, true).await;
    assert!(partial.written);
    assert_eq!((partial.created, partial.error_rows), (2, 2));
    assert_eq!(defects_of(&store, team_id).await.len(), 2);
    assert!(verify(&store.db).await.expect("verify").is_empty());
}

async fn mappings_are_saved_per_team_under_a_name(store: TestDb) {
    let one = team(&store, "One").await;
    let two = team(&store, "Two").await;
    let mut jira = Preset::Jira.mapping(&Pipeline::default());
    save_mapping(&store.db, one, "Jira PAY", &jira, now())
        .await
        .expect("saved");
    jira.key_prefix = "PAY/".to_owned();
    save_mapping(&store.db, one, " Jira PAY ", &jira, now())
        .await
        .expect("replaced");
    let listed = list_mappings(&store.db, one).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].mapping.key_prefix, "PAY/");
    assert!(
        list_mappings(&store.db, two)
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        get_mapping(&store.db, two, "Jira PAY").await.is_err(),
        "another team's mapping is not found"
    );
    let blank = save_mapping(&store.db, one, "  ", &jira, now()).await;
    assert!(matches!(
        blank,
        Err(escapement_storage::StorageError::Invalid(_))
    ));
    delete_mapping(&store.db, one, "Jira PAY")
        .await
        .expect("deleted");
    assert!(
        list_mappings(&store.db, one)
            .await
            .expect("list")
            .is_empty()
    );
}

async fn a_file_of_many_batches_imports_with_its_counts(store: TestDb) {
    let team_id = team(&store, "Bulk").await;
    let rows: Vec<String> = (0..2_345)
        .map(|i| {
            format!(
                "Defect {i},{},production,,functional,customer,Area {},R{},2026-0{}-1{},,,BULK-{i},",
                ["critical", "high", "medium", "low"][i % 4],
                i % 7,
                i % 5,
                1 + i % 9,
                i % 10
            )
        })
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let mut seen = Vec::new();
    let report = import_defects(
        &store.db,
        team_id,
        &file(&refs),
        &generic(),
        ImportOptions {
            write: true,
            only_valid: false,
            existing_catalog_only: false,
        },
        now(),
        |rows, done, total| seen.push((rows, done, total)),
    )
    .await
    .expect("imported");
    assert_eq!((report.created, report.error_rows), (2_345, 0));
    assert!(seen.len() >= 2, "progress after every batch: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1));
    assert_eq!(seen.last().map(|s| (s.0, s.1 == s.2)), Some((2_345, true)));
    assert_eq!(report.new_components.len(), 7);
    assert_eq!(report.new_releases.len(), 5);
    assert!(verify(&store.db).await.expect("verify").is_empty());
    let again = run(&store, team_id, &file(&refs), true, false).await;
    assert_eq!(again.unchanged, 2_345);
}

/// Titles and descriptions with everything PostgreSQL's COPY text format treats specially
/// (tabs, newlines, carriage returns, backslashes, a literal `\N`, the `\.` end marker) and
/// beyond ASCII, each read back exactly; a second import of the file finds them unchanged.
async fn any_text_reads_back_exactly_as_the_file_gave_it(store: TestDb) {
    let team_id = team(&store, "Nasty").await;
    let texts: [(&str, &str); 8] = [
        ("\\N", "\\N"),
        ("back\\slash \\\\ twice", "ends in a backslash \\"),
        ("tab\tinside", "tab\tand\t\ttabs"),
        ("\\.", "line\n\\.\nafter the end marker"),
        ("carriage\rreturn", "windows\r\nline\r\nends"),
        ("naïve 日本語 \u{2028} 🚀", "\u{1}\u{7f} control characters"),
        ("quote \" comma , semicolon ;", "\"quoted\", 'single'"),
        ("\\t is not a tab", "\\n is not a newline"),
    ];
    let rows: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, (title, description))| {
            let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
            format!(
                "{},high,production,code,functional,customer,,,2026-03-15,,,NASTY-{i},{}",
                quote(title),
                quote(description)
            )
        })
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let bytes = file(&refs);
    let done = run(&store, team_id, &bytes, true, false).await;
    assert_eq!((done.created, done.error_rows), (8, 0), "{:?}", done.errors);
    for (i, (title, description)) in texts.iter().enumerate() {
        let row = defects_of(&store, team_id)
            .await
            .into_iter()
            .find(|r| r.external_key.as_deref() == Some(&format!("NASTY-{i}")))
            .expect("imported");
        let defect = get_defect(&store.db, row.id).await.expect("stored");
        assert_eq!(defect.data.title, *title);
        assert_eq!(defect.data.description, *description);
        assert_eq!(defect.data.expected_catch_stage, None);
        assert_eq!(defect.data.component_id, None);
    }
    let again = run(&store, team_id, &bytes, true, false).await;
    assert_eq!((again.unchanged, again.created, again.updated), (8, 0, 0));
    assert!(verify(&store.db).await.expect("verify").is_empty());
}
