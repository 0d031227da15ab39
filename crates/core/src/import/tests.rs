use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::dates::parse_import_datetime;
use super::rules::{parse_rules, rules_text};
use super::*;
use crate::stage::Pipeline;
use crate::taxonomy::{DefectType, DetectedBy, Origin, Severity};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0)
        .single()
        .expect("a date")
}

fn team() -> Uuid {
    Uuid::from_u128(7)
}

/// Names to ids, remembering which were asked for.
#[derive(Default)]
struct Names {
    components: BTreeMap<String, Uuid>,
    releases: BTreeMap<String, Uuid>,
}

impl Catalog for Names {
    fn component(&mut self, name: &str) -> Uuid {
        let n = self.components.len() as u128;
        *self
            .components
            .entry(name.to_lowercase())
            .or_insert(Uuid::from_u128(100 + n))
    }
    fn release(&mut self, name: &str) -> Uuid {
        let n = self.releases.len() as u128;
        *self
            .releases
            .entry(name.to_lowercase())
            .or_insert(Uuid::from_u128(200 + n))
    }
}

/// Every row of `bytes` imported with `mapping`.
fn import(bytes: &[u8], mapping: &Mapping) -> (Vec<RowOutcome>, Names) {
    let file = CsvFile::open(bytes).expect("a readable file");
    let binding = Binding::new(mapping, file.headers()).expect("a usable mapping");
    let mut names = Names::default();
    let outcomes = file
        .records()
        .map(|r| {
            let (record, _) = r.expect("a record");
            binding.prepare(
                mapping,
                &Pipeline::default(),
                &record,
                team(),
                now(),
                &mut names,
            )
        })
        .collect();
    (outcomes, names)
}

fn generic() -> Mapping {
    Preset::Generic.mapping(&Pipeline::default())
}

const GENERIC_HEADER: &str = "title,severity,discovery_stage,origin,defect_type,detected_by,component,release,discovered_at,introduced_at,resolved_at,external_key,description";

#[test]
fn a_generic_row_becomes_the_defect_it_describes() {
    let text = format!(
        "{GENERIC_HEADER}\nCoupon applied twice,high,production,code,functional,customer,Checkout,2.4,2026-03-15,2026-03-01T09:00:00Z,2026-03-16 10:30,ESC-1,\"Two lines\nof text\"\n"
    );
    let (rows, names) = import(text.as_bytes(), &generic());
    assert_eq!(rows.len(), 1);
    let d = rows[0].defect.clone().expect("a valid row");
    assert_eq!(d.title, "Coupon applied twice");
    assert_eq!(d.severity, Severity::High);
    assert_eq!(d.discovery_stage.as_str(), "production");
    assert_eq!(d.origin, Origin::Code);
    assert_eq!(d.defect_type, DefectType::Functional);
    assert_eq!(d.detected_by, DetectedBy::Customer);
    assert_eq!(d.component_id, names.components.get("checkout").copied());
    assert_eq!(d.release_id, names.releases.get("2.4").copied());
    assert_eq!(
        d.detected_at,
        Utc.with_ymd_and_hms(2026, 3, 15, 0, 0, 0).unwrap()
    );
    assert_eq!(
        d.resolved_at,
        Some(Utc.with_ymd_and_hms(2026, 3, 16, 10, 30, 0).unwrap())
    );
    assert_eq!(d.external_key.as_deref(), Some("ESC-1"));
    assert_eq!(d.description, "Two lines\nof text");
    assert!(d.scope.confirmed);
    assert_eq!(rows[0].line, 2);
}

#[test]
fn bom_crlf_semicolons_tabs_and_trailing_columns_read_alike() {
    let row = "Login fails,critical,staging,,security,monitoring,,,2026-01-02,,,K-9,";
    let plain = format!("{GENERIC_HEADER}\n{row}\n");
    let variants = [
        format!("\u{feff}{GENERIC_HEADER}\r\n{row}\r\n"),
        format!(
            "{}\n{}\n",
            GENERIC_HEADER.replace(',', ";"),
            row.replace(',', ";")
        ),
        format!(
            "{}\r\n{}\r\n",
            GENERIC_HEADER.replace(',', "\t"),
            row.replace(',', "\t")
        ),
        format!("{GENERIC_HEADER},,\n{row},,\n\n\n"),
    ];
    let (expected, _) = import(plain.as_bytes(), &generic());
    let expected = expected[0].defect.clone().expect("valid");
    for v in variants {
        let (rows, _) = import(v.as_bytes(), &generic());
        assert_eq!(rows.len(), 1, "{v:?}");
        assert_eq!(rows[0].defect.as_ref().ok(), Some(&expected), "{v:?}");
    }
}

