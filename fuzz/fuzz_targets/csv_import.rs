//! Any bytes through the CSV importer as an upload goes: read as a file, bound to every
//! preset's mapping, every row prepared, and the rows left out written back. Nothing may
//! panic; a row that comes out valid must hold what validation promises.
#![no_main]

use chrono::{TimeZone, Utc};
use escapement_core::Pipeline;
use escapement_core::import::file::skipped_rows;
use escapement_core::import::{Binding, Catalog, CsvFile, Preset};
use libfuzzer_sys::fuzz_target;
use uuid::Uuid;

struct Names(u128);

impl Catalog for Names {
    fn component(&mut self, _: &str) -> Uuid {
        self.0 += 1;
        Uuid::from_u128(self.0)
    }
    fn release(&mut self, _: &str) -> Uuid {
        self.0 += 1;
        Uuid::from_u128(self.0)
    }
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(file) = CsvFile::open(bytes) else {
        return;
    };
    let pipeline = Pipeline::default();
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    let team = Uuid::from_u128(7);
    let mut lines = Vec::new();
    for preset in Preset::ALL {
        let mapping = preset.mapping(&pipeline);
        let Ok(binding) = Binding::new(&mapping, file.headers()) else {
            continue;
        };
        let mut names = Names(0);
        for (record, _) in file.records().flatten() {
            let outcome = binding.prepare(&mapping, &pipeline, &record, team, now, &mut names);
            match &outcome.defect {
                Ok(d) => {
                    assert!(!d.title.is_empty() && d.title.chars().count() <= 200);
                    assert!(d.resolved_at.is_none_or(|r| r >= d.detected_at));
                    let _ = outcome.merged_onto(d, &pipeline);
                }
                Err(errors) => {
                    assert!(!errors.is_empty());
                    lines.push(record.line);
                }
            }
        }
    }
    let _ = skipped_rows(&file, &lines, &|line| format!("line {line}"));
});
