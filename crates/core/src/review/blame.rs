//! The blameless guard: finds phrasing in narrative fields that points at people rather than
//! at the system, so the page can offer a system-focused question instead. It never blocks.

use serde::Serialize;

/// The phrases the guard looks for (matched case-insensitively, on word boundaries, with any
/// run of whitespace between words and `’` read as `'`), each with the question it offers.
pub const BLAME_PHRASES: &[(&str, &str)] = &[
    ("qa missed", EVIDENCE),
    ("testers missed", EVIDENCE),
    ("missed by", EVIDENCE),
    ("should have tested", EVIDENCE),
    ("should've tested", EVIDENCE),
    ("should have caught", EVIDENCE),
    ("should've caught", EVIDENCE),
    ("should have checked", EVIDENCE),
    ("should have known", KNOWLEDGE),
    ("should have noticed", EVIDENCE),
    ("failed to test", EVIDENCE),
    ("didn't test", EVIDENCE),
    ("did not test", EVIDENCE),
    ("didn't bother", CONDITIONS),
    ("forgot to", CONDITIONS),
    ("careless", CONDITIONS),
    ("carelessly", CONDITIONS),
    ("carelessness", CONDITIONS),
    ("human error", CONDITIONS),
    ("sloppy", CONDITIONS),
    ("lazy", CONDITIONS),
    ("negligent", CONDITIONS),
    ("negligence", CONDITIONS),
    ("incompetent", CONDITIONS),
    ("dropped the ball", CONDITIONS),
    ("not paying attention", CONDITIONS),
    ("their fault", CONDITIONS),
    ("his fault", CONDITIONS),
    ("her fault", CONDITIONS),
    ("fault of", CONDITIONS),
    ("to blame", CONDITIONS),
    ("blame", CONDITIONS),
    ("culprit", CONDITIONS),
];

const EVIDENCE: &str =
    "What evidence or test would have caught it earlier, and why did it not exist?";
const KNOWLEDGE: &str =
    "What would have made this knowable at the time: documentation, a check, a signal?";
const CONDITIONS: &str =
    "What in the process or tooling made this easy to get wrong, and what would make it hard?";
const PERSON: &str =
    "Describe what the system allowed rather than who was involved: which gate let it through?";

/// Why a passage was flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlameKind {
    /// A phrase from [`BLAME_PHRASES`].
    Phrase,
    /// A team member's name.
    Person,
}

/// One passage that reads as blame, with the question to ask instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlameFinding {
    /// The passage as written.
    pub text: String,
    /// Byte offset of the passage in the checked text.
    pub start: usize,
    /// Why it was flagged.
    pub kind: BlameKind,
    /// The system-focused question offered instead.
    pub question: &'static str,
}

/// Finds blame phrasing in `text`: every phrase of [`BLAME_PHRASES`] and every name in
/// `people` (a team member's full display name, any case; or their first name of three or
/// more letters, written with its capital). Findings are ordered by position; where phrases
/// overlap, the longest one starting first wins. Never panics, whatever `text` holds.
#[must_use]
pub fn blame_findings(text: &str, people: &[&str]) -> Vec<BlameFinding> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut found: Vec<(usize, usize, BlameKind, &'static str)> = Vec::new();
    for start in 0..chars.len() {
        if !at_word_start(&chars, start) {
            continue;
        }
        let mut best: Option<(usize, BlameKind, &'static str)> = None;
        let mut consider = |len: Option<usize>, kind, question| {
            if let Some(len) = len
                && best.is_none_or(|(b, _, _)| len > b)
            {
                best = Some((len, kind, question));
            }
        };
        for (phrase, question) in BLAME_PHRASES {
            consider(
                match_at(&chars, start, phrase, false),
                BlameKind::Phrase,
                *question,
            );
        }
        for name in people {
            let name = name.trim();
            if name.chars().count() >= 3 {
                consider(
                    match_at(&chars, start, name, false),
                    BlameKind::Person,
                    PERSON,
                );
            }
            if let Some(first) = name.split_whitespace().next()
                && first != name
                && first.chars().count() >= 3
                && first.chars().next().is_some_and(char::is_uppercase)
            {
                consider(
                    match_at(&chars, start, first, true),
                    BlameKind::Person,
                    PERSON,
                );
            }
        }
        if let Some((len, kind, question)) = best {
            found.push((start, start + len, kind, question));
        }
    }
    let mut out: Vec<BlameFinding> = Vec::new();
    let mut covered_until = 0;
    for (start, end, kind, question) in found {
        if start < covered_until {
            continue;
        }
        covered_until = end;
        let from = chars[start].0;
        let to = chars.get(end).map_or(text.len(), |c| c.0);
        out.push(BlameFinding {
            text: text[from..to].to_owned(),
            start: from,
            kind,
            question,
        });
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '’'
}

fn at_word_start(chars: &[(usize, char)], i: usize) -> bool {
    chars.get(i).is_some_and(|&(_, c)| is_word_char(c)) && (i == 0 || !is_word_char(chars[i - 1].1))
}

/// The number of chars of `chars[start..]` that `phrase` matches, ending on a word boundary.
fn match_at(
    chars: &[(usize, char)],
    start: usize,
    phrase: &str,
    exact_case: bool,
) -> Option<usize> {
    let mut i = start;
    let mut words = phrase.split_whitespace().peekable();
    while let Some(word) = words.next() {
        for p in word.chars() {
            let &(_, c) = chars.get(i)?;
            if !same_char(c, p, exact_case) {
                return None;
            }
            i += 1;
        }
        if words.peek().is_some() {
            let gap_start = i;
            while chars.get(i).is_some_and(|&(_, c)| c.is_whitespace()) {
                i += 1;
            }
            if i == gap_start {
                return None;
            }
        }
    }
    if chars.get(i).is_some_and(|&(_, c)| is_word_char(c)) {
        return None;
    }
    Some(i - start)
}

fn same_char(text: char, phrase: char, exact_case: bool) -> bool {
    let norm = |c: char| if c == '’' { '\'' } else { c };
    let (t, p) = (norm(text), norm(phrase));
    if exact_case {
        t == p
    } else {
        t == p || t.to_lowercase().eq(p.to_lowercase())
    }
}