#[test]
fn files_that_are_not_csv_text_are_refused_by_name() {
    assert_eq!(CsvFile::open(b"").err(), Some(FileError::Empty));
    assert_eq!(
        CsvFile::open(b"\xEF\xBB\xBF \r\n").err(),
        Some(FileError::Empty)
    );
    assert_eq!(
        CsvFile::open(b"title\nok\n\x89PNG\0\0").err(),
        Some(FileError::Binary { line: 3 })
    );
    assert_eq!(
        CsvFile::open(b"title\nok\nbad \xFF byte\n").err(),
        Some(FileError::NotUtf8 { line: 3 })
    );
    assert_eq!(
        CsvFile::open(b",,,\nx,y\n").err(),
        Some(FileError::NoHeader)
    );
    let big = vec![b'a'; MAX_FILE_BYTES + 1];
    assert!(matches!(CsvFile::open(&big), Err(FileError::TooLarge(_))));
    for e in [
        FileError::Binary { line: 3 },
        FileError::NotUtf8 { line: 3 },
    ] {
        assert!(e.to_string().contains("line 3"), "{e}");
    }
}

#[test]
fn a_mapping_without_a_title_column_names_the_columns_it_found() {
    let file = CsvFile::open(b"name,when\nx,2026-01-01\n").expect("readable");
    let errors = Binding::new(&generic(), file.headers()).expect_err("no title");
    let title = errors
        .iter()
        .find(|e| e.field == Field::Title)
        .expect("title named");
    assert!(title.message.contains("name, when"), "{}", title.message);
    assert!(errors.iter().any(|e| e.field == Field::Severity));
}

#[test]
fn row_errors_name_the_line_the_column_and_the_problem() {
    let text = format!(
        "{GENERIC_HEADER}\n,high,production,,functional,customer,,,2026-01-01,,,,\nOk,urgent,nowhere,,functional,customer,,,01/02/2026,,,,\nLater,low,production,,functional,customer,,,2026-02-01,,2026-01-01,,\n"
    );
    let (rows, _) = import(text.as_bytes(), &generic());
    let errors: Vec<_> = rows
        .iter()
        .flat_map(|r| r.defect.clone().err().unwrap_or_default())
        .collect();
    let find = |line, field| {
        errors
            .iter()
            .find(|e| e.line == line && e.field == field)
            .unwrap_or_else(|| panic!("no error on line {line} for {field:?}: {errors:?}"))
    };
    assert_eq!(find(2, Field::Title).column, "title");
    let severity = find(3, Field::Severity);
    assert!(
        severity.message.contains("`urgent`"),
        "{}",
        severity.message
    );
    assert!(
        severity.message.contains("critical, high"),
        "{}",
        severity.message
    );
    assert_eq!(find(3, Field::DiscoveryStage).column, "discovery_stage");
    assert!(find(3, Field::DiscoveredAt).message.contains("01/02/2026"));
    assert_eq!(
        find(4, Field::ResolvedAt).message,
        "Resolved date must be on or after the detected date"
    );
    // One message per field and row.
    assert_eq!(errors.iter().filter(|e| e.line == 3).count(), 3);
}

const JIRA: &str = "Summary,Issue key,Issue id,Issue Type,Priority,Created,Resolved,Component/s,Component/s,Affects Version/s,Labels,Labels,Labels,Description,Custom field (Found in)\n\
\"Refund not sent\",PAY-12,10012,Bug,Highest,01/Dec/25 10:15 AM,03/Dec/25 4:00 PM,,Payments,2025.12,regression,found-in:staging,,\"Steps:\n1. pay\",Staging\n\
Slow search,PAY-13,10013,Bug,Medium,2025-12-02 09:00,,Search,,,,,,,\n";

