//! Reading a backup file: plain or gzip-compressed (told apart by its first bytes), a line
//! at a time, each line a JSON object, numbered for the messages; and the header's checks.

use std::io::{BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;
use serde_json::{Map, Value as Json};

use super::{BackupError, FORMAT_NAME, FORMAT_VERSION, current_schema};

/// The longest line a backup may hold: far above any row the application writes.
const MAX_LINE: u64 = 64 << 20;

/// The file's lines as JSON objects, numbered for error messages.
pub(super) struct Lines {
    input: Box<dyn BufRead + Send>,
    gzip: bool,
    /// The number of the line read last.
    pub number: u64,
    buffer: String,
}

impl Lines {
    /// Reads `input`, decompressing it when it starts like gzip.
    pub fn new(input: impl Read + Send + 'static) -> Result<Lines, BackupError> {
        let mut input = BufReader::with_capacity(1 << 16, input);
        // gzip's magic number: a compressed file restores whatever its name.
        let gzip = input.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let input: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::with_capacity(
                1 << 16,
                MultiGzDecoder::new(input),
            ))
        } else {
            Box::new(input)
        };
        Ok(Lines {
            input,
            gzip,
            number: 0,
            buffer: String::new(),
        })
    }

    /// The next non-blank line as a JSON object, or `None` at the end of the file.
    pub fn next(&mut self) -> Result<Option<Map<String, Json>>, BackupError> {
        loop {
            self.buffer.clear();
            self.number += 1;
            let read = (&mut self.input)
                .take(MAX_LINE)
                .read_line(&mut self.buffer)
                .map_err(|e| match e.kind() {
                    // read_line's own error: the bytes are not UTF-8.
                    std::io::ErrorKind::InvalidData if !self.gzip => {
                        BackupError::Invalid(format!("line {} is not UTF-8 text", self.number))
                    }
                    // The decompressor's (or read_line's on decompressed bytes).
                    std::io::ErrorKind::InvalidData
                    | std::io::ErrorKind::InvalidInput
                    | std::io::ErrorKind::UnexpectedEof => BackupError::Invalid(format!(
                        "line {} cannot be read: the compressed data is damaged or cut short \
                         ({e})",
                        self.number
                    )),
                    _ => BackupError::Io(e),
                })?;
            if read == 0 {
                return Ok(None);
            }
            if read as u64 == MAX_LINE && !self.buffer.ends_with('\n') {
                return Err(BackupError::Invalid(format!(
                    "line {} is longer than {} MB",
                    self.number,
                    MAX_LINE >> 20
                )));
            }
            if self.buffer.trim().is_empty() {
                continue;
            }
            return match serde_json::from_str::<Json>(&self.buffer) {
                Ok(Json::Object(map)) => Ok(Some(map)),
                Ok(_) => Err(BackupError::Invalid(format!(
                    "line {} is not a JSON object",
                    self.number
                ))),
                Err(e) => Err(BackupError::Invalid(format!(
                    "line {} is not valid JSON: {e}",
                    self.number
                ))),
            };
        }
    }

    /// The next line, which must exist: `context` says what the file was expected to hold.
    pub fn expect(&mut self, context: &str) -> Result<Map<String, Json>, BackupError> {
        self.next()?.ok_or_else(|| {
            BackupError::Invalid(format!(
                "the file ends after line {} where {context} was expected: it was cut short",
                self.number.saturating_sub(1)
            ))
        })
    }
}

/// Checks the header line: an Escapement backup, of a version this code reads, at its schema.
pub(super) fn check_header(header: &Map<String, Json>) -> Result<(), BackupError> {
    if header.get("format").and_then(Json::as_str) != Some(FORMAT_NAME) {
        return Err(BackupError::Invalid(format!(
            "line 1 is not the header of an Escapement backup (no \"format\":\"{FORMAT_NAME}\")"
        )));
    }
    let version = header
        .get("version")
        .and_then(Json::as_u64)
        .filter(|v| *v >= 1)
        .ok_or_else(|| BackupError::Invalid("the header has no valid version".to_owned()))?;
    if version > u64::from(FORMAT_VERSION) {
        return Err(BackupError::NewerVersion { found: version });
    }
    let schema = header
        .get("schema")
        .and_then(Json::as_str)
        .ok_or_else(|| BackupError::Invalid("the header names no schema".to_owned()))?;
    let current = current_schema();
    if schema == current {
        return Ok(());
    }
    use escapement_migrations::{Migrator, MigratorTrait};
    let known = Migrator::migrations().iter().any(|m| m.name() == schema);
    Err(BackupError::Schema(if known {
        format!(
            "the backup was taken at schema {schema}, older than this Escapement's {current}: \
             restore it with the release that wrote it, start this release on that database \
             to upgrade it, and back it up again"
        )
    } else {
        format!(
            "the backup's schema {schema} is not one this Escapement knows (its migrations end \
             with {current}): restore it with the release that wrote it or a newer one"
        )
    }))
}
