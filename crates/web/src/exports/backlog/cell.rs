//! What every CSV cell of Escapement goes through: the defence against spreadsheet formulas,
//! and the one CSV dialect the backlog formats write.

use std::borrow::Cow;
use std::io::Write;

/// The characters that make a spreadsheet read a cell as a formula (`=`, `+`, `-`, `@`) or
/// that some spreadsheets skip before looking for one (tab, carriage return).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` safe to open in a spreadsheet: a value starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'`, which spreadsheets take as "this is text" and do not
/// show. Every other value is returned as it is. Quoting is the CSV writer's job, not this.
#[must_use]
pub fn defuse(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The UTF-8 byte order mark, which Excel needs to read a CSV file as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The backlog formats' CSV dialect over `out`: comma-separated, every cell quoted (RFC 4180:
/// a `"` inside a cell doubled), records ended by CRLF as RFC 4180 says. Embedded line breaks
/// stay as they are, inside the quotes.
pub fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out)
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formula_starts_get_an_apostrophe_and_nothing_else_does() {
        for bad in ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx"] {
            assert_eq!(defuse(bad), format!("'{bad}"), "{bad:?}");
        }
        for good in ["plain", "a=b", " =x", "", "'quoted", "日本", "2026-11-25"] {
            assert_eq!(defuse(good), good, "{good:?}");
        }
    }
}