#[test]
fn a_jira_export_imports_with_its_preset() {
    let mapping = Preset::Jira.mapping(&Pipeline::default());
    let (rows, names) = import(JIRA.as_bytes(), &mapping);
    let first = rows[0].defect.clone().expect("valid");
    assert_eq!(first.severity, Severity::Critical);
    assert_eq!(first.external_key.as_deref(), Some("PAY-12"));
    assert_eq!(first.discovery_stage.as_str(), "staging");
    assert_eq!(
        first.detected_at,
        Utc.with_ymd_and_hms(2025, 12, 1, 10, 15, 0).unwrap()
    );
    assert_eq!(
        first.resolved_at,
        Some(Utc.with_ymd_and_hms(2025, 12, 3, 16, 0, 0).unwrap())
    );
    assert_eq!(
        first.component_id,
        names.components.get("payments").copied()
    );
    assert_eq!(first.description, "Steps:\n1. pay");
    assert_eq!(
        rows[0].defaulted,
        vec![Field::DefectType, Field::DetectedBy]
    );
    let second = rows[1].defect.clone().expect("valid");
    assert_eq!(second.severity, Severity::Medium);
    assert_eq!(second.discovery_stage.as_str(), "production");
    assert_eq!(second.release_id, None);
    assert!(rows[1].defaulted.contains(&Field::DiscoveryStage));
    let file = CsvFile::open(JIRA.as_bytes()).expect("readable");
    let binding = Binding::new(&mapping, file.headers()).expect("usable");
    assert_eq!(
        binding.ignored(),
        vec!["Issue id", "Issue Type", "Custom field (Found in)"]
    );
}

#[test]
fn a_github_export_imports_with_its_preset() {
    let text = "number,title,labels,createdAt,closedAt,body\n\
41,Crash on save,\"bug,severity:high,found-in:beta\",2026-02-01T10:00:00Z,,Body\n\
42,Typo,\"type:usability, p3\",2026-02-02T10:00:00Z,2026-02-03T10:00:00Z,\n";
    let mapping = Preset::Github.mapping(&Pipeline::default());
    let (rows, _) = import(text.as_bytes(), &mapping);
    let first = rows[0].defect.clone().expect("valid");
    assert_eq!(first.external_key.as_deref(), Some("#41"));
    assert_eq!(first.severity, Severity::High);
    assert_eq!(first.discovery_stage.as_str(), "beta");
    let second = rows[1].defect.clone().expect("valid");
    assert_eq!(second.defect_type, DefectType::Usability);
    // `p3` is a whole label, not a `priority:` one: the default applies.
    assert_eq!(second.severity, Severity::Medium);
    assert!(rows[1].defaulted.contains(&Field::Severity));
}

#[test]
fn a_label_naming_no_stage_is_a_row_error() {
    let text = "number,title,labels,createdAt,closedAt,body\n1,X,found-in:qa-lab,2026-02-01,,\n";
    let (rows, _) = import(
        text.as_bytes(),
        &Preset::Github.mapping(&Pipeline::default()),
    );
    let errors = rows[0].defect.clone().expect_err("unknown stage");
    assert_eq!(errors[0].field, Field::DiscoveryStage);
    assert_eq!(errors[0].column, "label found-in:qa-lab");
    assert!(
        errors[0].message.contains("`qa-lab`"),
        "{}",
        errors[0].message
    );
}

#[test]
fn values_match_keys_and_labels_however_they_are_written() {
    let p = Pipeline::default();
    assert_eq!(
        Field::DetectedBy.choice_key(&p, "Internal user").as_deref(),
        Some("internal_user")
    );
    assert_eq!(
        Field::DiscoveryStage
            .choice_key(&p, "System-Test")
            .as_deref(),
        Some("system_test")
    );
    assert_eq!(
        Field::DetectedBy
            .choice_key(&p, "Monitoring / alerting")
            .as_deref(),
        Some("monitoring")
    );
    assert_eq!(Field::Severity.choice_key(&p, "urgent"), None);
    assert_eq!(Field::Title.choice_key(&p, "high"), None);
}

