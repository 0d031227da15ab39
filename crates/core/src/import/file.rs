//! Reading an uploaded CSV file: the byte-order mark dropped, the text checked to be UTF-8
//! (and not a binary file), the delimiter detected from the header line, then the header
//! and one [`Record`] per row with the line it starts on. CRLF, quoted newlines and short
//! or long rows are read as people mean them.

use thiserror::Error;

use super::MAX_FILE_BYTES;

/// Why a file cannot be read as CSV at all, before any row is looked at.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FileError {
    #[error("The file is empty")]
    Empty,
    #[error("The file is larger than 50 MB ({0} bytes): split it into smaller files")]
    TooLarge(usize),
    #[error(
        "The file looks binary, not CSV text (it holds a NUL byte on line {line}): export it from the tracker as CSV"
    )]
    Binary { line: u64 },
    #[error(
        "The file is not UTF-8 text (line {line} holds bytes that are not UTF-8): save it as CSV UTF-8"
    )]
    NotUtf8 { line: u64 },
    #[error("The file has no header row: its first line must name the columns")]
    NoHeader,
    #[error("Line {line} could not be read as CSV: {reason}")]
    Malformed { line: u64, reason: String },
}

/// One row of the file: its cells, and the line of the file it starts on (the header is
/// line 1; a quoted newline makes a row span several lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: u64,
    pub cells: Vec<String>,
}

/// A file checked to be readable CSV text.
#[derive(Debug)]
pub struct CsvFile<'a> {
    text: &'a str,
    delimiter: u8,
    headers: Vec<String>,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The line (1-based) that byte `at` of `bytes` is on.
fn line_at(bytes: &[u8], at: usize) -> u64 {
    let newlines = bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    u64::try_from(newlines)
        .unwrap_or(u64::MAX)
        .saturating_add(1)
}

/// The delimiter of the header line: whichever of `,` `;` and tab occurs most often outside
/// quotes in it (`,` when none does).
fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [0_usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

impl<'a> CsvFile<'a> {
    /// Checks `bytes` and reads its header row.
    pub fn open(bytes: &'a [u8]) -> Result<CsvFile<'a>, FileError> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(FileError::TooLarge(bytes.len()));
        }
        let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(FileError::Empty);
        }
        if let Some(at) = bytes.iter().position(|&b| b == 0) {
            return Err(FileError::Binary {
                line: line_at(bytes, at),
            });
        }
        let text = std::str::from_utf8(bytes).map_err(|e| FileError::NotUtf8 {
            line: line_at(bytes, e.valid_up_to()),
        })?;
        let delimiter = detect_delimiter(text);
        let mut file = CsvFile {
            text,
            delimiter,
            headers: Vec::new(),
        };
        let mut reader = file.reader();
        let mut record = csv::StringRecord::new();
        let read = reader.read_record(&mut record).map_err(|e| malformed(&e))?;
        if !read || record.iter().all(|h| h.trim().is_empty()) {
            return Err(FileError::NoHeader);
        }
        file.headers = record.iter().map(|h| h.trim().to_owned()).collect();
        Ok(file)
    }

    fn reader(&self) -> csv::Reader<&'a [u8]> {
        csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(self.text.as_bytes())
    }

    /// The column headers, trimmed, in file order (repeated names kept).
    #[must_use]
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The delimiter found: `,`, `;` or tab.
    #[must_use]
    pub fn delimiter(&self) -> char {
        char::from(self.delimiter)
    }

    /// The file's size in bytes, without its byte-order mark.
    #[must_use]
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// True when the file holds nothing (never, once opened).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Every row after the header, skipping rows with no text in any cell, each with the
    /// byte offset where it ends (for progress). A row that is not CSV (a quote left open
    /// to the end of the file) ends the iteration with its error.
    pub fn records(&self) -> impl Iterator<Item = Result<(Record, usize), FileError>> + 'a {
        let mut reader = self.reader();
        let mut record = csv::StringRecord::new();
        let mut header_done = false;
        let mut failed = false;
        let bytes = self.text.as_bytes();
        // Lines are counted here, not taken from the reader: after a CRLF it names the line
        // before. `counted` newlines lie before byte `seen`.
        let (mut seen, mut counted) = (0_usize, 0_u64);
        let mut line_of = move |at: usize| {
            let mut start = at.min(bytes.len());
            while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                start += 1;
            }
            if start >= seen {
                counted += bytes[seen..start].iter().filter(|&&b| b == b'\n').count() as u64;
                seen = start;
            }
            counted + 1
        };
        std::iter::from_fn(move || {
            loop {
                if failed {
                    return None;
                }
                match reader.read_record(&mut record) {
                    Ok(false) => return None,
                    Ok(true) => {
                        if !header_done {
                            header_done = true;
                            continue;
                        }
                        if record.iter().all(|c| c.trim().is_empty()) {
                            continue;
                        }
                        let start = record
                            .position()
                            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
                        let line = line_of(start);
                        let end = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
                        return Some(Ok((
                            Record {
                                line,
                                cells: record.iter().map(str::to_owned).collect(),
                            },
                            end,
                        )));
                    }
                    Err(e) => {
                        failed = true;
                        return Some(Err(malformed(&e)));
                    }
                }
            }
        })
    }
}

fn malformed(e: &csv::Error) -> FileError {
    let line = e.position().map_or(0, csv::Position::line);
    let reason = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".to_owned(),
        _ => "a quoted cell is never closed".to_owned(),
    };
    FileError::Malformed { line, reason }
}

/// The rows of `file` on `lines` (as [`Record::line`] gives them), written back as CSV with
/// the file's headers and one more column, `import_problems`, that says what is wrong with
/// each: what a person fixes and imports again.
pub fn skipped_rows(
    file: &CsvFile<'_>,
    lines: &[u64],
    problems: &dyn Fn(u64) -> String,
) -> Result<Vec<u8>, FileError> {
    let wanted: std::collections::HashSet<u64> = lines.iter().copied().collect();
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let mut header: Vec<&str> = file.headers().iter().map(String::as_str).collect();
    header.push("import_problems");
    let io = |e: csv::Error| FileError::Malformed {
        line: 0,
        reason: e.to_string(),
    };
    writer.write_record(&header).map_err(io)?;
    for record in file.records() {
        let (record, _) = record?;
        if !wanted.contains(&record.line) {
            continue;
        }
        let mut cells = record.cells;
        cells.resize(file.headers().len(), String::new());
        cells.push(problems(record.line));
        writer.write_record(&cells).map_err(io)?;
    }
    writer.into_inner().map_err(|e| FileError::Malformed {
        line: 0,
        reason: e.to_string(),
    })
}