#[test]
fn rules_round_trip_through_their_text() {
    let p = Pipeline::default();
    for preset in Preset::ALL {
        let m = preset.mapping(&p);
        let (values, labels) = parse_rules(&rules_text(&m), &p).expect("own text parses");
        assert_eq!(values, m.values, "{preset:?}");
        assert_eq!(labels, m.labels, "{preset:?}");
    }
    let (values, labels) = parse_rules(
        "# comment\n\nseverity: Sev 1 -> Critical\nlabel hotfix -> detected_by: customer\n",
        &p,
    )
    .expect("parses");
    assert_eq!(values[0].to, "critical");
    assert_eq!(labels[0].value, "customer");
}

#[test]
fn rule_errors_name_their_line() {
    let p = Pipeline::default();
    let errors = parse_rules(
        "severity: x -> huge\ntitle: a -> b\nno arrow\nlabel x -> severity\nlabel found:* -> colour\n",
        &p,
    )
    .expect_err("all wrong");
    assert_eq!(errors.len(), 5, "{errors:?}");
    for (i, e) in errors.iter().enumerate() {
        assert!(e.starts_with(&format!("Line {}:", i + 1)), "{e}");
    }
    assert!(errors[0].contains("`huge`"));
    assert!(errors[1].contains("Title takes any text"));
}

#[test]
fn tracker_dates_are_read_and_ambiguous_ones_refused() {
    let at = |y, m, d, h, min| Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap();
    let cases = [
        ("2024-03-15", at(2024, 3, 15, 0, 0)),
        ("2024-03-15T14:30:00Z", at(2024, 3, 15, 14, 30)),
        ("2024-03-15T16:30:00+02:00", at(2024, 3, 15, 14, 30)),
        ("2024-03-15 14:30", at(2024, 3, 15, 14, 30)),
        ("2024-03-15 14:30:00.123", at(2024, 3, 15, 14, 30)),
        ("2024/03/15", at(2024, 3, 15, 0, 0)),
        ("15/Mar/24 2:30 PM", at(2024, 3, 15, 14, 30)),
        ("15/mar/2024 02:30 am", at(2024, 3, 15, 2, 30)),
        ("15 Mar 2024", at(2024, 3, 15, 0, 0)),
        ("15.03.2024 14:30", at(2024, 3, 15, 14, 30)),
    ];
    for (text, expected) in cases {
        let parsed = parse_import_datetime(text).map(|d| d.with_nanosecond_zero());
        assert_eq!(parsed, Some(expected), "{text}");
    }
    for text in ["03/04/2024", "yesterday", "", "0001-01-01", "2024-02-30"] {
        assert_eq!(parse_import_datetime(text), None, "{text}");
    }
}

trait NoNanos {
    fn with_nanosecond_zero(self) -> Self;
}

impl NoNanos for DateTime<Utc> {
    fn with_nanosecond_zero(self) -> Self {
        chrono::Timelike::with_nanosecond(&self, 0).unwrap_or(self)
    }
}

#[test]
fn a_file_that_ends_inside_quotes_still_gives_its_rows() {
    let text = format!(
        "{GENERIC_HEADER}\nA,high,production,,functional,customer,,,2026-01-01,,,,\"never closed\n"
    );
    let file = CsvFile::open(text.as_bytes()).expect("readable");
    let rows: Vec<_> = file.records().collect();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].is_ok());
}

fn cell_text() -> impl Strategy<Value = String> {
    // Delimiters, quotes, line breaks and non-ASCII, never only whitespace.
    proptest::string::string_regex("[a-zA-Z0-9 ,;\t\"\n\r'é€ü]{0,12}[a-zA-Z0-9é]")
        .expect("a valid regex")
}

fn when() -> impl Strategy<Value = DateTime<Utc>> {
    (0_i64..3000).prop_map(|d| {
        Utc.with_ymd_and_hms(2018, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::minutes(d * 1_441)
    })
}

prop_compose! {
    fn valid_row()(
        title in cell_text(),
        description in cell_text(),
        severity in proptest::sample::select(Severity::ALL),
        stage in proptest::sample::select(vec!["unit_test", "staging", "production"]),
        origin in proptest::sample::select(Origin::ALL),
        defect_type in proptest::sample::select(DefectType::ALL),
        detected_by in proptest::sample::select(DetectedBy::ALL),
        component in proptest::option::of("[A-Za-z][A-Za-z ]{0,10}[a-z]"),
        detected in when(),
        resolved_after in proptest::option::of(0_i64..100),
        key in proptest::option::of("[A-Z]{2,5}-[0-9]{1,5}"),
    ) -> (Vec<String>, (String, Severity, String, Origin, DefectType, DetectedBy, Option<String>, DateTime<Utc>, Option<DateTime<Utc>>, Option<String>, String)) {
        let resolved = resolved_after.map(|h| detected + chrono::Duration::hours(h));
        let cells = vec![
            title.clone(),
            severity.key().to_owned(),
            stage.to_owned(),
            origin.label().to_owned(),
            defect_type.key().to_owned(),
            detected_by.label().to_owned(),
            component.clone().unwrap_or_default(),
            String::new(),
            detected.to_rfc3339(),
            String::new(),
            resolved.map(|r| r.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default(),
            key.clone().unwrap_or_default(),
            description.clone(),
        ];
        (cells, (title.trim().to_owned(), severity, stage.to_owned(), origin, defect_type, detected_by, component.map(|c| c.to_lowercase()), detected, resolved, key, description.trim().to_owned()))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Valid rows written by a CSV writer, with any delimiter, line ending and byte-order
    /// mark, read back as the defects they describe, in order.
    #[test]
    fn generated_csv_round_trips(
        rows in proptest::collection::vec(valid_row(), 1..20),
        delimiter in proptest::sample::select(vec![b',', b';', b'\t']),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .from_writer(Vec::new());
        writer.write_record(GENERIC_COLUMNS.iter().map(|f| f.key())).expect("written");
        for (cells, _) in &rows {
            writer.write_record(cells).expect("written");
        }
        let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        bytes.extend(writer.into_inner().expect("flushed"));
        let (outcomes, names) = import(&bytes, &generic());
        prop_assert_eq!(outcomes.len(), rows.len());
        for (outcome, (_, expected)) in outcomes.iter().zip(&rows) {
            let d = outcome.defect.clone().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let (title, severity, stage, origin, defect_type, detected_by, component, detected, resolved, key, description) = expected.clone();
            prop_assert_eq!(d.title, title);
            prop_assert_eq!(d.severity, severity);
            prop_assert_eq!(d.discovery_stage.as_str(), stage);
            prop_assert_eq!(d.origin, origin);
            prop_assert_eq!(d.defect_type, defect_type);
            prop_assert_eq!(d.detected_by, detected_by);
            prop_assert_eq!(d.component_id, component.and_then(|c| names.components.get(&c).copied()));
            prop_assert_eq!(d.detected_at, detected);
            prop_assert_eq!(d.resolved_at, resolved);
            prop_assert_eq!(d.external_key, key);
            prop_assert_eq!(d.description, description);
        }
    }

    /// Whatever the bytes, reading never panics.
    #[test]
    fn any_bytes_read_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(file) = CsvFile::open(&bytes) {
            let mapping = generic();
            if let Ok(binding) = Binding::new(&mapping, file.headers()) {
                let mut names = Names::default();
                for (record, _) in file.records().flatten() {
                    let _ = binding.prepare(&mapping, &Pipeline::default(), &record, team(), now(), &mut names);
                }
            }
        }
    }
}

#[test]
fn skipped_rows_are_written_back_with_their_problems() {
    let text = "title;severity\nA;high\n\"B\nb\";x\nC;low\n";
    let file = CsvFile::open(text.as_bytes()).expect("readable");
    let out =
        file::skipped_rows(&file, &[3], &|line| format!("line {line}: severity")).expect("written");
    assert_eq!(
        String::from_utf8(out).expect("text"),
        "title,severity,import_problems\n\"B\nb\",x,line 3: severity\n"
    );
}

#[test]
fn a_row_is_named_by_the_line_it_starts_on() {
    let text = "title,description\r\nA,\"one\ntwo\"\r\nB,\"three\nfour\"\r\nC,x\r\n";
    let file = CsvFile::open(text.as_bytes()).expect("readable");
    let lines: Vec<u64> = file.records().map(|r| r.expect("a row").0.line).collect();
    assert_eq!(lines, vec![2, 4, 6]);
}
